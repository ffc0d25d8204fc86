"""The `econ-indicators` command: run the refresh job in process, show a series or a panel, list the
indicator dictionary, print the schema."""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
from pydantic import PrivateAttr
from tqdm import tqdm

from econ_indicators import TABLES, describe
from econ_indicators.locking import Busy, exclusive, initialising
from econ_indicators.metrics import dictionary_rows
from econ_indicators.panel import format_panel, labelled, panel
from econ_indicators.report import INDEX, REPORT_DIR
from econ_indicators.schema import data_dictionary_markdown
from econ_indicators.series import format_series, metric_series, not_found
from econ_indicators.sources import list_raw, refuse_empty
from econ_indicators.storage import Root

from .partitions import all_partitions_tags
from .resources import Compute, Progress, Storage

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
MAX_FAILURES_SHOWN = 10
# The process that executes a run of this command: "host:pid:start time" (a pid may be reused).
PROCESS_TAG = "econ_indicators/process"


class BarProgress(Progress):
    """Shows one progress bar per stage on the terminal."""

    _bar: Any = PrivateAttr(default=None)

    def start(self, stage: str, total: int, log: Any) -> Callable[[str], None]:
        self._bar = tqdm(total=total, desc=f"{stage:<8}", unit="doc", file=sys.stderr, leave=True,
                         disable=None)
        return lambda _doc_id: self._bar.update()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _instance():
    """The instance of DAGSTER_HOME (created and its storage set up under a lock, so that two first
    runs never build its SQLite databases at the same time), else an ephemeral one."""
    from dagster import DagsterInstance

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return DagsterInstance.ephemeral()
    with initialising(Path(home)):
        instance = DagsterInstance.get()
        instance.get_runs(limit=1)  # the run, event log and schedule storages are created here, one at a time
        instance.get_asset_keys(limit=1)
        instance.all_instigator_state()
    return instance


def _start_time(pid: int) -> str:
    """When process `pid` started (clock ticks since boot, from /proc); "" where unknown."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def process_tag(pid: int | None = None) -> str:
    """The PROCESS_TAG value of process `pid` (this process by default) on this host."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def _process_gone(tag: str) -> bool:
    """Whether the process a PROCESS_TAG names is known to be dead (on another host: not known)."""
    parts = tag.rsplit(":", 2)
    if os.name != "posix" or len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid, started = parts[1:]
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, someone else's
    return bool(started) and _start_time(int(pid)) not in ("", started)  # the pid now names another process


def release_dead_runs(instance: Any) -> list[str]:
    """Runs of this command whose process died without ending them (kill -9, a crash, a power cut):
    marked failed, and the concurrency slots they held freed, so that the next runs do not wait
    for them forever. Returns their ids."""
    from dagster import DagsterRunStatus, RunsFilter

    unfinished = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]
    released = []
    for dagster_run in instance.get_runs(filters=RunsFilter(statuses=unfinished)):
        tag = dagster_run.tags.get(PROCESS_TAG)
        if tag and _process_gone(tag):
            instance.report_run_failed(dagster_run, message=f"its process ({tag}) died without ending it")
            if instance.event_log_storage.supports_global_concurrency_limits:
                instance.event_log_storage.free_concurrency_slots_for_run(dagster_run.run_id)
            released.append(dagster_run.run_id)
    return released


def run(raw_dir: str | Path, out_dir: str | Path, progress: Progress | None = None, allow_empty: bool = False,
        wait: bool = True) -> dict[str, Any]:
    """Execute the refresh job in process over every partition of `raw_dir` into `out_dir` (local
    paths or fsspec URLs) and return the summary; holds the output root's lock for the run (waits
    for another run to end, or exits at once when `wait` is false). An empty raw folder does not
    replace tables that hold documents unless `allow_empty`."""
    raw, out = Root(raw_dir), Root(out_dir)
    if not raw.is_dir():
        raise SystemExit(f"econ-indicators: raw folder not found: {raw_dir}")
    try:
        files = list_raw(raw, skip=out)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"econ-indicators: {exc}") from exc
    refusal = refuse_empty(files, out, raw.url, allow_empty)
    if refusal:
        raise SystemExit(f"econ-indicators: {refusal}")

    def waiting() -> None:
        print(f"econ-indicators: another run is writing to {out_dir}; waiting for it to end "
              f"(--no-wait to stop instead)", file=sys.stderr, flush=True)

    try:
        with exclusive(out, wait, waiting):
            return _run_locked(raw_dir, out_dir, progress, allow_empty)
    except Busy as exc:
        raise SystemExit(f"econ-indicators: {exc} writing to {out_dir}: not waiting (--no-wait)") from exc


