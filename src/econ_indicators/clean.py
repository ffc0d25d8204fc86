"""Clean: turn damaged raw text into readable paragraphs, keeping a map back to the raw text.

Every step is an edit (delete or replace a span) or a one-to-one character translation, so the
clean text carries, for each of its characters, the offset of the raw character it came from.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import islice

import numpy as np
import regex

from .rules import data_lines, read_text

Edit = tuple[int, int, str]  # (start, end, replacement) over the text being edited

# Full-width ASCII variants (digits, Latin letters and number signs) become ASCII; Chinese
# punctuation (，。：；！？（）) stays as it is.
_FULLWIDTH = {0xFF10 + i: 0x30 + i for i in range(10)}
_FULLWIDTH.update({0xFF21 + i: 0x41 + i for i in range(26)})
_FULLWIDTH.update({0xFF41 + i: 0x61 + i for i in range(26)})
_FULLWIDTH.update({ord(a): ord(b) for a, b in zip("％．＋－／＝＜＞＠＃＆＊", "%.+-/=<>@#&*", strict=True)})
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20, 0x200B: 0x20})
_NARROWED = {chr(wide): chr(narrow) for wide, narrow in _FULLWIDTH.items()}
# Found by a regex and replaced one by one: few characters of a text are full width, and
# str.translate looks every character up (about 15x slower on the samples).
_TO_NARROW = re.compile("[" + "".join(map(re.escape, sorted(_NARROWED))) + "]")

_CJK = r"\p{Han}"
_CJK_PUNCT = "，。、；：？！“”‘’（）《》【】…—·"
_TERMINAL = "。！？!?；;…：:”」』"
_HEADING = regex.compile(
    r"^\s*(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．]\D|"
    r"第[一二三四五六七八九十\d]+[章节部分篇]|[图表]\s*\d)"
)
_WRAP_SHARE = 0.6  # a line at least this share of a full line was cut by wrapping
_MIN_WRAP = 12  # display width under which a line is a label or a cell, never wrapped prose
_NUMBER_CELL = regex.compile(r"^[-+]?[\d.,]+%?$")
_EDGE_LINES = 3  # lines at a page's top or bottom that may be headers, footers or its number
_MAX_RUNNING = 60
_TITLE_LINES = 3  # a running header often repeats the title: one of the first lines
PAGE_BREAK = "\f"
_ANY_SPACE = regex.compile(r"\s+")
_LINE_BREAK = regex.compile(r"[\n\f\v\x1c-\x1e\x85\u2028\u2029]")
SENTENCE_END = regex.compile(r"[。！？!?；;\n]+")
# A sentence longer than this (a file that is one huge line without full stops) is cut after its
# last clause mark within the limit, so that each figure's context stays small and the work per
# figure bounded. The longest sentence of the sample texts is under 900 characters.
MAX_SENTENCE = 2000
_SOFT_BREAK = regex.compile(r"[，,、：:]")
CLAUSE_END = regex.compile(r"[，,。；;：:！？!?、（）()\n]")


@dataclass(frozen=True)
class CleanText:
    """Clean text plus `raw_index`: the raw offset of each clean character."""

    text: str
    raw_index: np.ndarray

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets (start, end) of the clean span [start, end)."""
        if end <= start:
            pos = int(self.raw_index[start]) if start < len(self.text) else self.raw_end
            return pos, pos
        return int(self.raw_index[start]), int(self.raw_index[end - 1]) + 1

    @property
    def raw_end(self) -> int:
        return int(self.raw_index[-1]) + 1 if len(self.raw_index) else 0


def _full_line_pattern(name: str) -> regex.Pattern:
    """The patterns of a data file (one per line) as one regex matching a whole trimmed line."""
    patterns = [ln.strip() for ln in data_lines(read_text(name))]
    return regex.compile("^(?:" + "|".join(f"(?:{p})" for p in patterns) + r")$")


@lru_cache(maxsize=1)
def furniture_pattern() -> regex.Pattern:
    """Page furniture (`data/furniture.txt`): web page tools, footers, newspaper continuations."""
    return _full_line_pattern("furniture.txt")


@lru_cache(maxsize=1)
def page_marker_pattern() -> regex.Pattern:
    """Page numbers (`data/page_markers.txt`): removed, and taken as the end of a page."""
    return _full_line_pattern("page_markers.txt")


