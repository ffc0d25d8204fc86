"""An analyst's panel: indicators of many regions side by side, one row per region, one column per indicator."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .load import load
from .metrics import Metric, metrics, primary_kind

LEVELS = {"province": "province_code", "prefecture": "prefecture_code"}


def _ids(wanted: str | Iterable[str]) -> list[str]:
    names = wanted.split(",") if isinstance(wanted, str) else list(wanted)
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _choose_unit(rows: pd.DataFrame, metric: Metric) -> str | None:
    """The first unit the dictionary lists for the indicator that the rows hold."""
    present = set(rows.unit.astype(str))
    return next((u for u in metric.units if u in present), None)


def panel(metric_ids: str | Iterable[str], year: int | None = None, level: str = "province", kind: str | None = None,
          root: str | Path | None = None, period: str | None = None) -> pd.DataFrame:
    """A wide table of indicators: one row per region of `level` (province or prefecture; per region
    and year when `year` is None), one column per indicator id, values in base units.

    `kind` None takes each indicator's result (level; change for a growth rate), `"target"` the
    targets. `period` None takes whole-year figures (`"H01"`: first halves). Units are in
    `frame.attrs["units"]` (id → unit code); where sources disagree the value most sources state
    is shown (ties: a figure stated without 约/左右/超过, then the smaller) and
    `frame.attrs["conflicts"]` lists (region, year, id).
    Unknown ids are a ValueError listing close ids.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: choose one of {', '.join(LEVELS)}")
    wanted = metrics(_ids(metric_ids))
    if not wanted:
        raise ValueError("no metric id given (e.g. gdp,gdp_growth; `econ-indicators metrics` lists them)")
    filters = {"metric_id": [m.metric_id for m in wanted]}
    if year is not None:
        filters["year"] = int(year)
    rows = load("indicators", root, **filters)
    rows = rows[rows.region_code.notna() & (rows.region_code == rows[LEVELS[level]])]
    rows = rows[rows.period.isna()] if period is None else rows[rows.period == period]
    index = ["region_code", "region", "province"] + (["year"] if year is None else [])
    frames, units, conflicts = [], {}, []
    for m in wanted:
        chosen = rows[(rows.metric_id == m.metric_id) & (rows.kind.astype(str) == (kind or primary_kind(m)))]
        unit = _choose_unit(chosen, m) or m.units[0]
        units[m.metric_id] = unit
        chosen = chosen[chosen.unit.astype(str) == unit] if unit else chosen.iloc[0:0]
        chosen = chosen.assign(_approx=chosen.qualifier.notna()).sort_values(
            ["n_sources", "_approx", "value"], ascending=[False, True, True], kind="stable")
        keys = ["region_code", "year"]
        conflicts += [(r.region, None if pd.isna(r.year) else int(r.year), m.metric_id)
                      for r in chosen[chosen.duplicated(keys, keep=False)].drop_duplicates(keys).itertuples()]
        best = chosen.drop_duplicates(keys)
        frames.append(best[[*index, "value"]].rename(columns={"value": m.metric_id}).set_index(index))
    wide = pd.concat(frames, axis=1) if frames else pd.DataFrame()
    wide = wide.reset_index().astype({"region": "string", "region_code": "string", "province": "string"})
    wide = wide.sort_values(["region_code", *(["year"] if year is None else [])], kind="stable")
    if level == "province":
        wide = wide.drop(columns="province")
    wide = wide.set_index(["region", "year"] if year is None else "region")
    wide.columns.name = None
    wide.attrs.update(units=units, conflicts=sorted(set(conflicts), key=str), level=level, year=year,
                      kinds={m.metric_id: kind or primary_kind(m) for m in wanted})
    return wide


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The panel with each indicator column named with its unit: gdp → "gdp [CNY]"."""
    units = frame.attrs.get("units", {})
    return frame.rename(columns={c: f"{c} [{units[c]}]" for c in frame.columns if units.get(c)})


def format_panel(frame: pd.DataFrame) -> str:
    """The panel as a plain-text table: values with thousands separators, units in the header."""
    shown = frame.copy()
    for column in frame.attrs.get("units", {}):
        if column in shown.columns:
            shown[column] = ["" if pd.isna(v) else f"{v:,.15g}" for v in shown[column]]
    shown.attrs = frame.attrs
    return labelled(shown).to_string()


def coverage(root: str | Path | None = None) -> pd.DataFrame:
    """Which dictionary indicators the tables state for how many provinces or prefectures, per year
    and kind (whole-year figures), most regions first: what a panel of these data can show."""
    from .metrics import metric_dictionary

    columns = ["level", "year", "metric_id", "kind", "regions"]
    rows = load("indicators", root)
    rows = rows[rows.metric_id.notna() & rows.region_code.notna() & rows.period.isna() & rows.year.notna()]
    levels = pd.Series(None, index=rows.index, dtype="object")
    for level, code in LEVELS.items():
        levels[rows.region_code == rows[code]] = level
    rows = rows.assign(level=levels, kind=rows.kind.astype(str))
    rows = rows[rows.level.notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    order = {m.metric_id: i for i, m in enumerate(metric_dictionary())}
    counted = (rows.groupby(["level", "year", "metric_id", "kind"], observed=True).region_code.nunique()
               .rename("regions").reset_index())
    counted["_order"] = counted.metric_id.map(order)
    counted = counted.sort_values(["regions", "year", "_order", "kind", "level"],
                                  ascending=[False, False, True, True, True], kind="stable")
    return counted[columns].reset_index(drop=True)
