"""Incremental extraction: per-partition parts, a cache by content hash and rules version, and
the documents of a batch spread over worker processes.

A partition's documents are cleaned and extracted once per (text, rules version): the result
is kept under `_cache/<rules version>/` in the output root, so an unchanged document is never
re-extracted and a rule change re-extracts everything. Each partition writes its own part under
`_parts/<table>/<partition>.parquet`; the public tables are rebuilt from the parts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import threading
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import NamedTuple

import pyarrow as pa

from . import tables
from .extract import Row, documents_stage, fact_id, process_document
from .schema import CLEAN_TEXTS, FACTS, Table
from .storage import Root

PARTS_DIR = "_parts"
CACHE_DIR = "_cache"
MAX_AUTO_WORKERS = 8
# A worker process costs about a second to start (imports, gazetteer); a document about 0.1 s.
MIN_DOCS_PER_WORKER = 40
_TEXT_COLUMNS = ("text", "raw_index")
_DOCUMENT_KEY = b"econ_indicators.document"


class Extraction(NamedTuple):
    """What one text yields: its document-level row (title, date, region, error) and its facts."""

    document: Row
    facts: list[Row]


def extract_one(doc_id: str, text: str) -> Extraction:
    """Clean and extract one text (runs in a worker process; never raises)."""
    clean_row, facts = process_document(doc_id, text)
    return Extraction({k: v for k, v in clean_row.items() if k not in _TEXT_COLUMNS}, facts)


def _extract_item(item: tuple[str, str]) -> Extraction:
    return extract_one(*item)


def rebase(extraction: Extraction, doc_id: str) -> Extraction:
    """The same extraction under another document id (same text, another file): ids follow."""
    facts = [{**f, "doc_id": doc_id, "fact_id": fact_id(doc_id, f["char_start"], f["char_end"], f["surface"])}
             for f in extraction.facts]
    return Extraction({**extraction.document, "doc_id": doc_id}, facts)


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
            table = self.root.read_parquet(rel)
            cached = Extraction(_decode_document(table.schema.metadata[_DOCUMENT_KEY]), table.to_pylist())
        except (OSError, KeyError, ValueError, pa.ArrowException):
            return None  # a damaged entry is a miss: the text is extracted again
        return rebase(cached, doc_id)

    def put(self, key: str, extraction: Extraction) -> None:
        table = tables.to_arrow(FACTS, extraction.facts)
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


def extract_many(items: Sequence[tuple[str, str]], workers: int,
                 progress: Callable[[str], None] = lambda _: None) -> list[Extraction]:
    """Extract (doc_id, text) items, in their order, over `workers` processes (1: in this process)."""
    if workers <= 1:
        return _extract_here(items, progress)
    chunk = max(1, len(items) // (workers * 4))
    # spawn: a fresh interpreter per worker, safe whatever threads the calling process runs
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=exit_with_parent) as pool:
            results = []
            for item, result in zip(items, pool.map(_extract_item, items, chunksize=chunk), strict=True):
                results.append(result)
                progress(item[0])
            return results
    except BrokenProcessPool as exc:  # e.g. a __main__ that a spawned worker cannot import
        warnings.warn(f"worker processes failed ({exc}); extracting in this process", RuntimeWarning,
                      stacklevel=2)
        return _extract_here(items, lambda _: None)


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


def extract_partitions(raw: Mapping[str, Sequence[Row]], cache: ExtractionCache, workers: int = 0,
                       progress: Callable[[str], None] = lambda _: None) -> dict[str, PartitionResult]:
    """Facts and documents of each partition's raw rows; only the texts the cache lacks are
    extracted, all partitions' together over one pool of worker processes."""
    done: dict[str, dict[str, Extraction]] = {key: {} for key in raw}
    pending: list[tuple[str, str, str]] = []  # (partition, doc_id, text hash)
    items: list[tuple[str, str]] = []
    for key, rows in raw.items():
        for row in sorted((r for r in rows if r["text"] is not None), key=lambda r: r["doc_id"]):
            digest = text_hash(row["text"])
            hit = cache.get(digest, row["doc_id"])
            if hit is None:
                pending.append((key, row["doc_id"], digest))
                items.append((row["doc_id"], row["text"]))
            else:
                done[key][row["doc_id"]] = hit
                progress(row["doc_id"])
    for (key, doc_id, digest), result in zip(pending, extract_many(items, choose_workers(workers, len(items)),
                                                                   progress), strict=True):
        if not result.document.get("error"):  # a failure may be transient or a bug: not kept, tried again
            cache.put(digest, result)
        done[key][doc_id] = result
    extracted = Counter(key for key, _, _ in pending)
    return {key: _partition_result(raw[key], done[key], extracted[key]) for key in raw}


def _partition_result(raw_rows: Sequence[Row], done: Mapping[str, Extraction], extracted: int) -> PartitionResult:
    ordered = [done[doc_id] for doc_id in sorted(done)]
    facts = [fact for extraction in ordered for fact in extraction.facts]
    documents = documents_stage(raw_rows, [e.document for e in ordered], facts)
    return PartitionResult(tables.facts_table(facts), tables.documents_table(documents),
                           extracted=extracted, cached=len(done) - extracted)


def part_path(table: str, partition: str) -> str:
    """Where a partition's part of a table lives under the output root."""
    return f"{PARTS_DIR}/{table}/{partition}.parquet"


def write_part(root: Root, table: str, partition: str, data: pa.Table) -> None:
    root.write_parquet(part_path(table, partition), data)


def read_part(root: Root, table: str, partition: str) -> pa.Table:
    return root.read_parquet(part_path(table, partition))


def combine_parts(root: Root, table: Table, partitions: Iterable[str]) -> pa.Table:
    """The table rebuilt from the parts that exist for `partitions`."""
    parts = {key: read_part(root, table.name, key) for key in partitions
             if root.exists(part_path(table.name, key))}
    return tables.combine(table, parts)
