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


def test_years_read_back_as_nullable_integers_with_plain_pandas(tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    for name in ("facts", "indicators", "documents"):
        declared = TABLES[name].arrow_schema()
        schema = pa.schema([declared.field("year")], metadata=declared.metadata)
        table = pa.table({"year": pa.array([2025, None], pa.int16())}, schema=schema)
        pq.write_table(table, tmp_path / f"{name}.parquet")
        frame = pd.read_parquet(tmp_path / f"{name}.parquet")
        assert str(frame["year"].dtype) == "Int16", name
        assert frame["year"].tolist()[0] == 2025 and frame["year"].isna().tolist() == [False, True]


def test_facts_take_province_and_prefecture_from_their_region_code():
    from econ_indicators.tables import facts_table

    base = {"fact_id": "f", "doc_id": "d", "year": 2025, "period": None, "metric": "m", "metric_id": None,
            "value": 1.0, "value_low": None, "value_high": None, "unit": "CNY", "surface": "1元", "qualifier": None,
            "kind": "level", "masked": False, "sentence": "s", "char_start": 0, "char_end": 2}
    rows = [{**base, "fact_id": str(i), "region": None, "region_code": code}
            for i, code in enumerate(("410102", "410100", "410000", "110101", None))]
    got = facts_table(rows).select(["region_code", "province", "province_code", "prefecture", "prefecture_code"])
    assert got.to_pylist() == [
        {"region_code": "410102", "province": "河南省", "province_code": "410000", "prefecture": "郑州市",
         "prefecture_code": "410100"},
        {"region_code": "410100", "province": "河南省", "province_code": "410000", "prefecture": "郑州市",
         "prefecture_code": "410100"},
        {"region_code": "410000", "province": "河南省", "province_code": "410000", "prefecture": None,
         "prefecture_code": None},
        {"region_code": "110101", "province": "北京市", "province_code": "110000", "prefecture": None,
         "prefecture_code": None},  # a district of a municipality lies in no prefecture
        {"region_code": None, "province": None, "province_code": None, "prefecture": None, "prefecture_code": None},
    ]
