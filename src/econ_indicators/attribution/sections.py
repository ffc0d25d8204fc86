"""A document's sections: headings and paragraph leads open time scopes (year, mode, plan) that
the figures under them take when their own sentence names no time."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from functools import lru_cache

import regex

from ..rules import read_rows
from .document import DocumentContext
from .time import YEAR, comparison_base, plan_periods

_HEADING_LEVELS = (
    (regex.compile(r"^\s*(?:第[一二三四五六七八九十]+(?:部分|章|篇)|[一二三四五六七八九十]+、)"), 1),
    (regex.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]"), 2),
)
PARAGRAPH = 3  # the level of a paragraph's lead cue: replaced by the next one, closed by any heading
_LEAD = regex.compile(r"[^，,。；;：:！？]{0,40}")  # the first clause of a paragraph
_HEADING_END = regex.compile(r"[。；;！？]")


@dataclass(frozen=True)
class Scope:
    """The time a stretch of text speaks of: a year, a mode (result or target) and a five-year plan."""

    year: int | None = None
    mode: str | None = None
    plan: tuple[int, int] | None = None

    def over(self, outer: Scope) -> Scope:
        """This scope inside `outer`: what it leaves unset comes from `outer`."""
        return Scope(self.year if self.year is not None else outer.year, self.mode or outer.mode,
                     self.plan or outer.plan)


@dataclass(frozen=True)
class Cue:
    pattern: regex.Pattern
    time: str
    mode: str | None


@lru_cache(maxsize=1)
def _cues() -> tuple[Cue, ...]:
    return tuple(Cue(regex.compile(regex.escape(r["cue"])), r["time"], r["mode"] or None)
                 for r in read_rows("time_cues.csv"))


@lru_cache(maxsize=1)
def _plan_names() -> regex.Pattern:
    return regex.compile("|".join(plan_periods()))


class Sections:
    """The scope in force at each offset of a clean text."""

    def __init__(self, starts: list[int], scopes: list[Scope]) -> None:
        self._starts, self._scopes = starts, scopes

    def at(self, offset: int) -> Scope:
        i = bisect.bisect_right(self._starts, offset) - 1
        return self._scopes[i] if i >= 0 else Scope()

    @classmethod
    def read(cls, text: str, ctx: DocumentContext) -> Sections:
        """Walk the paragraphs (lines) of `text`: a heading replaces the scopes of its level and
        below, a paragraph whose lead names a time replaces the paragraph scope."""
        stack: dict[int, Scope] = {}
        starts, scopes = [0], [Scope()]
        pos = 0
        for line in text.split("\n"):
            level = heading_level(line)
            if level is not None:
                stack = {k: v for k, v in stack.items() if k < level}
                cue = _HEADING_END.split(line, 1)[0]
            else:
                level, cue = PARAGRAPH, _LEAD.match(line.lstrip(" 　—-")).group()
            scope = scope_of(cue, ctx)
            if scope is not None:
                stack = {k: v for k, v in stack.items() if k < level}
                stack[level] = scope
            effective = Scope()
            for key in sorted(stack):
                effective = stack[key].over(effective)
            if effective != scopes[-1]:
                starts.append(pos)
                scopes.append(effective)
            pos += len(line) + 1
        return cls(starts, scopes)


def heading_level(line: str) -> int | None:
    """1 for 一、/第一部分, 2 for （一）, None for a line that is not a numbered heading."""
    return next((level for pattern, level in _HEADING_LEVELS if pattern.match(line)), None)


@lru_cache(maxsize=1)
def _any_cue() -> regex.Pattern:
    """Any cue or plan name or year: most lines have none, and need no further look."""
    words = [c.pattern.pattern for c in _cues()] + [regex.escape(p) for p in plan_periods()]
    return regex.compile("|".join(words) + r"|(?:19|20)\d\d\s*年")


def scope_of(cue_text: str, ctx: DocumentContext) -> Scope | None:
    """The scope a heading or a paragraph lead opens, or None when it names no time. A year written
    in it wins; a one-year cue (过去一年, 今年) wins over a plan named beside it."""
    if not _any_cue().search(cue_text):
        return None
    report = ctx.report_year
    cue = next((c for c in _cues() if c.pattern.search(cue_text)), None)
    scope = _cue_scope(cue, report) if cue else None
    plan = _named_plan(cue_text, report)
    if plan is not None and not (cue and cue.time in ("last_year", "this_year")):
        scope = plan if scope is None else scope.over(plan)
    year = _written_year(cue_text)
    if year is not None:
        scope = replace(scope or Scope(), year=year, plan=None)
    return scope


def _cue_scope(cue: Cue, report: int | None) -> Scope:
    if report is None or not cue.time:
        return Scope(mode=cue.mode)
    if cue.time == "last_year":
        return Scope(report - 1, cue.mode)
    if cue.time == "this_year":
        return Scope(report, cue.mode)
    plans = plan_periods().values()
    if cue.time == "plan_review":
        plan = next((p for p in plans if p[0] <= report - 1 <= p[1]), None)
    else:
        plan = next((p for p in plans if p[0] <= report <= p[1]), None)
    return Scope(plan[1] if plan else None, cue.mode, plan)


def _named_plan(text: str, report: int | None) -> Scope | None:
    """“十四五”时期 in a heading: a review when the plan ended before the report's year, else a target."""
    m = _plan_names().search(text)
    if not m:
        return None
    first, last = plan_periods()[m.group()]
    mode = "result" if report is not None and last < report else "target"
    return Scope(last, mode, (first, last))


def _written_year(text: str) -> int | None:
    """The first year written in a heading or lead that is not a comparison base (较2020年)."""
    for m in YEAR.finditer(text):
        if not comparison_base(text, m.start()):
            return int(m.group(1))
    return None
