"""Metrics: map a metric label taken from the text to a canonical indicator (data/metrics.csv)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .rules import read_rows


@dataclass(frozen=True)
class Metric:
    """A canonical indicator and how labels, kinds and units are recognized as it."""

    metric_id: str
    name: str
    keywords: tuple[str, ...]
    kinds: frozenset[str]
    units: frozenset[str]
    exclude: tuple[str, ...]

    def matches(self, label: str, kind: str, unit: str) -> bool:
        """True when `label` names this indicator for a figure of this kind and unit."""
        return self.takes(kind, unit) and self.named_by(label)

    def takes(self, kind: str, unit: str) -> bool:
        """True when a figure of this kind and unit may be this indicator."""
        return kind in self.kinds and (not self.units or unit in self.units)

    def named_by(self, label: str) -> bool:
        """True when a keyword, and no exclude word, occurs in `label`."""
        return any(k in label for k in self.keywords) and not any(x in label for x in self.exclude)


def _split(cell: str | None, sep: str) -> tuple[str, ...]:
    return tuple(part for part in (cell or "").split(sep) if part)


@lru_cache(maxsize=1)
def metric_dictionary() -> tuple[Metric, ...]:
    """The packaged metric dictionary, in file order (specific rows first)."""
    return tuple(
        Metric(r["metric_id"], r["name"], _split(r["keywords"], "|"), frozenset(_split(r["kinds"], " ")),
               frozenset(_split(r["units"], " ")), _split(r["exclude"], "|"))
        for r in read_rows("metrics.csv")
    )


@cache  # a handful of (kind, unit) pairs
def _candidates(kind: str, unit: str) -> tuple[re.Pattern | None, tuple[Metric, ...]]:
    """The metrics a figure of this kind and unit may be, in file order, and a pattern that finds
    any of their keywords (None when they have none)."""
    metrics = tuple(m for m in metric_dictionary() if m.takes(kind, unit))
    keywords = sorted({k for m in metrics for k in m.keywords})
    return (re.compile("|".join(map(re.escape, keywords))) if keywords else None), metrics


def metric_id(label: str | None, kind: str, unit: str) -> str | None:
    """The canonical indicator a label names, or None when the dictionary has none."""
    if not label:
        return None
    any_keyword, metrics = _candidates(kind, unit)
    if any_keyword is None or any_keyword.search(label) is None:
        return None  # most labels name no metric of the dictionary: one search tells
    return next((m.metric_id for m in metrics if m.named_by(label)), None)
