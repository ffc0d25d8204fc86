"""Incremental extraction: per-partition parts, a cache by content hash and rules version, and
the documents of a batch spread over worker processes.

A partition's documents are cleaned and extracted once per (text, rules version): the result
is kept under `_cache/<rules version>/` in the output root, so an unchanged document is never
re-extracted and a rule change re-extracts everything. Each partition writes its own part under
`_parts/<table>/<partition>.parquet`; the public tables are rebuilt from the parts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from . import tables
from .extract import Row, documents_stage, fact_id, process_document
from .ingest import Identity, OverBudget, doc_id_for, document_seconds, failure_reason, shown_path, time_budget
from .schema import CLEAN_TEXTS, DOCUMENTS, FACTS, RAW_TEXTS
from .storage import Root

PARTS_DIR = "_parts"
CACHE_DIR = "_cache"
MAX_AUTO_WORKERS = 8
# A worker process costs about a second to start (imports, gazetteer); a document about 0.1 s.
MIN_DOCS_PER_WORKER = 40
_TEXT_COLUMNS = ("text", "raw_index")
_DOCUMENT_KEY = b"econ_indicators.document"


class Extraction(NamedTuple):
    """What one text yields: its document-level row (title, date, region, error) and its facts
    (an Arrow table in facts order: compact to hold and to send between processes)."""

    document: Row
    facts: pa.Table


def extract_one(doc_id: str, text: str, seconds: float | None = None) -> Extraction:
    """Clean and extract one text within its time budget (`seconds`, default
    `ingest.document_seconds()`; past it the document fails with the reason). Runs in a worker
    process; never raises. Figures whose value is not finite (400 nines) are left out."""
    try:
        with time_budget(document_seconds() if seconds is None else seconds, "cleaning and extraction"):
            clean_row, facts = process_document(doc_id, text)
    except OverBudget as exc:  # the timer may fire between the document's end and the block's
        clean_row, facts = {"doc_id": doc_id, "error": failure_reason("extraction", exc)}, []
    document = {k: v for k, v in clean_row.items() if k not in _TEXT_COLUMNS}
    return Extraction(document, tables.facts_table([f for f in facts if _finite(f)]))


def _finite(fact: Row) -> bool:
    return all(fact.get(name) is None or math.isfinite(fact[name]) for name in ("value", "value_low", "value_high"))


def _extract_item(item: tuple[str, str]) -> Extraction:
    return extract_one(*item)


def rebase(extraction: Extraction, doc_id: str) -> Extraction:
    """The same extraction under another document id (same text, another file): ids follow."""
    if extraction.document["doc_id"] == doc_id:
        return extraction
    facts = [{**f, "doc_id": doc_id, "fact_id": fact_id(doc_id, f["char_start"], f["char_end"], f["surface"])}
             for f in extraction.facts.to_pylist()]
    return Extraction({**extraction.document, "doc_id": doc_id}, tables.facts_table(facts))


def text_hash(text: str) -> str:
    """The content hash a cached extraction is keyed by (of the decoded text, so that the same
    text read from another encoding or from HTML hits the same entry)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _encode_document(document: Row) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str).encode()


def _decode_document(data: bytes) -> Row:
    document = json.loads(data)
    for column in CLEAN_TEXTS.columns:
        if pa.types.is_date(column.type) and document.get(column.name):
            document[column.name] = dt.date.fromisoformat(document[column.name])
    return document


class ExtractionCache:
    """Extractions by (text hash, rules version), one small Parquet file each under the root."""

    def __init__(self, root: Root, version: str) -> None:
        self.root = root
        self.version = version

    def _rel(self, key: str) -> str:
        return f"{CACHE_DIR}/{self.version}/{key[:2]}/{key}.parquet"

    def get(self, key: str, doc_id: str) -> Extraction | None:
        """The cached extraction of the text `key`, as document `doc_id`; None when absent or unreadable."""
        rel = self._rel(key)
        if not self.root.exists(rel):
            return None
        try:
            table = pq.read_table(pa.BufferReader(self.root.read_verified(rel)))  # a damaged entry: Damaged
            document = _decode_document(table.schema.metadata[_DOCUMENT_KEY])
            cached = Extraction(document, table.replace_schema_metadata(FACTS.arrow_schema().metadata))
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return None  # a damaged entry is a miss: the text is extracted again, the entry rewritten
        return rebase(cached, doc_id)

    def has(self, key: str) -> bool:
        return self.root.exists(self._rel(key))

    def put(self, key: str, extraction: Extraction) -> None:
        table = extraction.facts
        meta = {**(table.schema.metadata or {}), _DOCUMENT_KEY: _encode_document(extraction.document)}
        self.root.write_parquet(self._rel(key), table.replace_schema_metadata(meta))


def choose_workers(requested: int, pending: int) -> int:
    """Worker processes for `pending` documents: `requested` when set (> 0), else as many as the
    CPUs allow and the batch pays for (one process for a small batch)."""
    if pending <= 1:
        return 1
    if requested > 0:
        return min(requested, pending)
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS, pending // MIN_DOCS_PER_WORKER))


