"""Tables: turn extraction rows into the declared output tables, sorted for identical reruns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from .schema import DOCUMENTS, FACTS, INDICATORS, Table

_FACT_ORDER = ("doc_id", "char_start", "char_end", "fact_id")
_INDICATOR_KEY = ("region_code", "region", "year", "metric_id", "unit", "kind", "period")


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


def _sort_key(row: dict[str, Any], names: tuple[str, ...]) -> tuple:
    return tuple((row[n] is None, row[n] if row[n] is not None else 0) for n in names)


def facts_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """The facts table, ordered by document and position."""
    return to_arrow(FACTS, sorted(rows, key=lambda r: _sort_key(r, _FACT_ORDER)))


def documents_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """The documents table, ordered by doc_id."""
    return to_arrow(DOCUMENTS, sorted(rows, key=lambda r: r["doc_id"]))


_ORDERS = {FACTS.name: _FACT_ORDER, DOCUMENTS.name: ("doc_id",)}


def combine(table: Table, parts: Mapping[str, pa.Table]) -> pa.Table:
    """Named parts of a table (one per partition) as one table, in the order a single build gives."""
    schema = table.arrow_schema()
    checked = []
    for name, part in parts.items():
        if not part.schema.equals(schema, check_metadata=False):
            raise ValueError(f"{table.name}: part {name!r} was written with another schema; rebuild that partition")
        checked.append(part.cast(schema))
    if not checked:
        return schema.empty_table()
    order = _ORDERS.get(table.name, table.key)
    combined = pa.concat_tables(checked).sort_by([(name, "ascending", "at_end") for name in order])
    return combined.combine_chunks()


def indicator_rows(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge facts into indicators: one row per key and value; several values flag a conflict.

    The key is (region, year, metric_id — or the metric label when there is none —, unit, kind,
    period)."""
    groups: dict[tuple, dict[float | None, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        if not fact["metric"]:
            continue
        key = (*(fact[n] for n in _INDICATOR_KEY), None if fact["metric_id"] else fact["metric"])
        value = None if fact["value"] is None else round(fact["value"], 9)
        groups[key][value].append(fact)
    rows = []
    for key, by_value in groups.items():
        conflict = len([v for v in by_value if v is not None]) > 1
        for value, members in by_value.items():
            row = dict(zip(_INDICATOR_KEY, key[:-1], strict=True))
            row.update(
                metric=min(m["metric"] for m in members),
                value=value,
                n_sources=len(members),
                conflict=conflict,
                fact_ids=sorted(m["fact_id"] for m in members),
                doc_ids=sorted({m["doc_id"] for m in members}),
            )
            rows.append(row)
    return sorted(rows, key=lambda r: _sort_key(r, (*_INDICATOR_KEY, "metric", "value")))


def indicators_table(facts: Iterable[dict[str, Any]]) -> pa.Table:
    """The indicators table built from fact rows."""
    return to_arrow(INDICATORS, indicator_rows(facts))
