"""What kind of figure it is (level, change, share, rank, target, standard) and its sign."""

from __future__ import annotations

from functools import lru_cache

import regex

from ..quantities import Quantity
from ..rules import read_rows

_VERB_TAIL = regex.compile(r"(?:了|为|达|约|近|逾)+$")  # 增长了, 下降为, 减量约: the change word stands before these
_TO_LEVEL = regex.compile(r"(?:到|至)$")  # 下降到, 提升至, 缩小到: the figure is the level reached
TARGET_MODES = ("level", "change", "share")  # the kinds a target scope turns into targets


@lru_cache(maxsize=1)
def _kind_words() -> dict[str, tuple[str, int]]:
    return {r["word"]: (r["kind"], int(r["sign"])) for r in read_rows("kinds.csv")}


@lru_cache(maxsize=1)
def _words_of_kinds() -> tuple[tuple[tuple[str, int], ...], dict[str, tuple[str, ...]]]:
    """The kind words split by kind, longest first: (change word, sign) pairs, and the words of
    each other kind."""
    words = _kind_words()
    change = tuple(sorted(((w, s) for w, (k, s) in words.items() if k == "change"), key=lambda ws: -len(ws[0])))
    others = {kind: tuple(word for word, (k, _) in words.items() if k == kind)
              for kind in ("target", "standard", "share")}
    return change, others


@lru_cache(maxsize=1)
def _reversing() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for r in read_rows("reversing_words.csv"):
        found.setdefault(r["word"], []).append(r["before"])
    return {k: tuple(v) for k, v in found.items()}


@lru_cache(maxsize=1)
def _change_end() -> tuple[regex.Pattern, dict[str, int]]:
    change, _ = _words_of_kinds()
    return regex.compile(rf"(?:{'|'.join(regex.escape(w) for w, _ in change)})$"), dict(change)


def change_sign(near: str) -> int | None:
    """The sign of the change word `near` ends with, or None when it ends with none; a fall's
    word before it turns it round (降幅收窄 → +1)."""
    pattern, signs = _change_end()
    m = pattern.search(near)
    if m is None:
        return None
    word = m.group()
    if any(before in near[:m.start()] for before in _reversing().get(word, ())):
        return -signs[word]
    return signs[word]


def figure_kind(q: Quantity, clause_before: str) -> tuple[str, int]:
    """The figure's kind and sign from the words just before it."""
    if q.unit == "rank":
        return "rank", 1
    _, others = _words_of_kinds()
    near = _VERB_TAIL.sub("", clause_before)
    if not _TO_LEVEL.search(near):
        sign = change_sign(near)
        if sign is not None:
            return "change", sign
    if q.value is not None and q.value < 0:
        return "change", 1  # "采矿业-2.3%": a signed figure is a change
    cut = _leading_cut(clause_before)
    if cut:
        return "change", -1
    for kind in ("target", "standard"):
        if any(w in clause_before for w in others[kind]):
            return kind, 1
    if q.unit == "%" and any(w in clause_before for w in others["share"]):
        return "share", 1
    return "level", 1


@lru_cache(maxsize=1)
def _cut_lead() -> regex.Pattern:
    change, _ = _words_of_kinds()
    cuts = [regex.escape(word) for word, sign in change if sign < 0 and len(word) >= 2]
    return regex.compile(rf"^(?:继续|持续|累计|共|平均|全年|再)*(?:{'|'.join(cuts)})")


def _leading_cut(clause_before: str) -> bool:
    """"压减资金42.6亿元", "减量约50平方公里": a clause led by a word for a cut is a fall."""
    return bool(_cut_lead().match(clause_before.strip()))


def in_scope_mode(kind: str, mode: str | None) -> str:
    """A level, change or share under a target heading (2026年重点工作, 主要预期目标) is a target."""
    return "target" if mode == "target" and kind in TARGET_MODES else kind
