"""Where a figure is about: the place its clause names, the subject place of its sentence, the
topic place of a text that compares places, its paragraph's speaker's, or the document's."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..gazetteer import NATION, Gazetteer, Mention, speaker_region
from ..rules import data_lines, read_text
from .metric import major_clause_start
from .time import comparison_base

_OWN_VALUE = regex.compile(r"^[^，,。；;\d]{0,8}?(?:的|（|\()\s*$")  # 高于全国（3.8%）, 广东省同期的2%
_LED_LIST = regex.compile(r"^\s*(?:等|这)")  # 洛阳等10个, 长春这10个: a count over the enclosing region
_RANK_VERB = regex.compile(r"居|排|列|保持|跃升|上升|升至")  # 成都位居第三: the place before the verb is ranked
_ENUMERATION_GAP = regex.compile(r"^[、和及与\s]*$")
_WORD_BEFORE_SHORT_NAME = "的在和与及、，,。；;：:（(“\"省市州县区盟旗"
_SHORT_NAME = 2  # full names this short (范县) must start a word: 示范县 is not 范县
_FULL_NAME_ENDS = "县区市旗"
_MASKED_PLACE = regex.compile(r"(?<![A-Za-z])X(?:省|市|县|区|州|镇|乡)")  # the text hides the place: no guess
_SHARE_OF = "占"  # 占全国的3.5%: the place after it is the whole the figure is a share of
DOMINANT_SHARE = 0.4  # a document whose main place has less of its place mentions compares places


@lru_cache(maxsize=1)
def _name_suffixes() -> regex.Pattern:
    words = sorted((ln.strip() for ln in data_lines(read_text("name_suffixes.txt"))), key=len, reverse=True)
    return regex.compile("|".join(map(regex.escape, words)))


def place_mentions(places: Gazetteer, text: str, within: str | None) -> list[Mention]:
    """The region names of `text` that stand for a place: not part of another name (密云水库,
    南京海关), a short full name only where a word starts (not 示范县's 范县)."""
    suffixes = _name_suffixes()
    found = []
    for m in places.mentions(text, within):
        if suffixes.match(text, m.end):
            continue
        if (m.end - m.start <= _SHORT_NAME and text[m.end - 1] in _FULL_NAME_ENDS and m.start > 0
                and not _word_starts(text, m.start)):
            continue
        found.append(m)
    return found


def _word_starts(text: str, start: int) -> bool:
    before = text[start - 1]
    return not regex.match(r"\p{Han}", before) or before in _WORD_BEFORE_SHORT_NAME


@dataclass(frozen=True)
class Site:
    """Where a figure stands in its document."""

    sentence_start: int
    start: int
    paragraph_start: int
    rank: bool = False  # a rank: a place right before it is the set ranked in (保持山东省第1位)


class RegionReader:
    """The places of one document and the region each of its figures is about."""

    def __init__(self, places: Gazetteer, text: str, region_code: str | None, compares_places: bool) -> None:
        self.places, self.text, self.region_code = places, text, region_code
        self.compares = compares_places
        self.mentions = place_mentions(places, text, region_code)
        self._starts = [m.start for m in self.mentions]
        self.topic: tuple[int, str] | None = None  # (paragraph start, region) of the last subject

    def _between(self, start: int, end: int) -> list[Mention]:
        lo, hi = bisect.bisect_left(self._starts, start), bisect.bisect_left(self._starts, end)
        return [m for m in self.mentions[lo:hi] if m.end <= end]

    def region_of(self, site: Site) -> str | None:
        """The region code of the figure at `site`, or None when the text hides or cannot tell it."""
        text = self.text
        if _MASKED_PLACE.search(text, site.sentence_start, site.start):
            return None
        clause_start = major_clause_start(text, site.sentence_start, site.start)
        own = self._clause_region(clause_start, site.start, site.rank)
        if own == "":
            return self.region_code
        if own is None:
            own = self._subject(site.sentence_start, clause_start)
        if own is not None:
            if self.compares:
                self.topic = (site.paragraph_start, own)
            return own
        return self._fallback(site)

    def _clause_region(self, clause_start: int, start: int, rank: bool = False) -> str | None:
        """The place the clause names before the figure; "" when the figure counts a list led by
        places (洛阳等10个), which is about the enclosing region. A comparison base (高于全国) is
        skipped unless the figure is its own value (高于全国（3.8%）)."""
        mentions = self._between(clause_start, start)
        for i in range(len(mentions) - 1, -1, -1):
            m = mentions[i]
            gap = self.text[m.end:start]
            if i == len(mentions) - 1 and _LED_LIST.match(gap):
                return ""
            if rank and not _RANK_VERB.search(gap):
                continue
            if not comparison_base(self.text, m.start):
                return m.code
            if _OWN_VALUE.match(gap) and not self.text.endswith(_SHARE_OF, 0, m.start):
                return m.code  # 高于全国（3.8%）: the nation's own figure; 占全国的3.5%: a share of it
        return None

    def _subject(self, sentence_start: int, clause_start: int) -> str | None:
        """The last place the sentence names before the figure's clause as its subject: not a
        comparison base, not one owning a figure of its own, not leading a list (洛阳等)."""
        for m in reversed(self._between(sentence_start, clause_start)):
            after = self.text[m.end:m.end + 12]
            if comparison_base(self.text, m.start) or _LED_LIST.match(after) or _owns_figure(after):
                continue
            return m.code
        return None

    def list_region(self, sentence_start: int, start: int, index: int) -> tuple[str, str] | None:
        """(region code, what is measured) of the `index`-th figure of a list led by a list of
        places and 分别 (阿图什市、阿合奇县工业增加值分别增长10.6%、131.9%: 131.9% is 阿合奇县's
        工业增加值), or None when the figure's list is not led so."""
        at = self.text.rfind("分别", sentence_start, start)
        if at < 0:
            return None
        places = self._between(major_clause_start(self.text, sentence_start, at), at)
        if len(places) < 2 or index >= len(places):
            return None
        gaps = (self.text[a.end:b.start] for a, b in zip(places, places[1:], strict=False))
        if not all(_ENUMERATION_GAP.match(g) for g in gaps):
            return None
        return places[index].code, self.text[places[-1].end:at]

    def _fallback(self, site: Site) -> str | None:
        if self.compares and self.topic and self.topic[0] == site.paragraph_start:
            return self.topic[1]
        if self.region_code:
            speaker = speaker_region(self.places, self.mentions, self.text, site.paragraph_start, self.region_code)
            if speaker:
                return speaker
        return self.region_code


_OWNS = regex.compile(r"^[^，,。；;\d]{0,8}?(?:的|（|\()\s*[\d一二三四五六七八九十]")


def _owns_figure(after: str) -> bool:
    return bool(_OWNS.match(after))


def main_region(places: Gazetteer, text: str, title: str | None) -> tuple[str | None, bool]:
    """The region a document is about, and whether it compares places: when three or more places
    of one level are named and the most mentioned has under DOMINANT_SHARE of their mentions,
    the document is about their common parent (全国 when they lie in several provinces)."""
    code = places.main_region(text, title)
    level = places.level(code) if code else 2
    peers: Counter[str] = Counter()
    for m in place_mentions(places, text, None):
        lineage = places.lineage(m.code)
        if m.code != NATION and len(lineage) >= level:
            peers[lineage[len(lineage) - level]] += 1
    total = sum(peers.values())
    top = peers[code] if code else max(peers.values(), default=0)
    if len(peers) < 3 or top >= DOMINANT_SHARE * total:
        return code, False
    return _common_parent(places, [c for c, _ in peers.most_common(3)]), True


def _common_parent(places: Gazetteer, codes: list[str]) -> str:
    shared = set(places.lineage(codes[0]))
    for c in codes[1:]:
        shared &= set(places.lineage(c))
    return max(shared, key=places.level) if shared else NATION
