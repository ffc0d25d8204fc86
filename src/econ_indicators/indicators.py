"""Indicators: facts merged per (region, year, metric, unit, kind, period), one row per value,
disagreements flagged; built with Arrow kernels, bucket by bucket, so that millions of facts
never sit in memory together, and kept up to date between runs by merging again only the key
groups whose facts changed.

Not part of the rules version: changing how indicators are merged never invalidates the
extraction cache (the table records the version of this module it was built with).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .combine import (
    built_from,
    code_version,
    digest,
    existing_parts,
    gather,
    part_key,
    read_ahead,
    stamped,
    verified_bytes,
)
from .schema import FACTS, HIERARCHY, INDICATORS
from .storage import Root
from .tables import none_last, to_arrow, with_hierarchy

_INDICATOR_KEY = ("region_code", "region", "year", "metric_id", "unit", "kind", "period")
_HIERARCHY = tuple(c.name for c in HIERARCHY)  # follow from region_code: carried along, never split a key
INDICATOR_INPUTS = ("fact_id", "doc_id", "metric", "value", "value_low", "value_high", "qualifier", "surface",
                    *_INDICATOR_KEY, *_HIERARCHY)
_LABEL = "_label"  # the metric label, part of the key only for facts without a metric_id
_TOLERANCE = "_tolerance"  # half the last written digit of a fact's figure, in base units
_VALUE_KEY = ("value", "value_high", "qualifier")
_NUMBER = re.compile(r"\d+(?:\.(\d+))?")


def indicators_from_facts(facts: pa.Table) -> pa.Table:
    """Merge facts into indicators: one row per key and value; values of a dictionary indicator that
    do not agree flag a conflict.

    The key is (region, year, metric_id — or the metric label when there is none —, unit, kind,
    period). Two values agree when they agree to the precision they were written with (5.2万亿元
    and 52073.4亿元: 5.2e12 ± 5e10 holds 5.20734e12); agreeing facts make one row with the most
    precise value. Grouped with Arrow kernels from the columns in `INDICATOR_INPUTS` only; only
    keys with several values go through Python."""
    facts = facts.select(list(INDICATOR_INPUTS))
    metric = facts.column("metric")
    facts = facts.filter(pc.fill_null(pc.not_equal(metric, ""), False))
    has_id = pc.fill_null(pc.not_equal(facts.column("metric_id"), ""), False)
    label = pc.if_else(has_id, pa.scalar(None, pa.string()), facts.column("metric"))
    for name in ("value", "value_low", "value_high"):
        facts = facts.set_column(facts.schema.get_field_index(name), name, _round_values(facts.column(name)))
    facts = facts.append_column(_LABEL, label).append_column(_TOLERANCE, _tolerances(facts))
    group_key = [*_INDICATOR_KEY, *_HIERARCHY, _LABEL, *_VALUE_KEY]
    grouped = facts.group_by(group_key, use_threads=False).aggregate(
        [("metric", "min"), ("fact_id", "count"), ("fact_id", "list"), ("doc_id", "distinct"),
         ("value_low", "min"), (_TOLERANCE, "max")])
    grouped = _sorted(grouped)
    runs, several = _runs_with_values(grouped)
    if several.any():
        kept = grouped.filter(pa.array(~several))
        merged = _merge_agreeing(grouped.filter(pa.array(several)).to_pylist())
        grouped = _sorted(pa.concat_tables([kept, pa.Table.from_pylist(merged, schema=grouped.schema)]))
        runs, several = _runs_with_values(grouped)
    # Only an indicator of the dictionary can contradict itself: values under one bare label (占比,
    # 比上年增长) are as often different things as disagreeing statements of one.
    conflict = pa.array(several & grouped.column("metric_id").is_valid().to_numpy(zero_copy_only=False), pa.bool_())
    columns = {name: grouped.column(name) for name in (*_INDICATOR_KEY, *_HIERARCHY, *_VALUE_KEY)}
    columns.update(metric=grouped.column("metric_min"), value_low=grouped.column("value_low_min"),
                   n_sources=grouped.column("fact_id_count"), conflict=conflict,
                   fact_ids=_sorted_lists(grouped.column("fact_id_list")),
                   doc_ids=_sorted_lists(grouped.column("doc_id_distinct")))
    schema = INDICATORS.arrow_schema()
    return pa.table({f.name: pc.cast(columns[f.name], f.type) for f in schema}, schema=schema)


def _sorted(grouped: pa.Table) -> pa.Table:
    order = (*_INDICATOR_KEY, "metric_min", *_VALUE_KEY)
    return grouped.sort_by([(n, "ascending", "at_end") for n in order])


def _runs_with_values(grouped: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Each row's run of equal keys, and whether that run holds more than one (non-null) value."""
    runs = run_ids(grouped, [*_INDICATOR_KEY, _LABEL]).to_numpy()
    values = grouped.column("value").is_valid().to_numpy(zero_copy_only=False)
    several = np.bincount(runs, weights=values)[runs] > 1 if len(runs) else np.zeros(0, bool)
    return runs, several


