"""Quantities: find every figure in a clean text, with its value in base units and its unit.

One regex finds the candidates in running text: ranks (第3位, 前10名), fractions and spelled
percentages (三分之一, 1/3, 百分之五), multiples (翻一番), and amounts: an Arabic, Chinese or
masked number (or a range of two), magnitude, inner qualifier, unit and suffix qualifier. Each
candidate then passes the rules that tell a figure from a date, an ordinal or a set phrase.
Flattened tables are read by `flat_tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from .clean import CLAUSE_END, SENTENCE_END
from .flat_tables import find_table_cells
from .numbers import NumberError, magnitude, parse_arabic, parse_chinese, scale
from .rules import read_rows
from .units import Unit, unit_table

_ARABIC = r"\d{1,3}(?:,\s?\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MASK = r"(?<![A-Za-z])X(?![A-Za-z])"
_MAGNITUDE = r"万亿|亿|万|千"
_CN_DIGIT = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_TEN = "十百千拾佰仟"
_CN = rf"[{_CN_DIGIT}{_CN_TEN}]+(?:[万亿][{_CN_DIGIT}][{_CN_DIGIT}{_CN_TEN}]*)*(?:点[{_CN_DIGIT}]+)?"
_RANGE_SEP = r"\s?(?:[-—–~～]|至|到)\s?"
# Every written form of a figure starts with one of these: 第, 前, 翻, a digit, a Chinese numeral,
# the mask X or a minus sign.
_FIGURE_START = rf"[\d第前翻X\-−{_CN_DIGIT}{_CN_TEN}]"
_DATE_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_CN_DATE_YEAR = re.compile(rf"[{_CN_DIGIT}]{{4}}")
_SLOGAN_OPEN = "“‘\"「『"
_RANK_CONTEXT = re.compile(r"(?:排名|排|居|位居|位列|名列|列)\S{0,4}$")
_ORDINAL_BEFORE = re.compile(r"(?:第|届|星期|周|礼拜)$")
_PERIOD_BEFORE = re.compile(r"(?:过去的?|近|这|前|未来|今后)$")  # "过去五年": a period named, not measured
_TIME_WORDS = frozenset({"年", "个月", "天"})
_BARE_TENS = frozenset(_CN_TEN)
SMALL_COUNT = 10  # spelled-out counts below this are left out (see _not_a_chinese_figure)
ROUND_RATIO = 6  # fractions are stored to six decimals: 1/3 → 0.333333


@dataclass(frozen=True)
class Quantity:
    """A figure found in a text: value in base units (None when masked) and where it stands.

    A range (3至5亿元) keeps both ends in `low` and `high`, its low end in `value`, and
    qualifier 'range'.
    """

    value: float | None
    unit: str
    surface: str
    start: int
    end: int
    qualifier: str | None = None
    masked: bool = False
    label: str | None = None  # what it measures, when the layout says so (a table's row and column)
    kind: str | None = None  # level, change or share, when the layout says so
    low: float | None = None
    high: float | None = None


@lru_cache(maxsize=1)
def qualifier_words() -> dict[str, dict[str, str]]:
    """Qualifier words by position ('before', 'inner', 'after') → {word: qualifier}."""
    words: dict[str, dict[str, str]] = {"before": {}, "inner": {}, "after": {}}
    for row in read_rows("qualifiers.csv"):
        words[row["position"]][row["word"]] = row["qualifier"]
    return words


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _unit_alternative(unit: Unit) -> str:
    guard = f"(?![{re.escape(unit.not_before)}])" if unit.not_before else ""
    return re.escape(unit.surface) + guard


@lru_cache(maxsize=1)
def quantity_pattern() -> re.Pattern:
    """The regex for every written form of a figure, one named group per form (stdlib `re`: the
    pattern needs nothing more, and `re` scans it about 1.4× faster than `regex`).

    The forms are tried only where a figure can start (`_FIGURE_START`): that lookahead halves
    the time of a scan and finds the same matches (tests/test_quantities.py checks it)."""
    return re.compile(rf"(?={_FIGURE_START}){NOT_INSIDE_DIGITS}(?:{forms_pattern()})")


# Never start inside a run of digits, where every start would scan the rest of the run again
# (quadratic: a run of 4,000 digits took 13 s, one of 1,000,000 hung the run); the run's own start
# is tried, and a figure glued behind other digits (一m30元: 一m3, then not 0元) is none.
NOT_INSIDE_DIGITS = r"(?!(?<=\d)\d)"


def forms_pattern() -> str:
    """The alternation of every written form of a figure."""
    units = sorted(unit_table().values(), key=lambda u: len(u.surface), reverse=True)
    quals = qualifier_words()
    inner = _alternation(list(quals["inner"]))
    return (
        rf"(?P<rank>第(?P<rnum>\d+|{_CN})(?P<runit>位|名)?)"
        rf"|(?P<top>前(?P<tnum>\d+|{_CN})(?:位|名))"
        rf"|(?P<frac>(?P<fden>{_CN})分之(?P<fnum>{_CN}))"
        rf"|(?P<afrac>(?<![\d./])(?P<anum>\d{{1,3}})/(?P<aden>\d{{1,3}})(?![\d/]))"
        rf"|(?P<fan>翻(?P<fann>[一两二三四])?番)"
        rf"|(?P<amount>(?:(?P<lo>{_ARABIC})(?P<lomag>{_MAGNITUDE})?(?P<lopct>%)?{_RANGE_SEP}(?=\d))?"
        rf"(?P<neg>(?<![\dA-Za-z.%)）])[-−])?(?P<num>{_ARABIC}|{_MASK}|(?P<cn>{_CN}))(?P<q1>{inner})?"
        rf"(?P<mag>{_MAGNITUDE})?(?P<q2>{inner})?"
        rf"(?P<unit>{'|'.join(_unit_alternative(u) for u in units)})"
        rf"(?P<q3>{_alternation(list(quals['after']))})?)"
    )


@cache
def counted_nouns(measure_word: str) -> tuple[tuple[str, str], ...]:
    """(noun, refined unit code) pairs that may refine a count written with `measure_word`,
    longest noun first (data/counted_nouns.csv)."""
    rows = [(r["word"], r["code"]) for r in read_rows("counted_nouns.csv")
            if measure_word in r["measure_words"].split()]
    return tuple(sorted(rows, key=lambda r: len(r[0]), reverse=True))


_AFTER_WINDOW = 15


def counted_unit(text: str, start: int, end: int, unit: Unit) -> str | None:
    """Refine a count unit by the noun it counts: after the figure if one follows, else before it.

    None when the unit is refinable but no counted noun is found.
    """
    nouns = counted_nouns(unit.surface)
    if not nouns:
        return unit.code
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
def _before_pattern() -> re.Pattern:
    rows = [r for r in read_rows("qualifiers.csv") if r["position"] == "before"]
    rows.sort(key=lambda r: len(r["word"]), reverse=True)
    words = "|".join(
        (f"(?<![{re.escape(r['not_after'])}])" if r.get("not_after") else "") + re.escape(r["word"])
        for r in rows
    )
    return re.compile(rf"(?:{words})$")


def _prefix_qualifier(text: str, start: int) -> str | None:
    m = _before_pattern().search(text, max(0, start - 3), start)
    return qualifier_words()["before"][m.group()] if m else None


def _qualifier(m: re.Match, text: str) -> str | None:
    if m["lo"]:
        return "range"
    words = qualifier_words()
    if m["q3"]:
        return words["after"][m["q3"]]
    if m["q1"] or m["q2"]:
        return "over"
    return _prefix_qualifier(text, m.start())


def _number(text: str) -> float:
    """An Arabic or Chinese numeral already delimited by the pattern."""
    return float(_decimal(text))


def _rank(m: re.Match, text: str) -> Quantity | None:
    if not m["runit"] and not _RANK_CONTEXT.search(text, max(0, m.start() - 8), m.start()):
        return None  # "第一，" is a list marker; "排名第3" and "第3位" are ranks
    return Quantity(_number(m["rnum"]), "rank", m.group(), m.start(), m.end(), _prefix_qualifier(text, m.start()))


def _top(m: re.Match, _text: str) -> Quantity:
    return Quantity(_number(m["tnum"]), "rank", m.group(), m.start(), m.end(), "under")


def _fraction(m: re.Match, text: str) -> Quantity | None:
    if m["fden"] in ("百", "千"):  # 百分之五 is 5%, 千分之五 is 0.5%
        value, unit = _number(m["fnum"]) / (1 if m["fden"] == "百" else 10), "%"
    else:
        value, unit = round(_number(m["fnum"]) / _number(m["fden"]), ROUND_RATIO), "ratio"
    return Quantity(value, unit, m.group(), m.start(), m.end(), _after_qualifier(text, m.end()))


def _arabic_fraction(m: re.Match, text: str) -> Quantity | None:
    numerator, denominator = int(m["anum"]), int(m["aden"])
    if not 0 < numerator < denominator:
        return None  # "7/24", "3/0": not a share
    return Quantity(round(numerator / denominator, ROUND_RATIO), "ratio", m.group(), m.start(), m.end(),
                    _after_qualifier(text, m.end()))


@lru_cache(maxsize=1)
def _after_words() -> tuple[tuple[str, str], ...]:
    """Suffix qualifier words, longest first."""
    return tuple(sorted(qualifier_words()["after"].items(), key=lambda i: -len(i[0])))


def _after_qualifier(text: str, end: int) -> str | None:
    return next((q for w, q in _after_words() if text.startswith(w, end)), None)


def _doubling(m: re.Match, _text: str) -> Quantity:
    times = 2 ** int(parse_chinese(m["fann"])) if m["fann"] else 2
    return Quantity(float(times), "times", m.group(), m.start(), m.end())


def _not_a_chinese_figure(m: re.Match, text: str, unit: Unit, number: Decimal) -> bool:
    """Set phrases, dates and ordinals written in Chinese numerals (一个, 二〇二五年, 十四届, “五个聚焦”)."""
    numeral, after = m["cn"], text[m.end():m.end() + 1]
    small_count = unit.dimension == "count" and not m["mag"] and number < SMALL_COUNT
    return (
        small_count  # "三个报告", "两个合作社": rhetoric more often than data
        or (numeral in ("一", "壹") and not m["mag"] and unit.code != "times")
        or (numeral in _BARE_TENS and not (m["mag"] or m["q1"]))
        or (unit.surface == "年" and bool(_CN_DATE_YEAR.fullmatch(numeral)))
        or unit.dimension == "enumeration" and number >= SMALL_COUNT  # 二十大: a congress
        or bool(after) and after in _CN_DIGIT + _CN_TEN
        or m.start() > 0 and text[m.start() - 1] in _SLOGAN_OPEN
    )


def _not_a_figure(m: re.Match, text: str, unit: Unit, number: Decimal | None) -> bool:
    """Dates, ordinals, identifiers, and measure words that only Chinese numerals take (三大)."""
    num = m["num"]
    if unit.surface == "届" or _ORDINAL_BEFORE.search(text, max(0, m.start() - 2), m.start()):
        return True  # "第8届", "十四届三次"
    if unit.surface in _TIME_WORDS and _PERIOD_BEFORE.search(text, max(0, m.start() - 3), m.start()):
        return True
    if m["cn"]:
        return _not_a_chinese_figure(m, text, unit, number)  # type: ignore[arg-type]
    if unit.dimension == "enumeration":
        return True  # "3大" is not written; 大 counts only after 三/五/八
    if num != "X" and num[0] == "0" and "." not in num and len(num) > 1:
        return True  # "007": an identifier, not a number
    if m["lopct"] and unit.code != "%":
        return True
    return unit.surface == "年" and not m["mag"] and bool(_DATE_YEAR.fullmatch(num))  # "2025年" is a date


def _amount(m: re.Match, text: str, previous: Quantity | None) -> Quantity | None:
    unit = unit_table()[m["unit"]]
    masked = m["num"] == "X"
    try:
        number = None if masked else _decimal(m["num"])
        low = scale(_decimal(m["lo"]), magnitude(m["lomag"] or m["mag"]), unit.factor) if m["lo"] else None
    except NumberError:
        return None
    if _not_a_figure(m, text, unit, number):
        return None
    value = None if number is None else scale(number, magnitude(m["mag"]), unit.factor)
    code = counted_unit(text, m.start(), m.end(), unit)
    if code is None:  # "科研项目100个，其中国家级17个": the list goes on counting the same noun
        same_list = previous is not None and previous.surface[-1] == m.group()[-1] \
            and not SENTENCE_END.search(text, previous.end, m.start())
        code = previous.unit if same_list else unit.code
    if m["neg"] and value is not None:
        value = -value  # "采矿业-2.3%"
    return Quantity(low if low is not None else value, code, m.group(), m.start(), m.end(), _qualifier(m, text),
                    masked, low=low, high=value if low is not None else None)


def _decimal(numeral: str) -> Decimal:
    """A numeral as a Decimal for exact scaling (Chinese numerals through cn2an)."""
    if numeral[0].isdigit():
        return parse_arabic(numeral)
    return Decimal(repr(parse_chinese(numeral)))


_FORMS = {"rank": _rank, "top": _top, "frac": _fraction, "afrac": _arabic_fraction, "fan": _doubling}


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in `text`, in running text and in flattened tables, in order of position."""
    cells = [Quantity(c.value, c.unit, c.surface, c.start, c.end, label=c.label, kind=c.kind)
             for c in find_table_cells(text)]
    return sorted(find_text_quantities(text) + cells, key=lambda q: q.start)


def find_text_quantities(text: str) -> list[Quantity]:
    """Every figure written with its unit in running text, in order of position."""
    found: list[Quantity] = []
    for m in quantity_pattern().finditer(text):
        form = next(name for name in (*_FORMS, "amount") if m[name])
        try:
            q = _FORMS[form](m, text) if form in _FORMS else _amount(m, text, found[-1] if found else None)
        except NumberError:
            q = None
        if q is not None:
            found.append(q)
    return found
