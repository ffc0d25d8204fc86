"""The refresh job, the daily schedule and the sensor that notices new or changed raw files."""


import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
    sensor,
)

from econ_indicators.partitions import changed_partitions, key_span, partition_digests
from econ_indicators.sources import content_hashes

from .assets import ASSETS
from .partitions import all_partitions_tags, range_tags
from .resources import Storage

REFRESH_JOB = "refresh"
SENSOR_INTERVAL_SECONDS = 60
CHANGED_TAG = "econ_indicators/changed_partitions"

refresh_job = define_asset_job(
    REFRESH_JOB,
    selection=AssetSelection.assets(*ASSETS),
    description="Read the raw root, extract what changed (cache by content hash and rules version), "
                "rebuild facts, documents and indicators, and run their checks.",
)


@schedule(job=refresh_job, cron_schedule="0 3 * * *", execution_timezone="Asia/Shanghai",
          default_status=DefaultScheduleStatus.RUNNING)
def daily_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    """Every partition in one run: unchanged documents come from the cache, so this brings
    whatever is stale (new files, edits, a rule change) up to date at the cost of reading."""
    return RunRequest(tags=all_partitions_tags())


def run_request_for(changed: list[str]) -> RunRequest:
    """One run covering the changed partitions (a range from the first to the last of them)."""
    first, last = key_span(changed)
    tags = {CHANGED_TAG: ",".join(changed)}
    if first == last:
        return RunRequest(partition_key=first, tags=tags)
    return RunRequest(tags={**tags, **range_tags(first, last)})


@sensor(job=refresh_job, minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING)
def raw_files_sensor(context: SensorEvaluationContext, storage: Storage) -> RunRequest | SkipReason:
    """Hashes every raw file; requests a run for the partitions whose files were added, changed or
    removed since the last tick (the cursor holds one digest per partition)."""
    digests = partition_digests(content_hashes(storage.raw_root()))
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = changed_partitions(previous, digests)
    context.update_cursor(json.dumps(digests, sort_keys=True))
    if not changed:
        return SkipReason("no raw file added, changed or removed")
    return run_request_for(changed)
