"""The run report: one HTML page with PNG charts describing what a run extracted.

Built only from the output tables (and the gold files beside the raw texts, when there are
any), with no timestamps and fixed PNG metadata, so that an unchanged run rewrites identical files.
"""

from __future__ import annotations

import html
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .indicators import key_labels
from .schema import TABLES
from .storage import Root

REPORT_DIR = "report"
INDEX = "index.html"
TOP_METRICS = 20
MAX_CONFLICTS = 100
MAX_BARS = 15
MAX_DOCUMENT_BARS = 60  # above this, the per-document chart becomes a histogram
MAX_DOCUMENT_ROWS = 500
FACT_BINS = (0, 1, 10, 50, 100, 200, 500)
# Columns the report reads: facts' strings come as categoricals, so a run of millions of facts fits.
FACT_COLUMNS = ("doc_id", "region", "year", "unit", "kind", "metric")
CATEGORICAL = ("doc_id", "region", "unit", "kind", "metric")
CONFLICT_COLUMNS = ("region", "year", "metric", "unit", "kind", "value", "n_sources", "conflict")


@dataclass
class Report:
    """The page and its charts (file name → PNG bytes)."""

    html: str
    charts: dict[str, bytes] = field(default_factory=dict)


def _number(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value:,.15g}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _counts(frame: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    """Rows per value of `column`, most first, ties by name (stable across runs)."""
    counts = frame.groupby(column, dropna=False, observed=True).size().rename("facts").reset_index()
    counts[column] = counts[column].astype(object).fillna("(none)")
    return counts.sort_values(["facts", column], ascending=[False, True]).rename(columns={column: label})


def facts_by_document(facts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Per document: status, facts, and the share of its facts with a region and with a year."""
    per_doc = facts.groupby("doc_id", observed=True).agg(facts=("doc_id", "size"), with_region=("region", "count"),
                                                         with_year=("year", "count"))
    per_doc.index = per_doc.index.astype(object)
    table = documents[["doc_id", "status"]].merge(per_doc, how="left", left_on="doc_id", right_index=True)
    table = table.fillna({"facts": 0, "with_region": 0, "with_year": 0}).sort_values("doc_id")
    table["region share"] = [_percent(r, n) for r, n in zip(table.with_region, table.facts, strict=True)]
    table["year share"] = [_percent(y, n) for y, n in zip(table.with_year, table.facts, strict=True)]
    table.insert(0, "#", range(1, len(table) + 1))
    return table.drop(columns=["with_region", "with_year"]).astype({"facts": int})


def attribution(facts: pd.DataFrame) -> pd.DataFrame:
    """Share of facts attributed to a region, a year, both, and with a metric label."""
    both = facts.region.notna() & facts.year.notna()
    parts = {"region": facts.region.notna(), "year": facts.year.notna(), "region and year": both,
             "metric": facts.metric.notna() & facts.metric.ne("")}
    rows = [(name, int(mask.sum()), _percent(int(mask.sum()), len(facts))) for name, mask in parts.items()]
    return pd.DataFrame(rows, columns=["attributed to", "facts", "share"])


def top_metrics(facts: pd.DataFrame, n: int = TOP_METRICS) -> pd.DataFrame:
    """The most frequent metric labels, with how many regions and years they cover."""
    table = facts.groupby("metric", observed=True).agg(facts=("metric", "size"), regions=("region", "nunique"),
                                                          years=("year", "nunique")).reset_index()
    table["metric"] = table.metric.astype(object)
    return table.sort_values(["facts", "metric"], ascending=[False, True]).head(n)


CONFLICT_KEY = ("region", "year", "metric", "unit", "kind")


def conflicts(indicators: pd.DataFrame | pa.Table, limit: int | None = None) -> tuple[pd.DataFrame, int]:
    """The conflicting keys in key order with the values their sources give (the first `limit`
    of them when given), and how many there are in all. Counted with Arrow, and only the rows of
    the keys shown sorted, so that a million conflicting rows cost no Python object each."""
    table = indicators if isinstance(indicators, pa.Table) else pa.Table.from_pandas(indicators, preserve_index=False)
    table = table.filter(pc.fill_null(table.column("conflict"), False))
    clashing = table.select(list(CONFLICT_KEY)).group_by(list(CONFLICT_KEY), use_threads=False).aggregate([])
    total = clashing.num_rows
    if limit is not None:  # only the rows of the first keys are sorted and spelled out
        first = clashing.sort_by([(n, "ascending", "at_end") for n in CONFLICT_KEY]).slice(0, limit)
        table = table.filter(pc.is_in(key_labels(table, CONFLICT_KEY), value_set=key_labels(first, CONFLICT_KEY)))
    table = table.take(pc.sort_indices(table, [(n, "ascending", "at_end") for n in CONFLICT_KEY]))
    keys: dict[tuple, list[dict]] = {}
    for row in table.select([*CONFLICT_KEY, "value", "n_sources"]).to_pylist():
        keys.setdefault(tuple(row[n] for n in CONFLICT_KEY), []).append(row)
    rows = [{**dict(zip(CONFLICT_KEY, key, strict=True)), "values": " / ".join(_number(r["value"]) for r in members),
             "sources": sum(r["n_sources"] for r in members)} for key, members in keys.items()]
    frame = pd.DataFrame(rows, columns=[*CONFLICT_KEY, "values", "sources"])
    frame["year"] = frame.year.astype("Int16")
    return frame, total


def failed_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Documents that failed or were read with damage, with the reason."""
    return documents.loc[documents.status != "ok", ["doc_id", "status", "error"]].sort_values("doc_id")


def _ascii(labels: list[str]) -> list[str]:
    """Chart labels: a label the default font may lack glyphs for becomes its position (#n)."""
    return [label if label.isascii() else f"#{i}" for i, label in enumerate(labels, 1)]


def bar_chart(labels: list[str], values: list[float], title: str, xlabel: str) -> bytes:
    """A horizontal bar chart as PNG bytes, drawn without pyplot and with fixed metadata."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 0.3 * len(labels) + 1.2), dpi=100)
    axes = figure.subplots()
    axes.barh(range(len(labels)), values, color="#4c72b0")
    axes.set_yticks(range(len(labels)), _ascii(labels))
    axes.invert_yaxis()
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _table_html(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f"<p>{html.escape(empty)}</p>"
    return frame.to_html(index=False, na_rep="", border=0, classes="t", float_format=_number)


def _more(total: int, shown: int, table: str) -> str:
    return f"<p>… and {total - shown} more (see {table}).</p>" if total > shown else ""


def _section(title: str, *parts: str) -> str:
    return f"<h2>{html.escape(title)}</h2>\n" + "\n".join(parts)


def _image(name: str, alt: str) -> str:
    return f'<p><img src="{name}" alt="{html.escape(alt)}"></p>'


_STYLE = ("body{font-family:sans-serif;margin:2em;max-width:70em} table.t{border-collapse:collapse}"
          " table.t td,table.t th{border:1px solid #ccc;padding:2px 6px;text-align:left}")


def fact_histogram(facts_per_document: pd.Series) -> tuple[list[str], list[int]]:
    """How many documents have how many facts, in the bins of FACT_BINS (labels like "10-49")."""
    edges = [*FACT_BINS, float("inf")]
    labels = [f"{lo}" if hi == lo + 1 else f"{lo}+" if hi == float("inf") else f"{lo}-{hi - 1}"
              for lo, hi in itertools.pairwise(edges)]
    counts = pd.cut(facts_per_document, edges, right=False, labels=labels).value_counts(sort=False)
    return labels, counts.tolist()


def documents_chart(by_doc: pd.DataFrame) -> bytes:
    """Facts per document as bars, or, for many documents, how many documents have how many facts."""
    if len(by_doc) <= MAX_DOCUMENT_BARS:
        return bar_chart(by_doc["#"].astype(str).tolist(), by_doc.facts.tolist(),
                         "Facts per document (# as in the table)", "facts")
    labels, counts = fact_histogram(by_doc.facts)
    return bar_chart(labels, counts, f"Documents by number of facts ({len(by_doc)} documents)", "documents")


def build_report(facts: pd.DataFrame, indicators: pd.DataFrame | pa.Table, documents: pd.DataFrame,
                 score: str | None = None, n_indicators: int | None = None) -> Report:
    """The report page and charts for one run's tables; `score` is the gold score line, if any.

    `indicators` needs only its conflicting rows when `n_indicators` gives the table's size."""
    by_doc = facts_by_document(facts, documents)
    by_unit = _counts(facts, "unit", "unit")
    by_kind = _counts(facts, "kind", "kind")
    shares = attribution(facts)
    clashes, n_clashes = conflicts(indicators, MAX_CONFLICTS)
    charts = {
        "facts_by_document.png": documents_chart(by_doc),
        "facts_by_unit.png": bar_chart(by_unit.unit.head(MAX_BARS).tolist(), by_unit.facts.head(MAX_BARS).tolist(),
                                       f"Facts per unit (top {MAX_BARS})", "facts"),
        "facts_by_kind.png": bar_chart(by_kind.kind.tolist(), by_kind.facts.tolist(), "Facts per kind", "facts"),
        "attribution.png": bar_chart(shares["attributed to"].tolist(),
                                     [100 * n / max(len(facts), 1) for n in shares.facts],
                                     "Share of facts attributed", "% of facts"),
    }
    failed = failed_documents(documents)
    n_failed = int((failed.status == "failed").sum())
    summary = (f"<p>documents: {len(documents)} (failed: {n_failed}, damaged: {len(failed) - n_failed}) · "
               f"facts: {len(facts)} · "
               f"indicators: {len(indicators) if n_indicators is None else n_indicators} · "
               f"conflicting keys: {n_clashes}</p>")
    score_html = (f"<p>Score against the gold files beside the raw texts:</p><pre>{html.escape(score)}</pre>"
                  if score else "<p>No gold files (<code>*.gold.jsonl</code>) beside the raw texts: no score.</p>")
    body = [
        "<h1>econ-indicators run report</h1>", summary,
        _section("Score", score_html),
        _section("Facts by document", _image("facts_by_document.png", "facts per document"),
                 _table_html(by_doc.head(MAX_DOCUMENT_ROWS), "No documents."), _more(len(by_doc), MAX_DOCUMENT_ROWS,
                                                                                    "documents.parquet")),
        _section("Facts by unit", _image("facts_by_unit.png", "facts per unit"), _table_html(by_unit, "No facts.")),
        _section("Facts by kind", _image("facts_by_kind.png", "facts per kind"), _table_html(by_kind, "No facts.")),
        _section("Attributed to a region and year", _image("attribution.png", "attribution shares"),
                 _table_html(shares, "No facts.")),
        _section(f"Top {TOP_METRICS} metrics", _table_html(top_metrics(facts), "No metric labels.")),
        _section("Conflicts", "<p>Keys whose sources give different values.</p>",
                 _table_html(clashes, "No conflicts."), _more(n_clashes, MAX_CONFLICTS, "indicators.parquet")),
        _section("Failed and damaged documents", _table_html(failed, "None: every document was read whole.")),
    ]
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>econ-indicators report</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")
    return Report(page, charts)


def write_report(out: Root | Path, score: str | None = None) -> str:
    """Build the report from the tables under `out` (a folder or an fsspec root) into `report/`
    there, dropping charts of earlier runs; return the page's location."""
    root = out if isinstance(out, Root) else Root(out)
    facts = root.read_parquet(TABLES["facts"].file_name, FACT_COLUMNS, dictionary=CATEGORICAL).to_pandas()
    indicators = TABLES["indicators"].file_name
    conflicting = root.read_parquet(indicators, CONFLICT_COLUMNS, filters=[("conflict", "=", True)])
    documents = root.read_parquet(TABLES["documents"].file_name).to_pandas()
    report = build_report(facts, conflicting, documents, score=score, n_indicators=root.parquet_rows(indicators))
    for name, png in report.charts.items():
        root.write_bytes(f"{REPORT_DIR}/{name}", png)
    for stale in root.find(REPORT_DIR):
        if stale.endswith(".png") and stale.rsplit("/", 1)[-1] not in report.charts:
            root.remove(stale)
    root.write_bytes(f"{REPORT_DIR}/{INDEX}", report.html.encode("utf-8"))
    return root.full(f"{REPORT_DIR}/{INDEX}")