class Extractor:
    """Extracts (doc_id, text) items in this process, or over worker processes started on first
    need and kept for the whole run (a worker costs about a second to start)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def map(self, items: Sequence[tuple[str, str]], progress: Callable[[str], None] = lambda _: None
            ) -> list[Extraction]:
        """The extractions of `items`, in their order."""
        if self.workers <= 1 or len(items) <= 1:
            return _extract_here(items, progress)
        chunk = max(1, len(items) // (self.workers * 4))
        results: list[Extraction] = []
        try:
            if self._pool is None:
                # spawn: a fresh interpreter per worker, safe whatever threads the calling process runs
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=exit_with_parent)
            with _workers_skip_main_script():
                mapped = self._pool.map(_extract_item, items, chunksize=chunk)  # starts the workers
            for item, result in zip(items, mapped, strict=True):
                results.append(result)
                progress(item[0])
        except BrokenProcessPool as exc:  # e.g. a __main__ that a spawned worker cannot import
            warnings.warn(f"worker processes failed ({exc}); extracting in this process", RuntimeWarning,
                          stacklevel=2)
            self.__exit__()
            self.workers = 1
            results += _extract_here(items[len(results):], progress)
        return results


def extract_many(items: Sequence[tuple[str, str]], workers: int,
                 progress: Callable[[str], None] = lambda _: None) -> list[Extraction]:
    """Extract (doc_id, text) items, in their order, over `workers` processes (1: in this process)."""
    with Extractor(workers) as extractor:
        return extractor.map(items, progress)


@contextlib.contextmanager
def _workers_skip_main_script() -> Iterator[None]:
    """While workers start: keep them from re-running the main script, which a spawned process
    does when `__main__` has a file. Workers need only this library, and the CLI's script would
    load Dagster into each of them (about 170 MB and a second apiece)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def exit_with_parent() -> None:
    """In a worker process: exit as soon as the process that started it dies (kill -9 included),
    instead of waiting for work forever as an orphan."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_gone, args=(parent,), name="exit-with-parent", daemon=True).start()


def _exit_when_gone(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns when the parent's end of the sentinel pipe closes, however it died
    os._exit(1)


def _extract_here(items: Sequence[tuple[str, str]], progress: Callable[[str], None]) -> list[Extraction]:
    results = []
    for item in items:
        results.append(_extract_item(item))
        progress(item[0])
    return results


@dataclass(frozen=True)
class PartitionResult:
    """A partition's facts and documents parts, and how many documents were extracted or cached."""

    facts: pa.Table
    documents: pa.Table
    extracted: int
    cached: int


class RawParts(Mapping[str, Sequence[Row]]):
    """The raw_texts rows of each partition, read from its part only when asked for, so that a
    run holds one partition's texts at a time."""

    def __init__(self, root: Root, partitions: Sequence[str]) -> None:
        self.root = root
        self.partitions = list(partitions)

    def __getitem__(self, key: str) -> Sequence[Row]:
        if key not in self.partitions:
            raise KeyError(key)
        return read_part(self.root, RAW_TEXTS.name, key).to_pylist()

    def __iter__(self) -> Iterator[str]:
        return iter(self.partitions)

    def __len__(self) -> int:
        return len(self.partitions)


def _texts(rows: Sequence[Row]) -> list[Row]:
    return sorted((r for r in rows if r["text"] is not None), key=lambda r: r["doc_id"])


def extract_partitions(raw: Mapping[str, Sequence[Row]], cache: ExtractionCache, workers: int = 0,
                       progress: Callable[[str], None] = lambda _: None) -> Iterator[tuple[str, PartitionResult]]:
    """Facts and documents of each partition's raw rows, partition by partition; only the texts
    the cache lacks are extracted, over one pool of worker processes sized for all of them.

    `raw` is read twice per partition (first to hash the texts and count what the cache lacks)
    and never whole."""
    hashes = {key: {r["doc_id"]: text_hash(r["text"]) for r in _texts(raw[key])} for key in raw}
    pending = sum(not cache.has(digest) for texts in hashes.values() for digest in texts.values())
    with Extractor(choose_workers(workers, pending)) as extractor:
        for key in raw:
            yield key, _extract_partition(raw[key], hashes[key], cache, extractor, progress)


def _extract_partition(rows: Sequence[Row], hashes: Mapping[str, str], cache: ExtractionCache,
                       extractor: Extractor, progress: Callable[[str], None]) -> PartitionResult:
    done: dict[str, Extraction] = {}
    pending: list[tuple[str, str]] = []  # (doc_id, text hash)
    items: list[tuple[str, str]] = []
    for row in _texts(rows):
        digest = hashes[row["doc_id"]]
        hit = cache.get(digest, row["doc_id"])
        if hit is None:
            pending.append((row["doc_id"], digest))
            items.append((row["doc_id"], row["text"]))
        else:
            done[row["doc_id"]] = hit
            progress(row["doc_id"])
    for (doc_id, digest), result in zip(pending, extractor.map(items, progress), strict=True):
        if not result.document.get("error"):  # a failure may be transient or a bug: not kept, tried again
            cache.put(digest, result)
        done[doc_id] = result
    return _partition_result(rows, done, len(pending))


