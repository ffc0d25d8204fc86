"""Attribution: give each figure its year, metric and kind (and, where known, its region)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import regex

from .clean import CLAUSE_END
from .gazetteer import gazetteer
from .metrics import metric_id
from .numbers import NumberError, parse_chinese
from .quantities import Quantity
from .rules import read_rows

MAX_METRIC = 30
_HEAD = 2000  # characters at the top of a document searched for its title and date

_DATE = regex.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d))"
)
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*年)(?!\d)")
_CN_DIGITS = "〇零一二三四五六七八九十"
_CN_DATE = regex.compile(rf"(?P<y>[{_CN_DIGITS}]{{4}})年(?P<m>[{_CN_DIGITS}]{{1,2}})月(?P<d>[{_CN_DIGITS}]{{1,3}})日")
_DAY = regex.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_TARGET_BEFORE = regex.compile(r"(?:到|至|力争)$")
_DATELINE_CHARS = 600
EARLY_MONTHS = 3  # a report published by March mostly reviews the year before
_RELATIVE_YEAR = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "本年": 0, "明年": 1}
_RELATIVE = regex.compile("|".join(_RELATIVE_YEAR))
_STRIP_CHARS = " 　“”\"'‘’《》【】[]"
_VERB_TAIL = regex.compile(r"(?:了|为|到|达)+$")  # 增长了, 下降到: the change word stands before these
_TRAILING_NUMBER = regex.compile(r"[\d.%]+$")


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
    metric_id: str | None = None
    period: str | None = None


@lru_cache(maxsize=1)
def _kind_words() -> dict[str, tuple[str, int]]:
    return {r["word"]: (r["kind"], int(r["sign"])) for r in read_rows("kinds.csv")}


@lru_cache(maxsize=1)
def _words_of_kinds() -> tuple[tuple[tuple[str, int], ...], dict[str, tuple[str, ...]]]:
    """The kind words split by kind, in file order: (change word, sign) pairs, and the words of each other kind."""
    words = _kind_words()
    change = tuple((word, sign) for word, (kind, sign) in words.items() if kind == "change")
    others = {kind: tuple(word for word, (k, _) in words.items() if k == kind)
              for kind in ("target", "standard", "share")}
    return change, others


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
    """Title (first substantial line), publication date and the year undated figures refer to."""
    head = text[:_HEAD]
    title = next((ln.strip() for ln in head.splitlines() if 6 <= len(ln.strip()) <= 80), None)
    years = Counter(int(m.group(1)) for m in _YEAR.finditer(text)
                    if not _TARGET_BEFORE.search(text, max(0, m.start() - 2), m.start()))
    published = _first_date(head) or _dateline(head, years)
    places = gazetteer()
    code = places.main_region(text, title)
    return DocumentContext(title=title, published=published, year=_reference_year(title, published, years),
                           region=places.name(code) if code else None, region_code=code)


def _reference_year(title: str | None, published: dt.date | None, years: Counter[int]) -> int | None:
    """The year a figure without a year of its own refers to: the title's year (a communiqué of
    2025), else the publication year (the year before for an early-year review that mostly speaks
    of it), else the most mentioned year."""
    titled = _YEAR.search(title or "")
    if titled:
        return int(titled.group(1))
    if published:
        last = published.year - 1
        early_review = published.month <= EARLY_MONTHS and years[last] > years[published.year]
        return last if early_review else published.year
    return years.most_common(1)[0][0] if years else None


def _first_date(text: str) -> dt.date | None:
    for m in _DATE.finditer(text):
        month, day = m["m"] or m["m2"], m["d"] or m["d2"]
        try:
            return dt.date(int(m["y"]), int(month), int(day))
        except ValueError:
            continue
    m = _CN_DATE.search(text)
    if m:
        try:
            return dt.date(*(int(parse_chinese(m[g])) for g in ("y", "m", "d")))
        except (NumberError, ValueError):
            return None
    return None


def _dateline(head: str, years: Counter[int]) -> dt.date | None:
    """'1月15日，市人大代表审议了…': a news dateline, its year the latest the text mentions."""
    m = _DAY.search(head[:_DATELINE_CHARS])
    if not m or not years:
        return None
    try:
        return dt.date(max(years), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _plan_pattern() -> tuple[regex.Pattern, dict[str, tuple[int, int]]]:
    plans = {r["label"]: (int(r["first_year"]), int(r["last_year"])) for r in read_rows("plan_periods.csv")}
    return regex.compile(rf"({'|'.join(plans)})[”\"’]?\s*(开局|起步|首年|第一年)?"), plans


def plan_year(text: str) -> tuple[int, int] | None:
    """(position, year) of the last five-year plan named in `text`: its last year, or its first
    when the text speaks of the plan's start."""
    pattern, plans = _plan_pattern()
    found = None
    for m in pattern.finditer(text):
        first, last = plans[m.group(1)]
        found = (m.start(), first if m.group(2) else last)
    return found