@lru_cache(maxsize=65_536)
def _last_digit(surface: str) -> tuple[float, int] | None:
    """The number a figure is written with and its count of decimals (13,902.67亿元 → (13902.67, 2));
    None for a figure written otherwise (in Chinese numerals, as a fraction)."""
    found = _NUMBER.findall(surface.replace(",", ""))
    numbers = _NUMBER.search(surface.replace(",", ""))
    if len(found) != 1 or numbers is None or "/" in surface:
        return None
    number = float(numbers.group())
    return (number, len(numbers.group(1) or "")) if number else None


def written_tolerance(surface: str | None, value: float | None) -> float:
    """Half the last digit a figure was written with, in base units: 5.2万亿元 → 5e10; 0 when unknown."""
    if surface is None or value is None:
        return 0.0
    found = _last_digit(surface)
    if found is None:
        return 0.0
    number, decimals = found
    return 0.5 * 10.0**-decimals * abs(value / number)


def _tolerances(facts: pa.Table) -> pa.Array:
    ranges = facts.column("value_low").is_valid().to_numpy(zero_copy_only=False)
    tolerances = [0.0 if is_range else written_tolerance(surface, value) for surface, value, is_range in
                  zip(facts.column("surface").to_pylist(), facts.column("value").to_pylist(), ranges, strict=True)]
    return pa.array(tolerances, pa.float64())


def _interval(row: dict[str, Any]) -> tuple[float, float]:
    """The values a row allows: its value (or range) widened by its tolerance, open-ended when over/under."""
    tolerance, value = row[f"{_TOLERANCE}_max"] or 0.0, row["value"]
    low, high = value - tolerance, (row["value_high"] if row["value_high"] is not None else value) + tolerance
    if row["qualifier"] in ("over", "under"):
        upward = (row["qualifier"] == "over") == (value >= 0)  # 下降超过5%: -5 or below
        low, high = (low, math.inf) if upward else (-math.inf, high)
    return low, high


