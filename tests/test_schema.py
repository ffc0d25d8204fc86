from pathlib import Path

import pyarrow as pa
import pytest

from econ_indicators.schema import DICTIONARY_PATH, FACTS, OUTPUT_TABLES, TABLES, data_dictionary_markdown, describe
from econ_indicators.tables import to_arrow

ROOT = Path(__file__).resolve().parents[1]


def test_every_field_carries_its_description():
    for table in TABLES.values():
        schema = table.arrow_schema()
        for column, field in zip(table.columns, schema, strict=True):
            assert field.metadata[b"description"].decode() == column.description
        assert schema.metadata[b"table"].decode() == table.name


def test_facts_has_the_contract_columns():
    required = {"fact_id", "doc_id", "region", "region_code", "year", "metric", "value", "unit", "surface",
                "qualifier", "kind", "masked", "sentence", "char_start", "char_end"}
    assert required <= set(FACTS.column_names)
    assert FACTS.arrow_schema().field("value").type == pa.float64()


def test_describe_lists_every_output_column():
    text = describe()
    for name in OUTPUT_TABLES:
        assert f"{name}.parquet" in text
        for column in TABLES[name].columns:
            assert f"  {column.name} " in text
    assert "_stage" not in text


def test_a_row_missing_a_column_is_an_error():
    with pytest.raises(ValueError, match="lacks column 'doc_id'"):
        to_arrow(TABLES["documents"], [{"error": "x"}])


def test_every_column_has_an_example():
    missing = [f"{t.name}.{c.name}" for t in TABLES.values() for c in t.columns if not c.example]
    assert missing == []


def test_data_dictionary_lists_every_column_with_escaped_pipes():
    text = data_dictionary_markdown()
    for table in TABLES.values():
        assert f"## {table.name}\n" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type} |" in text
    assert "level \\| change" in text


def test_committed_data_dictionary_is_up_to_date():
    committed = ROOT / DICTIONARY_PATH
    assert committed.read_text(encoding="utf-8") == data_dictionary_markdown(), (
        f"{DICTIONARY_PATH} is out of date: regenerate it with `make dictionary` "
        f"(.venv/bin/econ-indicators schema --markdown > {DICTIONARY_PATH})")
