"""The partitions of the extraction assets and the tags that make one run cover several."""

from __future__ import annotations

from dagster import StaticPartitionsDefinition

from econ_indicators.partitions import PARTITION_KEYS

PARTITIONS = StaticPartitionsDefinition(list(PARTITION_KEYS))

# The run tags Dagster itself sets for a single-run backfill over a range of partitions.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str) -> dict[str, str]:
    """Tags for one run over the partitions `first`..`last` (in PARTITION_KEYS order)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def all_partitions_tags() -> dict[str, str]:
    """Tags for one run over every partition (a full refresh)."""
    return range_tags(PARTITION_KEYS[0], PARTITION_KEYS[-1])