def _merge_agreeing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of keys with several values, the values that agree merged: the most precise value
    (narrowest interval) of each agreeing set stands for it, with the sources of all."""
    runs: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        runs.setdefault(tuple(row[n] for n in (*_INDICATOR_KEY, _LABEL)), []).append(row)
    merged = []
    for members in runs.values():
        clusters: list[tuple[tuple[float, float], list[dict[str, Any]]]] = []
        valued = [r for r in members if r["value"] is not None]
        for row in sorted(valued, key=_precision_order):
            interval = _interval(row)
            home = next((c for c in clusters if _agree(interval, c[0])), None)
            if home is None:
                clusters.append((interval, [row]))
            else:
                home[1].append(row)
        merged.extend(_merged_row(cluster) for _, cluster in clusters)
        merged.extend(r for r in members if r["value"] is None)
    return merged


def _agree(one: tuple[float, float], other: tuple[float, float]) -> bool:
    """Intervals that share more than an end point (5.2 ± 0.05 and 5.3 ± 0.05 do not), or are the same."""
    return (one[0] < other[1] and other[0] < one[1]) or one == other


def _precision_order(row: dict[str, Any]) -> tuple:
    low, high = _interval(row)
    return (high - low, row["value"], none_last([row["value_high"], row["qualifier"]]), row["metric_min"])


def _merged_row(cluster: list[dict[str, Any]]) -> dict[str, Any]:
    first = cluster[0]
    return {**first, "metric_min": min(r["metric_min"] for r in cluster),
            "fact_id_count": sum(r["fact_id_count"] for r in cluster),
            "fact_id_list": sorted(f for r in cluster for f in r["fact_id_list"]),
            "doc_id_distinct": sorted({d for r in cluster for d in r["doc_id_distinct"]})}


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


INDICATOR_BUCKET_FACTS = 50_000  # about how many facts are merged into indicators at a time
# The leading columns of the indicator key: facts are spread into buckets by these, so that a
# key never spans two buckets and buckets taken in order give indicators in the table's order.
_BUCKET_KEY = _INDICATOR_KEY[:5]  # region_code, region, year, metric_id, unit
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


def key_labels(table: pa.Table | pa.RecordBatch, names: Sequence[str] = _BUCKET_KEY) -> pa.Array:
    """Each row's key columns (by default the leading ones of the indicator key) as one string,
    None spelt as a NUL character: a key to test for membership, nulls included."""
    parts = [pc.fill_null(pc.cast(table.column(n), pa.string()), _NULL) for n in names]
    return pc.binary_join_element_wise(*parts, "\x1f")


# Given the columns to read, the facts as record batches (read afresh on each call).
Batches = Callable[[Sequence[str]], Iterator[pa.RecordBatch]]


def merged_in_buckets(batches: Batches, limit: int = INDICATOR_BUCKET_FACTS) -> Iterator[pa.Table]:
    """The indicators of the facts `batches` gives, in table order, a bucket at a time.

    Facts are first spread over temporary bucket files by the leading key columns, then each
    bucket is merged on its own, so that millions of facts never sit in memory together."""
    counts: Counter[tuple] = Counter()
    label_of: dict[tuple, str] = {}
    for batch in batches(_BUCKET_KEY):
        grouped = pa.Table.from_batches([batch]).group_by(list(_BUCKET_KEY), use_threads=False).aggregate(
            [([], "count_all")])
        for row, label in zip(grouped.to_pylist(), key_labels(grouped).to_pylist(), strict=True):
            key = tuple(row[n] for n in _BUCKET_KEY)
            counts[key] += row["count_all"]
            label_of[key] = label
    buckets = key_buckets(counts, limit)
    labels = pa.array([label_of[key] for key in buckets], pa.string())
    numbers = pa.array(list(buckets.values()), pa.int32())
    with tempfile.TemporaryDirectory(prefix="econ-indicators-") as tmp:
        writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
        try:
            for batch in batches(INDICATOR_INPUTS):
                bucket_of_row = pc.take(numbers, pc.index_in(key_labels(batch), value_set=labels))
                for bucket in pc.unique(bucket_of_row).to_pylist():
                    if bucket not in writers:  # Arrow IPC files: written and read back without encoding
                        writers[bucket] = pa.ipc.new_file(f"{tmp}/{bucket}.arrow", batch.schema)
                    writers[bucket].write_batch(batch.filter(pc.equal(bucket_of_row, bucket)))
        finally:
            for writer in writers.values():
                writer.close()
        for bucket in sorted(writers):
            yield indicators_from_facts(_read_ipc(f"{tmp}/{bucket}.arrow"))


def _read_ipc(path: str) -> pa.Table:
    with pa.OSFile(path, "rb") as source:
        return pa.ipc.open_file(source).read_all()


def _ipc_batches(path: str) -> Batches:
    def batches(columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        with pa.OSFile(path, "rb") as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i).select(list(columns))

    return batches


def _parts_batches(root: Root, rels: Iterable[str]) -> Batches:
    def batches(columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        for rel in rels:
            yield from root.iter_parquet(rel, columns=columns)

    return batches


# Upkeep between runs. indicators.parquet records in its schema metadata the version of this
# code and the SHA-256 of each facts part it was merged from, and `_parts/merged_facts/` keeps a
# copy of those parts. On the next run the facts rows that differ between a changed part and its
# copy name the key groups to merge again; the table's other rows are kept as they are.
MERGED_DIR = "_parts/merged_facts"
ROW_GROUP_ROWS = 131_072  # rows per row group of indicators.parquet, however it was built
SPLICE_BATCH_ROWS = 32_768  # rows of the previous table read at a time when splicing
_INPUTS = pa.schema([FACTS.arrow_schema().field(name) for name in INDICATOR_INPUTS])


class IndicatorsBuild(NamedTuple):
    """What `write_indicators` did: the table's rows; how ("unchanged": left as it was, "updated":
    the changed key groups merged again and spliced in, "rebuilt": all merged); facts merged."""

    rows: int
    how: str
    facts_merged: int


def write_indicators(root: Root, partitions: Iterable[str], limit: int = INDICATOR_BUCKET_FACTS) -> IndicatorsBuild:
    """Bring indicators.parquet under `root` up to date with the facts parts of `partitions`.

    When a few parts changed since the last build, only the key groups of the facts rows that
    changed are merged again; the file written is the one a full build writes (tested)."""
    rels = existing_parts(root, FACTS.name, partitions)
    digests = {key: digest(verified_bytes(root, rel)) for key, rel in rels.items()}
    before = built_from(root, INDICATORS, _version())
    if before is not None and root.damage(INDICATORS.file_name):  # a damaged table is never spliced: built again
        before = None
    if before == digests:
        return IndicatorsBuild(root.parquet_rows(INDICATORS.file_name), "unchanged", 0)
    recorded = before or {}
    changed = sorted(key for key in rels.keys() | recorded.keys() if digests.get(key) != recorded.get(key))
    copies = _merged_copies(root, changed, before) if before is not None else None
    if copies is None or 2 * len(changed) > len(rels):
        return _rebuild(root, rels, digests, limit)
    return _update(root, rels, digests, copies, limit)


def _rebuild(root: Root, rels: Mapping[str, str], digests: Mapping[str, str], limit: int) -> IndicatorsBuild:
    _save_copies(root, rels, {*rels, *(part_key(rel) for rel in root.find(MERGED_DIR))})
    rows = _write(root, read_ahead(merged_in_buckets(_parts_batches(root, rels.values()), limit)), digests)
    return IndicatorsBuild(rows, "rebuilt", sum(root.parquet_rows(rel) for rel in rels.values()))


def _update(root: Root, rels: Mapping[str, str], digests: Mapping[str, str], copies: Mapping[str, pa.Table],
            limit: int) -> IndicatorsBuild:
    affected = _changed_groups(root, rels, copies)
    with tempfile.TemporaryDirectory(prefix="econ-indicators-") as tmp:
        path = f"{tmp}/facts.arrow"
        merged = _write_ipc(path, _facts_in_groups(root, rels.values(), affected))
        fresh = pa.concat_tables([INDICATORS.arrow_schema().empty_table(),
                                  *merged_in_buckets(_ipc_batches(path), limit)])
    previous = (batch.cast(INDICATORS.arrow_schema())
                for batch in root.iter_parquet(INDICATORS.file_name, SPLICE_BATCH_ROWS))
    rows = _write(root, read_ahead(_spliced(previous, fresh, affected)), digests)  # the old file is replaced at the end
    _save_copies(root, rels, copies.keys())
    return IndicatorsBuild(rows, "updated", merged)


def _save_copies(root: Root, rels: Mapping[str, str], partitions: Iterable[str]) -> None:
    """Keep a copy of each of these partitions' facts part as merged now; drop the copy of a part gone."""
    for key in partitions:
        if key in rels:
            root.write_bytes(_merged_rel(key), root.read_bytes(rels[key]))
        else:
            root.remove(_merged_rel(key))


