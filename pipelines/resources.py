"""Resources: where the raw texts and the outputs live, and how progress is shown."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource

RAW_DIR_ENV = "ECON_INDICATORS_RAW_DIR"
OUT_DIR_ENV = "ECON_INDICATORS_OUT_DIR"


class Storage(ConfigurableResource):
    """The raw input folder and the output folder (defaults: data/raw and data/processed)."""

    raw_dir: str = "data/raw"
    out_dir: str = "data/processed"

    @classmethod
    def from_env(cls) -> Storage:
        return cls(raw_dir=os.environ.get(RAW_DIR_ENV, "data/raw"),
                   out_dir=os.environ.get(OUT_DIR_ENV, "data/processed"))

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def out_path(self) -> Path:
        return Path(self.out_dir)


class Progress(ConfigurableResource):
    """Reports progress through a stage; this default logs every tenth of the way."""

    def start(self, stage: str, total: int, log: Any) -> Callable[[str], None]:
        step = max(1, total // 10)
        done = 0

        def advance(_doc_id: str) -> None:
            nonlocal done
            done += 1
            if done % step == 0 or done == total:
                log.info(f"{stage}: {done}/{total} documents")

        return advance

    def finish(self) -> None:
        """Close whatever display the stage opened."""
