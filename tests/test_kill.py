"""Issue 8: a run killed at any moment (kill -9 of the whole run, or of the parent of its worker
processes) leaves the previous outputs whole, no worker keeps running, and the next run
completes with what a clean run gives.

The runs to be killed are `econ-indicators run` subprocesses, each in its own process group, on
an instance configured as `make run`'s (deploy/dagster.yaml: one run at a time in the tables'
pool), which a killed run must not block.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, DagsterRunStatus
from dagster._core.instance.ref import InstanceRef

from econ_indicators.schema import DOCUMENTS, FACTS, OUTPUT_TABLES
from pipelines.cli import run

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="process groups, /proc")]

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("econ-indicators")
COPIES = 2
HEAD_CHARS = 4000  # the first part of each sample: enough figures, a short run
# A run that kills itself (kill -9 of its process group, workers included) at the moment it is
# about to rename a finished temporary file over the public table named in argv[1].
KILLED_AT_RENAME = """
import os, signal, sys
from pathlib import Path

rename = os.replace

def replace(src, dst, *args, **kwargs):
    if Path(dst).name == sys.argv[1]:
        os.killpg(0, signal.SIGKILL)
    return rename(src, dst, *args, **kwargs)

os.replace = replace
from pipelines.cli import main
sys.exit(main(sys.argv[2:]))
"""


def write_corpus(raw: Path, samples_dir: Path, edition: int, copies: range = range(COPIES), first: int = 99) -> None:
    """The heads of the first `first` samples as copies `copies`, each copy of each edition with a
    figure of its own (so that no copy is a cache hit for another, and each edition changes the
    tables)."""
    for n, sample in enumerate(sorted(samples_dir.glob("*.txt"))[:first]):
        head = sample.read_text("utf-8")[:HEAD_CHARS]
        for i in copies:
            note = f"（第{edition}版补记：新增投资{100 * edition + 10 * n + i}亿元。）"
            (raw / f"{sample.stem}_{i}.txt").write_text(f"{head}\n{note}\n", encoding="utf-8")


def digests(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / f"{name}.parquet").read_bytes()).hexdigest() for name in OUTPUT_TABLES}


def group(pgid: int) -> list[str]:
    """Command lines of the live processes of process group `pgid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return found


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The subprocesses' environment: a Dagster home as `make run`'s (without capturing step logs in
    files, which only costs time here) and two worker processes."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # the in-process runs of the test: an ephemeral instance
    home = tmp_path / "dagster_home"
    home.mkdir()
    config = (ROOT / "deploy" / "dagster.yaml").read_text("utf-8")
    noop_logs = ("compute_logs:\n  module: dagster._core.storage.noop_compute_log_manager\n"
                 "  class: NoOpComputeLogManager\n")
    (home / "dagster.yaml").write_text(config + noop_logs, encoding="utf-8")
    return {**os.environ, "DAGSTER_HOME": str(home), "ECON_INDICATORS_WORKERS": "2"}


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def finish(process: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    """Wait for a run; one that does not end in time is killed with its group and fails the test."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"the run did not end in {timeout} s:\n{err.decode()[-3000:]}")
    return process.returncode, out.decode() + err.decode()


def assert_whole(out: Path, before: dict[str, str]) -> dict[str, str]:
    """Each public table is readable and is either the previous file or the complete new one
    (the combination of the parts the killed run wrote), never a part of one."""
    now = digests(out)
    for name in OUTPUT_TABLES:
        table = pq.read_table(out / f"{name}.parquet")
        if now[name] != before[name] and name in (FACTS.name, DOCUMENTS.name):
            declared = FACTS if name == FACTS.name else DOCUMENTS
            parts = [pq.read_table(p).cast(declared.arrow_schema()) for p in (out / "_parts" / name).glob("*.parquet")]
            order = ("doc_id", "char_start", "char_end", "fact_id") if name == FACTS.name else ("doc_id",)
            assert table.equals(pa.concat_tables(parts).sort_by([(n, "ascending", "at_end") for n in order]))
    return now


def test_killed_runs_leave_whole_outputs_no_workers_and_the_next_run_completes(samples_dir, tmp_path, env):
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    cli_args = ["run", "--raw-dir", str(raw), "--out-dir", str(out)]

    write_corpus(raw, samples_dir, 1)
    run(raw, out)  # the previous outputs
    previous = digests(out)

    # 1. kill -9 of the whole run (its workers included) just before facts.parquet is replaced
    write_corpus(raw, samples_dir, 2, copies=range(1))
    code, log = finish(start([sys.executable, "-c", KILLED_AT_RENAME, "facts.parquet", *cli_args], env))
    assert code == -signal.SIGKILL, log[-3000:]
    assert digests(out)["facts"] == previous["facts"]  # killed before its rename: the previous file
    assert list(out.glob(".facts.parquet.*.tmp"))  # the finished temporary file it left
    previous = assert_whole(out, previous)

    # 2. kill -9 of the parent of the worker processes, mid-extraction: the workers must not live on
    write_corpus(raw, samples_dir, 3, copies=range(1, 2), first=4)
    parent = start([str(CLI), *cli_args], env)
    deadline = time.monotonic() + 60
    while sum("spawn_main" in cmd for cmd in group(parent.pid)) < 2:
        assert parent.poll() is None and time.monotonic() < deadline, "no worker processes started"
        time.sleep(0.05)
    time.sleep(0.2)  # the workers have started (importing, then extracting); nothing public is written yet
    os.kill(parent.pid, signal.SIGKILL)
    assert finish(parent)[0] == -signal.SIGKILL
    deadline = time.monotonic() + 15
    while group(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = group(parent.pid)
    if left:
        os.killpg(parent.pid, signal.SIGKILL)
    assert not left, f"orphans of the killed run still running: {left}"
    assert digests(out) == previous  # killed mid-extraction: nothing public was touched

    # 3. the next run completes (no slot left held by a dead run) and gives what a clean run gives
    code, log = finish(start([str(CLI), *cli_args], {**env, "ECON_INDICATORS_WORKERS": "1"}))
    documents = COPIES * len(list(samples_dir.glob("*.txt")))  # write_corpus copies the .txt samples
    assert code == 0 and f"documents read: {documents}  failed: 0" in log, log[-3000:]
    # the 4 changed copies: those the killed run finished (partition by partition) come from the cache
    extracted, cached = map(int, re.search(r"extracted: (\d+)  from cache: (\d+)", log).groups())
    assert extracted <= 4 and extracted + cached == documents, log[-3000:]
    clean = tmp_path / "clean"
    run(raw, clean)
    assert digests(out) == digests(clean) != previous
    with DagsterInstance.from_ref(InstanceRef.from_dir(env["DAGSTER_HOME"])) as instance:
        statuses = sorted(r.status.value for r in instance.get_runs())  # the killed runs are not left "started"
    failed, succeeded = DagsterRunStatus.FAILURE.value, DagsterRunStatus.SUCCESS.value
    assert statuses == sorted([failed, failed, succeeded])
