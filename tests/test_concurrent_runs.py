"""Issue 18, item 5: two `econ-indicators run` at once, on a fresh DAGSTER_HOME, into one out dir
with different raw dirs: the instance is created once (never two alembic heads), the second run
waits for the first (it says so), and the tables are those of the corpus of the run that ended
last, with its own counts in its summary."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("econ-indicators"))
FIRST = ("004_fc92e0db041b966d.txt", "03_xian_2025_statistical_communique_pdftext.txt")
SECOND = ("04_xiangxi_2025_statistical_communique_pdftext.txt",)


def test_two_runs_at_once_share_a_fresh_instance_and_take_turns(samples_dir, tmp_path):
    home, out = tmp_path / "dagster_home", tmp_path / "out"
    home.mkdir()
    shutil.copy(ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    raws = []
    for n, names in enumerate((FIRST, SECOND)):
        raw = tmp_path / f"raw{n}"
        raw.mkdir()
        for name in names:
            shutil.copy(samples_dir / name, raw / name)
        raws.append(raw)
    env = {**os.environ, "DAGSTER_HOME": str(home), "ECON_INDICATORS_WORKERS": "1"}
    runs = [subprocess.Popen([CLI, "run", "--raw-dir", str(raw), "--out-dir", str(out)], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for raw in raws]
    outputs = [run.communicate(timeout=240) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    printed = [stdout for stdout, _ in outputs]
    counts = sorted(int(p.split("documents read: ")[1].split()[0]) for p in printed)
    assert counts == [1, 2]  # each run printed its own corpus's counts
    assert any("waiting for it to end" in stderr for _, stderr in outputs)
    documents = pq.read_table(out / "documents.parquet").column("path").to_pylist()
    assert documents in ([*SECOND], sorted(FIRST))  # the corpus of one run, whole
    third = subprocess.run([CLI, "run", "--raw-dir", str(raws[1]), "--out-dir", str(out), "--no-wait"], env=env,
                           cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert third.returncode == 0, third.stderr  # the instance is sound
    assert pq.read_table(out / "documents.parquet").column("path").to_pylist() == [*SECOND]
