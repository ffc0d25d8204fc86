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

from econ_indicators.partitions import PARTITION_KEYS, key_span
from econ_indicators.sources import stale_partitions

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
    """Hashes every raw file and compares with the files the tables were built from (the raw_texts
    parts); requests one run for the partitions that differ, once per state: the cursor holds the
    signature of each stale partition already requested, so a run under way is not asked again."""
    stale = stale_partitions(storage.raw_root(), storage.out_root())
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = [key for key in PARTITION_KEYS if key in stale and previous.get(key) != stale[key]]
    context.update_cursor(json.dumps(stale, sort_keys=True))
    if not changed:
        return SkipReason("the tables were built from the raw files as they are" if not stale
                          else "runs already requested for the partitions that differ")
    return run_request_for(changed)
