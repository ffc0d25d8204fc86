import datetime as dt

import pytest

from econ_indicators.attribution import (
    DocumentContext,
    clause_before,
    document_context,
    figure_kind,
    figure_year,
    metric_label,
)
from econ_indicators.quantities import Quantity

CTX = DocumentContext(title="t", published=dt.date(2026, 2, 7), year=2025)


def _q(unit="%"):
    return Quantity(1.0, unit, "1%", 0, 2)


@pytest.mark.parametrize("head, expected", [
    ("（2026年5月15日）\n", dt.date(2026, 5, 15)),
    ("时间: 2026-02-07 来源", dt.date(2026, 2, 7)),
    ("(2023年11月9日)", dt.date(2023, 11, 9)),
    ("没有日期的标题", None),
])
def test_publication_date(head, expected):
    assert document_context("标题一二三四五六\n" + head).published == expected


def test_document_year_is_the_most_mentioned():
    assert document_context("2025年产值。2025年投资。2024年对比。").year == 2025


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