def apply_edits(text: str, edits: list[Edit]) -> tuple[str, np.ndarray]:
    """Apply sorted, non-overlapping edits; return the new text and each new char's old offset.

    The new text alternates kept spans and replacements: kept0, replacement0, kept1, …, kept_n. A
    kept character maps to its own offset, a replacement's characters to the start of the span
    it replaces (the index is built in one pass of numpy, not one array per edit)."""
    pieces: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        pieces.append(text[pos:start])
        pieces.append(replacement)
        pos = end
    pieces.append(text[pos:])
    bounds = np.array([(start, end, len(replacement)) for start, end, replacement in edits],
                      dtype=np.int64).reshape(-1, 3)
    origin = np.empty(2 * len(edits) + 1, dtype=np.int64)  # the old offset each piece starts at
    origin[0::2] = np.concatenate(([0], bounds[:, 1]))
    origin[1::2] = bounds[:, 0]
    lengths = np.empty_like(origin)
    lengths[0::2] = np.concatenate((bounds[:, 0], [len(text)])) - origin[0::2]
    lengths[1::2] = bounds[:, 2]
    step = np.zeros_like(origin)  # kept characters advance with their offsets, replaced ones stay
    step[0::2] = 1
    piece_start = np.repeat(np.cumsum(lengths) - lengths, lengths)
    within = np.arange(piece_start.size, dtype=np.int64) - piece_start
    index = np.repeat(origin, lengths) + within * np.repeat(step, lengths)
    return "".join(pieces), index


_WIDE = 0x2E7F  # characters above this one (CJK) take two columns


_NARROW = regex.compile(r"[\x00-\u2e7f]+")


def _width(line: str) -> int:
    """Display width: Chinese characters (above U+2E7F) count twice, as they do on a printed page.
    (Counted by a regex, not character by character: a file may be one line of 20 MB.)"""
    return len(line) + len(_NARROW.sub("", line))


def _line_widths(text: str, raw_lines: list[str], starts: list[int]) -> list[int]:
    """The display width of each line of `text` once stripped, all in one pass over the text."""
    wide = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) > _WIDE, out=wide[1:])
    widths = []
    for line, start in zip(raw_lines, starts, strict=True):
        body = line.strip()
        first = start + len(line) - len(line.lstrip())
        last = first + len(body)
        widths.append(len(body) + int(wide[last] - wide[first]))
    return widths


