"""Units: the unit table (data/units.csv, measure_words.csv and currencies.csv) and its loader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .rules import csv_rows, read_rows, read_text


@dataclass(frozen=True)
class Unit:
    """A unit as written after a number, with its canonical code and factor to base units."""

    surface: str
    code: str
    factor: float
    dimension: str
    not_before: str = ""


class UnitTableError(ValueError):
    """The unit table is malformed; the message names the line."""


def parse_unit_table(source: str) -> list[Unit]:
    """Parse the CSV unit table; '#' lines are comments. Raises UnitTableError on bad rows."""
    units: list[Unit] = []
    seen: set[str] = set()
    for lineno, row in enumerate(csv_rows(source), start=2):
        try:
            unit = Unit(row["surface"], row["code"], float(row["factor"]), row["dimension"],
                        row.get("not_before") or "")
        except (KeyError, TypeError, ValueError) as exc:
            raise UnitTableError(f"unit table row {lineno}: {row}: {exc}") from exc
        if not unit.surface or not unit.code:
            raise UnitTableError(f"unit table row {lineno}: empty surface or code")
        if unit.surface in seen:
            raise UnitTableError(f"unit table row {lineno}: duplicate surface {unit.surface!r}")
        seen.add(unit.surface)
        units.append(unit)
    return units


def measure_word_rows(source: str) -> list[str]:
    """Unit-table lines for a measure-word file (word, code, not_before): counts."""
    return [f"{r['word']},{r['code']},1,count,{r.get('not_before') or ''}" for r in csv_rows(source)]


def currency_rows(source: str) -> list[str]:
    """Unit-table lines for a currency file (word, code): money."""
    return [f"{r['word']},{r['code']},1,money," for r in csv_rows(source)]


@lru_cache(maxsize=1)
def unit_table() -> dict[str, Unit]:
    """The packaged unit table (units, measure words and currencies), keyed by surface; a surface
    written in two of the files is an error."""
    lines = [read_text("units.csv").rstrip("\n"), *measure_word_rows(read_text("measure_words.csv")),
             *currency_rows(read_text("currencies.csv"))]
    return {u.surface: u for u in parse_unit_table("\n".join(lines))}


@lru_cache(maxsize=1)
def currencies() -> dict[str, str]:
    """Currency name → ISO code (data/currencies.csv), for a name written before the number."""
    return {r["word"]: r["code"] for r in csv_rows(read_text("currencies.csv"))}


def known_codes() -> frozenset[str]:
    """Every canonical unit code the pipeline may emit (counted nouns refine counts into their codes)."""
    counted = {row["code"] for row in read_rows("counted_nouns.csv")}
    return frozenset(u.code for u in unit_table().values()) | counted | {"rank", "ratio"}


def lookup(surface: str) -> Unit:
    """The unit written as `surface`; raises KeyError for an unknown unit (never guesses)."""
    return unit_table()[surface]
