"""Flat tables: each figure line gets its row label, column and unit."""

from __future__ import annotations

import pytest

from econ_indicators.flat_tables import find_table_cells, header_cells, parse_unit
from econ_indicators.quantities import find_quantities


def _cells(text: str) -> list[tuple[str, float, str, str, str]]:
    return [(c.surface, c.value, c.unit, c.label, c.kind) for c in find_table_cells(text)]


COLUMN_MAJOR = """全年粮食产量再创新高。

表 4 2024 年主要产品产量
产品名称
单位
棉纱
水泥
产量（万吨）
比上年增长（%）
12.5
80
-3.0
4.2
"""


def test_units_in_header_and_columns_in_header_order():
    assert _cells(COLUMN_MAJOR) == [
        ("12.5", 125000.0, "t", "棉纱产量", "level"), ("80", 800000.0, "t", "水泥产量", "level"),
        ("-3.0", -3.0, "%", "棉纱比上年增长", "change"), ("4.2", 4.2, "%", "水泥比上年增长", "change")]


def test_columns_named_before_the_labels_fill_in_header_order():
    text = "产品名称\n单位\n产量\n比上年增长（%）\n棉纱\n水泥\n万吨\n万吨\n12.5\n80\n-3.0\n4.2\n"
    assert _cells(text) == _cells(COLUMN_MAJOR)


def test_percent_header_right_before_a_run_claims_it_first():
    # the growth column comes out before the amounts although its header is printed second
    text = "名称\n产量\n钢材\n汽车\n单位\n万吨\n万辆\n比上年增长（%）\n2.1\n-4.0\n\n310.5\n12.3\n"
    assert _cells(text) == [
        ("2.1", 2.1, "%", "钢材比上年增长", "change"), ("-4.0", -4.0, "%", "汽车比上年增长", "change"),
        ("310.5", 3105000.0, "t", "钢材产量", "level"), ("12.3", 123000.0, "vehicle", "汽车产量", "level")]


def test_table_cut_by_a_page_break_continues_row_by_row():
    text = "指 标\n啤酒\n单位\n千升\n产量\n比上年增长（%）\n560\n3.5\n饲料\n化肥\n万吨\n吨\n8.8\n950\n-1.0\n2.0\n"
    assert _cells(text) == [
        ("560", 560.0, "m3", "啤酒产量", "level"), ("3.5", 3.5, "%", "啤酒比上年增长", "change"),
        ("8.8", 88000.0, "t", "饲料产量", "level"), ("950", 950.0, "t", "化肥产量", "level"),
        ("-1.0", -1.0, "%", "饲料比上年增长", "change"), ("2.0", 2.0, "%", "化肥比上年增长", "change")]


def test_label_with_its_unit_on_one_line_and_sub_rows():
    text = "指标\n单位\n绝对额 比上年增长（%）\n旅客周转量亿人公里\n3.2\n铁路\n亿人公里\n1.1\n5.0\n-2.5\n"
    assert _cells(text) == [
        ("3.2", 320000000.0, "person_km", "旅客周转量", "level"),
        ("1.1", 110000000.0, "person_km", "旅客周转量-铁路", "level"),
        ("5.0", 5.0, "%", "旅客周转量比上年增长", "change"),
        ("-2.5", -2.5, "%", "旅客周转量-铁路比上年增长", "change")]


def test_row_label_carrying_its_unit_takes_every_figure_after_it():
    text = "2024年各级学校情况\n高中\n初中\n学校数（所）\n12\n40\n教师数（人）1800\n2600\n"
    assert [c[:4] for c in _cells(text)] == [
        ("12", 12.0, "place", "学校数"), ("40", 40.0, "place", "学校数"),
        ("1800", 1800.0, "person", "教师数"), ("2600", 2600.0, "person", "教师数")]


@pytest.mark.parametrize("text", [
    "全年完成投资12亿元。\n3\n5\n",  # numbers after prose, but no header nor unit to read them by
    "一、综合\n1\n2\n3\n",  # a numbered list
    "附表\n2021\n2022\n2023\n",  # a chart's years
])
def test_lines_of_bare_numbers_without_units_are_not_figures(text):
    assert find_table_cells(text) == []


def test_prose_figures_are_not_read_twice():
    found = find_quantities(COLUMN_MAJOR + "\n全年水泥产量80万吨。\n")
    assert [q.surface for q in found] == ["12.5", "80", "-3.0", "4.2", "80万吨"]
    assert found[0].label == "棉纱产量" and found[2].kind == "change" and found[4].label is None


@pytest.mark.parametrize(("line", "expected"), [
    ("绝对额 比上年增长（%）", [("value", "绝对额"), ("value", "比上年增长（%）")]),
    ("计量单位", [("unit", "计量单位")]),
    ("指 标", [("label", "指 标")]),
    ("粮食产量", None),
])
def test_header_cells(line, expected):
    assert header_cells(line) == expected


@pytest.mark.parametrize(("text", "code", "mag"), [
    ("万千瓦", "kW", "万"), ("千瓦", "kW", ""), ("亿吨公里", "t_km", "亿"), ("万芯千米", "km", "万")])
def test_parse_unit_cells(text, code, mag):
    unit, magnitude = parse_unit(text)
    assert (unit.code, magnitude) == (code, mag)


def test_a_word_ending_in_a_measure_word_is_a_label_not_a_unit():
    assert parse_unit("电子元件") is None
