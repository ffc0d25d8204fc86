"""The numeral grammar and the figures it reads: exact values, magnitudes, signs, vague numerals,
ranges, percent forms, units and currencies, and the strings that must give no figure."""

from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econ_indicators import find_quantities
from econ_indicators.numbers import NumberError, parse_numeral
from econ_indicators.units import known_codes

# The phrases a new user tried (issue 16): (text, value, unit, low, high).
FIRST_TRIES = [
    ("三亿五千万元", 3.5e8, "CNY", None, None),
    ("一亿二千万元", 1.2e8, "CNY", None, None),
    ("3千万元", 3e7, "CNY", None, None),
    ("3.5千万元", 3.5e7, "CNY", None, None),
    ("5百万元", 5e6, "CNY", None, None),
    ("百分之3.2", 3.2, "%", None, None),
    ("4分之3", 0.75, "ratio", None, None),
    ("万分之三", 0.03, "%", None, None),
    ("三成", 30, "%", None, None),
    ("百分之百", 100, "%", None, None),
    ("两亿零五百万元", 2.05e8, "CNY", None, None),
    ("负四十五亿零四百零四万元", -4_504_040_000, "CNY", None, None),
    ("25万6千元", 256_000, "CNY", None, None),
    ("3万4000元", 34_000, "CNY", None, None),
    ("从8500到3万港元", 8500, "HKD", 8500, 30_000),
    ("1万元--5万元", 10_000, "CNY", 10_000, 50_000),
    ("负3.9%", -3.9, "%", None, None),
    ("一百千瓦", 100, "kW", None, None),
    ("港币两千九百六十元", 2960, "HKD", None, None),
    ("5306亿台币", 5.306e11, "TWD", None, None),
]


@pytest.mark.parametrize("text, value, unit, low, high", FIRST_TRIES)
def test_first_tries_read_right(text, value, unit, low, high):
    (q,) = find_quantities(f"据统计，{text}。")
    assert (q.value, q.unit) == (pytest.approx(value, rel=1e-12), unit)
    assert (q.low, q.high) == ((None, None) if low is None else (pytest.approx(low), pytest.approx(high)))


def test_a_url_escape_is_no_percentage():
    assert find_quantities("链接末尾写着rate=30%25") == []


@pytest.mark.parametrize("numeral, value", [
    ("两亿零五百万", "205000000"), ("四十五亿零四百零四万", "4504040000"), ("1.22万亿", "1220000000000"),
    ("3万4000", "34000"), ("25万6千", "256000"), ("3.5千万", "35000000"), ("十余", None),
    ("千亿", "100000000000"), ("万亿", "1000000000000"), ("10.36百亿亿", "10360000000000000000"),
    ("一万五", "15000"), ("两千五", "2500"), ("三百五", "350"), ("一千零五", "1005"), ("十点五", "10.5"),
    ("二〇二五", "2025"), ("壹仟贰佰叁拾肆", "1234"), ("兩萬", "20000"), ("三億五千萬", "350000000"),
    ("1,421, 486", "1421486"), ("三万五千亿", "3500000000000"),
])
def test_numerals_have_exact_values(numeral, value):
    if value is None:
        with pytest.raises(NumberError):
            parse_numeral(numeral)
    else:
        assert parse_numeral(numeral) == Decimal(value)


@pytest.mark.parametrize("numeral", ["一百千", "千千", "一万亿亿亿", "9" * 400, "一" * 40, "三点"])
def test_numerals_that_break_the_grammar_are_errors(numeral):
    with pytest.raises(NumberError):
        parse_numeral(numeral)


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**16 - 1), st.sampled_from(["low", "up"]))
def test_integers_written_by_cn2an_parse_back_exactly(n, mode):
    assert parse_numeral(cn2an.an2cn(n, mode)) == n


@settings(max_examples=200)
@given(st.decimals(min_value=0, max_value=10**8, places=3, allow_nan=False, allow_infinity=False))
def test_decimals_written_by_cn2an_parse_back_exactly(number):
    assert parse_numeral(cn2an.an2cn(str(number))) == number


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9999))
def test_mixed_arabic_and_magnitude_numerals_parse_back(high, low):
    assert parse_numeral(f"{high}万{low}") == high * 10**4 + low
    assert parse_numeral(f"{high}亿{low}万") == high * 10**8 + low * 10**4


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=99_999_999),
       st.sampled_from([("万", 10**4), ("亿", 10**8), ("万亿", 10**12)]),
       st.sampled_from([("元", "CNY"), ("吨", "t"), ("千瓦", "kW"), ("人", "person")]))
