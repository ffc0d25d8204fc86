"""Sources: the raw files under a storage root, listed, hashed and read through `ingest`.

A local root is read by `ingest` itself; a remote one (s3://, memory://, ...) is listed with
the same rules and each file is copied to a temporary folder before `ingest` reads it, so
every rule of reading lives in one place.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from .extract import Row, raw_row
from .ingest import SUPPORTED_SUFFIXES, RawDocument, discover, read_document
from .storage import Root


def _supported(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not any(p.startswith(".") for p in path.parts)


def list_raw(root: Root) -> list[str]:
    """Supported raw files under `root` as sorted relative POSIX paths; hidden ones skipped."""
    if root.is_local:
        base = root.local_path()
        return [p.relative_to(base).as_posix() for p in discover(base)]
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder not found: {root.url}")
    return [rel for rel in root.find() if _supported(rel)]


def read_raw(root: Root, rel: str) -> RawDocument:
    """Read one raw file; failures are recorded on the document, never raised."""
    if root.is_local:
        return read_document(root.local_path(rel), root.local_path())
    with tempfile.TemporaryDirectory(prefix="econ-raw-") as tmp:
        local = Path(tmp, *PurePosixPath(rel).parts)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(root.read_bytes(rel))
        return read_document(local, Path(tmp))


def raw_rows(root: Root, rels: Iterable[str], progress: Callable[[str], None] = lambda _: None) -> list[Row]:
    """raw_texts rows of the files `rels` under `root`."""
    rows = []
    for rel in rels:
        rows.append(raw_row(read_raw(root, rel)))
        progress(rows[-1]["doc_id"])
    return rows


def content_hashes(root: Root, rels: Iterable[str] | None = None) -> dict[str, str | None]:
    """SHA-256 of the bytes of each raw file (all supported files when `rels` is None); None for
    a symbolic link (never followed) or a file that cannot be read, which the run then reports."""
    hashes: dict[str, str | None] = {}
    for rel in list_raw(root) if rels is None else rels:
        if root.is_local and root.local_path(rel).is_symlink():
            hashes[rel] = None
            continue
        try:
            hashes[rel] = hashlib.sha256(root.read_bytes(rel)).hexdigest()
        except OSError:
            hashes[rel] = None
    return hashes
