"""Indicators: facts merged per (region, year, metric, unit, kind, period), one row per value,
disagreements flagged; built with Arrow kernels, bucket by bucket, so that millions of facts
never sit in memory together.

Not part of the rules version: indicators are rebuilt from the facts, never cached by rules.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .schema import FACTS, INDICATORS
from .storage import Root
from .tables import none_last, to_arrow

_INDICATOR_KEY = ("region_code", "region", "year", "metric_id", "unit", "kind", "period")
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
    runs = run_ids(grouped, [*_INDICATOR_KEY, _LABEL]).to_numpy()
    values = grouped.column("value").is_valid().to_numpy(zero_copy_only=False)
    conflict = pa.array(np.bincount(runs, weights=values)[runs] > 1 if len(runs) else [], pa.bool_())
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


def run_ids(table: pa.Table, names: list[str]) -> pa.Array:
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


INDICATOR_BUCKET_FACTS = 200_000  # about how many facts are merged into indicators at a time
# The leading columns of the indicator key: facts are spread into buckets by these, so that a
# key never spans two buckets and buckets taken in order give indicators in the table's order.
_BUCKET_KEY = ("region_code", "region", "year", "metric_id", "unit")
_NULL = "\x00"


def key_buckets(counts: Mapping[tuple, int], limit: int = INDICATOR_BUCKET_FACTS) -> dict[tuple, int]:
    """Bucket number of each leading key (region_code, region, year, metric_id, unit) given its
    count of facts: consecutive in sort order (None last), about `limit` facts a bucket (a bigger
    group takes one alone)."""
    order = sorted(counts, key=none_last)
    buckets: dict[tuple, int] = {}
    bucket, size = -1, limit
    for key in order:
        if size + counts[key] > limit:
            bucket, size = bucket + 1, 0
        buckets[key] = bucket
        size += counts[key]
    return buckets


def _bucket_labels(table: pa.Table | pa.RecordBatch) -> pa.Array:
    """Each row's leading key columns as one string, None spelt as a NUL character."""
    parts = [pc.fill_null(pc.cast(table.column(n), pa.string()), _NULL) for n in _BUCKET_KEY]
    return pc.binary_join_element_wise(*parts, "\x1f")


def write_indicators(root: Root, facts_file: str = FACTS.file_name, limit: int = INDICATOR_BUCKET_FACTS) -> int:
    """Write the indicators table from the facts file under `root`; return its number of rows.

    Facts are first spread over temporary bucket files by the leading key columns, then each
    bucket is merged on its own, so that millions of facts never sit in memory together."""
    counts: Counter[tuple] = Counter()
    label_of: dict[tuple, str] = {}
    for batch in root.iter_parquet(facts_file, columns=_BUCKET_KEY):
        grouped = pa.Table.from_batches([batch]).group_by(list(_BUCKET_KEY), use_threads=False).aggregate(
            [([], "count_all")])
        for row, label in zip(grouped.to_pylist(), _bucket_labels(grouped).to_pylist(), strict=True):
            key = tuple(row[n] for n in _BUCKET_KEY)
            counts[key] += row["count_all"]
            label_of[key] = label
    buckets = key_buckets(counts, limit)
    labels = pa.array([label_of[key] for key in buckets], pa.string())
    numbers = pa.array(list(buckets.values()), pa.int32())
    with tempfile.TemporaryDirectory(prefix="econ-indicators-") as tmp:
        writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        try:
            for batch in root.iter_parquet(facts_file, columns=INDICATOR_INPUTS):
                bucket_of_row = pc.take(numbers, pc.index_in(_bucket_labels(batch), value_set=labels))
                for bucket in pc.unique(bucket_of_row).to_pylist():
                    if bucket not in writers:  # Arrow IPC files: written and read back without encoding
                        writers[bucket] = pa.ipc.new_file(f"{tmp}/{bucket}.arrow", batch.schema)
                    writers[bucket].write_batch(batch.filter(pc.equal(bucket_of_row, bucket)))
        finally:
            for writer in writers.values():
                writer.close()
        chunks = (indicators_from_facts(_read_ipc(f"{tmp}/{bucket}.arrow")) for bucket in sorted(writers))
        return root.write_parquet_chunks(INDICATORS.file_name, INDICATORS.arrow_schema(), chunks)


def _read_ipc(path: str) -> pa.Table:
    with pa.OSFile(path, "rb") as source:
        return pa.ipc.open_file(source).read_all()


def indicators_table(facts: Iterable[dict[str, Any]]) -> pa.Table:
    """The indicators table built from fact rows."""
    return indicators_from_facts(to_arrow(FACTS, facts))


def indicator_rows(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indicator rows (dicts) from fact rows."""
    return indicators_table(facts).to_pylist()