def test_chinese_figures_with_every_magnitude_parse_back(n, magnitude, unit):
    (q,) = find_quantities(f"全年完成{cn2an.an2cn(n)}{magnitude[0]}{unit[0]}，")
    assert (q.value, q.unit) == (float(Decimal(n) * magnitude[1]), unit[1])


@settings(max_examples=200)
@given(st.decimals(min_value=Decimal("0.01"), max_value=9999, places=2, allow_nan=False, allow_infinity=False))
def test_decimal_magnitudes_are_exact(number):
    (q,) = find_quantities(f"投资{number}亿元，")
    assert q.value == float(number * 10**8)


def test_wan_and_yi_are_never_confused():
    found = find_quantities("收入五万元，支出五亿元，结余3.5万亿元，另有两千万元")
    assert [q.value for q in found] == [5e4, 5e8, 3.5e12, 2e7]


@pytest.mark.parametrize("text, low, high, qualifier", [
    ("八九亿元", 8e8, 9e8, "range"),
    ("两到三万元", 2e4, 3e4, "range"),
    ("三五百人", 300, 500, "range"),
    ("十七八岁", 17, 18, "range"),
    ("数十亿元", 2e9, 9e9, "approx"),
    ("几百家", 200, 900, "approx"),
    ("4.5%-5%", 4.5, 5, "range"),
    ("3至5亿元", 3e8, 5e8, "range"),
    ("十五到二十万元", 1.5e5, 2e5, "range"),
])
def test_vague_numerals_and_ranges_keep_both_ends(text, low, high, qualifier):
    (q,) = find_quantities(f"预计{text}，")
    assert (q.low, q.high, q.qualifier) == (pytest.approx(low), pytest.approx(high), qualifier)
    assert q.value == pytest.approx(low)


@pytest.mark.parametrize("text, surface, value, unit", [
    ("千分之五", "千分之五", 0.5, "%"),
    ("占全国近一半", "一半", 0.5, "ratio"),
    ("占比近八成", "八成", 80, "%"),
    ("精简两成", "两成", 20, "%"),
    ("三分之二", "三分之二", 0.666667, "ratio"),
])
def test_percent_forms(text, surface, value, unit):
    (q,) = find_quantities(text)
    assert (q.surface, q.value, q.unit) == (surface, pytest.approx(value), unit)


@pytest.mark.parametrize("text, surface, value", [
    ("带动投资超万亿元", "万亿元", 1e12),
    ("打造千亿级产业集群", "千亿级", 1e11),
    ("营收突破千亿元", "千亿元", 1e11),
    ("经济总量迈上4万亿台阶", "4万亿", 4e12),
    ("两市均首次超过万亿大关", "万亿", 1e12),
])
def test_bare_magnitudes_are_thresholds(text, surface, value):
    (q,) = find_quantities(text)
    assert (q.surface, q.value, q.unit, q.qualifier) == (surface, value, "CNY", "over")


@pytest.mark.parametrize("text, value, unit", [
    ("装机120MW", 1.2e5, "kW"), ("光伏2.5GW", 2.5e6, "kW"), ("建成50GWh电池工厂", 5e7, "kWh"),
    ("新建500千伏变电站", 500, "kV"), ("降水量650.5毫米", 0.0006505, "km"),
    ("货物周转量603.05亿吨公里", 6.0305e10, "t_km"),
    ("旅客周转量42.2亿人公里", 4.22e9, "person_km"), ("浓度27微克/立方米", 27, "ug_m3"),
    ("人均预期寿命82.4岁", 82.4, "year"),
    ("连续三个季度", 3, "quarter"), ("噪声53.8分贝", 53.8, "dB"), ("用时两周", 14, "day"),
    ("引资30亿港元", 3e9, "HKD"), ("合同额2.1亿新台币", 2.1e8, "TWD"), ("出口500亿韩元", 5e10, "KRW"),
    ("收入80万泰铢", 8e5, "THB"), ("投资1.5亿澳元", 1.5e8, "AUD"), ("罚款300万瑞士法郎", 3e6, "CHF"),
    ("贷款20亿日元", 2e9, "JPY"), ("订单5000万欧元", 5e7, "EUR"), ("融资1亿英镑", 1e8, "GBP"),
    ("贸易额30亿卢布", 3e9, "RUB"),
    ("美元三百万元", 3e6, "USD"), ("三千千瓦时", 3000, "kWh"), ("3千瓦时", 3, "kWh"), ("3千千瓦", 3000, "kW"),
])
def test_units_and_currencies(text, value, unit):
    (q,) = find_quantities(text)
    assert (q.value, q.unit) == (pytest.approx(value, rel=1e-12), unit)
    assert unit in known_codes()


