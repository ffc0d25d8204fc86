"""The one Definitions object: assets, the refresh job and its daily schedule."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job

from .assets import ASSETS
from .resources import Progress, Storage

REFRESH_JOB = "refresh"

refresh_job = define_asset_job(
    REFRESH_JOB,
    selection=AssetSelection.assets(*ASSETS),
    description="Read data/raw, clean, extract figures and rebuild facts, indicators and documents.",
)

daily_refresh = ScheduleDefinition(
    name="daily_refresh", job=refresh_job, cron_schedule="0 3 * * *", execution_timezone="Asia/Shanghai",
)

defs = Definitions(
    assets=ASSETS,
    jobs=[refresh_job],
    schedules=[daily_refresh],
    resources={"storage": Storage.from_env(), "progress": Progress()},
)
