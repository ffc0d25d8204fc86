"""Metrics: the indicator dictionary (data/metrics.csv) and the exact lookup of a label in it.

A label taken from the text names an indicator only when, normalized, it is the indicator's
name or one of its variants, normalized alike: NFKC, brackets and their content, markup, 、 and
的 removed; of a label chained from a flattened table (猕猴桃-猪肉产量) the last link; then,
repeatedly, a region name at its start (gazetteer), time words (2025年, 1-7月, 上半年) and the
words of data/metric_words.csv. Never a substring: 非税收入 is not 税收收入, 城镇居民人均可支配收入
is not 居民人均可支配收入.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .gazetteer import gazetteer
from .rules import read_rows

GROWTH_KINDS = frozenset({"change", "target"})
GROWTH_UNITS = ("%",)
MAX_CLOSE = 8


@dataclass(frozen=True)
class Metric:
    """A canonical indicator: id, Chinese name, topic, the kinds and units its figures take, the
    label variants it is written as, and for a growth rate the id of the indicator it is the rate of."""

    metric_id: str
    name: str
    topic: str
    kinds: frozenset[str]
    units: tuple[str, ...]  # the first is the one a panel shows by default
    variants: tuple[str, ...]
    growth_of: str | None = None

    def takes(self, kind: str, unit: str) -> bool:
        """True when a figure of this kind and unit may be this indicator."""
        return kind in self.kinds and (not self.units or unit in self.units)

    @property
    def labels(self) -> tuple[str, ...]:
        """The name and the variants."""
        return (self.name, *(v for v in self.variants if v != self.name))


def _split(cell: str | None, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(sep) if part.strip())


@lru_cache(maxsize=1)
def metric_dictionary() -> tuple[Metric, ...]:
    """Every indicator, in file order, each growth rate right after the indicator it is the rate of."""
    metrics: list[Metric] = []
    seen: set[str] = set()
    for row in read_rows("metrics.csv"):
        base = Metric(row["metric_id"], row["name"], row["topic"], frozenset(_split(row["kinds"], " ")),
                      _split(row["units"], " "), _split(row["variants"], "|"))
        growth = row["growth_id"].strip()
        rows = [base]
        if growth:
            rows.append(Metric(growth, f"{base.name}增速", base.topic, GROWTH_KINDS, GROWTH_UNITS, base.variants,
                               growth_of=base.metric_id))
        for metric in rows:
            if metric.metric_id in seen:
                raise ValueError(f"metrics.csv: metric_id {metric.metric_id!r} is defined twice")
            seen.add(metric.metric_id)
            metrics.append(metric)
    return tuple(metrics)


@lru_cache(maxsize=1)
def _words() -> tuple[re.Pattern, re.Pattern, re.Pattern, tuple[tuple[str, str], ...]]:
    rows = read_rows("metric_words.csv")

    def alternation(position: str) -> str:
        words = sorted({r["word"] for r in rows if r["position"] == position}, key=len, reverse=True)
        return "|".join(map(re.escape, words))

    abbrevs = tuple((r["word"], r["replacement"]) for r in rows if r["position"] == "abbrev")
    return (re.compile(f"^(?:{alternation('prefix')})+"), re.compile(f"(?:{alternation('suffix')})+$"),
            re.compile(f"(?:{alternation('growth')})$"), abbrevs)


_CN = "〇零一二三四五六七八九十"
_TIME = re.compile(
    r"(?:19|20)\d\d\s*年(?:度|末|底|初)?"
    rf"|(?:\d{{1,2}}|[{_CN}]{{1,3}})(?:\s*[-~～—至到]\s*(?:\d{{1,2}}|[{_CN}]{{1,3}}))?\s*月份?(?:末|底)?"
    r"|(?:前|第)?[一二三四1-4两]季度(?:末)?|[上下]半年(?:末)?|连续\d+年"
)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_DROPPED = re.compile(r"[\s、的“”\"'‘’《》〈〉「」:：,，;；]")
_CHAIN = re.compile(r"(?<=[\u4e00-\u9fff])[-—~](?=[\u4e00-\u9fff])")


def _without_leading_regions(label: str) -> str:
    places = gazetteer()
    while True:
        end = places.leading_name(label)
        if not end or end == len(label):
            return label
        label = label[end:]


def normalize_label(label: str, *, regions: bool = True) -> str:
    """The form of a label the dictionary is looked up by (growth words kept at the end)."""
    prefix, suffix, _, abbrevs = _words()
    text = unicodedata.normalize("NFKC", label)
    text = text[text.rfind(">") + 1:]  # markup left in a web page's text
    for _ in range(2):
        text = _BRACKETS.sub("", text)
    text = _CHAIN.split(text)[-1]
    text = _DROPPED.sub("", text)
    text = _TIME.sub("", text)
    for short, full in abbrevs:
        text = text.replace(short, full)
    text = text.upper() if text.isascii() else re.sub(r"[a-z]+", lambda m: m.group().upper(), text)
    while True:
        before = text
        if regions:
            text = _without_leading_regions(text)
        text = suffix.sub("", prefix.sub("", text))
        if text == before:
            return text


def _growth_split(normalized: str) -> tuple[str, bool]:
    """(label without a trailing growth word, whether it had one): 地区生产总值增速 → (地区生产总值, True)."""
    growth = _words()[2]
    found = growth.search(normalized)
    if found and found.start() > 0:
        return normalized[: found.start()], True
    return normalized, False


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[Metric, ...]]:
    """Normalized label → the indicators it names, in dictionary order."""
    index: dict[str, list[Metric]] = {}
    for metric in metric_dictionary():
        for label in metric.labels:
            key = _growth_split(normalize_label(label, regions=False))[0]
            if key and metric not in index.setdefault(key, []):
                index[key].append(metric)
    return {key: tuple(metrics) for key, metrics in index.items()}


@lru_cache(maxsize=65_536)
def metric_id(label: str | None, kind: str, unit: str) -> str | None:
    """The canonical indicator a label names for a figure of this kind and unit, or None."""
    if not label:
        return None
    key, growth = _growth_split(normalize_label(label))
    candidates = _index().get(key, ())
    if growth:  # 增速, 增长率: a rate of change, whatever word came before the figure
        kind = "change" if kind in ("level", "share") else kind
        candidates = tuple(m for m in candidates if "change" in m.kinds and "%" in m.units)
    return next((m.metric_id for m in candidates if m.takes(kind, unit)), None)


def metric_ids() -> list[str]:
    return [m.metric_id for m in metric_dictionary()]


def close_ids(wanted: str, n: int = MAX_CLOSE) -> list[str]:
    """Dictionary ids that contain or look like `wanted`, or whose name is it."""
    ids = metric_ids()
    named = [m.metric_id for m in metric_dictionary() if wanted in m.labels]
    containing = sorted((i for i in ids if wanted and wanted.lower() in i), key=lambda i: (len(i), i))
    similar = difflib.get_close_matches(wanted.lower(), ids, n=n, cutoff=0.6)
    return list(dict.fromkeys(named + containing + similar))[:n]


def metric(wanted: str) -> Metric:
    """The indicator with this id; a ValueError listing close ids when there is none."""
    for m in metric_dictionary():
        if m.metric_id == wanted:
            return m
    close = close_ids(wanted)
    hint = f"close ids: {', '.join(close)}" if close else "`econ-indicators metrics` lists them"
    raise ValueError(f"unknown metric id {wanted!r}; {hint}")


def metrics(wanted: Iterable[str]) -> list[Metric]:
    """The indicators with these ids, in order; a ValueError naming every unknown one with close ids."""
    found, errors = [], []
    for name in wanted:
        try:
            found.append(metric(name))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise ValueError("; ".join(errors))
    return found


def primary_kind(m: Metric) -> str:
    """The kind a panel shows by default: a result (change for a growth rate, share for a rate)."""
    for kind in ("change", "share", "level") if m.growth_of else ("level", "share", "change"):
        if kind in m.kinds:
            return kind
    return sorted(m.kinds)[0]


def dictionary_rows() -> list[dict[str, str]]:
    """The dictionary as plain rows (what `econ-indicators metrics` prints)."""
    return [{"metric_id": m.metric_id, "name": m.name, "topic": m.topic, "kinds": " ".join(sorted(m.kinds)),
             "units": " ".join(m.units), "variants": "|".join(m.variants)} for m in metric_dictionary()]
