"""panel(): indicators of many regions side by side, on made-up facts and on the samples."""

import pandas as pd
import pytest

from econ_indicators import panel
from econ_indicators.indicators import indicators_table
from econ_indicators.io import output_path, write_parquet
from econ_indicators.panel import format_panel, labelled

REGIONS = {"110000": "北京市", "410000": "河南省", "410100": "郑州市", "410102": "中原区", "610100": "西安市"}


def _fact(fid, code, year, metric_id, value, surface, unit="CNY", kind="level", qualifier=None, period=None):
    return {"fact_id": fid, "doc_id": f"d{fid}", "region": REGIONS[code], "region_code": code, "year": year,
            "metric": metric_id, "metric_id": metric_id, "value": value, "unit": unit, "surface": surface,
            "qualifier": qualifier, "kind": kind, "masked": False, "sentence": "s", "period": period,
            "value_low": None, "value_high": None, "char_start": 0, "char_end": 1}


@pytest.fixture
def root(tmp_path):
    facts = [
        _fact("a", "110000", 2025, "gdp", 5.2e12, "5.2万亿元"),
        _fact("b", "110000", 2025, "gdp", 5.20734e12, "52073.4亿元"),  # agrees with a: one value
        _fact("c", "110000", 2025, "gdp_growth", 5.4, "5.4%", "%", "change"),
        _fact("d", "110000", 2026, "gdp_growth", 5.0, "5%左右", "%", "target", "approx"),
        _fact("e", "410000", 2025, "gdp", 6.66e12, "6.66万亿元"),
        _fact("f", "410000", 2025, "gdp_growth", 5.6, "5.6%", "%", "change"),
        _fact("g", "410000", 2025, "gdp_growth", 5.0, "5%左右", "%", "change", "approx"),  # a target taken for a result
        _fact("h", "410000", 2025, "gdp", 3.3e12, "3.3万亿元", period="H01"),
        _fact("i", "410100", 2025, "gdp", 1.45e12, "1.45万亿元"),
        _fact("j", "410102", 2025, "gdp", 1.5e11, "1500亿元"),
        _fact("k", "610100", 2025, "gdp", 1.390267e12, "13902.67亿元"),
        _fact("l", "610100", 2024, "gdp", 1.33e12, "1.33万亿元"),
    ]
    write_parquet(indicators_table(facts), output_path(tmp_path, "indicators"))
    return tmp_path


def test_one_row_per_province_one_column_per_indicator(root):
    frame = panel(["gdp", "gdp_growth"], year=2025, root=root)
    assert list(frame.index) == ["北京市", "河南省"]
    assert list(frame.columns) == ["region_code", "gdp", "gdp_growth"]
    assert frame.loc["北京市", "gdp"] == 5.20734e12 and frame.loc["北京市", "gdp_growth"] == 5.4
    assert frame.loc["河南省", "gdp"] == 6.66e12  # the whole year, not the first half
    assert frame.loc["河南省", "gdp_growth"] == 5.6  # a figure without 左右 wins a tie
    assert frame.attrs["units"] == {"gdp": "CNY", "gdp_growth": "%"}
    assert frame.attrs["conflicts"] == [("河南省", 2025, "gdp_growth")]


def test_prefectures_and_their_province(root):
    frame = panel("gdp", year=2025, level="prefecture", root=root)
    assert list(frame.index) == ["郑州市", "西安市"]  # a district is no prefecture
    assert frame.province.tolist() == ["河南省", "陕西省"]


def test_targets_and_all_years(root):
    targets = panel("gdp_growth", kind="target", root=root)
    assert targets.index.tolist() == [("北京市", 2026)] and targets.gdp_growth.tolist() == [5.0]
    years = panel("gdp", level="prefecture", root=root)
    assert years.index.tolist() == [("郑州市", 2025), ("西安市", 2024), ("西安市", 2025)]
    first_halves = panel("gdp", year=2025, period="H01", root=root)
    assert first_halves.gdp.tolist() == [3.3e12]


def test_units_in_the_printed_header(root):
    frame = panel("gdp,gdp_growth", year=2025, root=root)
    assert list(labelled(frame).columns) == ["region_code", "gdp [CNY]", "gdp_growth [%]"]
    assert "5,207,340,000,000" in format_panel(frame)


def test_unknown_ids_and_levels_are_clear_errors(root):
    with pytest.raises(ValueError, match="unknown metric id 'gdp_grwth'; close ids: gdp_growth"):
        panel(["gdp", "gdp_grwth"], root=root)
    with pytest.raises(ValueError, match="unknown level 'city'"):
        panel("gdp", level="city", root=root)


def test_an_indicator_nobody_states_is_an_empty_column(root):
    frame = panel(["gdp", "cpi_change"], year=2025, root=root)
    assert frame.cpi_change.isna().all() and frame.attrs["units"]["cpi_change"] == "%"


def test_panel_on_the_samples(pipeline_outputs):
    frame = panel(["gdp", "gdp_growth"], level="prefecture", year=2025, root=pipeline_outputs)
    assert frame.loc["西安市", "gdp"] == pytest.approx(1.390267e12)
    assert frame.loc["西安市", "gdp_growth"] == pytest.approx(4.7)
    assert isinstance(frame, pd.DataFrame) and frame.index.is_unique


def test_the_panel_command_prints_writes_and_explains(root, capsys, tmp_path):
    from pipelines.cli import main

    assert main(["panel", "--metric", "gdp,gdp_growth", "--year", "2025", "--data-dir", str(root)]) == 0
    out = capsys.readouterr()
    assert "gdp [CNY]" in out.out and "北京市" in out.out and "5,207,340,000,000" in out.out
    assert "conflict: 河南省 2025 gdp_growth" in out.err
    csv = tmp_path / "panel.csv"
    assert main(["panel", "--metric", "gdp", "--level", "prefecture", "--data-dir", str(root), "--csv", str(csv)]) == 0
    written = pd.read_csv(csv)
    assert written.columns.tolist() == ["region", "year", "region_code", "province", "gdp [CNY]"]
    assert written.region.tolist() == ["郑州市", "西安市", "西安市"]
    assert main(["panel", "--metric", "gdp", "--year", "2023", "--data-dir", str(root)]) == 1
    assert "years with figures: 2025" in capsys.readouterr().out
    assert main(["panel", "--metric", "gpd", "--data-dir", str(root)]) == 2
    assert "unknown metric id 'gpd'; close ids: gdp" in capsys.readouterr().err


def test_the_metrics_command_lists_the_dictionary(capsys):
    from pipelines.cli import main

    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    assert "gdp_growth" in out and "地区生产总值" in out and "非税收入" in out
    assert main(["metrics", "--topic", "fiscal"]) == 0
    assert "cpi_change" not in capsys.readouterr().out
    assert main(["metrics", "--topic", "nonsense"]) == 2
