"""What a figure measures: the noun phrase of its clause, trimmed of time words and verbs; the
thing counted after a count (开通3条地铁新线); each item of a list its own value (A、B分别为x、y)."""

from __future__ import annotations

from functools import lru_cache

import regex

from ..clean import CLAUSE_END
from ..rules import read_rows

MAX_METRIC = 30
_STRIP_CHARS = " 　“”\"'‘’《》【】[]<>/"
_TRAILING_NUMBER = regex.compile(r"(?:[\d.%]+[和及与、]?)+$")
_LEADING_NUMBER = regex.compile(r"^[\d.%]+")
_MARKUP = regex.compile(r"</?[A-Za-z][^<>]*>?|^[A-Za-z]+>|<[A-Za-z/][^<>]*$")
COUNT_UNITS = frozenset({"item", "place", "enterprise", "household", "project", "person", "person_time",
                         "tree", "vehicle", "session", "count"})
_NOUN_AFTER = regex.compile(r"[^，,。；;：:！？、（）()\n\d%]{1,16}")
_SHORT = 2  # a label of this length or less says only the verb (新增, 开通): the counted noun completes it
_GENERIC = regex.compile(r"^(?:增速|增幅|总量|规模|占比|比重|排名|位次|(?:位|稳)?居(?=全|第|前|首|各|同)|位列|"
                         r"分别|分列|增长|同比|同增|同降|占|两年平均|高于|低于|比(?!例)|较|拉动|提高|下降)")
_AND = regex.compile(r"[和及与]")


@lru_cache(maxsize=1)
def _trim_patterns() -> tuple[regex.Pattern, regex.Pattern]:
    rows = read_rows("metric_trim.csv")

    def alternation(position: str) -> str:
        words = sorted((r["word"] for r in rows if r["position"] == position), key=len, reverse=True)
        return "|".join(regex.escape(w) for w in words)

    year = r"(?:19|20)\d\d年(?:末|底|初)?"
    return (
        regex.compile(rf"^(?:{year}|{alternation('prefix')})+"),
        regex.compile(rf"(?:{alternation('suffix')})+$"),
    )


def trim_label(text: str) -> str:
    """`text` without markup, time and scope words in front, verbs and numbers at the end."""
    prefix, suffix = _trim_patterns()
    label = _MARKUP.sub("", text).strip(_STRIP_CHARS)
    for _ in range(3):
        trimmed = _TRAILING_NUMBER.sub("", suffix.sub("", prefix.sub("", label))).strip(_STRIP_CHARS)
        if trimmed == label:
            break  # nothing more to trim
        label = trimmed
    return label


def metric_label(clause_before: str) -> str | None:
    """The noun phrase naming what a figure measures: its clause, trimmed of time words and verbs."""
    label = trim_label(clause_before)
    if len(label) < 2:
        return None
    return label[-MAX_METRIC:]


def counted_label(before: str | None, after: str) -> str | None:
    """A count's label: the verb before it and the thing counted after it (新增 + 家庭养老床位)."""
    noun = _NOUN_AFTER.match(_LEADING_NUMBER.sub("", after))
    if not noun:
        return before
    thing = trim_label(noun.group())
    if len(thing) < 2:
        return before
    return ((before or "") + thing)[-MAX_METRIC:]


def needs_thing_counted(label: str | None) -> bool:
    return label is None or len(label) <= _SHORT


def generic(label: str | None) -> bool:
    """A label that names no indicator of its own (增速居全国, 同增, 占GDP的, 两年平均): the one
    the sentence's figure before it names does."""
    return label is None or bool(_GENERIC.match(label))


def list_items(segment: str) -> list[str]:
    """The items a list names before its 分别 (解决率、满意率 → [解决率, 满意率]; A、B和C → three),
    or [] when it names fewer than two."""
    parts = segment.split("、")
    parts[-1:] = _AND.split(parts[-1]) if len(parts) == 1 or _AND.search(parts[-1]) else parts[-1:]
    items = [trim_label(p) for p in parts]
    return items if len(items) >= 2 and all(items) else []


_ASIDE = regex.compile(r"[（(][^（()）,，。；;]{1,20}[）)]")  # 生产总值（GDP）, 投资（不含农户）


_MAJOR_BREAK = regex.compile(r"[，,。；;：:！？!?\n]")


def major_clause_start(text: str, floor: int, offset: int) -> int:
    """Where the clause around `offset` starts, counting only major breaks (not 、): at `floor`
    when none stands between."""
    ends = [m.end() for m in _MAJOR_BREAK.finditer(text, floor, offset)]
    return ends[-1] if ends else floor


def clause_before(sentence: str, offset: int) -> str:
    """The part of the clause that stands before `offset` in `sentence`; a short aside in
    brackets (生产总值（GDP）889.5亿元) belongs to the clause, it does not end it."""
    head = sentence[:offset]
    masked = _ASIDE.sub(lambda m: "_" * len(m.group()), head)
    breaks = list(CLAUSE_END.finditer(masked))
    return head[breaks[-1].end():] if breaks else head
