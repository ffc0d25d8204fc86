"""Combine: the public facts and documents tables rebuilt from the partition parts, in the order
a single build gives, a window of documents at a time (never the whole table in memory).

How tables are combined does not change an extracted row, so this module is not part of the
rules version: changing it never invalidates the extraction cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .incremental import part_path, read_part
from .schema import DOCUMENTS, FACTS, Table
from .storage import Root
from .tables import FACT_ORDER

T = TypeVar("T")

WINDOW_ROWS = 32_768  # rows merged at a time into a combined table, one row group each
PART_BATCH_ROWS = 4_096  # rows a part is read by during a merge (every part has one batch in hand)
_ORDERS = {FACTS.name: FACT_ORDER, DOCUMENTS.name: ("doc_id",)}


def doc_windows(rows_per_doc: Mapping[str, int], rows_per_window: int = WINDOW_ROWS
                ) -> list[tuple[str, str | None]]:
    """Sorted doc_ids cut into consecutive windows of about `rows_per_window` rows: (first doc_id,
    first doc_id of the next window or None for the last)."""
    starts: list[str] = []
    size = rows_per_window
    for doc_id in sorted(rows_per_doc):
        if size >= rows_per_window:
            starts.append(doc_id)
            size = 0
        size += rows_per_doc[doc_id]
    return list(zip(starts, [*starts[1:], None], strict=False))


def merge_windows(table: Table, windows: Iterable[tuple[str, str | None]],
                  read: Callable[[str, str | None], Iterable[tuple[str, pa.Table]]]) -> Iterator[pa.Table]:
    """The table in the order a single build gives, one window of documents at a time: `read(first,
    end)` gives each part's name and rows whose doc_id lies in [first, end) (end None: no bound),
    each part's rows in table order; since a document lives in one part, the window is those
    rows interleaved document by document (slices, not copies, until the window is combined)."""
    schema = table.arrow_schema()
    order = [(name, "ascending", "at_end") for name in _ORDERS.get(table.name, table.key)]
    for first, end in windows:
        pieces = []
        for name, piece in read(first, end):
            if not piece.schema.equals(schema, check_metadata=False):
                raise ValueError(f"{table.name}: part {name!r} was written with another schema; rebuild that partition")
            pieces.append(piece.cast(schema))
        if pieces:
            window = pa.concat_tables(pieces)
            yield gather(window, pc.sort_indices(window, sort_keys=order).to_numpy()).combine_chunks()


def gather(table: pa.Table, indices: np.ndarray) -> pa.Table:
    """`table.take(indices)`, as slices of the runs of consecutive indices: far cheaper than a
    take when the rows come in long runs (sorted parts interleaved)."""
    if len(indices) == 0:
        return table.slice(0, 0)
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    starts, ends = np.concatenate([[0], breaks]), np.concatenate([breaks, [len(indices)]])
    return pa.concat_tables([table.slice(int(indices[s]), int(e - s)) for s, e in zip(starts, ends, strict=True)])


class _PartReader:
    """A part's rows in order, handed out window by window as they are read (a few row groups
    decoded at a time), so that every part is read once whatever the number of windows."""

    def __init__(self, batches: Iterator[pa.RecordBatch]) -> None:
        self._batches = batches
        self._rows: list[pa.Table] = []

    def until(self, end: str | None) -> pa.Table:
        """The next rows whose doc_id sorts before `end` (all the rest when None)."""
        while self._last_doc() is None or end is None or self._last_doc() < end:
            batch = next(self._batches, None)
            if batch is None:
                break
            self._rows.append(pa.Table.from_batches([batch]))
        rows = pa.concat_tables(self._rows) if self._rows else None
        if rows is None:
            return pa.table({})
        before = rows.num_rows if end is None else pc.sum(pc.less(rows.column("doc_id"), end)).as_py() or 0
        self._rows = [rows.slice(before)] if before < rows.num_rows else []
        return rows.slice(0, before)

    def _last_doc(self) -> str | None:
        for rows in reversed(self._rows):
            if rows.num_rows:
                return rows.column("doc_id")[-1].as_py()
        return None


def write_combined(root: Root, table: Table, partitions: Iterable[str]) -> int:
    """Write the public `table` from the parts that exist for `partitions`, in the order a single
    build gives, a window of documents at a time (each part read once, in order; the next window
    is read while the current one is written); return its number of rows. When the parts are
    those it was last written from, the file is left as it is."""
    rels = [part_path(table.name, key) for key in partitions if root.exists(part_path(table.name, key))]
    keys = [rel.rsplit("/", 1)[1].removesuffix(".parquet") for rel in rels]
    inputs = {rel: digest(root.read_bytes(rel)) for key in keys
              for rel in dict.fromkeys((part_path(table.name, key), part_path(DOCUMENTS.name, key)))
              if root.exists(rel)}
    version = code_version("combine", table)
    if built_from(root, table, version) == inputs:
        return root.parquet_rows(table.file_name)
    per_doc = _rows_per_document(root, table, keys)
    schema = table.arrow_schema()
    for key, rel in zip(keys, rels, strict=True):
        if not root.parquet_schema(rel).equals(schema, check_metadata=False):
            raise ValueError(f"{table.name}: part {key!r} was written with another schema; rebuild that partition")
    readers = [_PartReader(root.iter_parquet(rel, PART_BATCH_ROWS)) for rel in rels]

    def read(_first: str, end: str | None) -> Iterator[tuple[str, pa.Table]]:
        for key, reader in zip(keys, readers, strict=True):
            rows = reader.until(end)
            if rows.num_rows:
                yield key, rows

    chunks = read_ahead(merge_windows(table, doc_windows(per_doc, WINDOW_ROWS), read))
    return root.write_parquet_chunks(table.file_name, stamped(table, version, inputs), chunks)


_END = object()
_BUILT_FROM = b"econ_indicators.built_from"


def digest(data: bytes) -> str:
    """SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def code_version(module: str, table: Table) -> str:
    """A module's code and a table's schema: a table built by other code is built again."""
    source = resources.files("econ_indicators").joinpath(f"{module}.py").read_bytes()
    return digest(source + table.arrow_schema().to_string().encode())[:12]


