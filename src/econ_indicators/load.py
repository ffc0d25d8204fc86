"""Load an output table into pandas, typed for analysis, with filters pushed down to pyarrow."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from .io import output_path
from .schema import OUTPUT_TABLES, TABLES

DATA_ENV = "ECON_INDICATORS_DATA"
DEFAULT_ROOT = Path("data/processed")
CATEGORICAL = ("unit", "kind", "region")
NULLABLE_INTEGER = {"year": "Int16"}
# A filter on these names also matches the companion column when the table has it.
_ALSO_MATCHES = {"region": "region_code", "metric": "metric_id"}
_CAST_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, TypeError)


def default_root() -> Path:
    """$ECON_INDICATORS_DATA, else the nearest data/processed from here upwards (a notebook runs in notebooks/)."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_ROOT).is_dir():
            return folder / DEFAULT_ROOT
    return DEFAULT_ROOT


def filterable(table: str) -> list[str]:
    """The filter names `load` accepts for `table`: its columns that hold plain values."""
    columns = TABLES[table].arrow_schema()
    return [f.name for f in columns if not pa.types.is_nested(f.type) and not pa.types.is_binary(f.type)]


def _values(value: Any) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _isin(field: pa.Field, values: list[Any]) -> ds.Expression:
    return pc.field(field.name).isin(pa.array(values, type=field.type))


def _condition(schema: pa.Schema, name: str, value: Any) -> ds.Expression:
    """Rows whose `name` (or its companion column, when present) is `value` or one of a list of values."""
    values = _values(value)
    try:
        condition = _isin(schema.field(name), values)
    except _CAST_ERRORS as exc:
        raise ValueError(f"filter {name}={value!r}: expected {schema.field(name).type} values") from exc
    companion = _ALSO_MATCHES.get(name)
    if companion in schema.names:
        with contextlib.suppress(*_CAST_ERRORS):  # values of another type cannot name the companion
            condition = condition | _isin(schema.field(companion), values)
    return condition


def _check(table: str, filters: dict[str, Any]) -> None:
    if table not in OUTPUT_TABLES:
        raise ValueError(f"unknown table {table!r}: choose one of {', '.join(OUTPUT_TABLES)}")
    unknown = sorted(set(filters) - set(filterable(table)))
    if unknown:
        raise ValueError(f"unknown filter {', '.join(unknown)} for {table}: "
                         f"valid filters are {', '.join(filterable(table))}")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals for the few-valued labels, nullable integers for years."""
    for name in CATEGORICAL:
        if name in frame.columns:
            categories = sorted(frame[name].dropna().unique())
            frame[name] = pd.Categorical(frame[name], categories=categories)
    for name, dtype in NULLABLE_INTEGER.items():
        if name in frame.columns:
            frame[name] = frame[name].astype(dtype)
    return frame


def load(table: str, root: str | Path | None = None, **filters: Any) -> pd.DataFrame:
    """One output table as a typed DataFrame; keyword filters keep rows equal to a value or in a list.

    `region` matches the region name or its 6-digit code, `metric` the label (or `metric_id`
    when the table has one); any other plain column filters on equality, e.g. `kind="change"`.
    """
    _check(table, filters)
    path = output_path(Path(root) if root is not None else default_root(), table)
    if not path.exists():
        raise FileNotFoundError(f"no {table} table at {path}: run `make run` first "
                                f"(or set {DATA_ENV} to the folder holding {TABLES[table].file_name})")
    dataset = ds.dataset(path, format="parquet")
    condition = None
    for name, value in filters.items():
        term = _condition(dataset.schema, name, value)
        condition = term if condition is None else condition & term
    return _typed(dataset.to_table(filter=condition).to_pandas())
