"""Numbers: turn an already delimited numeral (Arabic, Chinese or mixed) into a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

MAGNITUDES: dict[str, float] = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}


class NumberError(ValueError):
    """A string that is not a numeral."""


def parse_arabic(text: str) -> Decimal:
    """Parse an Arabic numeral with optional thousands separators: '1,421, 486' → 1421486.

    A Decimal, so that scaling by a magnitude stays exact (2.57亿 is 257000000, not 256999999.99).
    """
    digits = text.replace(",", "").replace(" ", "")
    try:
        return Decimal(digits)
    except InvalidOperation as exc:
        raise NumberError(f"not an Arabic numeral: {text!r}") from exc


def scale(number: Decimal, *factors: float) -> float:
    """`number` times each factor, computed exactly and returned as a float."""
    result = number
    for factor in factors:
        result *= Decimal(repr(factor))
    return float(result)


def parse_chinese(text: str) -> float:
    """Parse a delimited Chinese or mixed numeral ('两千三百万', '1.5万', '壹佰') with cn2an."""
    value = _cn2an(text)
    if value is None:
        raise NumberError(f"not a Chinese numeral: {text!r}")
    return value


@lru_cache(maxsize=4096)  # texts write few distinct numerals (19 in the 232 of the samples), cn2an is slow
def _cn2an(text: str) -> float | None:
    """cn2an's value of a numeral, None when it is not one."""
    try:
        return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def magnitude(text: str | None) -> float:
    """The factor of a magnitude word (万 → 1e4); 1 when there is none."""
    if not text:
        return 1.0
    try:
        return MAGNITUDES[text]
    except KeyError as exc:
        raise NumberError(f"unknown magnitude: {text!r}") from exc
