"""Resources: where the raw texts and the outputs live, how many processes extract, how progress shows."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from dagster import ConfigurableResource

from econ_indicators.storage import Root

RAW_DIR_ENV = "ECON_INDICATORS_RAW_DIR"
OUT_DIR_ENV = "ECON_INDICATORS_OUT_DIR"
WORKERS_ENV = "ECON_INDICATORS_WORKERS"


class Storage(ConfigurableResource):
    """The raw input root and the output root: local paths (defaults data/raw and data/processed)
    or fsspec URLs such as s3://bucket/raw or memory://raw."""

    raw_dir: str = "data/raw"
    out_dir: str = "data/processed"
    allow_empty: bool = False  # let an empty raw folder replace tables that hold documents

    @classmethod
    def from_env(cls) -> Storage:
        return cls(raw_dir=os.environ.get(RAW_DIR_ENV, "data/raw"),
                   out_dir=os.environ.get(OUT_DIR_ENV, "data/processed"))

    def raw_root(self) -> Root:
        return Root(self.raw_dir)

    def out_root(self) -> Root:
        return Root(self.out_dir)


class Compute(ConfigurableResource):
    """Worker processes that extract the documents of a run; 0 picks from the CPUs and the batch size."""

    workers: int = 0

    @classmethod
    def from_env(cls) -> Compute:
        return cls(workers=int(os.environ.get(WORKERS_ENV, "0")))


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
