"""The one Definitions object: assets, checks, the refresh job, its schedule and sensor, resources."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from .assets import ASSETS
from .automation import REFRESH_JOB, daily_refresh, raw_files_sensor, refresh_job
from .checks import CHECKS
from .resources import Compute, Progress, Storage

__all__ = ["REFRESH_JOB", "defs"]

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[refresh_job],
    schedules=[daily_refresh],
    sensors=[raw_files_sensor],
    resources={"storage": Storage.from_env(), "compute": Compute.from_env(), "progress": Progress()},
    executor=in_process_executor,  # one process per run; documents spread over worker processes
)