def built_from(root: Root, table: Table, version: str) -> dict[str, str] | None:
    """The inputs' digests `table` was last written from (as `stamped` recorded them); None when
    it is absent, unreadable, or written by another version or with another schema."""
    if not root.exists(table.file_name):
        return None
    try:
        schema = root.parquet_schema(table.file_name)
        recorded = json.loads(schema.metadata[_BUILT_FROM])
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None
    if recorded.get("version") != version or not schema.equals(table.arrow_schema(), check_metadata=False):
        return None
    return recorded.get("inputs")


def stamped(table: Table, version: str, inputs: Mapping[str, str]) -> pa.Schema:
    """The table's schema recording, in its metadata, the version and inputs it is written from."""
    schema = table.arrow_schema()
    record = json.dumps({"version": version, "inputs": dict(sorted(inputs.items()))})
    return schema.with_metadata({**schema.metadata, _BUILT_FROM: record.encode()})


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of `items`, each next one computed in a background thread while the caller
    works on the current one: Arrow releases the GIL, so reading and writing share two cores."""
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as pool:
        pending = pool.submit(next, items, _END)
        while (item := pending.result()) is not _END:
            pending = pool.submit(next, items, _END)
            yield item


def _rows_per_document(root: Root, table: Table, partitions: Sequence[str]) -> dict[str, int]:
    """How many rows of `table` each document has, from the documents parts (small)."""
    counts: dict[str, int] = {}
    for key in partitions:
        rel = part_path(DOCUMENTS.name, key)
        if not root.exists(rel):
            raise ValueError(f"{table.name}: part {key!r} has no documents part beside it; rebuild that partition")
        part = root.read_parquet(rel, ["doc_id", "n_facts"])
        sizes = part.column("n_facts").to_pylist() if table.name == FACTS.name else [1] * part.num_rows
        counts.update(zip(part.column("doc_id").to_pylist(), sizes, strict=True))
    return counts


def part_column(root: Root, table: Table, partitions: Iterable[str], column: str) -> pa.ChunkedArray:
    """One column of a table across the parts that exist for `partitions`."""
    chunks = [read_part(root, table.name, key, [column]).column(column) for key in partitions
              if root.exists(part_path(table.name, key))]
    return pa.chunked_array([c for chunk in chunks for c in chunk.chunks], table.arrow_schema().field(column).type)