def _merged_rel(partition: str) -> str:
    return f"{MERGED_DIR}/{partition}.parquet"


@lru_cache(maxsize=1)
def _version() -> str:
    return code_version("indicators", INDICATORS)


def _merged_copies(root: Root, changed: Sequence[str], before: Mapping[str, str]) -> dict[str, pa.Table] | None:
    """The indicator columns of each changed part as last merged (empty for a new part); None
    when a copy is missing or is not the one the table was built from."""
    copies = {}
    for key in changed:
        if key not in before:
            copies[key] = _INPUTS.empty_table()
            continue
        if not root.exists(_merged_rel(key)):
            return None
        data = root.read_bytes(_merged_rel(key))
        if digest(data) != before[key]:
            return None
        copies[key] = pq.read_table(pa.BufferReader(data), columns=list(INDICATOR_INPUTS)).cast(_INPUTS)
    return copies


def _changed_groups(root: Root, rels: Mapping[str, str], copies: Mapping[str, pa.Table]) -> pa.Array:
    """The leading-key labels of the facts rows that are in a changed part or in its copy, not both."""
    labels = []
    for key, before in copies.items():
        now = root.read_parquet(rels[key], INDICATOR_INPUTS).cast(_INPUTS) if key in rels else _INPUTS.empty_table()
        labels.extend(key_labels(_one_sided(before, now)).chunks)
    return pc.unique(pa.chunked_array(labels, pa.string()))