@lru_cache(maxsize=1)
def _period_patterns() -> list[tuple[regex.Pattern, str]]:
    return [(regex.compile(r["pattern"]), r["period"]) for r in read_rows("periods.csv")]


def figure_period(sentence_before: str) -> str | None:
    """The sub-year period (1-7月 → M01-M07, 一季度 → Q01, 上半年 → H01) last named before a figure."""
    best: tuple[tuple[int, int], str] | None = None  # ((end, -start), period): the last, then the longest
    for pattern, template in _period_patterns():
        for m in pattern.finditer(sentence_before):
            if best is None or (m.end(), -m.start()) > best[0]:
                groups = {k: f"{int(v) if v.isdigit() else int(parse_chinese(v)):02d}"
                          for k, v in m.groupdict().items() if v}
                best = ((m.end(), -m.start()), template.format(**groups))
    return best[1] if best else None


def figure_year(sentence_before: str, ctx: DocumentContext, kind: str = "level") -> int | None:
    """The year a figure refers to: the last explicit, relative or plan year before it in its sentence;
    else, for a target (预期目标), the publication year; else the document's reference year."""
    best: tuple[int, int] | None = plan_year(sentence_before)  # (position, year)
    for m in _YEAR.finditer(sentence_before):
        if best is None or m.start() > best[0]:
            best = (m.start(), int(m.group(1)))
    for m in _RELATIVE.finditer(sentence_before):
        if ctx.published and (best is None or m.start() > best[0]):
            best = (m.start(), ctx.published.year + _RELATIVE_YEAR[m.group()])
    if best:
        return best[1]
    return ctx.published.year if kind == "target" and ctx.published else ctx.year


def figure_kind(q: Quantity, clause_before: str) -> tuple[str, int]:
    """The figure's kind and sign from the words just before it."""
    if q.unit == "rank":
        return "rank", 1
    change, others = _words_of_kinds()
    near = _VERB_TAIL.sub("", clause_before)
    for word, sign in change:
        if near.endswith(word):
            return "change", sign
    if q.value is not None and q.value < 0:
        return "change", 1  # "采矿业-2.3%": a signed figure is a change
    for kind in ("target", "standard"):
        if any(w in clause_before for w in others[kind]):
            return kind, 1
    if q.unit == "%" and any(w in clause_before for w in others["share"]):
        return "share", 1
    return "level", 1


def metric_label(clause_before: str) -> str | None:
    """The noun phrase naming what a figure measures: its clause, trimmed of time words and verbs."""
    prefix, suffix = _trim_patterns()
    label = clause_before.strip(_STRIP_CHARS)
    for _ in range(3):
        trimmed = suffix.sub("", prefix.sub("", label)).strip(_STRIP_CHARS)
        if trimmed == label:
            break  # nothing more to trim
        label = trimmed
    label = _TRAILING_NUMBER.sub("", label).strip(_STRIP_CHARS)
    if len(label) < 2:
        return None
    return label[-MAX_METRIC:]


def clause_before(sentence: str, offset: int) -> str:
    """The part of the clause that stands before `offset` in `sentence`."""
    head = sentence[:offset]
    breaks = list(CLAUSE_END.finditer(head))
    return head[breaks[-1].end():] if breaks else head


_MASKED_PLACE = regex.compile(r"(?<![A-Za-z])X(?:省|市|县|区|州|镇|乡)")  # the text hides the place: no guess
_LIST_GAP = regex.compile(r"[、和及与\s]+")


def attribute(q: Quantity, sentence: str, offset: int, ctx: DocumentContext,
              previous: tuple[Attribution, int] | None = None, region_code: str | None = None) -> Attribution:
    """Attribute the quantity `q` that starts at `offset` inside `sentence`.

    `previous`: the attribution of the figure before it in the same sentence and the offset where
    that figure ends; a figure that continues its list (分别为2.39%、28.56%) takes its kind and sign.
    `region_code`: a region named before the figure in its sentence, inside the document's region.
    """
    clause = clause_before(sentence, offset)
    in_list = previous is not None and bool(_LIST_GAP.fullmatch(sentence, previous[1], offset))
    if q.kind:
        kind, sign = q.kind, 1
    elif in_list:
        kind, sign = previous[0].kind, previous[0].sign  # type: ignore[index]
    else:
        kind, sign = figure_kind(q, clause)
    metric = q.label or metric_label(clause) or (previous[0].metric if previous else None)
    value = q.value * sign if q.value is not None else None
    code = region_code or (None if _MASKED_PLACE.search(sentence, 0, offset) else ctx.region_code)
    return Attribution(
        region=gazetteer().name(code) if code else None,
        region_code=code,
        year=figure_year(sentence[:offset], ctx, kind),
        metric=metric,
        kind=kind,
        value=value,
        sign=sign,
        metric_id=metric_id(metric, kind, q.unit),
        period=figure_period(sentence[:offset]),
    )
