"""Sources: the raw files under a storage root, listed, hashed and read through `ingest`.

A local root is read by `ingest` itself; a remote one (s3://, memory://, ...) is listed with
the same rules and each file is copied to a temporary folder before `ingest` reads it, so
every rule of reading lives in one place.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from .extract import Row, raw_row
from .incremental import part_damage, part_path, read_part
from .ingest import (
    SUPPORTED_SUFFIXES,
    Identity,
    RawDocument,
    doc_id_for,
    identities,
    max_document_bytes,
    read_document,
    shown_path,
    walk,
)
from .partitions import by_partition
from .schema import DOCUMENTS, RAW_TEXTS
from .storage import Root, UnsafePath, checked

_EMPTY_SHA = hashlib.sha256(b"").hexdigest()
_HASH_CHUNK = 1 << 20


def _supported(rel: str) -> bool:
    path = PurePosixPath(rel)
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not any(p.startswith(".") for p in path.parts)


def _inside(inner: Root, outer: Root) -> str | None:
    """Where the root `inner` lies under `outer`, as a relative path ("" when they are the same
    folder); None when it is not inside it."""
    if inner.is_local and outer.is_local:
        try:
            rel = Path(inner.path).resolve().relative_to(Path(outer.path).resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None
        return "" if rel == "." else rel
    if type(inner.fs) is not type(outer.fs):
        return None
    base, path = outer.path.rstrip("/"), inner.path.rstrip("/")
    if path == base:
        return ""
    return path[len(base) + 1:] if path.startswith(base + "/") else None


def list_raw(root: Root, skip: Root | None = None) -> list[str]:
    """Supported raw files under `root` as sorted relative POSIX paths; hidden ones skipped, and
    the folder `skip` (the output root, when it lies inside the raw root) is not read as input.
    A local subfolder that cannot be listed is listed as `its/path/` (it gets a failed row)."""
    skipped = _inside(skip, root) if skip is not None else None
    if skipped == "":
        raise ValueError(f"the output folder {skip.url} is the raw folder {root.url}: give them apart")
    if root.is_local:
        base = root.local_path()
        return walk(base, base / skipped if skipped else None)
    if not root.is_dir():
        raise FileNotFoundError(f"raw folder not found: {root.url}")
    return [rel for rel in root.find() if _supported(rel) and not (skipped and rel.startswith(skipped + "/"))]


def raw_identities(rels: Iterable[str]) -> dict[str, Identity]:
    """Shown path and unique document id of each raw file (see `ingest.identities`)."""
    return identities(rels)


def read_raw(root: Root, rel: str, identity: Identity | None = None) -> RawDocument:
    """Read one raw file; failures are recorded on the document, never raised."""
    if identity is None:
        shown = shown_path(rel)
        identity = Identity(shown, doc_id_for(shown))
    try:
        checked(rel, root.url)
    except UnsafePath as exc:
        return RawDocument(identity.doc_id, identity.path, _EMPTY_SHA, 0, None, None, f"{exc}: not read")
    if root.is_local:
        return read_document(root.local_path(rel), root.local_path(), identity)
    try:
        size = root.fs.size(root.full(rel))
        if size is not None and size > max_document_bytes():
            return RawDocument(identity.doc_id, identity.path, _EMPTY_SHA, size, None, None,
                               f"too large: {size:,} bytes, over the size budget of {max_document_bytes():,} bytes")
        data = root.read_bytes(rel)
    except OSError as exc:
        return RawDocument(identity.doc_id, identity.path, _EMPTY_SHA, 0, None, None, f"cannot read the file: {exc}")
    with tempfile.TemporaryDirectory(prefix="econ-raw-") as tmp:
        local = Path(tmp, *PurePosixPath(rel).parts)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        return read_document(local, Path(tmp), identity)


def raw_rows(root: Root, rels: Iterable[str], progress: Callable[[str], None] = lambda _: None,
             names: Mapping[str, Identity] | None = None) -> list[Row]:
    """raw_texts rows of the files `rels` under `root` (named by `names`, default: by themselves)."""
    rows = []
    for rel in rels:
        rows.append(raw_row(read_raw(root, rel, names.get(rel) if names is not None else None)))
        progress(rows[-1]["doc_id"])
    return rows


def content_hashes(root: Root, rels: Iterable[str] | None = None) -> dict[str, str | None]:
    """SHA-256 of the bytes of each raw file (all supported files when `rels` is None); None for
    a symbolic link (never followed), something that is not a regular file, or a file that cannot
    be read, which the run then reports."""
    hashes: dict[str, str | None] = {}
    for rel in list_raw(root) if rels is None else rels:
        hashes[rel] = _content_hash(root, rel)
    return hashes


def _content_hash(root: Root, rel: str) -> str | None:
    try:
        checked(rel, root.url)
        if not root.is_local:
            return hashlib.sha256(root.read_bytes(rel)).hexdigest()
        path = root.local_path(rel)
        if not stat.S_ISREG(os.lstat(path).st_mode):  # symlinks, folders, pipes: never opened here
            return None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
    except (OSError, UnsafePath):
        return None


def refuse_empty(files: Sequence[str], out: Root, raw_url: str, allow_empty: bool = False) -> str | None:
    """Why a run over no raw files must not go on (None when it may): an empty raw folder would
    replace tables that hold documents with empty ones, which takes `allow_empty`."""
    if files or allow_empty or not out.exists(DOCUMENTS.file_name):
        return None
    try:
        held = out.parquet_rows(DOCUMENTS.file_name)
    except (OSError, ValueError):
        held = None
    if held == 0:
        return None
    what = f"tables of {held:,} documents" if held is not None else "tables"
    return (f"the raw folder {raw_url} has no files to read, and {out.url} holds {what}: not replacing them "
            f"with empty ones (--allow-empty, or Storage(allow_empty=True), to do so)")


def stale_partitions(raw: Root, out: Root) -> dict[str, str]:
    """The partitions whose raw files differ from those their raw_texts part was read from (added,
    removed, renamed, edited, or a part missing or damaged), each with a signature of both sides:
    what the tables were built from, not what a sensor saw last, so that a change made while the
    sensor was off is found and an up-to-date folder gives nothing. A file whose bytes are not
    hashed here (a symbolic link) counts by its name and id only."""
    files = list_raw(raw, skip=out)
    names = identities(files)
    hashes = content_hashes(raw, files)
    stale: dict[str, str] = {}
    for key, rels in by_partition(files).items():
        now = {names[rel].path: (hashes[rel], names[rel].doc_id) for rel in rels}
        built = _built_files(out, key)
        if built is None:
            if not now:
                continue
        elif now.keys() == built.keys() and all(
                doc_id == built[path][1] and sha in (None, built[path][0]) for path, (sha, doc_id) in now.items()):
            continue
        state = json.dumps([sorted(now.items()), sorted(built.items()) if built is not None else None])
        stale[key] = hashlib.sha256(state.encode()).hexdigest()
    return stale


def _built_files(out: Root, partition: str) -> dict[str, tuple[str, str]] | None:
    """Path → (SHA-256, doc_id) of the files a partition's raw_texts part was read from; None when
    there is no sound part."""
    if not out.exists(part_path(RAW_TEXTS.name, partition)) or part_damage(out, RAW_TEXTS.name, partition):
        return None
    part = read_part(out, RAW_TEXTS.name, partition, ["path", "sha256", "doc_id"]).to_pydict()
    return {p: (s, d) for p, s, d in zip(part["path"], part["sha256"], part["doc_id"], strict=True)}
