"""Combine: the public facts and documents tables rebuilt from the partition parts, in the order
a single build gives, a window of documents at a time (never the whole table in memory); and
what every combined table shares: the record of the inputs a file was written from, so that an
unchanged table is not written again, and reading ahead in a thread while writing.

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
from .storage import Damaged, Root
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
        pieces = [piece.cast(schema) for _name, piece in read(first, end)]
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
        self._last: str | None = None  # doc_id of the last row read so far

    def until(self, end: str | None) -> pa.Table:
        """The next rows whose doc_id sorts before `end` (all the rest when None)."""
        while end is None or self._last is None or self._last < end:
            batch = next(self._batches, None)
            if batch is None:
                break
            if batch.num_rows:
                self._rows.append(pa.Table.from_batches([batch]))
                self._last = batch.column("doc_id")[-1].as_py()
        if not self._rows:
            return pa.table({})
        rows = pa.concat_tables(self._rows)
        before = rows.num_rows if end is None else pc.sum(pc.less(rows.column("doc_id"), end)).as_py() or 0
        self._rows = [rows.slice(before)] if before < rows.num_rows else []
        return rows.slice(0, before)


def write_combined(root: Root, table: Table, partitions: Iterable[str]) -> int:
    """Write the public `table` from the parts that exist for `partitions`, in the order a single
    build gives, a window of documents at a time (each part read once, in order; the next window
    is read while the current one is written); return its number of rows. When the parts are
    those it was last written from, the file is left as it is."""
    parts = existing_parts(root, table.name, partitions)
    for key in parts:  # first: it names a part lacking its documents part
        if not root.exists(part_path(DOCUMENTS.name, key)):
            raise ValueError(f"{table.name}: part {key!r} has no documents part beside it; rebuild that partition")
    inputs = {rel: digest(verified_bytes(root, rel))
              for rel in {*parts.values(), *(part_path(DOCUMENTS.name, key) for key in parts)}}
    per_doc = _rows_per_document(root, table, list(parts))
    version = code_version("combine", table)
    if built_from(root, table, version) == inputs and root.damage(table.file_name) is None:
        return root.parquet_rows(table.file_name)
    schema = table.arrow_schema()
    for key, rel in parts.items():
        if not root.parquet_schema(rel).equals(schema, check_metadata=False):
            raise ValueError(f"{table.name}: part {key!r} was written with another schema; rebuild that partition")
    readers = {key: _PartReader(root.iter_parquet(rel, PART_BATCH_ROWS)) for key, rel in parts.items()}

    def read(_first: str, end: str | None) -> Iterator[tuple[str, pa.Table]]:
        for key, reader in readers.items():
            rows = reader.until(end)
            if rows.num_rows:
                yield key, rows

    chunks = read_ahead(merge_windows(table, doc_windows(per_doc, WINDOW_ROWS), read))
    return root.write_parquet_chunks(table.file_name, stamped(table, version, inputs), chunks)


_END = object()
_BUILT_FROM = b"econ_indicators.built_from"


def verified_bytes(root: Root, rel: str) -> bytes:
    """A part's bytes, checked against the checksum written with it: a damaged part stops the
    combine with its name (a refresh of its partition rebuilds it) rather than spreading."""
    try:
        return root.read_verified(rel)
    except Damaged as exc:
        raise ValueError(f"part {part_key(rel)!r} is damaged ({exc}); refresh partition {part_key(rel)} "
                         "to rebuild it") from exc


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
    chunks = [read_part(root, table.name, key, [column]).column(column)
              for key in existing_parts(root, table.name, partitions)]
    return pa.chunked_array([c for chunk in chunks for c in chunk.chunks], table.arrow_schema().field(column).type)


def existing_parts(root: Root, table: str, partitions: Iterable[str]) -> dict[str, str]:
    """The parts of `table` that exist for `partitions`: partition → path under the root."""
    return {key: part_path(table, key) for key in partitions if root.exists(part_path(table, key))}


def part_key(rel: str) -> str:
    """The partition a part's path names."""
    return rel.rsplit("/", 1)[1].removesuffix(".parquet")
