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
from .numbers import DIGITS, LARGE, PLACES, NumberError, parse_numeral, scale
from .rules import data_lines, read_rows, read_text
from .units import Unit, currencies, unit_table

# Character classes of the numeral grammar (numbers.py reads what these delimit).
_CN_DIGIT = "".join(DIGITS)
_CN_TEN = "".join(PLACES)
_LARGE = "".join(LARGE)
_NUMERAL_CHARS = _CN_DIGIT + _CN_TEN + _LARGE
# An Arabic number is a whole digit run (possessive: never a part of one, so a scan stays linear),
# not the exponent of 1e309, nor an HTML character reference (&#37;).
_ARABIC = r"(?<![\d.])(?<![\d.][eE])(?<![\d.][eE][+-])(?<!&#)(?:\d{1,3}(?:,\s?\d{3})++(?!\d)|\d++)(?:\.\d++)?"
_MASK = r"(?<![A-Za-z])X(?![A-Za-z])"
_RANGE_SEP = r"\s?(?:[-—–~～－]{1,2}|至|到)\s?"
# Every written form of a figure starts with one of these: 第, 前, 翻, the mask X, a minus sign or
# 负, a vague 数/几, the 指数 or 比 before an index or ratio, or a digit or Chinese numeral that does
# not continue a numeral (so that a scan tries a long run of digits once, not at each digit).
_FIGURE_START = rf"(?:(?=[第前翻X\-−负数几指比])|(?<![\d.])(?=\d)|(?<![{_NUMERAL_CHARS}\d.])(?=[{_NUMERAL_CHARS}]))"
_DATE_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_CN_DATE_YEAR = re.compile(rf"[{_CN_DIGIT}]{{4}}")
_SLOGAN_OPEN = "“‘\"「『"
_RANK_CONTEXT = re.compile(r"(?:排名|排|居|位居|位列|名列|列|蝉联|总量|保持)\S{0,4}$")
_ORDINAL_BEFORE = re.compile(r"(?:第|届|星期|周|礼拜)$")
_PERIOD_BEFORE = re.compile(r"(?:过去的?|近|这|(?<!提)前|未来|今后|的)$")  # "过去五年": a period named, not measured
_PERIOD_AFTER = re.compile(r"(?:平均|来|以来|多来|间)")  # "两年平均增长", "五年来": a period named
_AGE_BOUND_BEFORE = re.compile(r"(?:满|年满|未满|不满)$")
_TIME_WORDS = frozenset({"年", "个月", "天", "周"})
_BARE_TENS = frozenset(_CN_TEN)
_URL_ESCAPE = re.compile(r"[0-9A-Fa-f]{2}(?![\u4e00-\u9fff])")  # 30%25: '%' escaped in a URL
_VAGUE_PAIRS = frozenset({"一二", "二三", "两三", "三四", "四五", "五六", "六七", "七八", "八九", "三五"})
_THRESHOLD_BEFORE = re.compile(r"(?:超过|超|突破|逾|迈上|跨越|站上|迈入|跨上|上)$")
_THRESHOLD_AFTER = re.compile(r"[^，。；]{0,6}?(?:台阶|大关)")
THRESHOLD_MIN = Decimal(10**8)  # a bare magnitude without a unit is a figure from 亿 on (超过万亿: money)
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
    return re.compile(rf"{_FIGURE_START}(?:{forms_pattern()})")


def _magnitude_guard() -> str:
    """A lookahead that keeps a place or large-unit word out of a numeral when a unit starts with
    it (一百千瓦 is 一百 千瓦, 三千千瓦时 is 三千 千瓦时, 5百分点 is 5 百分点)."""
    starts = [u.surface for u in unit_table().values() if u.surface[0] in _CN_TEN + _LARGE]
    return f"(?!{_alternation(starts)})" if starts else ""


