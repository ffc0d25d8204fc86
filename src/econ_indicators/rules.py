"""Rules that are data: loaders for the files in `econ_indicators/data/` and their version."""

from __future__ import annotations

import csv
import hashlib
import io
from functools import lru_cache
from importlib import resources

DATA_FILES = ("units.csv", "measure_words.csv", "currencies.csv", "slogans.txt", "qualifiers.csv",
              "counted_nouns.csv", "kinds.csv", "metric_trim.csv", "furniture.txt",
              "region_names.csv", "table_headers.csv", "plan_periods.csv", "periods.csv", "metrics.csv",
              "html_noise.txt", "page_markers.txt")
# The code whose change can change an extracted row (reading, cleaning, extraction, columns, cache).
EXTRACTION_MODULES = ("ingest", "clean", "numbers", "units", "quantities", "flat_tables", "gazetteer", "attribution",
                      "metrics", "extract", "tables", "schema", "incremental")


def read_text(name: str) -> str:
    """The text of a packaged data file."""
    return resources.files("econ_indicators").joinpath("data", name).read_text("utf-8")


def data_lines(source: str) -> list[str]:
    """Non-blank lines that are not '#' comments."""
    return [ln for ln in source.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def csv_rows(source: str) -> list[dict[str, str]]:
    """Rows of a CSV data file (header first; '#' comment lines skipped)."""
    return list(csv.DictReader(io.StringIO("\n".join(data_lines(source)))))


def read_rows(name: str) -> list[dict[str, str]]:
    """Rows of a packaged CSV data file."""
    return csv_rows(read_text(name))


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A short hash of every rule file and the extraction code: changes when any rule changes."""
    digest = hashlib.sha256()
    package = resources.files("econ_indicators")
    for name in DATA_FILES:
        digest.update(read_text(name).encode())
    for module in EXTRACTION_MODULES:
        digest.update(package.joinpath(f"{module}.py").read_bytes())
    return digest.hexdigest()[:12]
