"""Throughput of clean, find_quantities and full per-document extraction on the samples.

Run: .venv/bin/python benchmarks/bench_quantities.py [--raw-dir data/raw/samples] [--seconds 3]
Prints characters per second on one core (no timed unit test asserts these numbers).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from econ_indicators import clean, find_quantities
from econ_indicators.extract import extract_document
from econ_indicators.ingest import discover, read_document


def throughput(work: Callable[[], object], chars: int, seconds: float) -> float:
    """Characters per second of `work`, repeated for at least `seconds`."""
    work()  # warm caches (compiled patterns, data files)
    rounds, started = 0, time.perf_counter()
    while True:
        work()
        rounds += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return chars * rounds / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw/samples"))
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    docs = [d for d in (read_document(p, args.raw_dir) for p in discover(args.raw_dir)) if d.text]
    raw_chars = sum(len(d.text) for d in docs)
    cleaned = [clean(d.text) for d in docs]
    clean_chars = sum(len(c.text) for c in cleaned)

    results = {
        "clean": throughput(lambda: [clean(d.text) for d in docs], raw_chars, args.seconds),
        "find_quantities": throughput(lambda: [find_quantities(c.text) for c in cleaned], clean_chars,
                                      args.seconds),
        "full extraction": throughput(lambda: [extract_document(d.doc_id, d.text) for d in docs],
                                      raw_chars, args.seconds),
    }
    print(f"corpus: {len(docs)} documents, {raw_chars:,} raw chars, {clean_chars:,} clean chars")
    for name, rate in results.items():
        print(f"{name:<16} {rate:>12,.0f} chars/s")


if __name__ == "__main__":
    main()
