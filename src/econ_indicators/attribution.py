"""Attribution: give each figure its year, metric and kind (and, where known, its region)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import regex

from .clean import CLAUSE_END
from .gazetteer import gazetteer
from .quantities import Quantity
from .rules import read_rows

MAX_METRIC = 30
_HEAD = 2000  # characters at the top of a document searched for its title and date

_DATE = regex.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d))"
)
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*年)(?!\d)")
_RELATIVE_YEAR = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "本年": 0, "明年": 1}
_RELATIVE = regex.compile("|".join(_RELATIVE_YEAR))
_STRIP_CHARS = " 　“”\"'‘’《》【】[]"


@dataclass(frozen=True)
class DocumentContext:
    """What a document says about itself: title, publication date, main year and region."""

    title: str | None
    published: dt.date | None
    year: int | None
    region: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class Attribution:
    """Where, when and what a figure is about, and its signed value."""

    region: str | None
    region_code: str | None
    year: int | None
    metric: str | None
    kind: str
    value: float | None
    sign: int = 1


@lru_cache(maxsize=1)
def _kind_words() -> dict[str, tuple[str, int]]:
    return {r["word"]: (r["kind"], int(r["sign"])) for r in read_rows("kinds.csv")}


@lru_cache(maxsize=1)
def _trim_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    rows = read_rows("metric_trim.csv")

    def alternation(position: str) -> str:
        words = sorted((r["word"] for r in rows if r["position"] == position), key=len, reverse=True)
        return "|".join(regex.escape(w) for w in words)

    year = r"(?:19|20)\d\d年(?:末|底|初)?"
    return (
        regex.compile(rf"^(?:{year}|{alternation('prefix')})+"),
        regex.compile(rf"(?:{alternation('suffix')})+$"),
    )


def document_context(text: str) -> DocumentContext:
    """Title (first substantial line), publication date and the year most figures refer to."""
    head = text[:_HEAD]
    title = next((ln.strip() for ln in head.splitlines() if 6 <= len(ln.strip()) <= 80), None)
    published = _first_date(head)
    years = Counter(int(y) for y in _YEAR.findall(text))
    year = years.most_common(1)[0][0] if years else (published.year if published else None)
    places = gazetteer()
    code = places.main_region(text, title)
    return DocumentContext(title=title, published=published, year=year,
                           region=places.name(code) if code else None, region_code=code)


def _first_date(text: str) -> dt.date | None:
    for m in _DATE.finditer(text):
        month, day = m["m"] or m["m2"], m["d"] or m["d2"]
        try:
            return dt.date(int(m["y"]), int(month), int(day))
        except ValueError:
            continue
    return None


def figure_year(sentence_before: str, ctx: DocumentContext) -> int | None:
    """The year a figure refers to: the last explicit or relative year before it in its sentence."""
    best: tuple[int, int] | None = None  # (position, year)
    for m in _YEAR.finditer(sentence_before):
        best = (m.start(), int(m.group(1)))
    for m in _RELATIVE.finditer(sentence_before):
        if ctx.published and (best is None or m.start() > best[0]):
            best = (m.start(), ctx.published.year + _RELATIVE_YEAR[m.group()])
    return best[1] if best else ctx.year


def figure_kind(q: Quantity, clause_before: str) -> tuple[str, int]:
    """The figure's kind and sign from the words just before it."""
    if q.unit == "rank":
        return "rank", 1
    words = _kind_words()
    near = regex.sub(r"(?:了|为|到|达)+$", "", clause_before)
    for word, (kind, sign) in words.items():
        if kind == "change" and near.endswith(word):
            return kind, sign
    for kind in ("target", "standard"):
        if any(w in clause_before for w, (k, _) in words.items() if k == kind):
            return kind, 1
    if q.unit == "%" and any(w in clause_before for w, (k, _) in words.items() if k == "share"):
        return "share", 1
    return "level", 1


def metric_label(clause_before: str) -> str | None:
    """The noun phrase naming what a figure measures: its clause, trimmed of time words and verbs."""
    prefix, suffix = _trim_patterns()
    label = clause_before.strip(_STRIP_CHARS)
    for _ in range(3):
        label = suffix.sub("", prefix.sub("", label)).strip(_STRIP_CHARS)
    label = regex.sub(r"[\d.%]+$", "", label).strip(_STRIP_CHARS)
    if len(label) < 2:
        return None
    return label[-MAX_METRIC:]


def clause_before(sentence: str, offset: int) -> str:
    """The part of the clause that stands before `offset` in `sentence`."""
    head = sentence[:offset]
    breaks = list(CLAUSE_END.finditer(head))
    return head[breaks[-1].end():] if breaks else head


def attribute(q: Quantity, sentence: str, offset: int, ctx: DocumentContext,
              previous_metric: str | None, region_code: str | None = None) -> Attribution:
    """Attribute the quantity `q` that starts at `offset` inside `sentence`.

    `region_code`: a region named before the figure in its sentence, inside the document's region.
    """
    clause = clause_before(sentence, offset)
    kind, sign = (q.kind, 1) if q.kind else figure_kind(q, clause)
    metric = q.label or metric_label(clause) or previous_metric
    value = q.value * sign if q.value is not None else None
    code = region_code or ctx.region_code
    return Attribution(
        region=gazetteer().name(code) if code else None,
        region_code=code,
        year=figure_year(sentence[:offset], ctx),
        metric=metric,
        kind=kind,
        value=value,
        sign=sign,
    )
