import datetime as dt

import pytest

from econ_indicators.attribution import (
    DocumentContext,
    clause_before,
    document_context,
    figure_kind,
    figure_period,
    figure_year,
    metric_label,
)
from econ_indicators.metrics import metric_id
from econ_indicators.quantities import Quantity

CTX = DocumentContext(title="t", published=dt.date(2026, 2, 7), year=2025)


def _q(unit="%"):
    return Quantity(1.0, unit, "1%", 0, 2)


@pytest.mark.parametrize("head, expected", [
    ("（2026年5月15日）\n", dt.date(2026, 5, 15)),
    ("时间: 2026-02-07 来源", dt.date(2026, 2, 7)),
    ("(2023年11月9日)", dt.date(2023, 11, 9)),
    ("没有日期的标题", None),
    ("二〇二六年一月二十七日\n", dt.date(2026, 1, 27)),
    ("1月15日，市人大代表审议了报告。2026年是开局之年，2025年成绩显著。", dt.date(2026, 1, 15)),
])
def test_publication_date(head, expected):
    assert document_context("标题一二三四五六\n" + head).published == expected


def test_document_year_is_the_most_mentioned_without_title_year_or_date():
    assert document_context("2025年产值。2025年投资。2024年对比。").year == 2025


@pytest.mark.parametrize("text, year", [
    ("某市2024年国民经济和社会发展统计公报\n（2025年3月20日）\n到2030年，", 2024),  # the title's year
    ("在高峰论坛上的讲话\n(2023年11月9日)\n到2025年建成。到2025年达到。", 2023),  # targets do not count
    ("工作报告全文\n(2026年2月7日)\n2025年营收增长，2025年利润增长。", 2025),  # an early-year review
])
def test_document_reference_year(text, year):
    assert document_context(text).year == year


@pytest.mark.parametrize("before, period", [
    ("1-7月份，全市规模以上工业增加值", "M01-M07"),
    ("一季度，全区", "Q01"),
    ("前三季度，固定资产投资", "Q01-Q03"),
    ("今年上半年，社会消费品零售总额", "H01"),
    ("4月当月，出口", "M04"),
    ("3月11日，全市", None),
    ("全年实现", None),
])
def test_figure_period(before, period):
    assert figure_period(before) == period


@pytest.mark.parametrize("before, year", [
    ("到“十四五”末，全市产值达到", 2025),
    ("“十四五”期间累计完成投资", 2025),
    ("“十五五”开局之年，力争增长", 2026),
    ("“十五五”时期，年均增长", 2030),
])
def test_plan_years(before, year):
    assert figure_year(before, CTX) == year


def test_a_target_without_a_year_is_for_the_publication_year():
    assert figure_year("主要预期目标是：地区生产总值增长", CTX, "target") == 2026
    assert figure_year("地区生产总值增长", CTX, "level") == 2025


@pytest.mark.parametrize("label, kind, unit, expected", [
    ("全市地区生产总值", "level", "CNY", "gdp"),
    ("地区生产总值", "change", "%", "gdp_growth"),
    ("三次产业增加值占地区生产总值比重", "share", "%", None),
    ("人均地区生产总值", "level", "CNY", "gdp_per_capita"),
    ("一般公共预算收入", "level", "CNY", "fiscal_revenue"),
    ("高端铝业集群营收", "level", "CNY", None),
])
def test_metric_dictionary(label, kind, unit, expected):
    assert metric_id(label, kind, unit) == expected


@pytest.mark.parametrize("before, year", [
    ("2024年全市产值", 2024),
    ("去年集群总营收达到", 2025),
    ("今年1-5月份，投资", 2026),
    ("全市产值", 2025),
])
def test_figure_year(before, year):
    assert figure_year(before, CTX) == year


@pytest.mark.parametrize("clause, kind, sign", [
    ("比上年增长", "change", 1),
    ("消费品价格下降", "change", -1),
    ("比上年末减少了", "change", -1),
    ("常住人口城镇化率为", "share", 1),
    ("力争全年增速达到", "target", 1),
    ("地区生产总值", "level", 1),
])
def test_figure_kind(clause, kind, sign):
    assert figure_kind(_q(), clause) == (kind, sign)


def test_rank_kind():
    assert figure_kind(_q("rank"), "居全省") == ("rank", 1)


