"""Flat tables: read statistical tables that PDF extraction flattened to one cell per line.

Communiqués print tables whose text layer comes out as runs of short lines: the row labels, then
the units column, then each column of figures (or row by row, or both when a page break cuts
the table). A figure line carries no unit of its own; this module gives each figure its row
label, its column header and its unit (the row's unit for an amount, % for a percentage column,
or the unit written in a label such as 学校数（所）).

The reader walks the lines of a block in order and fills a grid: labels open rows, unit lines
give rows their units in order, and each figure goes to the first row still lacking the column it
belongs to: the columns named by the headers written right before the run of figures first, then
every column in table order. Header words are data (data/table_headers.csv).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from .numbers import magnitude, parse_arabic, scale
from .rules import read_rows
from .units import Unit, unit_table

MAX_CELL = 40
MIN_FIGURES = 2
SUBROW_MAX = 2
_PROSE = regex.compile(r"[。；，！？]")
_NUMBER = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_FIGURE_LINE = regex.compile(rf"(?:(?P<label>.*?[\p{{Han}}）)])\s*)?(?P<num>{_NUMBER})")
_SKIP = regex.compile(r"(?:表\s*\d|图\s*\d|[一二三四五六七八九十]+、|.*\d{4}\s*年)")
_SUBROW = regex.compile(r"^(?:其中|内\s*:)\s*[:：]?\s*")
_PAREN_UNIT = regex.compile(r"(?P<label>.+?)\s*[（(](?P<unit>[^（）()]{1,6})[）)]")
_GROWTH = regex.compile(r"增长|增速|涨跌|增减|涨幅")
_SHARE = regex.compile(r"比重|占比|构成")
_GENERIC = regex.compile(r"绝对[数额值]|数\s*量|金\s*额")
_SPACE_OR_PAREN = regex.compile(r"\s+|[（(][^）)]*[）)]")


@dataclass(frozen=True)
class Cell:
    """A figure read from a flat table, with the label and column it belongs to."""

    value: float
    unit: str
    surface: str
    start: int
    end: int
    label: str
    kind: str


@dataclass(frozen=True)
class Column:
    """A column of figures: its header, whether it holds percentages, and the kind of its figures."""

    header: str
    percent: bool
    kind: str
    unit: tuple[Unit, str] | None = None


@dataclass
class _Row:
    label: str
    unit: tuple[Unit, str] | None = None
    filled: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def _header_pattern() -> regex.Pattern:
    rows = read_rows("table_headers.csv")
    unit = r"(?:\s*[（(][^%（）()]{1,6}[）)])?"  # 产量（万吨）
    groups = "|".join(f"(?P<{row['role']}{i}>(?:{row['pattern']}){unit if row['role'] == 'value' else ''})"
                      for i, row in enumerate(rows))
    return regex.compile(groups)


def header_cells(line: str) -> list[tuple[str, str]] | None:
    """(role, text) of each header cell on `line`, or None if the line is not all headers."""
    cells, pos = [], 0
    pattern = _header_pattern()
    while pos < len(line):
        m = pattern.match(line, pos)
        if not m:
            return None
        role = next(name for name, text in m.groupdict().items() if text is not None).rstrip("0123456789")
        cells.append((role, m.group()))
        pos = m.end()
        while pos < len(line) and line[pos].isspace():
            pos += 1
    return cells or None


def parse_unit(text: str) -> tuple[Unit, str] | None:
    """A unit cell such as 万吨 or 亿千瓦时: (unit, magnitude word), or None if it is not one."""
    units = unit_table()
    text = text.strip()
    if text in units:
        return units[text], ""
    for mag in ("万亿", "亿", "万", "千", "百"):
        if text.startswith(mag) and text[len(mag):] in units:
            return units[text[len(mag):]], mag
    return None


def _column(header: str) -> Column:
    percent = "%" in header
    kind = "change" if _GROWTH.search(header) else "share" if _SHARE.search(header) and percent else "level"
    paren = _PAREN_UNIT.fullmatch(header)
    unit = parse_unit(paren["unit"]) if paren and not percent else None
    name = _SPACE_OR_PAREN.sub("", header)
    return Column("" if _GENERIC.fullmatch(name) else name, percent, kind, unit)


def table_blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Runs of short lines without prose punctuation that hold at least two figure lines,
    as (offset, line) pairs, blank lines left out."""
    block: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and (len(stripped) > MAX_CELL or _PROSE.search(stripped)):
            yield from _qualified(block)
            block = []
        elif stripped:
            block.append((offset + line.index(stripped[0]), stripped))
        offset += len(line) + 1
    yield from _qualified(block)


