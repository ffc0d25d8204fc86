import pytest

from econ_indicators.numbers import NumberError, magnitude, parse_arabic, parse_chinese, scale
from econ_indicators.units import UnitTableError, known_codes, lookup, parse_unit_table, unit_table


@pytest.mark.parametrize("text, value", [
    ("13902.67", 13902.67), ("1,421,486", 1421486), ("1,421, 486", 1421486), ("0.58", 0.58),
])
def test_parse_arabic(text, value):
    assert float(parse_arabic(text)) == value


def test_parse_arabic_rejects_words():
    with pytest.raises(NumberError):
        parse_arabic("十四五")


@pytest.mark.parametrize("text, value", [("两千三百万", 23_000_000), ("1.5万", 15_000), ("壹佰", 100)])
def test_parse_chinese(text, value):
    assert parse_chinese(text) == value


def test_parse_chinese_rejects_a_non_numeral_every_time():
    for _ in range(2):  # the second answer comes from the cache
        with pytest.raises(NumberError):
            parse_chinese("一百千")  # a place after a smaller one
    assert parse_chinese("三") == parse_chinese("三") == 3


def test_scaling_is_exact_in_decimal():
    assert scale(parse_arabic("2.57"), magnitude("亿")) == 257_000_000
    assert scale(parse_arabic("1.22"), magnitude("万亿")) == 1.22e12


def test_unknown_magnitude_is_an_error():
    with pytest.raises(NumberError):
        magnitude("兆")


def test_unit_table_maps_surfaces_to_codes():
    assert lookup("千瓦").code == "kW"
    assert lookup("个百分点").code == "pct_point"
    assert lookup("斤").factor == 0.5
    assert {"CNY", "%", "pct_point", "t", "kW", "kWh", "m3", "m3/s", "person", "rank"} <= known_codes()


def test_unknown_unit_is_never_guessed():
    with pytest.raises(KeyError):
        lookup("光年")


def test_unit_table_rejects_duplicates_and_bad_factors():
    header = "surface,code,factor,dimension,not_before\n"
    with pytest.raises(UnitTableError, match="duplicate"):
        parse_unit_table(header + "元,CNY,1,money,\n元,CNY,1,money,\n")
    with pytest.raises(UnitTableError, match="row 2"):
        parse_unit_table(header + "元,CNY,one,money,\n")


def test_packaged_unit_table_loads():
    assert len(unit_table()) > 40
