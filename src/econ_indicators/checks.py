"""Checks on the output tables: plain functions over Arrow tables, each returning whether the
table passes, a sentence saying why, and numbers to show beside it.

The Dagster layer runs them as asset checks after every build; a notebook can run them too.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from functools import lru_cache
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from .rules import read_rows
from .schema import Table

EXAMPLES = 5
ATTRIBUTED_FLOOR = 0.6  # share of facts that must carry both a region and a year
CONFLICT_CEILING = 0.4  # share of indicator rows in conflict above which the merge looks wrong


class CheckOutcome(NamedTuple):
    """A check's verdict, the reason in one sentence, and numbers for the UI."""

    passed: bool
    description: str
    metadata: dict[str, Any]


@lru_cache(maxsize=1)
def unit_bounds() -> dict[str, tuple[float, float]]:
    """Plausible (min, max) of a value per unit code, from data/bounds.csv."""
    return {r["code"]: (float(r["min"]), float(r["max"])) for r in read_rows("bounds.csv")}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def schema_matches(table: pa.Table, declared: Table) -> CheckOutcome:
    """The table has exactly the declared columns, in order, with their types and nullability."""
    expected = declared.arrow_schema()
    problems = []
    missing = [n for n in expected.names if n not in table.schema.names]
    extra = [n for n in table.schema.names if n not in expected.names]
    if missing:
        problems.append(f"missing columns {missing}")
    if extra:
        problems.append(f"undeclared columns {extra}")
    for field in expected:
        if field.name in table.schema.names:
            found = table.schema.field(field.name)
            if found.type != field.type:
                problems.append(f"{field.name} is {found.type}, declared {field.type}")
            elif found.nullable != field.nullable:
                problems.append(f"{field.name} nullable={found.nullable}, declared {field.nullable}")
    if not problems and table.schema.names != expected.names:
        problems.append(f"columns in order {table.schema.names}, declared {expected.names}")
    meta = {"columns": len(table.schema), "declared": len(expected)}
    if problems:
        return CheckOutcome(False, f"{declared.name} does not match its declaration: " + "; ".join(problems), meta)
    return CheckOutcome(True, f"{declared.name} matches its declaration ({len(expected)} columns)", meta)


def unique(table: pa.Table, column: str) -> CheckOutcome:
    """No value of `column` appears twice."""
    values = table.column(column)
    dupes: list = []
    if table.num_rows and pc.count_distinct(values, mode="all").as_py() < table.num_rows:  # only then name them
        counts = pc.value_counts(values).flatten()
        dupes = pc.filter(counts[0], pc.greater(counts[1], 1)).to_pylist()
    meta = {"rows": table.num_rows, "duplicated": len(dupes)}
    if dupes:
        return CheckOutcome(False, f"{len(dupes)} {column} values appear more than once, e.g. {dupes[:EXAMPLES]}",
                            meta)
    return CheckOutcome(True, f"every {column} is unique ({table.num_rows} rows)", meta)


def units_known(table: pa.Table, known: Set[str]) -> CheckOutcome:
    """Every unit code is one the unit table declares."""
    units = pc.value_counts(table.column("unit")).to_pylist() if table.num_rows else []
    unknown = {u["values"]: u["counts"] for u in units if u["values"] not in known}
    meta = {"units": len(units), "unknown_rows": sum(unknown.values())}
    if unknown:
        return CheckOutcome(False, f"unknown unit codes (rows): {dict(sorted(unknown.items()))}", meta)
    return CheckOutcome(True, f"all {len(units)} unit codes are known", meta)


def within_bounds(table: pa.Table, bounds: Mapping[str, tuple[float, float]]) -> CheckOutcome:
    """Every value lies in the plausible range of its unit (masked values have none)."""
    outside: list[str] = []
    count = 0
    for unit in pc.unique(table.column("unit")).to_pylist() if table.num_rows else []:
        rows = table.filter(pc.and_(pc.equal(table.column("unit"), unit), pc.is_valid(table.column("value"))))
        if unit not in bounds:
            count += rows.num_rows
            outside.append(f"{unit}: no bounds declared")
            continue
        low, high = bounds[unit]
        values = rows.column("value")
        bad = rows.filter(pc.or_(pc.less(values, low), pc.greater(values, high)))
        count += bad.num_rows
        label = "surface" if "surface" in bad.column_names else "metric"
        outside += [f"{r['value']:g} {unit} ({r[label]})" for r in bad.slice(0, EXAMPLES).to_pylist()]
    meta = {"outside": count}
    if count:
        return CheckOutcome(False, f"{count} values outside their unit's bounds, e.g. {outside[:EXAMPLES]}", meta)
    return CheckOutcome(True, "every value lies within its unit's bounds", meta)


def attributed_share(table: pa.Table, floor: float = ATTRIBUTED_FLOOR) -> CheckOutcome:
    """At least `floor` of the facts carry both a region and a year."""
    both = pc.sum(pc.and_(pc.is_valid(table.column("region")), pc.is_valid(table.column("year")))).as_py() or 0
    share = _share(both, table.num_rows)
    meta = {"with_region_and_year": both, "rows": table.num_rows, "share": round(share, 4), "floor": floor}
    verdict = f"{share:.1%} of {table.num_rows} facts have a region and a year (floor {floor:.0%})"
    if share < floor:
        return CheckOutcome(False, verdict + ": attribution is failing", meta)
    return CheckOutcome(True, verdict, meta)


def conflict_share(table: pa.Table, ceiling: float = CONFLICT_CEILING) -> CheckOutcome:
    """Counts indicator rows flagged `conflict`; fails when more than `ceiling` of them are."""
    conflicts = pc.sum(table.column("conflict")).as_py() or 0
    share = _share(conflicts, table.num_rows) if table.num_rows else 0.0
    meta = {"conflicts": conflicts, "rows": table.num_rows, "share": round(share, 4), "ceiling": ceiling}
    verdict = f"{conflicts} of {table.num_rows} indicator rows in conflict ({share:.1%}, ceiling {ceiling:.0%})"
    if share > ceiling:
        return CheckOutcome(False, verdict + ": the same key takes too many values", meta)
    return CheckOutcome(True, verdict, meta)


def status_consistent(table: pa.Table) -> CheckOutcome:
    """A document is `failed` or `damaged` exactly when it has an error (the reason, or the damage),
    and status is ok, damaged or failed."""
    status, error = table.column("status"), table.column("error")
    bad_status = pc.sum(pc.invert(pc.is_in(status, pa.array(["ok", "damaged", "failed"])))).as_py() or 0
    failed_without = pc.sum(pc.and_(pc.equal(status, "failed"), pc.is_null(error))).as_py() or 0
    damaged_without = pc.sum(pc.and_(pc.equal(status, "damaged"), pc.is_null(error))).as_py() or 0
    ok_with = pc.sum(pc.and_(pc.equal(status, "ok"), pc.is_valid(error))).as_py() or 0
    failed = pc.sum(pc.equal(status, "failed")).as_py() or 0
    damaged = pc.sum(pc.equal(status, "damaged")).as_py() or 0
    meta = {"documents": table.num_rows, "failed": failed, "damaged": damaged}
    problems = [f"{n} {what}" for n, what in ((bad_status, "rows with another status"),
                                              (failed_without, "failed rows without an error"),
                                              (damaged_without, "damaged rows without their damage"),
                                              (ok_with, "ok rows with an error")) if n]
    if problems:
        return CheckOutcome(False, "documents status and error disagree: " + ", ".join(problems), meta)
    return CheckOutcome(True, f"{table.num_rows} documents, {failed} failed, {damaged} damaged, each with its reason",
                        meta)
