"""Combine: the public facts and documents tables rebuilt from the partition parts, in the order
a single build gives, a window of documents at a time (never the whole table in memory).

How tables are combined does not change an extracted row, so this module is not part of the
rules version: changing it never invalidates the extraction cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from .incremental import part_path, read_part
from .schema import DOCUMENTS, FACTS, Table
from .storage import Root
from .tables import FACT_ORDER

WINDOW_ROWS = 131_072  # rows merged at a time into a combined table, one row group each
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
    end)` gives each part's name and rows whose doc_id lies in [first, end) (end None: no bound);
    since a document lives in one part, sorting a window's rows puts them in their final order."""
    schema = table.arrow_schema()
    order = [(name, "ascending", "at_end") for name in _ORDERS.get(table.name, table.key)]
    for first, end in windows:
        pieces = []
        for name, piece in read(first, end):
            if not piece.schema.equals(schema, check_metadata=False):
                raise ValueError(f"{table.name}: part {name!r} was written with another schema; rebuild that partition")
            pieces.append(piece.cast(schema))
        if pieces:
            yield pa.concat_tables(pieces).sort_by(order).combine_chunks()




def write_combined(root: Root, table: Table, partitions: Iterable[str]) -> int:
    """Write the public `table` from the parts that exist for `partitions`, in the order a single
    build gives, a window of documents at a time (each part read one after the other, only the
    row groups holding the window); return its number of rows."""
    rels = [part_path(table.name, key) for key in partitions if root.exists(part_path(table.name, key))]
    keys = [rel.rsplit("/", 1)[1].removesuffix(".parquet") for rel in rels]
    per_doc = _rows_per_document(root, table, keys)

    def read(first: str, end: str | None) -> Iterator[tuple[str, pa.Table]]:
        where = pc.field("doc_id") >= first
        if end is not None:
            where = where & (pc.field("doc_id") < end)
        for key, rel in zip(keys, rels, strict=True):
            yield key, root.read_parquet(rel, filters=where)

    chunks = merge_windows(table, doc_windows(per_doc), read)
    return root.write_parquet_chunks(table.file_name, table.arrow_schema(), chunks)


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


