"""Extract: the stages chained over many documents (ingest → clean → facts → documents).

Each stage takes and returns plain rows (dicts with the columns of its table in `schema`), so
the Dagster assets, the tests and a notebook can call them alike. A failure inside one document
is recorded on its row; it never stops the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from .attribution import (
    Attribution,
    DocumentContext,
    RegionReader,
    Sections,
    Site,
    attribute,
    document_context,
    front_matter,
    metric_label,
)
from .clean import CleanText, Sentences, clean
from .gazetteer import gazetteer
from .ingest import RawDocument, failure_reason
from .metrics import metric_id
from .quantities import Quantity, find_quantities

Row = dict[str, Any]
Progress = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def fact_id(doc_id: str, start: int, end: int, surface: str) -> str:
    """A stable id for a fact: the same document, span and surface give the same id."""
    return hashlib.sha1(f"{doc_id}\x1f{start}\x1f{end}\x1f{surface}".encode()).hexdigest()[:16]


def raw_row(doc: RawDocument) -> Row:
    """A raw_texts row of a document as read."""
    return {"doc_id": doc.doc_id, "path": doc.path, "sha256": doc.sha256, "bytes": doc.bytes,
            "encoding": doc.encoding, "text": doc.text, "error": doc.error, "damage": doc.damage}


def read_text_context(raw_text: str) -> tuple[CleanText, DocumentContext]:
    """Clean one text and read what it says about itself (front matter, title, date, region…)."""
    cleaned = clean(raw_text)
    return cleaned, document_context(cleaned.text, front_matter(raw_text))


def clean_document(doc_id: str, raw_text: str) -> Row:
    """Clean one text and read its document-level context into a clean_texts row."""
    return _clean_row(doc_id, *read_text_context(raw_text))


def _clean_row(doc_id: str, cleaned: CleanText, ctx: DocumentContext) -> Row:
    return {
        "doc_id": doc_id, "text": cleaned.text,
        "raw_index": cleaned.raw_index.astype(np.int32).tobytes(),
        "title": ctx.title, "published": ctx.published, "year": ctx.year,
        "region": ctx.region, "region_code": ctx.region_code, "genre": ctx.genre, "error": None,
    }


def _clean_failure(doc_id: str, exc: Exception) -> Row:
    return {"doc_id": doc_id, "text": None, "raw_index": None, "title": None, "published": None, "year": None,
            "region": None, "region_code": None, "genre": None, "error": failure_reason("cleaning", exc)}


def extract_facts(doc_id: str, cleaned: CleanText, ctx: DocumentContext) -> list[Row]:
    """Every figure of a clean text as a facts row (offsets into the raw text)."""
    text = cleaned.text
    sentences = Sentences.split(text)
    sections = Sections.read(text, ctx)
    places = gazetteer()
    regions = RegionReader(places, text, ctx.region_code, ctx.compares_places)
    rows: list[Row] = []
    previous: tuple[int, Attribution | None, int] = (-1, None, 0)  # (sentence start, attribution, end) of the last
    paragraph, scanned = 0, 0  # start of the current paragraph; where the search for it stopped
    for q in find_quantities(text):  # in order of position: each stretch of text is searched once
        newline = text.rfind("\n", scanned, q.start)
        paragraph, scanned = (newline + 1 if newline >= 0 else paragraph), max(scanned, q.start)
        s_start, s_end = sentences.span_at(q.start)
        sentence = text[s_start:s_end]
        inherited = (previous[1], previous[2] - s_start) if previous[0] == s_start and previous[1] else None
        region = regions.region_of(Site(s_start, q.start, paragraph, q.unit == "rank"))
        attr = attribute(q, sentence, q.start - s_start, ctx, inherited, region, sections.at(q.start))
        attr = _listed_region(regions, attr, s_start, q)
        previous = (s_start, attr, q.end)
        raw_start, raw_end = cleaned.raw_span(q.start, q.end)
        rows.append({
            "fact_id": fact_id(doc_id, raw_start, raw_end, q.surface),
            "doc_id": doc_id, "region": attr.region, "region_code": attr.region_code,
            "year": attr.year, "period": attr.period, "metric": attr.metric, "metric_id": attr.metric_id,
            "value": attr.value, "unit": q.unit,
            "value_low": _signed(q.low, attr.sign), "value_high": _signed(q.high, attr.sign),
            "surface": q.surface, "qualifier": q.qualifier, "kind": attr.kind, "masked": q.masked,
            "sentence": sentence.strip(), "char_start": raw_start, "char_end": raw_end,
        })
    return rows


def _listed_region(regions: RegionReader, attr: Attribution, sentence_start: int, q: Quantity) -> Attribution:
    """A figure of a list led by places (A市、B县分别增长x、y) takes its place and their shared metric."""
    listed = regions.list_region(sentence_start, q.start, attr.list_index)
    if listed is None:
        return attr
    code, measured = listed
    metric = metric_label(measured) or attr.metric
    return replace(attr, region=gazetteer().name(code), region_code=code, metric=metric,
                   metric_id=metric_id(metric, attr.kind, q.unit))


def _signed(value: float | None, sign: int) -> float | None:
    return None if value is None else value * sign


def process_document(doc_id: str, raw_text: str) -> tuple[Row, list[Row]]:
    """Clean and extract one text: its clean_texts row (with the first error met) and its facts rows.

    Never raises, so that one bad document never stops a batch."""
    try:
        cleaned, ctx = read_text_context(raw_text)
        row = _clean_row(doc_id, cleaned, ctx)
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
        return _clean_failure(doc_id, exc), []
    try:
        return row, extract_facts(doc_id, cleaned, ctx)
    except Exception as exc:  # noqa: BLE001
        return {**row, "error": failure_reason("extraction", exc)}, []


def extract_document(doc_id: str, raw_text: str) -> list[Row]:
    """All stages for one text held in memory: its facts rows."""
    return extract_facts(doc_id, *read_text_context(raw_text))


def documents_stage(raw_rows: Iterable[Row], clean_rows: Iterable[Row], counts: Mapping[str, int]) -> list[Row]:
    """One documents row per raw file: what was read, how, the first error met and how many facts
    (`counts` by doc_id) it gave; a file read with repairs is `damaged`, its damage in `error`."""
    cleaned = {r["doc_id"]: r for r in clean_rows}
    rows = []
    for raw in raw_rows:
        clean_row = cleaned.get(raw["doc_id"], {})
        error = raw["error"] or clean_row.get("error")
        damage = None if error else raw.get("damage")
        rows.append({
            "doc_id": raw["doc_id"], "path": raw["path"], "sha256": raw["sha256"], "bytes": raw["bytes"],
            "encoding": raw["encoding"], "title": clean_row.get("title"),
            "published": clean_row.get("published"), "year": clean_row.get("year"), "genre": clean_row.get("genre"),
            "region": clean_row.get("region"), "status": "failed" if error else "damaged" if damage else "ok",
            "error": error or damage,
            "n_facts": counts.get(raw["doc_id"], 0),
        })
    return rows