def _run_locked(raw_dir: str | Path, out_dir: str | Path, progress: Progress | None,
                allow_empty: bool) -> dict[str, Any]:
    from .definitions import REFRESH_JOB, defs

    started = time.monotonic()
    job = defs.resolve_job_def(REFRESH_JOB)
    instance = _instance()
    for run_id in release_dead_runs(instance):
        print(f"econ-indicators: run {run_id} was left unfinished by a killed process: marked failed, "
              "its slots freed", file=sys.stderr)
    result = job.execute_in_process(
        run_config=QUIET_LOGS,
        instance=instance,
        tags={**all_partitions_tags(), PROCESS_TAG: process_tag()},
        resources={"storage": Storage(raw_dir=str(raw_dir), out_dir=str(out_dir), allow_empty=allow_empty),
                   "compute": Compute.from_env(), "progress": progress or Progress()},
        raise_on_error=False,
    )
    if not result.success:
        failures = [e.message for e in result.all_events if e.is_failure]
        raise SystemExit("econ-indicators: the run failed:\n" + "\n".join(failures))
    return {**summarize(out_dir, time.monotonic() - started), **_extraction_counts(result),
            "score": _report_score(result)}


def _extraction_counts(result: Any) -> dict[str, int]:
    """Documents extracted now and taken from the cache, summed over the run's partitions."""
    counts = {"extracted": 0, "from_cache": 0}
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        if materialization.asset_key.to_user_string() == "document_facts":
            for name in counts:
                counts[name] += materialization.metadata[name].value
    return counts


def _report_score(result: Any) -> str | None:
    """The score line the report asset computed, when gold files sit beside the raw texts."""
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        if materialization.asset_key.to_user_string() == "report" and "score" in materialization.metadata:
            return materialization.metadata["score"].value
    return None


def summarize(out_dir: str | Path, seconds: float) -> dict[str, Any]:
    """Counts from the written tables and where the report is."""
    out = Root(out_dir)
    documents = out.read_parquet(TABLES["documents"].file_name)
    failed = documents.filter(pc.equal(documents["status"], "failed"))
    damaged = documents.filter(pc.equal(documents["status"], "damaged"))
    return {
        "documents": documents.num_rows,
        "failed": failed.num_rows,
        "failures": list(zip(failed["doc_id"].to_pylist(), failed["error"].to_pylist(), strict=True)),
        "damaged": damaged.num_rows,
        "damages": list(zip(damaged["doc_id"].to_pylist(), damaged["error"].to_pylist(), strict=True)),
        "facts": out.parquet_rows(TABLES["facts"].file_name),
        "indicators": out.parquet_rows(TABLES["indicators"].file_name),
        "seconds": seconds,
        "out_dir": str(out_dir),
        "report": out.full(f"{REPORT_DIR}/{INDEX}"),
    }


def print_summary(summary: dict[str, Any]) -> None:
    print(f"documents read: {summary['documents']}  failed: {summary['failed']}  damaged: {summary['damaged']}")
    problems = [*summary["failures"], *((doc_id, f"damaged: {note}") for doc_id, note in summary["damages"])]
    for doc_id, error in problems[:MAX_FAILURES_SHOWN]:
        print(f"  {doc_id}: {error}")
    if len(problems) > MAX_FAILURES_SHOWN:
        print(f"  … and {len(problems) - MAX_FAILURES_SHOWN} more (documents.parquet, status and error)")
    print(f"extracted: {summary.get('extracted', 0)}  from cache: {summary.get('from_cache', 0)}")
    print(f"facts: {summary['facts']}  indicators: {summary['indicators']}")
    if summary.get("score"):
        print(f"score: {summary['score']}")
    print(f"time: {summary['seconds']:.1f} s  ->  {summary['out_dir']}")
    print(f"report: {summary['report']}")


def show(region: str, metric: str, data_dir: Path | None) -> int:
    """Print one region's metric across years; when nothing matches, suggest close names."""
    try:
        rows = metric_series(region, metric, data_dir)
    except FileNotFoundError as exc:
        raise SystemExit(f"econ-indicators: {exc}") from exc
    if not rows.empty:
        print(f"{region} · {metric}")
        print(format_series(rows))
        return 0
    print(not_found(region, metric, data_dir))
    return 1


