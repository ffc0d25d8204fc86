"""Tables: turn extraction rows into the declared output tables, sorted for identical reruns."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .schema import DOCUMENTS, FACTS, INDICATORS, Table
from .storage import Root

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


ROW_GROUP_ROWS = 65_536  # rows per written row group: a merge holds about this many at a time
_MERGE_KEY = "doc_id"  # every combined table is ordered by doc_id first, and a document lives in one part


def merge_parts(table: Table, parts: Mapping[str, Iterable[pa.RecordBatch]],
                rows_per_chunk: int = ROW_GROUP_ROWS) -> Iterator[pa.Table]:
    """Named parts of a table (one per partition, each already in table order) merged into the
    order a single build gives, yielded in chunks of about `rows_per_chunk` rows.

    Parts are read batch by batch, so the merge holds a few batches per part, never the whole
    table."""
    schema = table.arrow_schema()
    runs = [_document_runs(name, batches, schema) for name, batches in parts.items()]
    pending: list[pa.RecordBatch] = []
    size = 0
    for _, pieces in heapq.merge(*runs, key=lambda run: run[0]):
        pending.extend(pieces)
        size += sum(p.num_rows for p in pieces)
        if size >= rows_per_chunk:
            yield pa.Table.from_batches(pending, schema=schema)
            pending, size = [], 0
    if pending:
        yield pa.Table.from_batches(pending, schema=schema)


def _document_runs(name: str, batches: Iterable[pa.RecordBatch], schema: pa.Schema
                   ) -> Iterator[tuple[str, list[pa.RecordBatch]]]:
    """A part's rows as (doc_id, the batch slices holding that document's rows), in order."""
    key, pieces = None, []
    for batch in batches:
        if not batch.schema.equals(schema, check_metadata=False):
            raise ValueError(f"part {name!r} was written with another schema; rebuild that partition")
        if batch.num_rows == 0:
            continue
        ids = batch.column(_MERGE_KEY)
        changes = pc.indices_nonzero(pc.not_equal(ids.slice(1), ids.slice(0, len(ids) - 1))).to_pylist()
        bounds = [0, *(i + 1 for i in changes), batch.num_rows]
        for start, end in itertools.pairwise(bounds):
            doc_id = ids[start].as_py()
            if doc_id != key and pieces:
                yield key, pieces
                pieces = []
            key = doc_id
            pieces.append(batch.slice(start, end - start).cast(schema))
    if pieces:
        yield key, pieces


INDICATOR_INPUTS = ("fact_id", "doc_id", "metric", "value", *_INDICATOR_KEY)
_LABEL = "_label"  # the metric label, part of the key only for facts without a metric_id


def indicators_from_facts(facts: pa.Table) -> pa.Table:
    """Merge facts into indicators: one row per key and value; several values flag a conflict.

    The key is (region, year, metric_id — or the metric label when there is none —, unit, kind,
    period). Built with Arrow kernels from the columns in `INDICATOR_INPUTS` only, so that a
    table of millions of facts merges without a Python object per fact."""
    facts = facts.select(list(INDICATOR_INPUTS))
    metric = facts.column("metric")
    facts = facts.filter(pc.fill_null(pc.not_equal(metric, ""), False))
    has_id = pc.fill_null(pc.not_equal(facts.column("metric_id"), ""), False)
    label = pc.if_else(has_id, pa.scalar(None, pa.string()), facts.column("metric"))
    facts = facts.append_column(_LABEL, label).set_column(
        facts.schema.get_field_index("value"), "value", _round_values(facts.column("value")))
    group_key = [*_INDICATOR_KEY, _LABEL, "value"]
    grouped = facts.group_by(group_key, use_threads=False).aggregate(
        [("metric", "min"), ("fact_id", "count"), ("fact_id", "list"), ("doc_id", "distinct")])
    grouped = grouped.sort_by([(n, "ascending", "at_end") for n in (*_INDICATOR_KEY, "metric_min", "value")])
    runs = _run_ids(grouped, [*_INDICATOR_KEY, _LABEL])
    values_per_run = pa.table({"run": runs, "value": grouped.column("value")}).group_by(
        "run", use_threads=False).aggregate([("value", "count")]).sort_by("run").column("value_count")
    conflict = pc.greater(pc.take(values_per_run, runs), 1)
    columns = {name: grouped.column(name) for name in _INDICATOR_KEY}
    columns.update(metric=grouped.column("metric_min"), value=grouped.column("value"),
                   n_sources=grouped.column("fact_id_count"), conflict=conflict,
                   fact_ids=_sorted_lists(grouped.column("fact_id_list")),
                   doc_ids=_sorted_lists(grouped.column("doc_id_distinct")))
    schema = INDICATORS.arrow_schema()
    return pa.table({f.name: pc.cast(columns[f.name], f.type) for f in schema}, schema=schema)


# From 2**23 up a float carries no digit at 1e-9: rounding to 9 decimals would give it back unchanged.
_ROUNDING_LIMIT = 2.0**23


def _round_values(values: pa.ChunkedArray) -> pa.Array:
    """Values rounded to 9 decimals, so float noise never splits a value (large ones are kept as
    they are: scaling them by 1e9 and back could move their last bit)."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    numbers = array.to_numpy(zero_copy_only=False)
    small = np.abs(np.nan_to_num(numbers)) < _ROUNDING_LIMIT
    rounded = np.where(small, np.round(numbers, 9), numbers)
    return pa.array(rounded, pa.float64(), mask=array.is_null().to_numpy(zero_copy_only=False))


