"""When a figure is about: its year (explicit, relative, a plan's, its section's) and its sub-year period."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from ..numbers import parse_chinese
from ..rules import data_lines, read_rows, read_text

if TYPE_CHECKING:
    from .document import DocumentContext
    from .sections import Scope

YEAR = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?:\s*年)(?!\d)")
_RELATIVE_YEAR = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "本年": 0, "明年": 1}
_RELATIVE = regex.compile("|".join(_RELATIVE_YEAR))
_SPAN_START = regex.compile(r"从\s*$")
_SPAN_TO = regex.compile(r"到|至")
_START_VALUE = regex.compile(r"从[^，,。；;从]{0,12}$")  # 从75.6%提升至76.5%: the figure right after 从
_TO_END_VALUE = regex.compile(r"^[^，,。；;]{0,12}?(?:到|至)")


@lru_cache(maxsize=1)
def plan_periods() -> dict[str, tuple[int, int]]:
    """Five-year plans by label (十四五 → (2021, 2025))."""
    return {r["label"]: (int(r["first_year"]), int(r["last_year"])) for r in read_rows("plan_periods.csv")}


@lru_cache(maxsize=1)
def _plan_pattern() -> regex.Pattern:
    return regex.compile(rf"({'|'.join(plan_periods())})[”\"’]?\s*(开局|起步|首年|第一年)?")


@lru_cache(maxsize=1)
def _comparison_before() -> regex.Pattern:
    words = sorted((ln.strip() for ln in data_lines(read_text("comparison_words.txt"))), key=len, reverse=True)
    return regex.compile(rf"(?:{'|'.join(map(regex.escape, words))})\s*$")


def comparison_base(text: str, start: int) -> bool:
    """Whether the place or year at `start` is a comparison base: 较2020年, 比上年, 高于全国, 占全省."""
    return bool(_comparison_before().search(text, max(0, start - 4), start))


def plan_year(text: str) -> tuple[int, int] | None:
    """(position, year) of the last five-year plan named in `text`: its last year, or its first
    when the text speaks of the plan's start."""
    plans = plan_periods()
    found = None
    for m in _plan_pattern().finditer(text):
        first, last = plans[m.group(1)]
        found = (m.start(), first if m.group(2) else last)
    return found


def written_year(sentence_before: str, ctx: DocumentContext) -> int | None:
    """The last year the sentence names before a figure: a plan's, a year, or a year relative to
    the publication (去年); a comparison base (较2020年, 比上年) is not the figure's year."""
    best: tuple[int, int] | None = plan_year(sentence_before)  # (position, year)
    for m in YEAR.finditer(sentence_before):
        if (best is None or m.start() > best[0]) and not comparison_base(sentence_before, m.start()):
            best = (m.start(), int(m.group(1)))
    if best is not None and _SPAN_START.search(sentence_before, 0, best[0]) \
            and _SPAN_TO.search(sentence_before, best[0]):
        return None  # 从2020年的82.4岁提升至83.9岁: 2020 is the start's year, not the end's
    if ctx.published:
        for m in _RELATIVE.finditer(sentence_before):
            if (best is None or m.start() > best[0]) and not comparison_base(sentence_before, m.start()):
                best = (m.start(), ctx.published.year + _RELATIVE_YEAR[m.group()])
    return best[1] if best else None


def figure_year(sentence_before: str, ctx: DocumentContext, kind: str = "level", scope: Scope | None = None,
                after: str = "") -> int | None:
    """The year a figure refers to: the one its sentence names before it; else, for the start of
    a change (从75.6%提升至76.5%), the year before its scope's; else its section's; else, for a
    target, the publication year; else the document's reference year."""
    year = written_year(sentence_before, ctx)
    if year is not None:
        return year
    base = scope.year if scope is not None and scope.year is not None else None
    if _START_VALUE.search(sentence_before) and _TO_END_VALUE.match(after):
        if scope is not None and scope.plan is not None:
            return scope.plan[0] - 1
        if base is not None or ctx.year is not None:
            return (base if base is not None else ctx.year) - 1
    if base is not None:
        return base
    return ctx.published.year if kind == "target" and ctx.published else ctx.year


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