def show_panel(args: argparse.Namespace) -> int:
    """Print (or write as CSV) indicators of every region of a level side by side."""
    try:
        frame = panel(args.metric, year=args.year, level=args.level, kind=args.kind, root=args.data_dir,
                      period=args.period)
    except ValueError as exc:
        print(f"econ-indicators: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        raise SystemExit(f"econ-indicators: {exc}") from exc
    if args.csv:
        labelled(frame).to_csv(args.csv, encoding="utf-8")
        print(f"{len(frame)} regions -> {args.csv}")
    if frame.empty or frame.drop(columns=[c for c in ("region_code", "province") if c in frame.columns]).isna().all(
            axis=None):
        year = f" in {args.year}" if args.year is not None else ""
        hint = ""
        if args.year is not None:
            every = panel(args.metric, level=args.level, kind=args.kind, root=args.data_dir, period=args.period)
            years = sorted({int(y) for y in every.index.get_level_values("year").dropna()})
            hint = f"; years with figures: {', '.join(map(str, years))}" if years else ""
        print(f"no {args.level} states {args.metric}{year} (kind {args.kind or 'default'}, "
              f"period {args.period or 'whole year'}){hint}")
        return 1
    if not args.csv:
        print(format_panel(frame))
    for region, year, metric_id in frame.attrs["conflicts"]:
        print(f"  conflict: {region} {year} {metric_id} (sources disagree; the value most state is shown)",
              file=sys.stderr)
    return 0


def list_metrics(topic: str | None) -> int:
    """Print the indicator dictionary: id, name, topic, kinds, units."""
    import pandas as pd

    rows = pd.DataFrame(dictionary_rows())
    if topic:
        rows = rows[rows.topic == topic]
        if rows.empty:
            topics = sorted({r["topic"] for r in dictionary_rows()})
            print(f"econ-indicators: unknown topic {topic!r}; topics: {', '.join(topics)}", file=sys.stderr)
            return 2
    print(rows.drop(columns="variants").to_string(index=False))
    print(f"{len(rows)} indicators")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="econ-indicators", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="run the refresh job over a raw folder")
    run_cmd.add_argument("--raw-dir", default="data/raw", help="folder or fsspec URL; default: data/raw")
    run_cmd.add_argument("--out-dir", default="data/processed", help="folder or fsspec URL; default: data/processed")
    run_cmd.add_argument("--strict", action="store_true",
                         help="exit with status 1 when any document failed (default: report it and exit 0)")
    run_cmd.add_argument("--allow-empty", action="store_true",
                         help="let an empty raw folder replace tables that hold documents (default: refuse)")
    run_cmd.add_argument("--no-wait", action="store_true",
                         help="exit with status 1 when another run is writing to the out dir (default: wait)")
    schema_cmd = commands.add_parser("schema", help="print the columns of every output table")
    schema_cmd.add_argument("--markdown", action="store_true",
                            help="print the data dictionary (docs/data_dictionary.md) instead")
    show_cmd = commands.add_parser("show", help="print a region's metric across years")
    show_cmd.add_argument("--region", required=True, help="region name or 6-digit code, e.g. 西安市")
    show_cmd.add_argument("--metric", required=True, help="metric label, e.g. 地区生产总值")
    show_cmd.add_argument("--data-dir", type=Path, default=None,
                          help="folder with the tables (default: $ECON_INDICATORS_DATA, else data/processed)")
    panel_cmd = commands.add_parser("panel", help="print indicators of every province or prefecture side by side")
    panel_cmd.add_argument("--metric", required=True, help="indicator ids, comma separated, e.g. gdp,gdp_growth")
    panel_cmd.add_argument("--year", type=int, default=None, help="one year (default: every year, a row each)")
    panel_cmd.add_argument("--level", choices=["province", "prefecture"], default="province")
    panel_cmd.add_argument("--kind", default=None,
                           help="level, change, share, target, ... (default: each indicator's result)")
    panel_cmd.add_argument("--period", default=None, help="a sub-year period, e.g. H01 (default: the whole year)")
    panel_cmd.add_argument("--csv", type=Path, default=None, help="write the panel to this CSV file")
    panel_cmd.add_argument("--data-dir", type=Path, default=None,
                           help="folder with the tables (default: $ECON_INDICATORS_DATA, else data/processed)")
    metrics_cmd = commands.add_parser("metrics", help="list the indicator dictionary")
    metrics_cmd.add_argument("--topic", default=None, help="only this topic, e.g. fiscal")
    args = parser.parse_args(argv)

    if args.command == "schema":
        print(data_dictionary_markdown() if args.markdown else describe(), end="")
        return 0
    if args.command == "show":
        return show(args.region, args.metric, args.data_dir)
    if args.command == "panel":
        return show_panel(args)
    if args.command == "metrics":
        return list_metrics(args.topic)
    summary = run(args.raw_dir, args.out_dir, BarProgress(), allow_empty=args.allow_empty, wait=not args.no_wait)
    print_summary(summary)
    return 1 if args.strict and summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
