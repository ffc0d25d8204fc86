"""Quantities: find every figure in a clean text, with its value in base units and its unit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import regex

from .clean import CLAUSE_END, SENTENCE_END
from .flat_tables import find_table_cells
from .numbers import magnitude, parse_arabic, scale
from .rules import read_rows
from .units import Unit, unit_table

_ARABIC = r"\d{1,3}(?:,\s?\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MASK = r"(?<![A-Za-z])X(?![A-Za-z])"
_MAGNITUDE = r"万亿|亿|万|千"
_DATE_YEAR = regex.compile(r"(?:1[89]|20)\d\d")


@dataclass(frozen=True)
class Quantity:
    """A figure found in a text: value in base units (None when masked) and where it stands."""

    value: float | None
    unit: str
    surface: str
    start: int
    end: int
    qualifier: str | None = None
    masked: bool = False
    label: str | None = None  # what it measures, when the layout says so (a table's row and column)
    kind: str | None = None  # level, change or share, when the layout says so


@lru_cache(maxsize=1)
def qualifier_words() -> dict[str, dict[str, str]]:
    """Qualifier words by position ('before', 'inner', 'after') → {word: qualifier}."""
    words: dict[str, dict[str, str]] = {"before": {}, "inner": {}, "after": {}}
    for row in read_rows("qualifiers.csv"):
        words[row["position"]][row["word"]] = row["qualifier"]
    return words


def _alternation(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


def _unit_alternative(unit: Unit) -> str:
    guard = f"(?![{regex.escape(unit.not_before)}])" if unit.not_before else ""
    return regex.escape(unit.surface) + guard


@lru_cache(maxsize=1)
def quantity_pattern() -> regex.Pattern:
    """The regex for a number (or mask X), magnitude, inner qualifier, unit and suffix qualifier."""
    units = sorted(unit_table().values(), key=lambda u: len(u.surface), reverse=True)
    quals = qualifier_words()
    return regex.compile(
        rf"(?:(?P<rank>第)(?P<rnum>\d+)(?P<runit>位|名))"
        rf"|(?P<num>{_ARABIC}|{_MASK})(?P<q1>{_alternation(list(quals['inner']))})?"
        rf"(?P<mag>{_MAGNITUDE})?(?P<q2>{_alternation(list(quals['inner']))})?"
        rf"(?P<unit>{'|'.join(_unit_alternative(u) for u in units)})"
        rf"(?P<q3>{_alternation(list(quals['after']))})?",
    )


@cache
def counted_nouns(code: str) -> tuple[tuple[str, str], ...]:
    """(noun, refined unit code) pairs that may refine unit `code`, longest noun first
    (data/counted_nouns.csv)."""
    rows = [(r["word"], r["code"]) for r in read_rows("counted_nouns.csv") if code in r["applies_to"].split()]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


_AFTER_WINDOW = 15


def counted_unit(text: str, start: int, end: int, code: str) -> str | None:
    """Refine a count unit by the noun it counts: after the figure if one follows, else before it.

    None when the unit is refinable but no counted noun is found.
    """
    nouns = counted_nouns(code)
    if not nouns:
        return code
    stop = CLAUSE_END.search(text, end, end + _AFTER_WINDOW)
    after = text[end:stop.start() if stop else end + _AFTER_WINDOW]
    if len(after) >= 2:
        window = after
    else:
        breaks = list(CLAUSE_END.finditer(text, max(0, start - 40), start))
        window = text[breaks[-1].end() if breaks else max(0, start - 40):start]
    for word, refined in nouns:
        if word in window:
            return refined
    return None


@lru_cache(maxsize=1)
def _before_pattern() -> regex.Pattern:
    rows = [r for r in read_rows("qualifiers.csv") if r["position"] == "before"]
    rows.sort(key=lambda r: len(r["word"]), reverse=True)
    words = "|".join(
        (f"(?<![{regex.escape(r['not_after'])}])" if r.get("not_after") else "") + regex.escape(r["word"])
        for r in rows
    )
    return regex.compile(rf"(?:{words})$")


def _prefix_qualifier(text: str, start: int) -> str | None:
    m = _before_pattern().search(text, max(0, start - 3), start)
    return qualifier_words()["before"][m.group()] if m else None


def _is_date(m: regex.Match) -> bool:
    """'2025年' is a date, not a span of 2025 years."""
    return m["unit"] == "年" and not m["mag"] and bool(_DATE_YEAR.fullmatch(m["num"]))


def _qualifier(m: regex.Match, text: str) -> str | None:
    words = qualifier_words()
    if m["q3"]:
        return words["after"][m["q3"]]
    if m["q1"] or m["q2"]:
        return "over"
    return _prefix_qualifier(text, m.start())


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in `text`, in running text and in flattened tables, in order of position."""
    cells = [Quantity(c.value, c.unit, c.surface, c.start, c.end, label=c.label, kind=c.kind)
             for c in find_table_cells(text)]
    return sorted(find_text_quantities(text) + cells, key=lambda q: q.start)


def find_text_quantities(text: str) -> list[Quantity]:
    """Every figure written with its unit in running text, in order of position."""
    found: list[Quantity] = []
    for m in quantity_pattern().finditer(text):
        previous = found[-1] if found else None
        if m["rank"]:
            found.append(Quantity(float(m["rnum"]), "rank", m.group(), m.start(), m.end(),
                                  _prefix_qualifier(text, m.start())))
            continue
        if m["num"] != "X" and m["num"][0] == "0" and "." not in m["num"] and len(m["num"]) > 1:
            continue  # "007": an identifier, not a number
        if _is_date(m) or text[m.start() - 1:m.start()] == "第":
            continue  # "2025年" is a date; "第8届" an ordinal
        unit = unit_table()[m["unit"]]
        masked = m["num"] == "X"
        value = None if masked else scale(parse_arabic(m["num"]), magnitude(m["mag"]), unit.factor)
        code = counted_unit(text, m.start(), m.end(), unit.code)
        if code is None:  # "科研项目100个，其中国家级17个": the list goes on counting the same noun
            same_list = previous is not None and previous.surface[-1] == m.group()[-1] \
                and not SENTENCE_END.search(text, previous.end, m.start())
            code = previous.unit if same_list else unit.code
        found.append(Quantity(value, code, m.group(), m.start(), m.end(), _qualifier(m, text), masked))
    return found
