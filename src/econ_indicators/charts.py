"""Notebook charts: a metric's series over the years, with Chinese labels only when a font can draw them."""

from __future__ import annotations

from typing import Any

import pandas as pd

# Fonts with Chinese glyphs found on common systems (Linux packages, Windows, macOS).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")


def use_cjk_font() -> str | None:
    """Put an installed Chinese font first in matplotlib's sans-serif list; its name, or None when there is none."""
    from matplotlib import font_manager, rcParams

    installed = {font.name for font in font_manager.fontManager.ttflist}
    name = next((n for n in CJK_FONTS if n in installed), None)
    if name:
        rcParams["font.sans-serif"] = [name, *(f for f in rcParams["font.sans-serif"] if f != name)]
    return name


def plot_series(series: pd.DataFrame, kind: str = "level", unit: str | None = None, ax: Any = None) -> Any:
    """Plot the `kind` rows of a `metric_series` frame (its first unit unless `unit` is given) by year."""
    rows = series[(series.kind == kind) & series.year.notna() & series.value.notna()]
    if unit is None and not rows.empty:
        unit = str(rows.unit.iloc[0])
    rows = rows[rows.unit == unit]
    if rows.empty:
        kinds = sorted({str(k) for k in series.kind})
        raise ValueError(f"no {kind} values in unit {unit} to plot; kinds in this series: {', '.join(kinds)}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 3.5))
    years = rows.year.astype(int)
    ax.plot(years, rows.value, "o-")
    ax.set_xticks(sorted(set(years)))
    ax.set_xlabel("year")
    ax.set_ylabel(unit)
    label = str(rows.metric.iloc[0])
    ax.set_title(f"{label} ({kind})" if label.isascii() or use_cjk_font() else f"{kind}, {unit}")
    return ax


def plot_panel(frame: pd.DataFrame, column: str, ax: Any = None) -> Any:
    """Bars of one indicator of a `panel` frame across its regions; the regions' names when a
    Chinese font is installed, else their 6-digit codes (so a chart never misses glyphs)."""
    rows = frame[frame[column].notna()]
    if rows.empty:
        raise ValueError(f"no values of {column} to plot")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 0.4 * len(rows) + 1.5))
    names = [" ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in rows.index]
    labels = names if use_cjk_font() else [
        f"{code} {k[1]}" if isinstance(k, tuple) else str(code) for code, k in zip(rows.region_code, rows.index,
                                                                                     strict=True)]
    ax.barh(labels, rows[column])
    ax.invert_yaxis()
    unit = frame.attrs.get("units", {}).get(column)
    ax.set_xlabel(f"{column} [{unit}]" if unit else column)
    year = frame.attrs.get("year")
    ax.set_title(f"{column}, {frame.attrs.get('level', 'region')}s" + (f", {year}" if year is not None else ""))
    return ax