def _one_sided(before: pa.Table, now: pa.Table) -> pa.Table:
    """The rows of `before` that `now` lacks and the rows of `now` that `before` lacks."""
    side = "_side"
    both = pa.concat_tables([before.append_column(side, pa.array(np.zeros(before.num_rows, np.int8))),
                             now.append_column(side, pa.array(np.ones(now.num_rows, np.int8)))])
    grouped = both.group_by(list(INDICATOR_INPUTS), use_threads=False).aggregate([(side, "min"), (side, "max")])
    return grouped.filter(pc.equal(grouped.column(f"{side}_min"), grouped.column(f"{side}_max")))


def _facts_in_groups(root: Root, rels: Iterable[str], labels: pa.Array) -> Iterator[pa.RecordBatch]:
    for batch in _parts_batches(root, rels)(INDICATOR_INPUTS):
        yield batch.filter(pc.is_in(key_labels(batch), value_set=labels))


def _write_ipc(path: str, batches: Iterable[pa.RecordBatch]) -> int:
    """Write record batches to an Arrow IPC file; return their rows."""
    rows = 0
    with pa.ipc.new_file(path, _INPUTS) as writer:
        for batch in batches:
            writer.write_batch(batch.cast(_INPUTS))
            rows += batch.num_rows
    return rows


def _spliced(previous: Iterable[pa.RecordBatch], fresh: pa.Table, groups: pa.Array) -> Iterator[pa.Table]:
    """The previous table, read a batch at a time, without the rows of the key groups `groups`,
    and `fresh` (those groups merged again) slotted in: both are in table order and their groups
    are disjoint, so sorting a batch's kept rows with the fresh rows still pending by leading key
    (then by position) gives the order a full build gives."""
    pending = fresh
    for batch in previous:
        kept = pa.Table.from_batches([batch]).filter(pc.invert(pc.is_in(key_labels(batch), value_set=groups)))
        if not pending.num_rows or not kept.num_rows:
            yield kept
            continue
        both = pa.concat_tables([kept, pending])
        keys = both.select(list(_BUCKET_KEY)).append_column("_row", pa.array(np.arange(both.num_rows)))
        order = pc.sort_indices(keys, sort_keys=[(n, "ascending", "at_end") for n in (*_BUCKET_KEY, "_row")])
        order = order.to_numpy()
        last_kept = int(np.flatnonzero(order == kept.num_rows - 1)[0])  # fresh rows after it wait for the next batch
        yield gather(both, order[: last_kept + 1])
        pending = pending.slice(pending.num_rows - (len(order) - last_kept - 1))
    yield pending


def _write(root: Root, chunks: Iterable[pa.Table], digests: Mapping[str, str]) -> int:
    """Write indicators.parquet from chunks in table order, in row groups of ROW_GROUP_ROWS,
    recording the parts' digests it was built from."""
    schema = stamped(INDICATORS, _version(), digests)
    return root.write_parquet_chunks(INDICATORS.file_name, schema, _row_groups(chunks, ROW_GROUP_ROWS))


def _row_groups(chunks: Iterable[pa.Table], rows: int) -> Iterator[pa.Table]:
    """The rows of `chunks` regrouped into contiguous tables of `rows` rows (the last one shorter),
    so that the file's bytes do not depend on how its rows were chunked on the way."""
    pending: list[pa.Table] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += chunk.num_rows
        while size >= rows:
            table = pa.concat_tables(pending)
            yield table.slice(0, rows).combine_chunks()
            rest = table.slice(rows)
            pending, size = [rest], rest.num_rows
    if size:
        yield pa.concat_tables(pending).combine_chunks()


def indicators_table(facts: Iterable[dict[str, Any]]) -> pa.Table:
    """The indicators table built from fact rows."""
    return indicators_from_facts(to_arrow(FACTS, map(with_hierarchy, facts)))


def indicator_rows(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indicator rows (dicts) from fact rows."""
    return indicators_table(facts).to_pylist()
