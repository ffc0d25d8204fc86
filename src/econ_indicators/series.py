"""A region's indicator as a time series, and the labels to suggest when a metric is not found."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from .load import load

SERIES_COLUMNS = ["year", "value", "unit", "kind", "n_sources", "conflict", "metric"]
KIND_ORDER = ("level", "change", "share", "rank", "target", "standard", "other")
MAX_SUGGESTIONS = 8


def _unprefixed(label: str, region: str) -> str:
    """The label without the region's name in front (西安市地区生产总值 → 地区生产总值)."""
    return label[len(region):] if region and label.startswith(region) and len(label) > len(region) else label


def matching_rows(indicators: pd.DataFrame, metric: str) -> pd.Series:
    """Rows whose label (or metric_id, when present) is `metric`, the region's name in front ignored."""
    regions = indicators.region.astype("string").fillna("")
    labels = indicators.metric.astype("string").fillna("")
    mask = pd.Series([_unprefixed(m, r) == metric or m == metric for m, r in zip(labels, regions, strict=True)],
                     index=indicators.index, dtype=bool)
    if "metric_id" in indicators.columns:
        mask |= indicators.metric_id.astype("string").eq(metric).fillna(False)
    return mask


def metric_series(region: str, metric: str, root: str | Path | None = None) -> pd.DataFrame:
    """The indicator rows of `region` (name or code) for `metric`, one per year, unit, kind and value."""
    indicators = load("indicators", root, region=region)
    rows = indicators[matching_rows(indicators, metric)].copy()
    rows["_kind"] = [KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER) for k in rows.kind]
    rows = rows.sort_values(["_kind", "unit", "metric", "year", "value"], kind="stable")
    return rows[SERIES_COLUMNS].reset_index(drop=True)


def close_metrics(labels: list[str], metric: str) -> list[str]:
    """Labels that contain `metric` (shortest first), then labels that look like it."""
    containing = sorted((label for label in labels if metric in label), key=lambda label: (len(label), label))
    similar = difflib.get_close_matches(metric, labels, n=MAX_SUGGESTIONS, cutoff=0.5)
    return list(dict.fromkeys(containing + similar))[:MAX_SUGGESTIONS]


def close_regions(names: list[str], region: str) -> list[str]:
    """Region names that contain, are contained in or look like `region`."""
    containing = [name for name in names if region in name or name in region]
    return list(dict.fromkeys(containing + difflib.get_close_matches(region, names, n=MAX_SUGGESTIONS)))


def not_found(region: str, metric: str, root: str | Path | None = None) -> str:
    """Why a series is empty, with the region's close labels or, for an unknown region, close region names."""
    labels = sorted(set(load("indicators", root, region=region).metric.dropna()))
    if labels:
        close = close_metrics(labels, metric)
        hint = f"close labels: {', '.join(close)}" if close else "no close label"
        return f"no indicator {metric!r} for {region} ({len(labels)} labels); {hint}"
    regions = close_regions(sorted(set(load("indicators", root).region.dropna())), region)
    hint = f"regions with a close name: {', '.join(regions)}" if regions else "no region with a close name"
    return f"no indicators for region {region!r}; {hint}"


def format_series(series: pd.DataFrame) -> str:
    """The series as a plain-text table; values with thousands separators, the label only when it varies."""
    shown = series.copy()
    shown["value"] = [("" if pd.isna(v) else f"{v:,.15g}") for v in shown.value]
    if shown.metric.nunique() <= 1:
        shown = shown.drop(columns="metric")
    return shown.to_string(index=False)
