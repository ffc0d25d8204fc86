"""Numbers: a grammar for delimited numerals (Arabic, Chinese, financial, traditional or mixed)
that gives their exact Decimal value.

A numeral is read left to right as digits, place words (十百千, 拾佰仟) and large units (万亿,
萬億): a place multiplies the number before it within a section; a large unit smaller than the
largest seen so far scales only the section before it (两亿零五百万 = 2亿 + 500万), a larger one
(or one written right after another: 万亿, 百亿亿) scales everything before it (1.22万亿). Arabic
digits mix freely with the words (3万4000, 25万6千, 3.5千万, 10.36百亿亿). A numeral that breaks
the grammar (一百千, a place after a smaller one) is a NumberError, never a guess.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache

DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}
ZEROS = frozenset("零〇○")
PLACES: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
LARGE: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
DECIMAL_POINT = frozenset("点點")
MAX_DIGITS = 24  # more integer digits than any economic figure has: a digit run, not a number
MAX_STACK = 10**16  # 亿亿 (百亿亿次 = 1e18 operations): large units stacked beyond that are not written
MAGNITUDES: dict[str, float] = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}

_ARABIC = re.compile(r"\d{1,3}(?:,\s?\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


class NumberError(ValueError):
    """A string that is not a numeral."""


def parse_arabic(text: str) -> Decimal:
    """Parse an Arabic numeral with optional thousands separators: '1,421, 486' → 1421486.

    A Decimal, so that scaling by a magnitude stays exact (2.57亿 is 257000000, not 256999999.99).
    """
    digits = text.replace(",", "").replace(" ", "")
    if len(digits.split(".")[0]) > MAX_DIGITS:
        raise NumberError(f"too many digits for a figure: {text[:30]!r}…")
    try:
        return Decimal(digits)
    except InvalidOperation as exc:
        raise NumberError(f"not an Arabic numeral: {text!r}") from exc


@lru_cache(maxsize=8192)  # texts repeat their numerals; a Decimal is immutable
def parse_numeral(text: str) -> Decimal:
    """The exact value of a delimited numeral: '两亿零五百万' → 205000000, '3万4000' → 34000,
    '1.22万亿' → 1.22e12, '千亿' → 1e11, '二〇二五' → 2025 (digits read one by one)."""
    if not text:
        raise NumberError("empty numeral")
    if all(ch in DIGITS for ch in text):
        if len(text) > MAX_DIGITS:
            raise NumberError(f"too many digits for a figure: {text[:30]!r}…")
        if len(text) == 1:
            return Decimal(DIGITS[text])
        return Decimal("".join(str(DIGITS[ch]) for ch in text))  # 二〇二五: a digit string
    return _Reader(text).read()


class _Reader:
    """One left-to-right pass over a numeral (see the module docstring)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.total = Decimal(0)  # what the large units have scaled so far
        self.section = Decimal(0)  # the part below the next large unit
        self.pending: Decimal | None = None  # a number waiting for its place or unit
        self.pending_cn = False  # the pending number is one Chinese digit (一万五: 五 means 5千)
        self.last_place = 10**5  # places inside a section must decrease
        self.largest = 0  # the largest factor the large units have reached
        self.stack = 1  # product of large units written one after another
        self.previous = ""  # kind of the last token: digit, zero, place, large
        self.previous_place = ""  # the kind of token before the pending number

    def read(self) -> Decimal:
        i, text = 0, self.text
        while i < len(text):
            ch = text[i]
            if ch.isdigit() and ch not in DIGITS:
                m = _ARABIC.match(text, i)
                if m is None or self.pending is not None:
                    raise NumberError(f"misplaced digits in {text!r}")
                self._number(parse_arabic(m.group()), chinese=False)
                i = m.end()
                continue
            if ch in ZEROS:
                self.previous = "zero"
            elif ch in DIGITS:
                if self.pending is not None:
                    raise NumberError(f"two digits without a place in {text!r}")
                self._number(Decimal(DIGITS[ch]), chinese=True)
            elif ch in DECIMAL_POINT:
                i = self._fraction(i + 1)
                continue
            elif ch in PLACES:
                self._place(PLACES[ch])
            elif ch in LARGE:
                self._large(LARGE[ch])
            else:
                raise NumberError(f"not a numeral character {ch!r} in {text!r}")
            i += 1
        return self._end()

    def _number(self, value: Decimal, chinese: bool) -> None:
        self.pending, self.pending_cn, self.previous_place = value, chinese and self.previous != "zero", self.previous
        self.previous = "digit"

    def _fraction(self, i: int) -> int:
        j = i
        while j < len(self.text) and self.text[j] in DIGITS:
            j += 1
        if j == i:
            raise NumberError(f"a decimal point without digits in {self.text!r}")
        whole = self.pending if self.pending is not None else Decimal(0)
        self.pending = whole + Decimal("0." + "".join(str(DIGITS[c]) for c in self.text[i:j]))
        self.pending_cn, self.previous = False, "digit"
        return j

    def _place(self, factor: int) -> None:
        if factor >= self.last_place:
            raise NumberError(f"place out of order in {self.text!r}")
        self.section += (self.pending if self.pending is not None else Decimal(1)) * factor
        self.pending, self.last_place, self.previous = None, factor, "place"

    def _large(self, factor: int) -> None:
        unit = self.section + (self.pending if self.pending is not None else 0)
        stacked = self.previous == "large" and self.pending is None and self.section == 0
        if stacked:
            self.stack *= factor
            if self.stack > MAX_STACK:
                raise NumberError(f"large units stacked beyond 亿亿 in {self.text!r}")
            self.total *= factor
        else:
            if self.previous == "":
                unit = Decimal(1)  # 万亿元, 亿级: a bare large unit
            self.stack = factor
            if factor >= self.largest:
                self.total = (self.total + unit) * factor
            else:
                self.total += unit * factor
        self.largest = self.largest * factor if stacked else max(self.largest, factor)
        self.section, self.pending, self.last_place, self.previous = Decimal(0), None, 10**5, "large"

    def _end(self) -> Decimal:
        if self.pending is not None:
            if self.pending_cn and self.previous_place == "place":  # 两千五 = 2500, 三百五 = 350
                self.pending *= self.last_place // 10
            elif self.pending_cn and self.previous_place == "large":  # 一万五 = 15000
                self.pending *= self.stack // 10
            self.section += self.pending
        return self.total + self.section


def parse_chinese(text: str) -> float:
    """Parse a delimited Chinese or mixed numeral ('两千三百万', '1.5万', '壹佰') as a float."""
    return float(parse_numeral(text))


def scale(number: Decimal, *factors: float | Decimal) -> float:
    """`number` times each factor, computed exactly and returned as a float; a NumberError when
    the product does not fit a float (1e309 is no figure)."""
    with localcontext() as ctx:
        ctx.prec = 60
        result = number
        for factor in factors:
            result *= factor if isinstance(factor, Decimal) else Decimal(repr(factor))
    value = float(result)
    if value in (float("inf"), float("-inf")):
        raise NumberError(f"{number} is too large for a figure")
    return value


def magnitude(text: str | None) -> float:
    """The factor of a magnitude word (万 → 1e4, 千万 → 1e7, 百亿 → 1e10); 1 when there is none."""
    if not text:
        return 1.0
    if text in MAGNITUDES:
        return MAGNITUDES[text]
    if all(ch in PLACES or ch in LARGE for ch in text):
        return float(parse_numeral(text))
    raise NumberError(f"unknown magnitude: {text!r}")
