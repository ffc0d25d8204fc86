"""Throughput of find_quantities, clean and full extraction side by side with JioNLP's extract_money.

Run: make bench-jionlp   (or benchmarks/.venv-jionlp/bin/python benchmarks/bench_vs_jionlp.py [--repeats 7])

JioNLP is installed only in the benchmark's own environment (benchmarks/.venv-jionlp), never as
a dependency of the project. Everything runs in one process on one core, on the same text: the
samples as read and cleaned by the pipeline. Rates are characters per second: of the clean text
for find_quantities and for JioNLP (which is given the clean text too), of the raw text for clean
and full extraction (whose work starts from it).

JioNLP's reference is `jionlp.ner.extract_money` with its defaults (values parsed into amounts,
as ours are; no word segmentation check), called once per sentence: the unit JioNLP's own NER
helpers split a text into first (extract_money takes any text; its example is a news paragraph).
The sentences are split before timing, so the split costs JioNLP nothing. Its rates per
paragraph and per whole document are printed too (on the samples all three come out within
about 10% of each other).

The workloads are timed in turns, `--repeats` rounds each of at least `--seconds`, so that a
change in the machine's load falls on all of them alike; each rate is the median of the rounds,
each ratio the median of the per-round ratios. Time is this process's CPU time by default (on a
shared machine wall time also counts the time other processes hold the core; `--clock wall` for
that). No unit test asserts these numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from econ_indicators import clean, find_quantities
from econ_indicators.clean import Sentences
from econ_indicators.extract import extract_document
from econ_indicators.ingest import discover, read_document
from econ_indicators.units import unit_table

TARGETS = {"find_quantities": 2.0, "full extraction": 1.0}  # our rate / JioNLP's, at least (issue 9)
REFERENCE = "jionlp per sentence"


def load_jionlp() -> Callable[[str], list[dict]]:
    try:
        import jionlp
    except ImportError:
        sys.exit("jionlp is not installed here: run `make bench-jionlp`, which sets up benchmarks/.venv-jionlp")
    return jionlp.ner.extract_money


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def timed(work: Callable[[], object], chars: int, seconds: float, clock: Callable[[], float]) -> float:
    """Characters per second of `work`, repeated for at least `seconds` of `clock`."""
    rounds, started = 0, clock()
    while True:
        work()
        rounds += 1
        elapsed = clock() - started
        if elapsed >= seconds:
            return chars * rounds / elapsed


def sentences(text: str) -> list[str]:
    split = Sentences.split(text)
    return [text[start:end] for start, end in zip(split.starts, split.ends, strict=True)]


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{dt.date.today()}  {platform.processor() or platform.machine()}  cpus={os.cpu_count()} "
            f"(this process may use {cpus})  python {platform.python_version()}  "
            f"jionlp {metadata.version('jionlp')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw/samples"))
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum time of one round of one workload")
    parser.add_argument("--repeats", type=int, default=5, help="rounds per workload (the median is reported)")
    parser.add_argument("--clock", choices=CLOCKS, default="cpu", help="CPU time of this process, or wall time")
    parser.add_argument("--cpu", type=int, help="pin this process to that CPU (Linux)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    extract_money = load_jionlp()

    docs = [d for d in (read_document(p, args.raw_dir) for p in discover(args.raw_dir)) if d.text]
    raw_chars = sum(len(d.text) for d in docs)
    texts = [clean(d.text).text for d in docs]
    clean_chars = sum(len(t) for t in texts)
    paragraphs = [p for t in texts for p in t.split("\n") if p.strip()]
    units = [s for t in texts for s in sentences(t)]

    workloads: dict[str, tuple[Callable[[], object], int]] = {
        REFERENCE: (lambda: [extract_money(s) for s in units], clean_chars),
        "jionlp per paragraph": (lambda: [extract_money(p) for p in paragraphs], clean_chars),
        "jionlp per document": (lambda: [extract_money(t) for t in texts], clean_chars),
        "find_quantities": (lambda: [find_quantities(t) for t in texts], clean_chars),
        "clean": (lambda: [clean(d.text) for d in docs], raw_chars),
        "full extraction": (lambda: [extract_document(d.doc_id, d.text) for d in docs], raw_chars),
    }
    for work, _ in workloads.values():
        work()  # warm up: compiled patterns, data files, the gazetteer
    rates: dict[str, list[float]] = {name: [] for name in workloads}
    for _ in range(args.repeats):
        for name, (work, chars) in workloads.items():
            rates[name].append(timed(work, chars, args.seconds, CLOCKS[args.clock]))

    money = sum(len(extract_money(s)) for s in units)
    found = [q for t in texts for q in find_quantities(t)]
    currencies = {u.code for u in unit_table().values() if u.dimension == "money"}
    print(machine())
    print(f"corpus: {len(docs)} documents, {raw_chars:,} raw chars, {clean_chars:,} clean chars, "
          f"{len(paragraphs):,} paragraphs, {len(units):,} sentences")
    print(f"found: jionlp {money:,} money amounts; find_quantities {len(found):,} figures "
          f"({sum(q.unit in currencies for q in found):,} of them money)")
    print(f"{args.repeats} rounds of >= {args.seconds:g} s ({args.clock} time) each; medians (min-max)\n")
    print(f"{'workload':<22} {'chars/s':>11} {'range':>21} {'vs JioNLP':>10} {'target':>8}")
    missed = []
    for name, values in rates.items():
        ratios = [ours / ref for ours, ref in zip(values, rates[REFERENCE], strict=True)]
        ratio = statistics.median(ratios)
        target = TARGETS.get(name)
        verdict = "" if target is None else f">={target:g} " + ("met" if ratio >= target else "MISSED")
        if target is not None and ratio < target:
            missed.append(name)
        spread = f"{min(values):,.0f}-{max(values):,.0f}"
        print(f"{name:<22} {statistics.median(values):>11,.0f} {spread:>21} {ratio:>9.2f}x  {verdict}")
    print(f"\nreference: {REFERENCE} (jionlp.ner.extract_money, default arguments)")
    if args.check and missed:
        sys.exit(f"targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
