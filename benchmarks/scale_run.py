"""End-to-end scale benchmark: `econ-indicators run` on a large generated corpus, then a refresh.

Run: .venv/bin/python benchmarks/scale_run.py --docs 1000 [--docs 10000] [--work /tmp/econ-bench]

For each size it builds the corpus (benchmarks/make_corpus.py, reused when present), runs the
CLI into an empty output folder with its own DAGSTER_HOME, adds one new document and runs again
(the refresh), runs once more with nothing changed, and prints wall time, documents per second
and the peak resident memory: of the run's main process and of its whole process tree (worker
processes included), sampled from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_corpus import build  # noqa: E402

POLL_SECONDS = 0.1
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    """One timed command: wall seconds, peak RSS (MiB) of the main process and of its tree."""

    label: str
    seconds: float
    peak_main_mib: float
    peak_tree_mib: float
    exit_code: int
    last_lines: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * PAGE / 2**20
    except OSError:
        return 0.0


def _tree_rss(root: int) -> tuple[float, float]:
    tree, stack, total = _children(), [root], 0.0
    while stack:
        pid = stack.pop()
        total += _rss_mib(pid)
        stack.extend(tree.get(pid, []))
    return _rss_mib(root), total


def measure(label: str, command: list[str], env: dict[str, str]) -> Measure:
    """Run `command`, sampling the RSS of it and its descendants until it exits."""
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
        peak_main = peak_tree = 0.0
        while proc.poll() is None:
            main, tree = _tree_rss(proc.pid)
            peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        log.seek(0)
        lines = [ln for ln in log.read().replace("\r", "\n").splitlines() if ln.strip()]
    return Measure(label, seconds, peak_main, peak_tree, proc.returncode, "\n".join(lines[-6:]))


def run_size(docs: int, work: Path, rebuild: bool) -> list[Measure]:
    raw = work / f"raw-{docs}"
    if rebuild or not raw.is_dir():
        shutil.rmtree(raw, ignore_errors=True)
        build(ROOT / "data/raw/samples", raw, docs)
    extra = raw / "refresh" / "added_document.txt"
    extra.unlink(missing_ok=True)
    out, home = work / f"out-{docs}", work / f"dagster-home-{docs}"
    for folder in (out, home):
        shutil.rmtree(folder, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copy(ROOT / "deploy/dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [str(Path(sys.executable).with_name("econ-indicators")), "run", "--raw-dir", str(raw),
               "--out-dir", str(out)]
    first = measure(f"{docs} documents, first run", command, env)
    build(ROOT / "data/raw/samples", extra.parent, 1, seed=docs + 1)
    next(extra.parent.glob("*/*.txt")).rename(extra)
    refresh = measure(f"{docs} documents + 1 new, refresh", command, env)
    rerun = measure(f"{docs} + 1 documents, rerun, nothing changed", command, env)
    return [first, refresh, rerun]


def report(measures: list[Measure], docs: dict[str, int]) -> None:
    print(f"\n{'run':<40} {'wall s':>8} {'docs/s':>8} {'peak main MiB':>14} {'peak tree MiB':>14}")
    for m in measures:
        rate = docs[m.label] / m.seconds if m.seconds else 0
        print(f"{m.label:<40} {m.seconds:>8.1f} {rate:>8.1f} {m.peak_main_mib:>14.0f} {m.peak_tree_mib:>14.0f}"
              + ("" if m.exit_code == 0 else f"  EXIT {m.exit_code}"))
    for m in measures:
        print(f"\n[{m.label}]\n{m.last_lines}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", help="corpus size (repeatable); default 1000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/econ-bench"))
    parser.add_argument("--rebuild", action="store_true", help="regenerate the corpus even when present")
    parser.add_argument("--json", type=Path, help="also write the measures to this JSON file")
    args = parser.parse_args()
    measures, docs = [], {}
    for size in args.docs or [1000]:
        for m in run_size(size, args.work, args.rebuild):
            measures.append(m)
            docs[m.label] = size + ("first run" not in m.label)
    report(measures, docs)
    if args.json:
        args.json.write_text(json.dumps([asdict(m) for m in measures], indent=2, ensure_ascii=False))
    if any(m.exit_code for m in measures):
        sys.exit(1)


if __name__ == "__main__":
    main()