@pytest.mark.parametrize("text, unit", [
    ("新增经营主体370万户", "enterprise"), ("市场主体新增12万户", "enterprise"), ("帮扶困难群众3000户", "household"),
    ("培育单项冠军59家", "enterprise"), ("新引入8家跨国药企", "enterprise"), ("绿色工厂1210家", "enterprise"),
    ("上线34款产品", "count"), ("改造老楼507栋", "count"), ("开行4000班次", "count"), ("举办活动167次", "count"),
    ("引进15位院士", "person"), ("购置12艘渔船", "count"), ("签约23宗地块", "count"),
])
def test_measure_words_count_and_are_refined_by_the_noun(text, unit):
    (q,) = find_quantities(text)
    assert q.unit == unit


@pytest.mark.parametrize("text", [
    "两年平均增长", "过去五年，我们", "这五年，成绩来之不易", "五年来，全市", "打好三大攻坚战", "践行四个一",
    "第十四届运动会", "服务热线12345",
    "其中：0-15岁（含不满16周岁）", "“1515”亿级企业梯度", "编号0086", "&#37;", "千家万户", "万人空巷", "负责3个",
])
def test_not_figures(text):
    found = find_quantities(text)
    assert [q for q in found if q.surface != "3个"] == []


@pytest.mark.parametrize("text", ["1e309元", "9" * 400 + "%", "一万亿亿亿元", "1" * 1_000_000, "1" * 1_000_000 + "元",
                                  "一" * 100_000 + "元"])
def test_bad_values_give_no_figure_and_never_inf(text):
    assert find_quantities(text) == []


def test_a_minus_is_a_sign_only_where_it_is_one():
    found = find_quantities("增速为负3.9%，1-7月增长3%，为企业减负20亿元")
    assert [(q.surface, q.value) for q in found] == [("负3.9%", -3.9), ("3%", 3.0), ("20亿元", 2e9)]


@pytest.mark.xfail(strict=True, reason="a rate unit (百亿亿次/秒) has no canonical code yet")
def test_known_failure_rate_units():
    (q,) = find_quantities("算力达到10.36百亿亿次/秒")
    assert (q.value, q.unit) == (1.036e19, "count")


@pytest.mark.parametrize("text, surfaces, unit", [
    ("服务价格指数 100.3，", ["100.3"], "count"),
    ("城乡居民收入比为2.51，", ["2.51"], "ratio"),
    ("景气指数为52.3%，", ["52.3%"], "%"),
    ("分别拉动增速0.6、0.9、2.7个百分点", ["0.6", "0.9", "2.7个百分点"], "pct_point"),
])
def test_unitless_indices_ratios_and_listed_numbers(text, surfaces, unit):
    found = find_quantities(text)
    assert [q.surface for q in found] == surfaces
    assert {q.unit for q in found} == {unit}


@pytest.mark.parametrize("text", ["2023、2024年", "产量分别为1.2、3.4万吨"])
def test_a_list_shares_no_magnitude_and_no_date(text):
    assert all("、" not in q.surface and q.start > text.index("、") for q in find_quantities(text))


_TRADITIONAL = str.maketrans({"万": "萬", "亿": "億", "两": "兩", "点": "點"})


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_traditional_numerals_parse_back_exactly(n):
    assert parse_numeral(cn2an.an2cn(n).translate(_TRADITIONAL)) == n