@pytest.mark.parametrize("clause, label", [
    ("2025年西安市地区生产总值", "西安市地区生产总值"),
    ("全年技术合同成交额", "技术合同成交额"),
    ("年末常住人口", "常住人口"),
    ("比上年增长", None),
    ("人均地区生产总值达到", "人均地区生产总值"),
])
def test_metric_label(clause, label):
    assert metric_label(clause) == label


def test_metric_label_is_short():
    assert len(metric_label("很长" * 40 + "的指标")) <= 30


def test_clause_before_stops_at_punctuation():
    sentence = "全年粮食产量133万吨，比上年增长2%。"
    assert clause_before(sentence, sentence.index("2%")) == "比上年增长"


def test_a_figure_continuing_a_list_takes_its_kind_and_sign():
    from econ_indicators.extract import extract_document

    rows = extract_document("d", "全年事故起数和死亡人数分别下降2.8%、2.9%。三次产业比重分别为2.4%、28.6%。")
    assert [(r["value"], r["kind"]) for r in rows] == [(-2.8, "change"), (-2.9, "change"), (2.4, "share"),
                                                      (28.6, "share")]


def test_a_hidden_place_gets_no_region():
    from econ_indicators.extract import extract_document

    text = "西安市统计公报。西安市全年生产总值1.3万亿元。X县全年生产总值300亿元。"
    assert [r["region"] for r in extract_document("d", text)] == ["西安市", None]


# --- rules of the document-structure stage -------------------------------------------------

from econ_indicators.attribution import Scope  # noqa: E402
from econ_indicators.attribution.metric import counted_label, list_items  # noqa: E402
from econ_indicators.attribution.time import comparison_base, written_year  # noqa: E402
from econ_indicators.extract import extract_document  # noqa: E402

MIDYEAR = DocumentContext(title="t", published=dt.date(2026, 7, 27), year=2026)


@pytest.mark.parametrize("before, year", [
    ("比上年增长", 2026),  # a comparison base, not the figure's year
    ("与2020年相比增长", 2026),
    ("较2020年实现翻番，达到", 2026),
    ("按2020年价格计算，总量", 2026),
    ("去年全年产值", 2025),
    ("从2020年的", 2020),  # a start value with its own year
])
def test_a_comparison_base_is_not_the_figures_year(before, year):
    assert figure_year(before, MIDYEAR) == year


def test_comparison_base_words():
    assert comparison_base("高于全国", 2) and comparison_base("占全省", 1) and not comparison_base("全省", 0)
    assert written_year("较2020年", MIDYEAR) is None


def test_the_start_of_a_change_is_the_year_before_its_scope():
    one_year = Scope(2025, "result")
    plan = Scope(2025, "result", (2021, 2025))
    assert figure_year("绿色出行比例从", MIDYEAR, "share", one_year, "提升至76.5%") == 2024
    assert figure_year("城镇化率从", MIDYEAR, "share", plan, "提高到60.2%") == 2020
    assert figure_year("城镇化率达", MIDYEAR, "share", plan, "，") == 2025


@pytest.mark.parametrize("clause, kind, sign", [
    ("降幅比一季度收窄", "change", 1),
    ("降幅收窄", "change", 1),
    ("增幅收窄", "change", -1),
    ("粮食减产", "change", -1),
    ("继续压减资金", "change", -1),
    ("城乡建设用地规模减量", "change", -1),
    ("与深圳的差距缩小到", "level", 1),  # the gap reached, not a change
    ("出行比例提升至", "share", 1),
    ("同增", "change", 1),
])
def test_kind_and_sign_of_changes(clause, kind, sign):
    assert figure_kind(_q(), clause) == (kind, sign)


def test_labels_carry_no_markup_and_no_numbers():
    assert metric_label('</font>地区生产总值') == "地区生产总值"
    assert metric_label("城镇化率37.2%和") == "城镇化率"


def test_a_count_takes_the_thing_counted():
    assert counted_label("开通", "地铁新线、新增运营里程") == "开通地铁新线"
    assert counted_label(None, "家庭养老床位") == "家庭养老床位"
    assert counted_label("新增", "，") == "新增"


