"""load(): typed frames, filters, default root and clear errors, on a small hand-made output folder."""

from pathlib import Path

import pandas as pd
import pytest

from econ_indicators import load
from econ_indicators.indicators import indicators_table
from econ_indicators.io import output_path, write_parquet
from econ_indicators.load import DATA_ENV, default_root
from econ_indicators.tables import documents_table, facts_table


def _fact(fid, region, code, year, metric, value, unit="CNY", kind="level"):
    return {"fact_id": fid, "doc_id": "d1", "region": region, "region_code": code, "year": year,
            "metric": metric, "value": value, "unit": unit, "surface": "s", "qualifier": None, "kind": kind,
            "masked": False, "sentence": "s", "period": None, "metric_id": None, "value_low": None,
            "value_high": None, "char_start": int(fid, 16), "char_end": int(fid, 16) + 1}


FACTS = [
    _fact("1", "西安市", "610100", 2024, "地区生产总值", 1.3e12),
    _fact("2", "西安市", "610100", 2025, "地区生产总值", 1.39e12),
    _fact("3", "西安市", "610100", 2025, "地区生产总值", 4.7, unit="%", kind="change"),
    _fact("4", "哈密市", "650500", 2025, "地区生产总值", 9.0e10),
    _fact("5", None, None, None, "粮食产量", 3.0e5, unit="t"),
]


@pytest.fixture
def root(tmp_path) -> Path:
    write_parquet(facts_table(FACTS), output_path(tmp_path, "facts"))
    write_parquet(indicators_table(FACTS), output_path(tmp_path, "indicators"))
    doc = {"doc_id": "d1", "path": "d1.txt", "sha256": "0" * 64, "bytes": 1, "encoding": "utf-8", "title": None,
           "published": None, "year": None, "region": "西安市",
           "genre": None, "status": "ok", "error": None, "n_facts": 5}
    write_parquet(documents_table([doc]), output_path(tmp_path, "documents"))
    return tmp_path


def test_labels_are_categorical_and_years_nullable_integers(root):
    facts = load("facts", root)
    assert isinstance(facts.unit.dtype, pd.CategoricalDtype)
    assert isinstance(facts.kind.dtype, pd.CategoricalDtype)
    assert list(facts.region.cat.categories) == ["哈密市", "西安市"]
    assert facts.year.dtype == "Int16" and facts.year.isna().sum() == 1
    assert isinstance(load("documents", root).region.dtype, pd.CategoricalDtype)


def test_region_matches_name_or_code_and_filters_combine(root):
    by_name = load("indicators", root, region="西安市", metric="地区生产总值", unit="CNY")
    assert by_name.year.tolist() == [2024, 2025]
    by_code = load("indicators", root, region="610100", metric="地区生产总值", unit="CNY")
    assert by_code.value.tolist() == by_name.value.tolist()


def test_a_list_keeps_any_of_its_values(root):
    assert len(load("facts", root, region=["西安市", "哈密市"], year=[2025])) == 3
    assert load("facts", root, year=2024).fact_id.tolist() == ["1"]


def test_root_follows_the_environment(root, monkeypatch):
    monkeypatch.setenv(DATA_ENV, str(root))
    assert default_root() == root
    assert len(load("facts")) == len(FACTS)


def test_without_the_environment_the_nearest_data_folder_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    (tmp_path / "data" / "processed").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert default_root() == tmp_path / "data" / "processed"


def test_unknown_table_or_filter_names_the_valid_ones(root):
    with pytest.raises(ValueError, match="choose one of facts, indicators, documents"):
        load("fact", root)
    with pytest.raises(ValueError, match="unknown filter metric for documents: valid filters are doc_id"):
        load("documents", root, metric="gdp")
    with pytest.raises(ValueError, match="fact_ids"):  # list columns cannot filter
        load("indicators", root, fact_ids="1")


def test_a_filter_value_of_the_wrong_type_is_a_value_error(root):
    with pytest.raises(ValueError, match="expected int16"):
        load("facts", root, year="last year")


def test_a_missing_table_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make run` first"):
        load("facts", tmp_path)


def test_metric_also_matches_a_metric_id_column_when_there_is_one(tmp_path):
    table = facts_table([{**f, "metric_id": "gdp" if i < 4 else "grain_output"} for i, f in enumerate(FACTS)])
    write_parquet(table, output_path(tmp_path, "facts"))
    assert load("facts", tmp_path, metric="gdp").fact_id.tolist() == ["1", "2", "3", "4"]
    assert load("facts", tmp_path, metric="粮食产量").fact_id.tolist() == ["5"]
