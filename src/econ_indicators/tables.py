"""Tables: turn extraction rows into the declared output tables, sorted for identical reruns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from .gazetteer import gazetteer
from .schema import DOCUMENTS, FACTS, HIERARCHY, Table

FACT_ORDER = ("doc_id", "char_start", "char_end", "fact_id")


def to_arrow(table: Table, rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table with the declared schema; missing columns are an error."""
    rows = list(rows)
    schema = table.arrow_schema()
    columns = {}
    for field in schema:
        try:
            columns[field.name] = pa.array([row[field.name] for row in rows], type=field.type)
        except KeyError as exc:
            raise ValueError(f"{table.name}: a row lacks column {field.name!r}") from exc
    return pa.Table.from_pydict(columns, schema=schema)


def none_last(values: Iterable[Any]) -> tuple:
    """A sort key putting None after every value, as Arrow's "at_end" does."""
    return tuple((v is None, v if v is not None else 0) for v in values)


def _sort_key(row: dict[str, Any], names: tuple[str, ...]) -> tuple:
    return none_last(row[n] for n in names)


def with_hierarchy(row: dict[str, Any]) -> dict[str, Any]:
    """A facts row with its region's province and prefecture (from the gazetteer) when it lacks them."""
    if all(c.name in row for c in HIERARCHY):
        return row
    return {**row, **gazetteer().hierarchy(row.get("region_code")).as_row()}


def facts_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """The facts table, ordered by document and position; province and prefecture follow from region_code."""
    return to_arrow(FACTS, sorted(map(with_hierarchy, rows), key=lambda r: _sort_key(r, FACT_ORDER)))


def documents_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """The documents table, ordered by doc_id."""
    return to_arrow(DOCUMENTS, sorted(rows, key=lambda r: r["doc_id"]))