@pytest.mark.parametrize("segment, items", [
    ("解决率、满意率", ["解决率", "满意率"]),
    ("入园率和普惠率", ["入园率", "普惠率"]),
    ("钢材、水泥、玻璃产量", ["钢材", "水泥", "玻璃产量"]),
    ("工业增加值", []),
])
def test_list_items(segment, items):
    assert list_items(segment) == items


def _facts(text: str) -> dict[str, dict]:
    return {f["surface"]: f for f in extract_document("d", text)}


def test_list_items_name_their_values_and_a_rank_its_indicator():
    facts = _facts("某省统计公报\n全年，诉求解决率、满意率分别达97.3%和97.7%。全省生产总值增长6.1%，增速居全国第3位。")
    assert facts["97.3%"]["metric"] == "诉求解决率" and facts["97.7%"]["metric"] == "满意率"
    assert "生产总值" in facts["第3位"]["metric"]


HENAN = "2026年河南省政府工作报告\n河南省经济平稳。河南全省上下齐心。"


@pytest.mark.parametrize("sentence, surface, region", [
    ("加快洛阳等10个国家物流枢纽建设。", "10个", "河南省"),  # a list led by a city counts province-wide
    ("加快建设国家乡村振兴示范县，建成35个先导区。", "35个", "河南省"),  # 示范县 is not 范县
    ("郑州生产总值增长5.5%。", "5.5%", "郑州市"),
    ("全省增长5%，高于全国（4.6%）。", "4.6%", "全国"),
    ("全省增长5%，高于全国0.4个百分点。", "0.4个百分点", "河南省"),  # the gap is the province's
    ("外贸进出口占全国的3.5%。", "3.5%", "河南省"),  # the nation is the denominator
    ("郑州、洛阳分别增长6.1%、5.2%。", "5.2%", "洛阳市"),
    ("南阳生产总值连续三年保持全省第2位。", "第2位", "南阳市"),
])
def test_a_figure_takes_its_own_clause_or_subject_place(sentence, surface, region):
    assert _facts(HENAN + sentence)[surface]["region"] == region


def test_places_compared_in_a_text_scope_their_own_clauses():
    text = ("三城上半年经济数据\n深圳上半年GDP增长3%，广州增长4%。成都增长13.1%。\n"
            "杭州上半年GDP为8646亿元。两年平均增长7.0%。\n目前，15个城市中，有14个公布了数据。")
    facts = _facts(text)
    assert [facts[s]["region"] for s in ("3%", "4%", "13.1%", "7.0%")] == ["深圳市", "广州市", "成都市", "杭州市"]
    assert facts["14个"]["region"] == "全国"  # the cities' common parent


def test_a_generic_label_is_about_the_sentences_indicator():
    facts = _facts("某省外贸\n1-8月，全省外贸进出口值3287.8亿元，同增17.1%，占全国的13.3%；两年平均增长9.1%。")
    assert all("外贸进出口" in facts[s]["metric"] for s in ("17.1%", "13.3%"))
    assert facts["9.1%"]["metric"] == "两年平均"  # a new sentence names its own


@pytest.mark.parametrize("label, is_generic", [
    ("增速居全国", True), ("同增", True), ("占GDP的", True), ("两年平均", True),
    ("居民消费价格涨幅", False), ("比例", False), ("列车开行", False), ("地区生产总值", False),
])
def test_generic_labels(label, is_generic):
    from econ_indicators.attribution.metric import generic

    assert generic(label) is is_generic


def test_an_aside_in_brackets_does_not_end_the_clause():
    text = "初步核算，全州实现生产总值（GDP）889.5亿元"
    assert clause_before(text, text.index("889")) == "全州实现生产总值（GDP）"
    text = "全年固定资产投资（不含农户）比上年下降"
    assert metric_label(clause_before(text, len(text))) == "固定资产投资（不含农户）"


def test_a_span_from_a_year_covers_its_start_only():
    facts = _facts("2026年某省政府工作报告\n二、“十四五”时期发展成就\n"
                   "这五年，城镇化率从2020年的55.1%提升至60.2%，建设用地减量约50平方公里，督查事项精简两成。")
    assert [facts[s]["year"] for s in ("55.1%", "60.2%", "50平方公里")] == [2020, 2025, 2025]
    assert facts["50平方公里"]["value"] == -50 and facts["两成"]["value"] == -20
    assert facts["60.2%"]["kind"] != "target"
