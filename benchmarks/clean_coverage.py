"""Share of gold figure surfaces that appear, contiguous, in the cleaned texts.

Run: .venv/bin/python benchmarks/clean_coverage.py [--raw-dir data/raw/samples] [--gold ../shared/eval/gold]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from econ_indicators import clean
from econ_indicators.ingest import discover, read_document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=Path("data/raw/samples"))
    parser.add_argument("--gold", type=Path, default=Path("../shared/eval/gold"))
    parser.add_argument("--show", type=int, default=20, help="how many missing surfaces to list")
    args = parser.parse_args()

    texts = {Path(d.doc_id).name: clean(d.text).text
             for d in (read_document(p, args.raw_dir) for p in discover(args.raw_dir)) if d.text}
    found = total = 0
    missing = []
    for gold in sorted(args.gold.glob("*.gold.jsonl")):
        doc = gold.name[: -len(".gold.jsonl")]
        text = texts.get(doc)
        if text is None:
            continue
        for line in gold.read_text("utf-8").splitlines():
            if line.strip():
                surface = json.loads(line)["surface"]
                total += 1
                if surface in text:
                    found += 1
                else:
                    missing.append((doc, surface))
    print(f"gold surfaces in clean text: {found}/{total} = {found / max(total, 1):.2%}")
    for doc, surface in missing[: args.show]:
        print(f"  missing: {doc}: {surface}")


if __name__ == "__main__":
    main()