def _partition_result(raw_rows: Sequence[Row], done: Mapping[str, Extraction], extracted: int) -> PartitionResult:
    ordered = [done[doc_id] for doc_id in sorted(done)]
    schema = FACTS.arrow_schema()
    facts = pa.Table.from_batches([b for e in ordered for b in e.facts.to_batches()], schema=schema)
    counts = {doc_id: extraction.facts.num_rows for doc_id, extraction in done.items()}
    documents = documents_stage(raw_rows, [e.document for e in ordered], counts)
    return PartitionResult(facts.combine_chunks(), tables.documents_table(documents),
                           extracted=extracted, cached=len(done) - extracted)


def part_path(table: str, partition: str) -> str:
    """Where a partition's part of a table lives under the output root."""
    return f"{PARTS_DIR}/{table}/{partition}.parquet"


def write_part(root: Root, table: str, partition: str, data: pa.Table) -> None:
    root.write_parquet(part_path(table, partition), data)


def part_damage(root: Root, table: str, partition: str) -> str | None:
    """What is wrong with a partition's part of a table (see `Root.damage`; None when sound): a
    damaged part is never trusted, its partition is built again."""
    problem = root.damage(part_path(table, partition))
    if problem and problem != "missing":
        warnings.warn(f"{table} part {partition!r} damaged ({problem}): rebuilt", RuntimeWarning, stacklevel=2)
    return problem


def read_part(root: Root, table: str, partition: str, columns: Sequence[str] | None = None) -> pa.Table:
    return root.read_parquet(part_path(table, partition), columns)


_SOURCE_KEY = b"econ_indicators.source"


def raw_part_current(root: Root, partition: str, hashes: Mapping[str, str | None],
                     names: Mapping[str, Identity] | None = None) -> bool:
    """Whether the partition's raw_texts part was read from exactly these files (path → SHA-256
    of their bytes; None for a file that could not be hashed), under the same names (`names`:
    shown path and doc_id of each, by default from the path alone) with today's schema."""
    rel = part_path(RAW_TEXTS.name, partition)
    if None in hashes.values() or not root.exists(rel) or part_damage(root, RAW_TEXTS.name, partition):
        return False
    if not root.parquet_schema(rel).equals(RAW_TEXTS.arrow_schema(), check_metadata=False):
        return False
    part = root.read_parquet(rel, ["path", "sha256", "doc_id"])
    recorded = dict(zip(part.column("path").to_pylist(),
                        zip(part.column("sha256").to_pylist(), part.column("doc_id").to_pylist(), strict=True),
                        strict=True))
    expected = {}
    for file, sha in hashes.items():
        name = names[file] if names is not None and file in names else _own_identity(file)
        expected[name.path] = (sha, name.doc_id)
    return recorded == expected


def _own_identity(rel: str) -> Identity:
    shown = shown_path(rel)
    return Identity(shown, doc_id_for(shown))


def source_digest(root: Root, partition: str, version: str) -> str:
    """What a partition's facts and documents parts are built from: its raw files' ids and
    checksums, and the rules version."""
    part = read_part(root, RAW_TEXTS.name, partition, ["doc_id", "sha256", "error"])
    digest = hashlib.sha256(version.encode())
    for row in sorted(part.to_pylist(), key=lambda r: r["doc_id"]):
        digest.update(f"{row['doc_id']}\x1f{row['sha256']}\x1f{row['error']}\n".encode())
    return digest.hexdigest()


def with_source(table: pa.Table, digest: str) -> pa.Table:
    """A part stamped with the source digest it was built from."""
    return table.replace_schema_metadata({**(table.schema.metadata or {}), _SOURCE_KEY: digest.encode()})


def parts_current(root: Root, partition: str, digest: str) -> bool:
    """Whether the partition's facts and documents parts were both built from `digest` with
    today's schemas and no document failed extraction (then the partition needs no work)."""
    for table in (FACTS, DOCUMENTS):
        rel = part_path(table.name, partition)
        if not root.exists(rel) or part_damage(root, table.name, partition):
            return False
        schema = root.parquet_schema(rel)
        if (schema.metadata or {}).get(_SOURCE_KEY) != digest.encode():
            return False
        if not schema.equals(table.arrow_schema(), check_metadata=False):
            return False
    return not _failed_extractions(root, partition)


def _failed_extractions(root: Root, partition: str) -> set[str]:
    """Documents of the partition that were read but failed extraction (never cached: retried)."""
    documents = read_part(root, DOCUMENTS.name, partition, ["doc_id", "status"])
    failed = {d for d, s in zip(documents.column("doc_id").to_pylist(), documents.column("status").to_pylist(),
                                strict=True) if s == "failed"}
    if not failed:
        return set()
    raw = read_part(root, RAW_TEXTS.name, partition, ["doc_id", "error"])
    unreadable = {d for d, e in zip(raw.column("doc_id").to_pylist(), raw.column("error").to_pylist(), strict=True)
                  if e is not None}
    return failed - unreadable