def _full_width(widths: list[int]) -> int:
    """The width of a full line in this text (the median line): what wrapped lines reach."""
    wrapped = sorted(w for w in widths if w >= _MIN_WRAP)
    return wrapped[len(wrapped) // 2] if wrapped else 0


def _split_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of a text (split at any line or page break) and the offset each starts at."""
    lines = _LINE_BREAK.split(text)
    return lines, np.cumsum([0] + [len(ln) + 1 for ln in lines[:-1]]).tolist()


def _removed_lines(text: str, lines: list[str], starts: list[int]) -> list[bool]:
    """Which lines (given without their spaces: "打 印" is "打印") are furniture.

    Furniture is web page tools and footers, page numbers and running headers and footers.

    A running header or footer is a short line at a page edge that is at another edge too or
    repeats the title; it is removed at the edges only, so the title itself stays.
    """
    furniture, markers = furniture_pattern(), page_marker_pattern()
    removed = [bool(ln) and bool(furniture.match(ln) or markers.match(ln)) for ln in lines]
    breaks = [(i - 1, i) for i in range(1, len(lines)) if text[starts[i] - 1] == PAGE_BREAK]
    breaks += [(i - 1, i + 1) for i, ln in enumerate(lines) if ln and markers.match(ln)]
    edges = [_page_edge(lines, removed, walk) for before, after in breaks
             for walk in (range(before, -1, -1), range(after, len(lines)))]
    at_edges = Counter(lines[i] for i in {i for edge in edges for i in edge})  # a line once, however many breaks
    top = list(islice((i for i, ln in enumerate(lines) if ln and not removed[i]), _TITLE_LINES))
    title = {lines[i] for i in top}
    for edge in edges:
        for i in edge:
            if not (lines[i].isdigit() or at_edges[lines[i]] > 1 or (lines[i] in title and i not in top)):
                break  # text of the page itself: what lies beyond it is text too
            removed[i] = True
    return removed


def _page_edge(lines: list[str], removed: list[bool], walk: Iterable[int]) -> list[int]:
    """The lines walking away from a page break that may be its running header, footer or number."""
    kept = list(islice((i for i in walk if lines[i] and not removed[i]), _EDGE_LINES + 1))
    edge = []
    for k, i in enumerate(kept[:_EDGE_LINES]):
        line = lines[i]
        if line.isdigit() and len(line) <= 4:
            if k + 1 < len(kept) and _NUMBER_CELL.match(lines[kept[k + 1]]):
                break  # a column of numbers crossing the page: table cells, not a page number
        elif not _running(line):
            break
        edge.append(i)
    return edge


def _running(line: str) -> bool:
    """Whether a line may be a running header or footer: short, neither a sentence nor a number."""
    return (_width(line) <= _MAX_RUNNING and line[-1] not in _TERMINAL and not _HEADING.match(line)
            and not _NUMBER_CELL.match(line))


def _line_edits(text: str, wrapped: bool = True) -> list[Edit]:
    """Drop furniture lines and, in `wrapped` text, join lines broken inside a paragraph or across a page."""
    raw_lines, starts = _split_lines(text)
    lines = [ln.strip() for ln in raw_lines]
    removed = _removed_lines(text, [_ANY_SPACE.sub("", ln) for ln in lines], starts)
    edits: list[Edit] = [(starts[i], starts[i] + len(raw_lines[i]), "") for i, gone in enumerate(removed) if gone]
    widths = _line_widths(text, raw_lines, starts)
    wrap = _WRAP_SHARE * _full_width(widths)
    prev: int | None = None  # index of the previous kept non-blank line
    blank = False  # whether a blank line stands between it and the current line
    for i, line in enumerate(lines):
        if not line:
            blank = True
            continue
        if removed[i]:
            continue
        if prev is not None:
            gap_start = starts[prev] + len(raw_lines[prev].rstrip())
            gap_end = starts[i] + (len(raw_lines[i]) - len(raw_lines[i].lstrip()))
            if wrapped and _joins(lines[prev], widths[prev], line, wrap):
                replacement = " " if _needs_space(lines[prev], line) else ""
            else:
                replacement = "\n\n" if blank else "\n"
            if text[gap_start:gap_end] != replacement:
                edits.append((gap_start, gap_end, replacement))
        prev, blank = i, False
    return _merge(edits)


def _joins(previous: str, previous_width: int, current: str, wrap: float) -> bool:
    """A line continues the previous one when that one was cut by wrapping: full, unfinished."""
    if previous[-1] in _TERMINAL or _HEADING.match(current) or _HEADING.match(previous):
        return False
    if _NUMBER_CELL.match(previous) or _NUMBER_CELL.match(current):
        return False  # cells of a flattened table
    return previous_width >= max(wrap, _MIN_WRAP)


def _needs_space(left: str, right: str) -> bool:
    return left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha()


def _merge(edits: list[Edit]) -> list[Edit]:
    """Sort edits and fold overlapping ones (a removed line inside a joined gap)."""
    merged: list[Edit] = []
    for start, end, rep in sorted(edits):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] if end <= last[1] else rep)
        else:
            merged.append((start, end, rep))
    return merged


FRONT_MATTER = regex.compile(r"\A\ufeff?\s*---[ \t]*\n(?P<body>.*?)\n---[ \t]*(?:\n|\Z)", regex.DOTALL)
_FRONT_TITLE = regex.compile(r"^title:[ \t]*(?P<q>['\"]?)(?P<title>.*?)(?P=q)[ \t]*$", regex.MULTILINE)
_BLOCK_TAGS = ("address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|"
               "main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul")
_INLINE_TAGS = ("a|abbr|b|big|cite|code|em|font|i|img|small|span|strong|sub|sup|u")
_TAG = regex.compile(rf"<(?P<close>/?)(?:(?P<block>{_BLOCK_TAGS})|{_INLINE_TAGS})\b[^<>]*>", regex.IGNORECASE)
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}
_ENTITY = regex.compile("|".join(_ENTITIES))


def _markup_edits(text: str) -> list[Edit]:
    """Markdown front matter down to its title line, inline HTML tags out (a block tag ends a
    line), the common entities decoded: a Markdown page reads like the page it shows."""
    edits: list[Edit] = []
    front = FRONT_MATTER.match(text)
    if front:
        title = _FRONT_TITLE.search(front.group("body"))
        if title:
            offset = front.start("body")
            edits.append((0, offset + title.start("title"), ""))
            edits.append((offset + title.end("title"), front.end(), "\n"))
        else:
            edits.append((0, front.end(), ""))
    start = front.end() if front else 0
    for m in _TAG.finditer(text, start):
        edits.append((m.start(), m.end(), "\n" if m.group("block") else ""))
    for m in _ENTITY.finditer(text, start):
        edits.append((m.start(), m.end(), _ENTITIES[m.group()]))
    edits.sort()
    return edits


_SPACES = regex.compile(r"[ \t]+")
_FOOTNOTE = regex.compile(r"\[\d{1,2}\]|[①②③④⑤⑥⑦⑧⑨⑩]")
_CHINESE = regex.compile(rf"[{_CJK_PUNCT}]|{_CJK}")


def _footnote_edits(text: str) -> list[Edit]:
    """Drop footnote marks ("总量[7] 214.86", "增长②5%"), before spaces are judged by their neighbours."""
    return [(m.start(), m.end(), "") for m in _FOOTNOTE.finditer(text)]


def _space_edits(text: str) -> list[Edit]:
    """Remove typesetting spaces next to Chinese text and inside numbers."""
    edits: list[Edit] = []
    for m in _SPACES.finditer(text):
        start, end = m.span()
        if start == 0 or end == len(text):
            continue
        left, right = text[start - 1], text[end]
        if left == "\n" or right == "\n" or _glues(left, right):
            edits.append((start, end, ""))
        elif m.group() != " ":
            edits.append((start, end, " "))
    return edits


def _glues(left: str, right: str) -> bool:
    """Whether the spaces between `left` and `right` are typesetting noise."""
    if _CHINESE.match(left) or _CHINESE.match(right):
        return True
    if left.isdigit():
        return right in ".%"  # "4 . 5 %"; "12 34" stays apart (cells of a table row)
    return left == "." and right.isdigit()


def clean(raw: str) -> CleanText:
    """Clean a raw text; the result maps every clean character back to its raw offset."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    index = _crlf_index(raw)
    text = _TO_NARROW.sub(_narrowed, text)
    markup = _markup_edits(text)
    text, step = apply_edits(text, markup)
    index = index[step]
    wrapped = not markup  # a page's markup gives its line breaks: none of them is a wrap
    for make_edits in (_footnote_edits, partial(_line_edits, wrapped=wrapped), _space_edits):
        text, step = apply_edits(text, make_edits(text))
        index = index[step]
    text, step = _trim(text)
    return CleanText(text, index[step])


def _narrowed(m: re.Match) -> str:
    return _NARROWED[m.group()]


def _crlf_index(raw: str) -> np.ndarray:
    """Raw offsets after CRLF → LF: each LF of a CRLF pair maps to its CR."""
    if "\r\n" not in raw:
        return np.arange(len(raw), dtype=np.int64)
    keep = np.ones(len(raw), dtype=bool)
    pos = raw.find("\r\n")
    while pos != -1:
        keep[pos + 1] = False
        pos = raw.find("\r\n", pos + 2)
    return np.flatnonzero(keep).astype(np.int64)


def _trim(text: str) -> tuple[str, np.ndarray]:
    stripped = text.strip()
    start = text.find(stripped) if stripped else 0
    return stripped, np.arange(start, start + len(stripped), dtype=np.int64)


@dataclass(frozen=True)
class Sentences:
    """Sentence boundaries of a clean text, for finding the sentence around an offset."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def split(cls, text: str) -> Sentences:
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for m in SENTENCE_END.finditer(text):
            if m.start() > pos:
                _add_bounded(text, pos, m.end() if text[m.start()] != "\n" else m.start(), starts, ends)
            pos = m.end()
        if pos < len(text):
            _add_bounded(text, pos, len(text), starts, ends)
        return cls(text, starts, ends)

    def span_at(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return 0, 0
        return self.starts[i], self.ends[i]

    def at(self, offset: int) -> str:
        start, end = self.span_at(offset)
        return self.text[start:end].strip()


def _add_bounded(text: str, start: int, end: int, starts: list[int], ends: list[int]) -> None:
    """Add the sentence [start, end), cut into pieces of at most MAX_SENTENCE characters, each
    ending after its last clause mark (or at the limit when it has none)."""
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        breaks = list(_SOFT_BREAK.finditer(text, start, limit))
        cut = breaks[-1].end() if breaks else limit
        starts.append(start)
        ends.append(cut)
        start = cut
    starts.append(start)
    ends.append(end)
