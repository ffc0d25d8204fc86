"""Score facts against gold files lying beside the raw texts (`<doc>.gold.jsonl`).

Same definitions as the shared evaluation's scorer: figures are paired one to one inside a
document (same unit, values within a relative 1e-6, a change compared on its magnitude, masked
with masked; a candidate with the gold surface first); precision counts rows that pair with any
gold figure, f1 combines it with the recall of core figures; region, year and metric are judged
on the pairs, and the sign of changes apart.
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from .ingest import shown_path, walk
from .storage import Root

GOLD_SUFFIX = ".gold.jsonl"
REGION_SUFFIXES = ("特别行政区", "自治州", "自治县", "地区", "新区", "省", "市", "区", "县", "州", "盟", "旗")
MAX_METRIC_LABEL = 30
METRIC_COLUMNS = ("metric", "metric_label", "metric_name")
LINE_KEYS = ("precision", "recall", "f1", "core_recall", "region_acc", "year_acc", "metric_acc", "sign_acc")

Row = dict[str, Any]


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


MAX_GOLD_BYTES = 16 * 2**20


class GoldFiles(NamedTuple):
    """Gold rows per document name, and the gold files skipped with the reason (`path: why`)."""

    gold: dict[str, list[Row]]
    problems: list[str]


def read_gold(raw: Path | Root) -> dict[str, list[Row]]:
    """Gold rows per document name, from every `<doc>.gold.jsonl` under `raw` (a folder or an
    fsspec root); unusable files are skipped (`read_gold_files` says why)."""
    return read_gold_files(raw).gold


def read_gold_files(raw: Path | Root) -> GoldFiles:
    """Gold rows per document name and the files skipped: gold files are input too, so a symlink
    is never followed out of the raw folder, and a FIFO, a device, a file over MAX_GOLD_BYTES, a
    file that is not UTF-8 JSON lines or a row without the fields the score reads is reported
    and skipped, never read blindly."""
    root = raw if isinstance(raw, Root) else Root(raw)
    gold: dict[str, list[Row]] = {}
    problems: list[str] = []
    if not root.is_dir():
        return GoldFiles(gold, problems)
    rels = (walk(root.local_path(), suffixes=(GOLD_SUFFIX,)) if root.is_local
            else [rel for rel in root.find() if rel.endswith(GOLD_SUFFIX)])
    for rel in rels:
        if not rel.endswith(GOLD_SUFFIX) or rel.endswith("/"):
            continue
        try:
            rows = _gold_rows(_gold_bytes(root, rel))
        except (OSError, ValueError) as exc:
            problems.append(f"{shown_path(rel)}: {exc}: skipped")
            continue
        gold[shown_path(rel).rsplit("/", 1)[-1][: -len(GOLD_SUFFIX)]] = rows
    return GoldFiles(gold, problems)


def _gold_bytes(root: Root, rel: str) -> bytes:
    if not root.is_local:
        return root.read_bytes(rel)
    path = root.local_path(rel)
    if path.is_symlink():
        try:
            target = Path(os.path.realpath(path, strict=True))
        except (OSError, RuntimeError) as exc:
            raise ValueError("broken or looping symlink") from exc
        if not target.is_relative_to(root.local_path().resolve()):
            raise ValueError(f"symlink to {target} outside the raw folder: not followed")
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("not a regular file")
    if info.st_size > MAX_GOLD_BYTES:
        raise ValueError(f"{info.st_size:,} bytes, over {MAX_GOLD_BYTES:,}")
    return path.read_bytes()


def _gold_rows(data: bytes) -> list[Row]:
    rows = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not JSON ({exc.msg})") from exc
        problem = _gold_row_problem(row)
        if problem:
            raise ValueError(f"line {number}: {problem}")
        rows.append(row)
    return rows


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _gold_row_problem(row: Any) -> str | None:
    """What keeps a gold row from being scored (None when nothing)."""
    if not isinstance(row, dict):
        return "not a JSON object"
    if not isinstance(row.get("unit"), str):
        return "no unit"
    if row.get("value") is not None and not _number(row["value"]):
        return "value is not a finite number"
    if row.get("kind") == "change" and not row.get("masked") and not _number(row.get("value")):
        return "a change without a value"
    year = row.get("year")
    years = year if isinstance(year, list) else [year]
    if year is not None and not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        return "year is not a whole number or a list of them"
    for name in ("region", "metric_keywords"):
        value = row.get(name)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return f"{name} is not a list of strings"
    return None


def facts_by_document(facts: Iterable[Row]) -> dict[str, list[Row]]:
    """Fact rows grouped by the last part of their doc_id (how gold files are named)."""
    grouped: dict[str, list[Row]] = {}
    for row in facts:
        grouped.setdefault(str(row["doc_id"]).replace("\\", "/").rsplit("/", 1)[-1], []).append(row)
    return grouped


def same_figure(gold: Row, fact: Row) -> bool:
    """Whether a fact states the gold figure: same unit and value (masked: both masked)."""
    if str(fact.get("unit")) != gold["unit"]:
        return False
    if gold.get("masked"):
        return bool(fact.get("masked")) and _missing(fact.get("value"))
    expected, found = gold.get("value"), fact.get("value")
    if _missing(expected) or _missing(found):
        return False
    if gold.get("kind") == "change":
        expected, found = abs(expected), abs(found)
    return math.isclose(float(expected), float(found), rel_tol=1e-6, abs_tol=1e-9)


def pair(gold_rows: list[Row], facts: list[Row]) -> list[tuple[Row, Row]]:
    """Greedy one-to-one pairs in gold order; among candidates, the first with the gold surface wins."""
    free = list(range(len(facts)))
    pairs = []
    for gold in gold_rows:
        candidates = [i for i in free if same_figure(gold, facts[i])]
        if not candidates:
            continue
        chosen = next((i for i in candidates if facts[i].get("surface") == gold.get("surface")), candidates[0])
        free.remove(chosen)
        pairs.append((gold, facts[chosen]))
    return pairs


def _region_stem(name: Any) -> str:
    name = str(name or "").strip()
    suffix = next((s for s in REGION_SUFFIXES if name.endswith(s) and len(name) > len(s) + 1), "")
    return name[: len(name) - len(suffix)]


def region_right(gold: Row, fact: Row) -> bool:
    accepted = {_region_stem(r) for r in gold.get("region") or []}
    return _region_stem(fact.get("region")) in (accepted or {""})


def year_right(gold: Row, fact: Row) -> bool:
    expected, found = gold.get("year"), fact.get("year")
    if _missing(expected):
        return _missing(found)
    accepted = {int(y) for y in (expected if isinstance(expected, list) else [expected])}
    return not _missing(found) and int(found) in accepted


def metric_right(gold: Row, fact: Row) -> bool:
    labels = [str(fact.get(c) or "") for c in METRIC_COLUMNS]
    labels = [label for label in labels if 0 < len(label) <= MAX_METRIC_LABEL]
    return any(k and k in label for k in gold.get("metric_keywords") or [] for label in labels)


def _counts(gold_rows: list[Row], facts: list[Row]) -> Counter:
    pairs = pair(gold_rows, facts)
    changes = [(g, f) for g, f in pairs if g.get("kind") == "change" and not g.get("masked")]
    return Counter(
        gold=len(gold_rows), pred=len(facts), matched=len(pairs),
        gold_core=sum(1 for g in gold_rows if g.get("core")),
        matched_core=sum(1 for g, _ in pairs if g.get("core")),
        region_ok=sum(region_right(g, f) for g, f in pairs),
        year_ok=sum(year_right(g, f) for g, f in pairs),
        metric_ok=sum(metric_right(g, f) for g, f in pairs),
        changes=len(changes),
        sign_ok=sum((g["value"] < 0) == (float(f["value"]) < 0) for g, f in changes),
    )


def _ratio(part: int, whole: int, empty: float = 0.0) -> float:
    return part / whole if whole else empty


def score(gold: dict[str, list[Row]], facts: dict[str, list[Row]]) -> dict[str, float]:
    """The scores over the documents that have gold; facts of other documents are ignored."""
    total: Counter = Counter()
    for doc, gold_rows in gold.items():
        total.update(_counts(gold_rows, facts.get(doc, [])))
    precision = _ratio(total["matched"], total["pred"])
    core_recall = _ratio(total["matched_core"], total["gold_core"])
    f1 = 2 * precision * core_recall / (precision + core_recall) if precision + core_recall else 0.0
    matched = total["matched"] or 1
    scores = {
        "precision": precision, "recall": _ratio(total["matched"], total["gold"]), "f1": f1,
        "core_recall": core_recall, "region_acc": total["region_ok"] / matched,
        "year_acc": total["year_ok"] / matched, "metric_acc": total["metric_ok"] / matched,
        "sign_acc": _ratio(total["sign_ok"], total["changes"], empty=1.0),
    }
    return {k: round(v, 4) for k, v in scores.items()}


def format_line(scores: dict[str, float]) -> str:
    """`precision=… recall=… f1=… core_recall=… region_acc=… year_acc=… metric_acc=… sign_acc=…`."""
    return " ".join(f"{k}={scores[k]}" for k in LINE_KEYS)


def gold_facts(gold: dict[str, list[Row]], facts: pa.Table | Iterable[pa.RecordBatch]) -> list[Row]:
    """The fact rows of the documents that have gold rows, taken batch by batch (a large run's
    other facts are never turned into Python rows)."""
    wanted = pa.array(sorted(gold), pa.string())
    rows: list[Row] = []
    for batch in facts.to_batches() if isinstance(facts, pa.Table) else facts:
        names = pc.replace_substring_regex(pc.replace_substring(batch.column("doc_id"), "\\", "/"), "^.*/", "")
        rows.extend(batch.filter(pc.is_in(names, value_set=wanted)).to_pylist())
    return rows


def gold_line(gold: dict[str, list[Row]], facts: pa.Table | Iterable[pa.RecordBatch]) -> str | None:
    """The score line of `facts` (a table or its batches) against gold rows already read; None
    when there are none."""
    return format_line(score(gold, facts_by_document(gold_facts(gold, facts)))) if gold else None


def score_line(raw: Path | Root, facts: pa.Table) -> str | None:
    """The score line of `facts` against the gold files under `raw`; None when there are none."""
    return gold_line(read_gold(raw), facts)
