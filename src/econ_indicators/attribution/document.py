"""What a document says about itself: front matter, title, publication date, genre, main region and
reference year (the year a figure with no time of its own refers to)."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import regex
import yaml

from ..clean import FRONT_MATTER
from ..gazetteer import gazetteer
from ..numbers import NumberError, parse_chinese
from ..rules import data_lines, read_rows, read_text
from .region import main_region
from .time import YEAR

_HEAD = 2000  # characters at the top of a document searched for its title and date
_DATELINE_CHARS = 600
EARLY_MONTHS = 3  # a report published by March mostly reviews the year before
MIN_TITLE, MAX_TITLE = 6, 80

_DATE = regex.compile(
    r"(?P<y>(?:19|20)\d\d)\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?!\d))"
)
_CN_DIGITS = "〇零一二三四五六七八九十"
_CN_DATE = regex.compile(rf"(?P<y>[{_CN_DIGITS}]{{4}})年(?P<m>[{_CN_DIGITS}]{{1,2}})月(?P<d>[{_CN_DIGITS}]{{1,3}})日")
_DAY = regex.compile(r"(?<![\d年])(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_TARGET_BEFORE = regex.compile(r"(?:到|至|力争)$")
_NOT_TITLE = regex.compile(r"^(?:---|<%|<\?|<!|[A-Za-z_]+\s*:|来源|作者|记者|编辑|责任编辑|发布|时间|日期)")
_HAN = regex.compile(r"\p{Han}")


@dataclass(frozen=True)
class DocumentContext:
    """What a document says about itself: title, publication date, main year and region, genre."""

    title: str | None
    published: dt.date | None
    year: int | None
    region: str | None = None
    region_code: str | None = None
    genre: str | None = None
    compares_places: bool = False  # it compares places (15个副省级城市…): see region.main_region

    @property
    def report_year(self) -> int | None:
        """The year the document was written in: 今年 of its text."""
        return self.published.year if self.published else self.year


def front_matter(raw: str) -> dict[str, object]:
    """The YAML front matter of a Markdown text (`---` … `---` at its top), or {} when it has none
    or it does not parse."""
    m = FRONT_MATTER.match(raw)
    if not m:
        return {}
    try:
        data = yaml.safe_load(m.group("body"))
    except yaml.YAMLError:
        return {}
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else {}


def document_context(text: str, meta: dict[str, object] | None = None) -> DocumentContext:
    """Title, publication date, genre, main region and reference year of a clean text; `meta` is
    its front matter, which wins where it says something."""
    meta = meta or {}
    head = text[:_HEAD]
    title = _meta_text(meta.get("title")) or _first_title_line(head)
    years = Counter(int(m.group(1)) for m in YEAR.finditer(text)
                    if not _TARGET_BEFORE.search(text, max(0, m.start() - 2), m.start()))
    published = _meta_date(meta.get("date")) or _labelled_date(head) or first_date(head) or _dateline(head, years)
    places = gazetteer()
    code, compares = main_region(places, text, title)
    return DocumentContext(title=title, published=published, year=_reference_year(title, published, years),
                           region=places.name(code) if code else None, region_code=code,
                           genre=document_genre(title, head), compares_places=compares)


def _meta_text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


_TITLE_WORDS = ("报告", "公报", "讲话", "通知", "意见", "纲要", "分析", "情况", "通报", "决定", "规划", "方案")
_SITE_SUFFIX = regex.compile(r"\s*[_|｜]\s*")
_CONTINUED = "和及与的、"  # a title line ending with one of these goes on on the next line
_TITLE_END = regex.compile(r"(?:公报|报告)(?=.)|(?=索引号|文号|主题分类|发布机构|成文日期)")
_YEAR_MARK = regex.compile(r"(?:19|20)\d\d")
_SENTENCE_END = "。，,；;！？!?"


def _first_title_line(head: str) -> str | None:
    """The title among the first lines: of the lines of title length, with Chinese, not a label,
    a subtitle (——…), a sentence or markup, the first with a title word (公报, 报告, 讲话) and a
    year, else the first with a title word, else the first. A site name after '_' or '|' is cut
    off, and so is what follows the first 公报/报告 (a PDF line that runs on into the issuer)."""
    lines = [ln.strip() for ln in head.splitlines()]
    candidates = []
    for i, line in enumerate(lines):
        line = _SITE_SUFFIX.split(line, 1)[0] if not _SITE_SUFFIX.match(line) else line
        if line and line[-1] in _CONTINUED and i + 1 < len(lines):
            line += lines[i + 1]
        if (MIN_TITLE <= len(line) <= MAX_TITLE and _HAN.search(line) and not _NOT_TITLE.match(line)
                and not line.startswith(("——", "原标题")) and line[-1] not in _SENTENCE_END):
            candidates.append(line)
    titled = [c for c in candidates if any(w in c for w in _TITLE_WORDS)]
    dated = next((c for c in titled if _YEAR_MARK.search(c)), None)
    title = dated or next(iter(titled), None) or next(iter(candidates), None)
    if title is None:
        return None
    cut = _TITLE_END.search(title)
    return title[:cut.end()] if cut else title


def _meta_date(value: object) -> dt.date | None:
    """A front matter date: a YAML date, an RFC 2822 date (`Sun, 08 Aug 2021 13:34:03 GMT`) or any
    date the text forms read."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return email.utils.parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        return first_date(value)