def _same_as_previous(column: pa.ChunkedArray) -> pa.Array:
    """Per row after the first: equal to the row before, two nulls counting as equal."""
    now, before = column.slice(1), column.slice(0, len(column) - 1)
    both_null = pc.and_(pc.is_null(now), pc.is_null(before))
    return pc.or_(pc.fill_null(pc.equal(now, before), False), both_null)


def _run_ids(table: pa.Table, names: list[str]) -> pa.Array:
    """For rows sorted so that equal keys are adjacent: the number of the run of equal keys each is in."""
    if table.num_rows == 0:
        return pa.array([], pa.int64())
    same = _same_as_previous(table.column(names[0]))
    for name in names[1:]:
        same = pc.and_(same, _same_as_previous(table.column(name)))
    starts = pa.chunked_array([pa.array([0], pa.int64()), *pc.cast(pc.invert(same), pa.int64()).chunks])
    return pc.cumulative_sum(starts.combine_chunks())


def _sorted_lists(lists: pa.ChunkedArray) -> pa.ListArray:
    """Each list's items sorted."""
    lists = lists.combine_chunks()
    flat = pc.list_flatten(lists)
    order = pc.sort_indices(pa.table({"parent": pc.list_parent_indices(lists), "item": flat}),
                            sort_keys=[("parent", "ascending"), ("item", "ascending")])
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    return pa.ListArray.from_arrays(offsets, flat.take(order))


INDICATOR_BUCKET_FACTS = 250_000  # facts merged at a time when writing indicators


def region_buckets(counts: Mapping[str | None, int], limit: int = INDICATOR_BUCKET_FACTS) -> list[list[str | None]]:
    """Region codes in sort order (None last) cut into runs of about `limit` facts at most: an
    indicator key never spans two runs, and the runs' indicators, written one after another,
    come out in the table's order."""
    buckets: list[list[str | None]] = []
    size = limit
    for code in sorted(c for c in counts if c is not None):
        if size + counts[code] > limit:
            buckets.append([])
            size = 0
        buckets[-1].append(code)
        size += counts[code]
    if None in counts:
        buckets.append([None])
    return buckets


def write_indicators(root: Root, facts_file: str = FACTS.file_name, limit: int = INDICATOR_BUCKET_FACTS) -> int:
    """Write the indicators table from the facts file under `root`, a run of regions at a time so
    that millions of facts never sit in memory together; return its number of rows."""
    codes = root.read_parquet(facts_file, ["region_code"]).column("region_code")
    counts = {row["values"]: row["counts"] for row in pc.value_counts(codes).to_pylist()}
    del codes

    def chunks() -> Iterator[pa.Table]:
        for bucket in region_buckets(counts, limit):
            where = (pc.field("region_code").is_null() if bucket == [None]
                     else pc.field("region_code").isin(bucket))
            yield indicators_from_facts(root.read_parquet(facts_file, INDICATOR_INPUTS, filters=where))

    return root.write_parquet_chunks(INDICATORS.file_name, INDICATORS.arrow_schema(), chunks())


def indicators_table(facts: Iterable[dict[str, Any]]) -> pa.Table:
    """The indicators table built from fact rows."""
    return indicators_from_facts(to_arrow(FACTS, facts))


def indicator_rows(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indicator rows (dicts) from fact rows."""
    return indicators_table(facts).to_pylist()
