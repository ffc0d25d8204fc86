"""The score line shown on materializations when gold files sit beside the raw texts."""

from __future__ import annotations

from econ_indicators.evaluate import GOLD_SUFFIX
from econ_indicators.evaluate import score_line as score_facts
from econ_indicators.schema import FACTS
from econ_indicators.storage import Root


def gold_files(raw: Root) -> list[str]:
    """Gold files (`<doc>.gold.jsonl`) anywhere under the raw root."""
    return [rel for rel in raw.find() if rel.endswith(GOLD_SUFFIX)] if raw.is_dir() else []


def score_line(raw: Root, out: Root) -> str | None:
    """The facts table in `out` scored against the gold beside the raw texts, or None without gold."""
    if not gold_files(raw):
        return None
    return score_facts(raw, out.read_parquet(FACTS.file_name))