@lru_cache(maxsize=1)
def _date_label() -> regex.Pattern:
    labels = "|".join(ln.strip() for ln in data_lines(read_text("date_labels.txt")))
    return regex.compile(rf"(?:{labels})\s*[:：]\s*")


def _labelled_date(head: str) -> dt.date | None:
    """'时间：2026-02-02', '发布时间：…': a date line of a web page's head."""
    for m in _date_label().finditer(head):
        found = first_date(head[m.end():m.end() + 30])
        if found:
            return found
    return None


def first_date(text: str) -> dt.date | None:
    """The first calendar date written in `text` (2026年1月25日, 2026-02-02, 二〇二六年一月二十七日)."""
    for m in _DATE.finditer(text):
        month, day = m["m"] or m["m2"], m["d"] or m["d2"]
        try:
            return dt.date(int(m["y"]), int(month), int(day))
        except ValueError:
            continue
    m = _CN_DATE.search(text)
    if m:
        try:
            return dt.date(*(int(parse_chinese(m[g])) for g in ("y", "m", "d")))
        except (NumberError, ValueError):
            return None
    return None


def _dateline(head: str, years: Counter[int]) -> dt.date | None:
    """'1月15日，市人大代表审议了…': a news dateline, its year the latest the text mentions."""
    m = _DAY.search(head[:_DATELINE_CHARS])
    if not m or not years:
        return None
    try:
        return dt.date(max(years), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def _reference_year(title: str | None, published: dt.date | None, years: Counter[int]) -> int | None:
    """The year a figure without a year of its own refers to: the title's year (a communiqué of
    2025), else the publication year (the year before for an early-year review that mostly speaks
    of it), else the most mentioned year."""
    titled = YEAR.search(title or "")
    if titled:
        return int(titled.group(1))
    if published:
        last = published.year - 1
        early_review = published.month <= EARLY_MONTHS and years[last] > years[published.year]
        return last if early_review else published.year
    return years.most_common(1)[0][0] if years else None


@lru_cache(maxsize=1)
def _genre_words() -> tuple[tuple[str, str], ...]:
    return tuple((r["word"], r["genre"]) for r in read_rows("genres.csv"))


def document_genre(title: str | None, head: str) -> str | None:
    """work_report, budget_report, communique, periodic_release, speech or news: the first cue of
    `genres.csv` found in the title, else in the document's head."""
    for where in (title or "", head[:_DATELINE_CHARS]):
        for word, genre in _genre_words():
            if word in where:
                return genre
    return None
