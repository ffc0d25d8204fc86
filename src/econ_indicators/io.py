"""IO: read and write Parquet tables atomically, so a killed run never leaves half a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import TABLES

_PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}
_DISTINCT = frozenset(c.name for t in TABLES.values() for c in t.columns if c.distinct)
# Small row groups let a reader filtering on a sorted column (doc_id in parts) skip most of a file.
ROW_GROUP_ROWS = 16_384


def parquet_bytes(table: pa.Table) -> bytes:
    """`table` as the bytes of a Parquet file (zstd, with statistics); the same table gives the same bytes."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP_ROWS, **_options(table.schema))
    return sink.getvalue().to_pybytes()


def _options(schema: pa.Schema) -> dict[str, Any]:
    """Writer options: a dictionary for every column but those declared `distinct` (a list's
    dictionary is set on its items)."""
    leaves = [f"{f.name}.list.element" if pa.types.is_list(f.type) else f.name
              for f in schema if f.name not in _DISTINCT]
    return {**_PARQUET_OPTIONS, "use_dictionary": leaves}


def write_chunks(schema: pa.Schema, chunks: Iterable[pa.Table], sink) -> int:
    """Write chunks of a table to an open sink as one Parquet file, a row group per chunk; return the rows."""
    rows = 0
    with pq.ParquetWriter(sink, schema, **_options(schema)) as writer:
        for chunk in chunks:
            writer.write_table(chunk, row_group_size=max(chunk.num_rows, 1))
            rows += chunk.num_rows
    return rows


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux), since
    setting it to read it would race with threads creating files."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[str]:
    """A temporary file beside `path`, renamed over it when the block ends well, removed if not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600: the file gets what open() would give it
    finally:
        os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet_chunks(schema: pa.Schema, chunks: Iterable[pa.Table], path: Path) -> int:
    """Write chunks of a table to `path` through a temporary file renamed into place; return the rows."""
    with _atomic(path) as tmp:
        return write_chunks(schema, chunks, tmp)


def write_bytes(data: bytes, path: Path) -> Path:
    """Write `data` to `path` through a temporary file renamed into place."""
    with _atomic(path) as tmp:
        Path(tmp).write_bytes(data)
    return path


def write_parquet(table: pa.Table, path: Path) -> Path:
    """Write `table` to `path` atomically."""
    return write_bytes(parquet_bytes(table), path)


def read_parquet(path: Path, columns: Sequence[str] | None = None, filters: Any = None,
                 dictionary: Sequence[str] = ()) -> pa.Table:
    """Read a Parquet file (only `columns` and the rows `filters` keeps, when given; the
    `dictionary` columns dictionary-encoded), naming the file in the error when it is missing."""
    if not path.exists():
        raise FileNotFoundError(f"no table at {path}: run `econ-indicators run` first")
    names = None if columns is None else list(columns)
    if filters is None:  # the file reader alone: half the cost of read_table on a small file (cache entries)
        return pq.ParquetFile(path, read_dictionary=list(dictionary) or None).read(columns=names)
    return pq.read_table(path, columns=names, filters=filters, read_dictionary=list(dictionary) or None)


def output_path(out_dir: Path, table: str) -> Path:
    """Where a declared output table lives under `out_dir`."""
    return out_dir / TABLES[table].file_name
