"""Build a large benchmark corpus from the samples: copies with perturbed numbers and place names.

Run: .venv/bin/python benchmarks/make_corpus.py --docs 10000 --out /tmp/econ-bench/raw-10000

Copy i is sample i mod n with every digit redrawn (years and single digits kept, so dates,
ordinals and the document's year stay meaningful) and the full name of the document's main
region replaced by another prefecture's, so that no two copies share a text (the extraction
cache cannot skip them) and the gazetteer sees many places. The same arguments give the same
files.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from econ_indicators.gazetteer import gazetteer
from econ_indicators.ingest import discover, read_document

_DIGITS = re.compile(r"\d{2,}")
_YEAR = re.compile(r"(?:19|20)\d\d")
DOCS_PER_FOLDER = 1000


def perturb_digits(text: str, rng: random.Random) -> str:
    """Every run of two or more digits redrawn digit by digit, but years; the length and a
    leading zero are kept."""

    def redraw(match: re.Match[str]) -> str:
        digits = match.group()
        if _YEAR.fullmatch(digits):
            return digits
        first = digits[0] if digits[0] == "0" else str(rng.randint(1, 9))
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    return _DIGITS.sub(redraw, text)


def prefecture_names() -> list[str]:
    """Full names of every prefecture-level region, sorted."""
    places = gazetteer()
    return sorted({r.name for r in places.regions.values() if places.level(r.code) == 2})


def main_region_name(text: str) -> str | None:
    """The full name of the text's main region, if it has one."""
    places = gazetteer()
    code = places.main_region(text)
    return None if code is None else places.name(code)


def build(samples: Path, out: Path, docs: int, seed: int = 0) -> list[Path]:
    """Write `docs` perturbed copies of the sample texts under `out`; return their paths."""
    texts = [(p.stem, d.text, main_region_name(d.text)) for p in discover(samples)
             if (d := read_document(p, samples)).text]
    if not texts:
        raise SystemExit(f"no readable sample texts under {samples}")
    names = prefecture_names()
    written = []
    for i in range(docs):
        stem, text, region = texts[i % len(texts)]
        rng = random.Random(seed * 1_000_003 + i)
        copy = perturb_digits(text, rng)
        new_name = rng.choice(names)
        if region:
            copy = copy.replace(region, new_name)
        path = out / f"{i // DOCS_PER_FOLDER:03d}" / f"{stem}_{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(copy, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path("data/raw/samples"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    paths = build(args.samples, args.out, args.docs, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} documents, {size / 1e6:.1f} MB, under {args.out}")


if __name__ == "__main__":
    main()
