"""Storage: a folder given as a local path or an fsspec URL (memory://, s3://, gs://, ...).

Paths below a root are relative POSIX strings, so the same code reads and writes a local
folder, an in-memory filesystem in the tests, or an object store on a cluster.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs
from fsspec.implementations.local import LocalFileSystem

from . import io


class UnsafePath(ValueError):
    """A relative path that would leave its root (absolute, `..`, empty or `.` segments)."""


def checked(rel: str, url: str = "the root") -> str:
    """`rel` when it names something inside its root: relative, without empty, `.` or `..`
    segments (a trailing `/` names a folder); raises UnsafePath otherwise, for local and fsspec
    roots alike (an object key `raw//tmp/x` must not become `/tmp/x`)."""
    if not rel:
        return rel
    body = rel[:-1] if rel.endswith("/") else rel
    if rel.startswith("/") or "\x00" in rel or any(part in ("", ".", "..") for part in body.split("/")):
        raise UnsafePath(f"unsafe path {rel!r}: it would leave {url}")
    return rel


CHECKSUMMED = (".parquet",)  # files written with their checksum beside them
_CHECKSUM_SUFFIX = ".sha256"


class Damaged(ValueError):
    """A file whose bytes do not match the checksum recorded when it was written."""


def checksum_rel(rel: str) -> str:
    """Where the checksum of `rel` lives: `.<name>.sha256` beside it (hidden)."""
    folder, _, name = rel.rpartition("/")
    return f"{folder}/.{name}{_CHECKSUM_SUFFIX}" if folder else f".{name}{_CHECKSUM_SUFFIX}"


def _is_checksum(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(".") and name.endswith(CHECKSUMMED[0] + _CHECKSUM_SUFFIX)


class Root:
    """A folder on any fsspec filesystem; a plain path means the local disk."""

    def __init__(self, url: str | os.PathLike[str]) -> None:
        self.url = str(url)
        self.fs, self.path = url_to_fs(self.url)

    def __repr__(self) -> str:
        return f"Root({self.url!r})"

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def local_path(self, rel: str = "") -> Path:
        """The local path of `rel` (only for a local root)."""
        if not self.is_local:
            raise ValueError(f"{self.url} is not on the local disk")
        return Path(self.path) / checked(rel, self.url) if rel else Path(self.path)

    def full(self, rel: str) -> str:
        """The filesystem path of `rel` under the root (UnsafePath when it would leave the root)."""
        return posixpath.join(self.path, checked(rel, self.url)) if rel else self.path

    def is_dir(self) -> bool:
        return self.fs.isdir(self.path)

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.full(rel))

    def find(self, rel_dir: str = "") -> list[str]:
        """Every file under `rel_dir`, as sorted paths relative to the root."""
        base = self.full(rel_dir)
        if not self.fs.isdir(base):
            return []
        prefix = self.path.rstrip("/") + "/"
        found = (p[len(prefix):] if p.startswith(prefix) else p for p in self.fs.find(base))
        return sorted(rel for rel in found if not _is_checksum(rel))

    def remove(self, rel: str) -> None:
        """Delete a file and its checksum (nothing when absent)."""
        for name in (rel, checksum_rel(rel)):
            if self.exists(name):
                self.fs.rm_file(self.full(name))

    def damage(self, rel: str, data: bytes | None = None) -> str | None:
        """What is wrong with a file written with a checksum (`data`: its bytes, when already
        read): missing, without its checksum, or with bytes that do not match it; None when sound."""
        if data is None:
            if not self.exists(rel):
                return "missing"
            data = self.read_bytes(rel)
        sidecar = checksum_rel(rel)
        if not self.exists(sidecar):
            return "no checksum recorded"
        recorded = self.read_bytes(sidecar).decode("ascii", "replace").strip()
        found = hashlib.sha256(data).hexdigest()
        return None if recorded == found else f"checksum mismatch (recorded {recorded[:12]}, found {found[:12]})"

    def read_verified(self, rel: str) -> bytes:
        """The bytes of a file written with a checksum; Damaged when they do not match it."""
        data = self.read_bytes(rel)
        problem = self.damage(rel, data)
        if problem:
            raise Damaged(f"{self.url.rstrip('/')}/{rel}: {problem}")
        return data

    def _write_checksum(self, rel: str, data: bytes | None = None) -> None:
        if not rel.endswith(CHECKSUMMED):
            return
        if data is None:
            digest = hashlib.sha256()
            with self.fs.open(self.full(rel), "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            value = digest.hexdigest()
        else:
            value = hashlib.sha256(data).hexdigest()
        self._put(checksum_rel(rel), f"{value}\n".encode())

    def read_bytes(self, rel: str) -> bytes:
        if self.is_local:  # the same bytes without fsspec's overhead per call (10,000 files are hashed a run)
            return self.local_path(rel).read_bytes()
        return self.fs.cat_file(self.full(rel))

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a whole file; local files go through a temporary name renamed into place. A
        Parquet file gets its SHA-256 beside it (`.<name>.sha256`), written after it, so that a
        reader tells a damaged file (a bit flipped, truncated, killed between the two) from a
        sound one."""
        self._put(rel, data)
        self._write_checksum(rel, data)

    def _put(self, rel: str, data: bytes) -> None:
        if self.is_local:
            io.write_bytes(data, self.local_path(rel))
            return
        target = self.full(rel)
        self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
        self.fs.pipe_file(target, data)  # an object store replaces an object whole

    def read_parquet(self, rel: str, columns: Sequence[str] | None = None, filters: Any = None,
                     dictionary: Sequence[str] = ()) -> pa.Table:
        """Read a Parquet file (only `columns` and the rows `filters` keeps, in pyarrow's filter
        syntax, when given; the `dictionary` columns dictionary-encoded, so that repeated strings
        are held once), naming the file in the error when it is missing."""
        if self.is_local:
            return io.read_parquet(self.local_path(rel), columns, filters, dictionary)
        self._require(rel)
        return pq.read_table(pa.BufferReader(self.read_bytes(rel)), columns=None if columns is None else list(columns),
                             filters=filters, read_dictionary=list(dictionary) or None)

    def iter_parquet(self, rel: str, batch_rows: int = 65_536,
                     columns: Sequence[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The record batches of a Parquet file (only `columns` when given), read a few at a time."""
        self._require(rel)
        names = None if columns is None else list(columns)
        with self.fs.open(self.full(rel), "rb") as handle:
            yield from pq.ParquetFile(handle).iter_batches(batch_size=batch_rows, columns=names)

    def parquet_schema(self, rel: str) -> pa.Schema:
        """The Arrow schema of a Parquet file, from its footer."""
        return self._footer(rel).schema.to_arrow_schema()

    def parquet_rows(self, rel: str) -> int:
        """Rows in a Parquet file, from its footer."""
        return self._footer(rel).num_rows

    def _footer(self, rel: str) -> pq.FileMetaData:
        self._require(rel)
        with self.fs.open(self.full(rel), "rb") as handle:
            return pq.ParquetFile(handle).metadata

    def _require(self, rel: str) -> None:
        if not self.exists(rel):
            raise FileNotFoundError(f"no table at {self.url.rstrip('/')}/{rel}: run `econ-indicators run` first")

    def write_parquet(self, rel: str, table: pa.Table) -> None:
        self.write_bytes(rel, io.parquet_bytes(table))

    def write_parquet_chunks(self, rel: str, schema: pa.Schema, chunks: Iterable[pa.Table]) -> int:
        """Write a table given in chunks (one row group each) without holding it whole; a local
        file appears only when complete. Returns the number of rows."""
        if self.is_local:
            rows = io.write_parquet_chunks(schema, chunks, self.local_path(rel))
            self._write_checksum(rel)
            return rows
        sink = pa.BufferOutputStream()
        rows = io.write_chunks(schema, chunks, sink)
        self.write_bytes(rel, sink.getvalue().to_pybytes())
        return rows