def numeral_patterns() -> tuple[str, str, str]:
    """(Arabic or mixed numeral, Chinese numeral, magnitude words) as regex sources: the
    delimiting half of the numeral grammar (numbers.parse_numeral reads what they delimit)."""
    g, d = _magnitude_guard(), f"[{_CN_DIGIT}]"
    large = f"(?:{g}[{_LARGE}])"
    section = f"{d}*+(?:{g}[千仟]{d}*+)?(?:{g}[百佰]{d}*+)?(?:{g}[十拾]{d}*+)?"
    chinese = (rf"(?<![{_NUMERAL_CHARS}\d.])(?=[{_NUMERAL_CHARS}])(?:{section})"
               rf"(?:(?:[点點]{d}++)?{large}+零?{section})*(?:[点點]{d}++)?(?<=[{_NUMERAL_CHARS}])")
    magnitudes = rf"(?:{g}[{_CN_TEN}]{large}*|{large}+)"
    arabic = rf"{_ARABIC}(?:{magnitudes}(?:\d{{1,4}}(?!\d){magnitudes}?)*)?"  # 3万4000, 25万6千, 1.22万亿
    return arabic, chinese, magnitudes


def forms_pattern() -> str:
    """The alternation of every written form of a figure."""
    units = sorted(unit_table().values(), key=lambda u: len(u.surface), reverse=True)
    firsts = "".join(sorted({re.escape(u.surface[0]) for u in units}))
    unit_alt = f"(?=[{firsts}])(?:{'|'.join(_unit_alternative(u) for u in units)})"  # the class fails fast
    quals = qualifier_words()
    inner = _alternation(list(quals["inner"]))
    arabic, chinese, magnitudes = numeral_patterns()
    return (
        rf"(?P<rank>第(?P<rnum>\d+|{chinese})(?P<runit>位|名)?)"
        rf"|(?P<top>前(?P<tnum>\d+|{chinese})(?:位|名))"
        rf"|(?P<frac>(?P<fden>{chinese}|(?<![\d.])\d{{1,5}})分之(?P<fnum>{chinese}|{_ARABIC}))"
        rf"|(?P<afrac>(?<![\d./])(?P<anum>\d{{1,3}})/(?P<aden>\d{{1,3}})(?![\d/]))"
        rf"|(?P<fan>翻(?P<fann>[一两二三四])?番)"
        rf"|(?P<half>(?<!另)一半)"
        rf"|(?P<idx>(?:(?P<idxword>指数)|(?:(?<=收入)|(?<=之))比)(?:为|是|达到?|[：:])?\s?(?P<idxnum>(?>{_ARABIC}))"
        rf"(?!\s?(?:[%‰{_CN_TEN}{_LARGE}]|{unit_alt})))"
        rf"|(?P<amount>(?:(?P<lo>{arabic}|{chinese})(?P<lounit>{unit_alt})?{_RANGE_SEP}(?=[\d{_NUMERAL_CHARS}]))?"
        rf"(?P<neg>(?<![\dA-Za-z.%)）])[-−]|(?<![减抱胜担肩自欺辜正])负(?!X))?(?P<vague>[数几](?=[十百千万亿]))?"
        rf"(?P<num>{arabic}|{_MASK}|(?P<cn>{chinese}))(?P<q1>{inner})?"
        rf"(?P<mag>{magnitudes})?(?P<q2>{inner})?"
        rf"(?P<unit>{unit_alt})"
        rf"(?P<q3>{_alternation(list(quals['after']))})?)"
        rf"|(?P<thr>(?<![{_NUMERAL_CHARS}\d.])(?P<thrnum>(?:\d++(?:\.\d++)?)?[十百千]?万?亿++)(?P<lvl>级)?"
        rf"(?![{_CN_TEN}{_LARGE}]))"
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
    return float(parse_numeral(text))


def _rank(m: re.Match, text: str) -> Quantity | None:
    if not m["runit"] and not _RANK_CONTEXT.search(text, max(0, m.start() - 8), m.start()):
        return None  # "第一，" is a list marker; "排名第3" and "第3位" are ranks
    return Quantity(_number(m["rnum"]), "rank", m.group(), m.start(), m.end(), _prefix_qualifier(text, m.start()))


def _top(m: re.Match, _text: str) -> Quantity:
    return Quantity(_number(m["tnum"]), "rank", m.group(), m.start(), m.end(), "under")


_PER_DENOMINATORS = {"百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10_000, "萬": 10_000}


def _fraction(m: re.Match, text: str) -> Quantity | None:
    """百分之3.2 → 3.2%, 百分之百 → 100%, 千分之五 → 0.5%, 万分之三 → 0.03%; 三分之一, 4分之3 → ratio."""
    numerator = parse_numeral(m["fnum"])
    if m["fden"] in _PER_DENOMINATORS:
        value, unit = scale(numerator, Decimal(100) / _PER_DENOMINATORS[m["fden"]]), "%"
    else:
        denominator = parse_numeral(m["fden"])
        if denominator == 0:
            return None
        value, unit = round(float(numerator / denominator), ROUND_RATIO), "ratio"
    return Quantity(value, unit, m.group(), m.start(), m.end(), _after_qualifier(text, m.end()))


def _arabic_fraction(m: re.Match, text: str) -> Quantity | None:
    numerator, denominator = int(m["anum"]), int(m["aden"])
    if not 0 < numerator < denominator:
        return None  # "7/24", "3/0": not a share
    return Quantity(round(numerator / denominator, ROUND_RATIO), "ratio", m.group(), m.start(), m.end(),
                    _after_qualifier(text, m.end()))


def _half(m: re.Match, text: str) -> Quantity:
    """一半: a ratio of 0.5 (近一半 approx, 一半以上 over)."""
    return Quantity(0.5, "ratio", m.group(), m.start(), m.end(),
                    _after_qualifier(text, m.end()) or _prefix_qualifier(text, m.start()))


def _index(m: re.Match, _text: str) -> Quantity:
    """A number without a unit right after 指数 (价格指数99.7: count) or 收入比/之比 (2.51: ratio)."""
    start, end = m.span("idxnum")
    return Quantity(float(parse_numeral(m["idxnum"])), "count" if m["idxword"] else "ratio", m["idxnum"], start, end)


def _threshold(m: re.Match, text: str) -> Quantity | None:
    """A bare magnitude of money without a unit: 千亿级, 超过万亿, 迈上4万亿台阶 (qualifier over)."""
    value = parse_numeral(m["thrnum"])
    if value < THRESHOLD_MIN or m["thrnum"] == "亿":  # 亿级企业: a class, no amount
        return None
    if not (m["lvl"] or _THRESHOLD_BEFORE.search(text, max(0, m.start() - 2), m.start())
            or _THRESHOLD_AFTER.match(text, m.end())):
        return None
    return Quantity(scale(value), "CNY", m.group(), m.start(), m.end(), "over")


@lru_cache(maxsize=1)
def _after_words() -> tuple[tuple[str, str], ...]:
    """Suffix qualifier words, longest first."""
    return tuple(sorted(qualifier_words()["after"].items(), key=lambda i: -len(i[0])))


def _after_qualifier(text: str, end: int) -> str | None:
    return next((q for w, q in _after_words() if text.startswith(w, end)), None)


def _doubling(m: re.Match, _text: str) -> Quantity:
    times = 2 ** int(parse_numeral(m["fann"])) if m["fann"] else 2
    return Quantity(float(times), "times", m.group(), m.start(), m.end())


@lru_cache(maxsize=1)
def slogans() -> re.Pattern:
    """Set phrases built of numerals that are no figure (data/slogans.txt), as one regex."""
    return re.compile(_alternation([ln.strip() for ln in data_lines(read_text("slogans.txt"))]))


def _bare(numeral: str) -> bool:
    """A numeral of magnitude words alone (千亿, 万, 百万): no digit says how many."""
    return all(ch in PLACES or ch in LARGE for ch in numeral)


def _not_a_chinese_figure(m: re.Match, text: str, unit: Unit, number: Decimal) -> bool:
    """Set phrases, dates and ordinals written in Chinese numerals (一个, 二〇二五年, 十四届, “五个聚焦”)."""
    numeral, after = m["cn"], text[m.end():m.end() + 1]
    small_count = unit.dimension == "count" and not m["mag"] and number < SMALL_COUNT
    bare_magnitude = _bare(numeral) and numeral[0] not in "十拾" and not m["vague"] \
        and _prefix_qualifier(text, m.start()) is None  # 千家万户, 万人, 亿元: no figure; 近万人, 超千亿元 are
    return (
        small_count  # "三个报告", "两个合作社": rhetoric more often than data
        or bare_magnitude
        or (numeral in ("一", "壹") and not m["mag"] and unit.code != "times")
        or (numeral in _BARE_TENS and not (m["mag"] or m["q1"] or m["vague"]))
        or (unit.surface == "年" and bool(_CN_DATE_YEAR.fullmatch(numeral)))
        or unit.dimension == "enumeration" and number >= SMALL_COUNT  # 二十大: a congress
        or unit.dimension == "tenth" and (len(numeral) != 1 or bool(m["mag"]))  # 三成, not 三十成
        or bool(after) and after in _NUMERAL_CHARS
        or m.start() > 0 and text[m.start() - 1] in _SLOGAN_OPEN
    )


def _not_a_figure(m: re.Match, text: str, unit: Unit, number: Decimal | None) -> bool:
    """Dates, ordinals, identifiers, periods named, slogans and URL escapes."""
    num = m["num"]
    if unit.surface == "届" or _ORDINAL_BEFORE.search(text, max(0, m.start() - 2), m.start()):
        return True  # "第8届", "十四届三次"
    if unit.surface in _TIME_WORDS and (_PERIOD_BEFORE.search(text, max(0, m.start() - 3), m.start())
                                        or _PERIOD_AFTER.match(text, m.end())):
        return True  # "过去五年", "两年平均增长", "五年来"
    if unit.dimension == "age" and (m["lo"] or _AGE_BOUND_BEFORE.search(text, max(0, m.start() - 2), m.start())):
        return True  # "16-59岁（含不满60岁）": an age bracket names a group, it measures nothing
    if unit.surface == "%" and _URL_ESCAPE.match(text, m.end()):
        return True  # "30%25": a URL escape
    if slogans().match(text, m.start()):
        return True  # "三大攻坚战", "四个全面"
    if m["cn"]:
        return _not_a_chinese_figure(m, text, unit, number)  # type: ignore[arg-type]
    if unit.dimension == "tenth":
        return True  # 成 follows spelled-out digits only (三成)
    if unit.dimension == "enumeration" and (number is None or number >= 100):
        return True
    if num != "X" and num[0] == "0" and "." not in num and len(num) > 1 and num[1].isdigit():
        return True  # "007": an identifier, not a number
    return unit.surface == "年" and not m["mag"] and bool(_DATE_YEAR.fullmatch(num))  # "2025年" is a date


def _vague_pair(numeral: str) -> tuple[str, str] | None:
    """八九亿 → (八亿, 九亿), 三五百 → (三百, 五百), 十七八 → (十七, 十八): two neighbouring digits
    that say 'one or the other'."""
    spots = [i for i in range(len(numeral) - 1) if numeral[i:i + 2] in _VAGUE_PAIRS]
    if len(spots) != 1:
        return None
    i = spots[0]
    return numeral[:i + 1] + numeral[i + 2:], numeral[:i] + numeral[i + 1:]


def _trailing_magnitude(numeral: str) -> str:
    """The magnitude words a numeral ends with (5亿 → 亿, 二十万 → 十万, 3万4000 → '')."""
    i = len(numeral)
    while i > 0 and (numeral[i - 1] in PLACES or numeral[i - 1] in LARGE):
        i -= 1
    return numeral[i:]


def _shared_factor(lo: str, high_numeral: str, lo_value: Decimal, high: Decimal) -> Decimal:
    """The magnitude the low end of a range shares with the high end (3至5亿: 亿), when it has
    none of its own and the shared reading keeps it below the high end (8500到3万: none)."""
    trail = _trailing_magnitude(high_numeral)
    if any(ch in LARGE for ch in lo):
        return Decimal(1)
    if any(ch in PLACES for ch in lo):
        trail = trail[next((i for i, ch in enumerate(trail) if ch in LARGE), len(trail)):]
    if not trail:
        return Decimal(1)
    factor = parse_numeral(trail)
    return factor if lo_value * factor <= high else Decimal(1)


def _currency_before(text: str, start: int) -> str | None:
    """The code of a currency named right before a number (港币两千九百六十元)."""
    return next((code for name, code in currencies().items() if text.endswith(name, 0, start)), None)


def _amount(m: re.Match, text: str, previous: Quantity | None) -> Quantity | None:
    unit = unit_table()[m["unit"]]
    masked = m["num"] == "X"
    qualifier = _qualifier(m, text)
    low = high = None
    try:
        mag = parse_numeral(m["mag"]) if m["mag"] else Decimal(1)
        pair = None if masked or not m["cn"] else _vague_pair(m["cn"])
        if masked:
            number = None
        elif pair:
            number = parse_numeral(pair[0])
            low, high = scale(number, mag, unit.factor), scale(parse_numeral(pair[1]), mag, unit.factor)
            qualifier = "range"
        else:
            number = parse_numeral(m["num"])
        if _not_a_figure(m, text, unit, number):
            return None
        value = None if number is None else scale(number, mag, unit.factor)
        if m["vague"] and number is not None:  # 数十亿: some tens of 亿, 2e9 to 9e9
            low, high, qualifier = scale(number, mag, unit.factor, 2), scale(number, mag, unit.factor, 9), "approx"
            value = low
        if m["lo"] and number is not None:
            lo_value = parse_numeral(m["lo"])
            if m["lounit"]:
                lo_unit = unit_table()[m["lounit"]]
                if lo_unit.code != unit.code:
                    return None
                low = scale(lo_value, lo_unit.factor)
            else:
                whole = number * mag
                low = scale(lo_value, _shared_factor(m["lo"], m["num"] + (m["mag"] or ""), lo_value, whole),
                            unit.factor)
            high = value
    except NumberError:
        return None
    code = counted_unit(text, m.start(), m.end(), unit)
    if code is None:  # "科研项目100个，其中国家级17个": the list goes on counting the same noun
        same_list = previous is not None and previous.surface[-1] == m.group()[-1] \
            and not SENTENCE_END.search(text, previous.end, m.start())
        code = previous.unit if same_list else unit.code
    if unit.dimension == "money" and unit.code == "CNY" and m["unit"] in ("元", "块钱"):
        code = _currency_before(text, m.start()) or code  # 港币两千九百六十元
    if m["neg"] and value is not None and not m["lo"]:  # "采矿业-2.3%", "负3.9%"
        value = -value
        if low is not None and high is not None:
            low, high = -high, -low
            value = low
    return Quantity(low if low is not None else value, code, m.group(), m.start(), m.end(), qualifier,
                    masked, low=low, high=high)


_FORMS = {"rank": _rank, "top": _top, "frac": _fraction, "afrac": _arabic_fraction, "fan": _doubling,
          "half": _half, "idx": _index, "thr": _threshold}


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in `text`, in running text and in flattened tables, in order of position."""
    cells = [Quantity(c.value, c.unit, c.surface, c.start, c.end, label=c.label, kind=c.kind)
             for c in find_table_cells(text)]
    return sorted(find_text_quantities(text) + cells, key=lambda q: q.start)


_LIST_BEFORE = re.compile(r"(?<![\d.第前、])(?:\d++(?:\.\d++)?、)+$")
_LIST_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_LIST_WINDOW = 60


def list_mates(text: str, m: re.Match, q: Quantity) -> list[Quantity]:
    """Bare numbers listed right before a figure that share its unit: 拉动0.6、0.9、2.7个百分点
    gives 0.6 and 0.9 points too. Only a unit is shared, never a magnitude (3、5亿元 is left alone),
    and not time units (2023、2024年 are dates)."""
    unit = unit_table()[m["unit"]]
    if m["lo"] or m["neg"] or m["vague"] or m["mag"] or not m["num"][0].isdigit() or q.low is not None \
            or _trailing_magnitude(m["num"]) or unit.dimension in ("time", "age"):
        return []
    window = max(0, m.start() - _LIST_WINDOW)
    run = _LIST_BEFORE.search(text, window, m.start())
    if run is None or run.start() == window and window > 0:
        return []
    return [Quantity(scale(parse_numeral(n.group()), unit.factor), q.unit, n.group(), n.start(), n.end())
            for n in _LIST_NUMBER.finditer(text, run.start(), run.end())]


def find_text_quantities(text: str) -> list[Quantity]:
    """Every figure written with its unit in running text, in order of position."""
    found: list[Quantity] = []
    for m in quantity_pattern().finditer(text):
        form = next(name for name in (*_FORMS, "amount") if m[name])
        try:
            q = _FORMS[form](m, text) if form in _FORMS else _amount(m, text, found[-1] if found else None)
            mates = list_mates(text, m, q) if form == "amount" and q is not None and not q.masked else []
        except NumberError:
            q, mates = None, []
        if q is not None:
            last = found[-1].end if found else 0
            found.extend(mate for mate in mates if mate.start >= last)
            found.append(q)
    return found
