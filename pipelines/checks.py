"""Asset checks on the public tables: thin wrappers over `econ_indicators.checks`.

Checks that guard the contract (schema, unique ids, known units) are blocking: a failure stops
the tables downstream from being rebuilt on a bad input. The others warn.
"""


from collections.abc import Callable, Sequence

import pyarrow as pa
from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, asset_check

from econ_indicators import checks
from econ_indicators.schema import DOCUMENTS, FACTS, INDICATORS, Table
from econ_indicators.units import known_codes

from .assets import documents, facts, indicators
from .memory import release_memory
from .resources import Storage

Rule = Callable[[pa.Table], checks.CheckOutcome]


def result(outcome: checks.CheckOutcome, severity: AssetCheckSeverity) -> AssetCheckResult:
    """A check outcome as Dagster shows it."""
    return AssetCheckResult(passed=outcome.passed, severity=severity, description=outcome.description,
                            metadata=outcome.metadata)


SCHEMA_ONLY: tuple[str, ...] = ()


def table_check(asset, table: Table, name: str, rule: Rule, description: str, *,
                columns: Sequence[str] | None = None, blocking: bool = False,
                severity: AssetCheckSeverity = AssetCheckSeverity.ERROR) -> AssetChecksDefinition:
    """An asset check that reads `table` from the output root (only `columns` when given; no rows
    with SCHEMA_ONLY) and applies `rule` to it."""

    @asset_check(asset=asset, name=name, description=description, blocking=blocking)
    def _check(storage: Storage) -> AssetCheckResult:
        release_memory()  # what the stage before freed
        root = storage.out_root()
        if columns == SCHEMA_ONLY:
            data = root.parquet_schema(table.file_name).empty_table()
        else:
            data = root.read_parquet(table.file_name, columns)
        return result(rule(data), severity)

    return _check


WARN = AssetCheckSeverity.WARN

CHECKS = [
    table_check(facts, FACTS, "schema_matches", lambda t: checks.schema_matches(t, FACTS),
                "Columns, types and nullability match schema.py.", columns=SCHEMA_ONLY, blocking=True),
    table_check(facts, FACTS, "fact_id_unique", lambda t: checks.unique(t, "fact_id"),
                "No fact_id appears twice.", columns=["fact_id"], blocking=True),
    table_check(facts, FACTS, "units_known", lambda t: checks.units_known(t, known_codes()),
                "Every unit code is declared in the unit table.", columns=["unit"], blocking=True),
    table_check(facts, FACTS, "values_within_bounds", lambda t: checks.within_bounds(t, checks.unit_bounds()),
                "Every value lies in its unit's plausible range (data/bounds.csv).",
                columns=["unit", "value", "surface"]),
    table_check(facts, FACTS, "region_and_year_share", checks.attributed_share,
                f"At least {checks.ATTRIBUTED_FLOOR:.0%} of facts carry a region and a year.",
                columns=["region", "year"], severity=WARN),
    table_check(indicators, INDICATORS, "schema_matches", lambda t: checks.schema_matches(t, INDICATORS),
                "Columns, types and nullability match schema.py.", columns=SCHEMA_ONLY, blocking=True),
    table_check(indicators, INDICATORS, "units_known", lambda t: checks.units_known(t, known_codes()),
                "Every unit code is declared in the unit table.", columns=["unit"]),
    table_check(indicators, INDICATORS, "conflicts", checks.conflict_share,
                f"Counts conflicting rows; warns above {checks.CONFLICT_CEILING:.0%}.", columns=["conflict"],
                severity=WARN),
    table_check(documents, DOCUMENTS, "schema_matches", lambda t: checks.schema_matches(t, DOCUMENTS),
                "Columns, types and nullability match schema.py.", columns=SCHEMA_ONLY, blocking=True),
    table_check(documents, DOCUMENTS, "doc_id_unique", lambda t: checks.unique(t, "doc_id"),
                "No doc_id appears twice."),
    table_check(documents, DOCUMENTS, "status_consistent", checks.status_consistent,
                "A document is failed exactly when it has an error."),
]
