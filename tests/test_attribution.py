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
