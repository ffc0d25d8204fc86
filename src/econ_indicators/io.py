"""IO: read and write Parquet tables atomically, so a killed run never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import TABLES


def parquet_bytes(table: pa.Table) -> bytes:
    """`table` as the bytes of a Parquet file (zstd, with statistics); the same table gives the same bytes."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def write_bytes(data: bytes, path: Path) -> Path:
    """Write `data` to `path` through a temporary file renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_parquet(table: pa.Table, path: Path) -> Path:
    """Write `table` to `path` atomically."""
    return write_bytes(parquet_bytes(table), path)


def read_parquet(path: Path) -> pa.Table:
    """Read a Parquet file, naming the file in the error when it is missing."""
    if not path.exists():
        raise FileNotFoundError(f"no table at {path}: run `econ-indicators run` first")
    return pq.read_table(path)


def output_path(out_dir: Path, table: str) -> Path:
    """Where a declared output table lives under `out_dir`."""
    return out_dir / TABLES[table].file_name
