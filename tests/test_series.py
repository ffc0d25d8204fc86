"""Series for `econ-indicators show`: matching labels, ordering, suggestions and formatting."""

import pytest

from econ_indicators.indicators import indicators_table
from econ_indicators.io import output_path, write_parquet
from econ_indicators.metrics import metric_id
from econ_indicators.series import close_metrics, close_regions, format_series, metric_series, not_found


def _fact(fid, year, metric, value, unit="CNY", kind="level", region="西安市"):
    return {"fact_id": fid, "doc_id": "d", "region": region, "region_code": "610100", "year": year,
            "metric": metric, "value": value, "unit": unit, "surface": "s", "qualifier": None, "kind": kind,
            "masked": False, "sentence": "s", "period": None, "metric_id": metric_id(metric, kind, unit),
            "value_low": None, "value_high": None, "char_start": 0, "char_end": 1}


@pytest.fixture
def root(tmp_path):
    facts = [_fact("a", 2025, "西安市地区生产总值", 1.39e12), _fact("b", 2025, "地区生产总值", 4.7, "%", "change"),
             _fact("c", 2024, "地区生产总值", 1.33e12), _fact("d", 2024, "地区生产总值", 1.30e12),
             _fact("e", 2025, "人均地区生产总值", 105308.0)]
    write_parquet(indicators_table(facts), output_path(tmp_path, "indicators"))
    return tmp_path


def test_series_ignores_the_region_name_in_front_and_puts_levels_first(root):
    series = metric_series("西安市", "地区生产总值", root)
    assert series[["year", "kind"]].values.tolist() == [[2024, "level"], [2024, "level"], [2025, "level"],
                                                         [2025, "change"]]
    assert series.conflict.tolist() == [True, True, False, False]
    assert "人均地区生产总值" not in set(series.metric)


def test_region_code_gives_the_same_series(root):
    assert metric_series("610100", "地区生产总值", root).equals(metric_series("西安市", "地区生产总值", root))


def test_format_shows_readable_values_and_the_label_only_when_it_varies(root):
    text = format_series(metric_series("西安市", "地区生产总值", root))
    assert "1,390,000,000,000" in text and "metric" in text
    assert "metric" not in format_series(metric_series("西安市", "人均地区生产总值", root))


def test_suggestions_for_a_missing_metric_or_region(root):
    labels = ["人均地区生产总值", "地区生产总值", "税收"]
    assert close_metrics(labels, "生产总值") == ["地区生产总值", "人均地区生产总值"]
    assert close_regions(["西安市", "哈密市"], "西安") == ["西安市"]
    assert "close labels: 地区生产总值, 人均地区生产总值" in not_found("西安市", "生产总值", root)
    assert "regions with a close name: 西安市" in not_found("西安", "地区生产总值", root)
