"""Hook for the score line shown on the facts materialization when gold files sit beside the raw texts.

The scorer itself (`econ_indicators.evaluate`) is being written in another branch; wire it into
`score_line` once it is merged. Until then `score_line` returns None and the UI shows how many
gold files it found.
"""

from __future__ import annotations

from econ_indicators.storage import Root

GOLD_SUFFIX = ".gold.jsonl"


def gold_files(raw: Root) -> list[str]:
    """Gold files (`<doc>.gold.jsonl`) anywhere under the raw root."""
    return [rel for rel in raw.find() if rel.endswith(GOLD_SUFFIX)] if raw.is_dir() else []


def score_line(raw: Root, out: Root) -> str | None:
    """The scorer's one-line summary of the facts table in `out` against the gold beside the raw texts, or None
    when there is no gold or no scorer yet (TODO: call econ_indicators.evaluate after the merge)."""
    if not gold_files(raw):
        return None
    return None
