"""plot_series: what it draws and how it titles a chart when no Chinese font is installed."""

import pandas as pd
import pytest
from matplotlib.figure import Figure

from econ_indicators import charts

SERIES = pd.DataFrame({"year": pd.array([2024, 2025, 2025], dtype="Int16"), "value": [1.3e12, 1.39e12, 4.7],
                       "unit": ["CNY", "CNY", "%"], "kind": ["level", "level", "change"],
                       "n_sources": [1, 1, 1], "conflict": [False, False, False], "metric": ["地区生产总值"] * 3})


def test_levels_are_plotted_by_year_in_their_unit(monkeypatch):
    monkeypatch.setattr(charts, "use_cjk_font", lambda: None)
    ax = charts.plot_series(SERIES, ax=Figure().subplots())
    assert ax.lines[0].get_xdata().tolist() == [2024, 2025]
    assert ax.get_ylabel() == "CNY" and ax.get_title() == "level, CNY"  # no glyphs for 地区生产总值


def test_the_label_is_the_title_when_a_chinese_font_exists(monkeypatch):
    monkeypatch.setattr(charts, "use_cjk_font", lambda: "Noto Sans CJK SC")
    ax = charts.plot_series(SERIES, kind="change", ax=Figure().subplots())
    assert ax.get_title() == "地区生产总值 (change)" and ax.get_ylabel() == "%"


def test_nothing_to_plot_names_the_kinds_there_are():
    with pytest.raises(ValueError, match="kinds in this series: change, level"):
        charts.plot_series(SERIES, kind="share", ax=Figure().subplots())