def _qualified(block: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    if sum(1 for _, line in block if _FIGURE_LINE.fullmatch(line)) >= MIN_FIGURES:
        yield block


class _Grid:
    """The state of one table while its lines are read in order."""

    def __init__(self) -> None:
        self.rows: list[_Row] = []
        self.columns: list[Column] = []
        self.units: list[tuple[Unit, str]] = []  # units read before the rows they belong to
        self.pending: list[Column] = []  # headers written right before the current run of figures
        self.run: list[Column] = []
        self.own_row: _Row | None = None  # a row whose label carries its unit: 学校数（所）
        self.cells: list[Cell] = []

    def header(self, cells: list[tuple[str, str]]) -> None:
        for role, text in cells:
            if role == "value":
                column = _column(text)
                if column not in self.columns:
                    self.columns.append(column)
                self.pending.append(column)
        self.run, self.own_row = [], None

    def unit(self, unit: tuple[Unit, str]) -> None:
        row = next((r for r in self.rows if r.unit is None), None)
        if row is None:
            self.units.append(unit)
        else:
            row.unit = unit
        self.pending, self.run = [], []

    def label(self, text: str, unit: tuple[Unit, str] | None = None) -> None:
        """A row label; `unit` when the unit stands on the same line after it."""
        text = _SUBROW.sub("", text)
        paren = _PAREN_UNIT.fullmatch(text)
        own = parse_unit(paren["unit"]) if paren else None
        name = paren["label"] if own else text
        parent = next((r.label for r in reversed(self.rows) if len(r.label) > SUBROW_MAX), None)
        if len(name) <= SUBROW_MAX and parent:  # 公路 under 货物运输总量
            name = f"{parent}-{name}"
        row = _Row(name, own or unit)
        if row.unit is None and self.units:
            row.unit = self.units.pop(0)
        self.rows.append(row)
        self.own_row = row if own else None
        self.pending, self.run = [], []

    def figure(self, number: str, start: int) -> None:
        if self.pending:
            self.run, self.pending = self.pending, []
        if self.own_row is not None:
            self._emit(self.own_row, Column("", False, "level"), number, start)
            return
        for column in [*self.run, *self.columns] or [Column("", False, "level")]:
            row = next((r for r in self.rows if column.header not in r.filled and self._fits(r, column)), None)
            if row is not None:
                row.filled.add(column.header)
                self._emit(row, column, number, start)
                return

    @staticmethod
    def _fits(row: _Row, column: Column) -> bool:
        return column.percent or column.unit is not None or row.unit is not None

    def _emit(self, row: _Row, column: Column, number: str, start: int) -> None:
        digits = number.replace("−", "-")
        if column.percent:
            value, code = float(parse_arabic(digits)), "%"
        else:
            unit, mag = column.unit or row.unit  # type: ignore[misc]
            value, code = scale(parse_arabic(digits), magnitude(mag), unit.factor), unit.code
        label = (row.label + column.header)[:30]
        self.cells.append(Cell(value, code, number, start, start + len(number), label, column.kind))


def read_block(block: list[tuple[int, str]]) -> list[Cell]:
    """The figures of one table block, each with its row label, column and unit."""
    grid = _Grid()
    for offset, line in block:
        if _SKIP.match(line):
            continue
        headers = header_cells(line)
        if headers:
            grid.header(headers)
            continue
        unit = parse_unit(line)
        if unit:
            grid.unit(unit)
            continue
        m = _FIGURE_LINE.fullmatch(line)
        if m and m["label"]:
            grid.label(m["label"])
        if m:
            grid.figure(m["num"], offset + m.start("num"))
        else:
            _label_or_labelled_unit(grid, line)
    return grid.cells


def _label_or_labelled_unit(grid: _Grid, line: str) -> None:
    """'客货运输换算周转量亿吨公里': a label with its unit on the same line."""
    for cut in range(2, len(line) - 1):
        unit = parse_unit(line[cut:])
        if unit and (len(line) - cut >= 2 and (unit[1] or len(unit[0].surface) >= 2)):
            grid.label(line[:cut], unit)
            return
    grid.label(line)


def find_table_cells(text: str) -> list[Cell]:
    """Every figure of every flat table in `text`, in order of position."""
    cells = [cell for block in table_blocks(text) for cell in read_block(block)]
    return sorted(cells, key=lambda c: c.start)
