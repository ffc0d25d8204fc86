"""Each table check passes on a sound table and fails, saying why, on a deliberately broken one."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from econ_indicators import checks, tables
from econ_indicators.indicators import indicators_table
from econ_indicators.schema import DOCUMENTS, FACTS, INDICATORS
from econ_indicators.units import known_codes


def _fact(i: int, **changes) -> dict:
    row = {"fact_id": f"f{i}", "doc_id": "d", "region": "西安市", "region_code": "610100", "year": 2025,
           "metric": "地区生产总值", "metric_id": None, "period": None, "value_low": None, "value_high": None,
           "value": 1.39e12, "unit": "CNY", "surface": "13902.67亿元", "qualifier": None,
           "kind": "level", "masked": False, "sentence": "s", "char_start": i * 10, "char_end": i * 10 + 5}
    return {**row, **changes}


@pytest.fixture
def facts() -> pa.Table:
    return tables.facts_table([_fact(i) for i in range(10)])


def _set(table: pa.Table, column: str, values: list) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(index), pa.array(values, table.schema.field(index).type))


def test_schema_check_names_what_differs(facts):
    assert checks.schema_matches(facts, FACTS).passed
    outcome = checks.schema_matches(facts.drop_columns(["unit"]).append_column("extra", pa.array([1] * 10)), FACTS)
    assert not outcome.passed
    assert "missing columns ['unit']" in outcome.description and "undeclared columns ['extra']" in outcome.description
    retyped = facts.set_column(facts.schema.get_field_index("year"), "year", pc.cast(facts["year"], pa.int64()))
    assert "year is int64, declared int16" in checks.schema_matches(retyped, FACTS).description


def test_unique_check_names_the_duplicates(facts):
    assert checks.unique(facts, "fact_id").passed
    outcome = checks.unique(_set(facts, "fact_id", ["f1"] * 2 + [f"g{i}" for i in range(8)]), "fact_id")
    assert not outcome.passed and "['f1']" in outcome.description and outcome.metadata["duplicated"] == 1


def test_units_check_names_unknown_codes(facts):
    assert checks.units_known(facts, known_codes()).passed
    outcome = checks.units_known(_set(facts, "unit", ["CNY"] * 9 + ["furlong"]), known_codes())
    assert not outcome.passed and "furlong" in outcome.description


def test_every_known_unit_has_bounds():
    assert known_codes() <= set(checks.unit_bounds())
    assert {"enterprise", "project"} <= known_codes()  # counted nouns refine counts into these codes


def test_bounds_check_catches_a_misread_magnitude(facts):
    assert checks.within_bounds(facts, checks.unit_bounds()).passed
    broken = _set(facts, "value", [1.39e12] * 9 + [1.39e20])  # 亿亿: ten thousand times too big
    outcome = checks.within_bounds(broken, checks.unit_bounds())
    assert not outcome.passed and "1.39e+20 CNY" in outcome.description and outcome.metadata["outside"] == 1
    masked = _set(facts, "value", [None] * 10)
    assert checks.within_bounds(masked, checks.unit_bounds()).passed


def test_attribution_share_check_has_a_floor(facts):
    assert checks.attributed_share(facts).passed
    outcome = checks.attributed_share(_set(facts, "region", [None] * 5 + ["西安市"] * 5), floor=0.6)
    assert not outcome.passed and "50.0%" in outcome.description


def test_conflict_check_counts_and_has_a_ceiling(facts):
    rows = [_fact(0, metric_id="gdp"), _fact(1, value=2.0e12, metric_id="gdp"), _fact(2, metric="财政收入")]
    indicators = indicators_table(rows)
    outcome = checks.conflict_share(indicators, ceiling=0.9)
    assert outcome.passed and outcome.metadata["conflicts"] == 2
    failing = checks.conflict_share(indicators, ceiling=0.4)
    assert not failing.passed and "2 of 3 indicator rows in conflict" in failing.description
    assert checks.schema_matches(indicators, INDICATORS).passed


def test_documents_status_check_pairs_failures_with_errors():
    row = {"doc_id": "a", "path": "a.txt", "sha256": "0" * 64, "bytes": 3, "encoding": "utf-8", "title": None,
           "published": None, "year": None, "region": None, "genre": None, "status": "ok", "error": None, "n_facts": 0}
    good = tables.documents_table([row, {**row, "doc_id": "b", "status": "failed", "error": "empty file"}])
    assert checks.status_consistent(good).passed
    broken = tables.documents_table([row, {**row, "doc_id": "b", "status": "failed"}])
    outcome = checks.status_consistent(broken)
    assert not outcome.passed and "1 failed rows without an error" in outcome.description
    assert checks.schema_matches(good, DOCUMENTS).passed


def test_documents_status_check_pairs_damage_with_its_note():
    row = {"doc_id": "a", "path": "a.txt", "sha256": "0" * 64, "bytes": 1, "encoding": "utf-8", "title": None,
           "published": None, "year": None, "region": None, "genre": None, "status": "ok", "error": None, "n_facts": 0}
    damaged = {**row, "doc_id": "b", "status": "damaged", "error": "1 undecodable byte replaced by U+FFFD"}
    outcome = checks.status_consistent(tables.documents_table([row, damaged]))
    assert outcome.passed and "1 damaged" in outcome.description
    outcome = checks.status_consistent(tables.documents_table([row, {**damaged, "error": None}]))
    assert not outcome.passed and "1 damaged rows without their damage" in outcome.description
