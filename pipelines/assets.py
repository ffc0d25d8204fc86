"""Assets: one per stage, each calling the library and reporting what it made."""


import pyarrow as pa
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from econ_indicators import extract, tables
from econ_indicators.evaluate import score_line
from econ_indicators.ingest import discover
from econ_indicators.io import output_path, read_parquet, write_parquet
from econ_indicators.report import write_report
from econ_indicators.rules import rules_version
from econ_indicators.schema import CLEAN_TEXTS, EXTRACTION_ERRORS, RAW_TEXTS

from .resources import Progress, Storage

GROUP = "econ_indicators"
PREVIEW_ROWS = 10
_PREVIEW_DROP = ("text", "raw_index", "sentence", "fact_ids", "doc_ids")


def _preview(table: pa.Table) -> MetadataValue:
    head = table.slice(0, PREVIEW_ROWS).drop_columns([c for c in _PREVIEW_DROP if c in table.column_names])
    return MetadataValue.md(head.to_pandas().to_markdown(index=False))


def _rows(storage: Storage, name: str) -> list[dict]:
    return read_parquet(output_path(storage.out_path, name)).to_pylist()


def _run_stage(context: AssetExecutionContext, progress: Progress, stage: str, total: int, work):
    advance = progress.start(stage, total, context.log)
    try:
        return work(advance)
    finally:
        progress.finish()


@asset(group_name=GROUP, code_version=rules_version(), description="Raw files decoded to text.")
def raw_texts(context: AssetExecutionContext, storage: Storage, progress: Progress) -> MaterializeResult:
    files = discover(storage.raw_path)
    rows = _run_stage(context, progress, "read", len(files),
                      lambda advance: extract.ingest_stage(storage.raw_path, files, advance))
    table = tables.to_arrow(RAW_TEXTS, rows)
    write_parquet(table, output_path(storage.out_path, RAW_TEXTS.name))
    failed = sum(1 for r in rows if r["error"])
    return MaterializeResult(metadata={"documents": len(rows), "failed": failed, "preview": _preview(table)})


@asset(group_name=GROUP, code_version=rules_version(), deps=[raw_texts],
       description="Texts cleaned of page furniture and line breaks, mapped back to raw offsets.")
def clean_texts(context: AssetExecutionContext, storage: Storage, progress: Progress) -> MaterializeResult:
    raw = _rows(storage, RAW_TEXTS.name)
    rows = _run_stage(context, progress, "clean", len(raw), lambda advance: extract.clean_stage(raw, advance))
    table = tables.to_arrow(CLEAN_TEXTS, rows)
    write_parquet(table, output_path(storage.out_path, CLEAN_TEXTS.name))
    chars = sum(len(r["text"] or "") for r in rows)
    return MaterializeResult(metadata={"documents": len(rows), "clean_chars": chars, "preview": _preview(table)})


@asset(group_name=GROUP, code_version=rules_version(), deps=[clean_texts],
       description="One row per figure found, with region, year, metric, kind and provenance.")
def facts(context: AssetExecutionContext, storage: Storage, progress: Progress) -> MaterializeResult:
    clean = _rows(storage, CLEAN_TEXTS.name)
    rows, errors = _run_stage(context, progress, "extract", len(clean),
                              lambda advance: extract.facts_stage(clean, advance))
    table = tables.facts_table(rows)
    write_parquet(table, output_path(storage.out_path, "facts"))
    error_rows = [{"doc_id": d, "error": e} for d, e in sorted(errors.items())]
    write_parquet(tables.to_arrow(EXTRACTION_ERRORS, error_rows),
                  output_path(storage.out_path, EXTRACTION_ERRORS.name))
    for row in error_rows:
        context.log.warning(f"{row['doc_id']}: {row['error']}")
    return MaterializeResult(metadata={
        "facts": len(rows), "documents_failed": len(errors),
        "masked": sum(1 for r in rows if r["masked"]), "preview": _preview(table),
    })


@asset(group_name=GROUP, code_version=rules_version(), deps=[facts],
       description="Facts merged per (region, year, metric, unit, kind); disagreements flagged.")
def indicators(storage: Storage) -> MaterializeResult:
    table = tables.indicators_table(_rows(storage, "facts"))
    write_parquet(table, output_path(storage.out_path, "indicators"))
    conflicts = sum(table.column("conflict").to_pylist())
    return MaterializeResult(metadata={"indicators": table.num_rows, "conflicts": conflicts,
                                       "preview": _preview(table)})


@asset(group_name=GROUP, code_version=rules_version(), deps=[raw_texts, clean_texts, facts],
       description="One row per raw file: checksum, encoding, title, date, status and error.")
def documents(storage: Storage) -> MaterializeResult:
    fact_rows = _rows(storage, "facts")
    extracted = {r["doc_id"] for r in fact_rows}
    errors = {r["doc_id"]: r["error"] for r in _rows(storage, EXTRACTION_ERRORS.name)}
    rows = extract.documents_stage(_rows(storage, RAW_TEXTS.name), _rows(storage, CLEAN_TEXTS.name),
                                   fact_rows, errors)
    table = tables.documents_table(rows)
    write_parquet(table, output_path(storage.out_path, "documents"))
    failed = [r for r in rows if r["status"] != "ok"]
    return MaterializeResult(metadata={
        "documents": len(rows), "failed": len(failed), "with_facts": len(extracted),
        "preview": _preview(table),
    })


@asset(group_name=GROUP, deps=[facts, indicators, documents],
       description="HTML report with PNG charts: facts by document, unit and kind, attribution, conflicts, score.")
def report(storage: Storage) -> MaterializeResult:
    score = score_line(storage.raw_path, read_parquet(output_path(storage.out_path, "facts")))
    page = write_report(storage.out_path, score)
    metadata = {"path": MetadataValue.path(str(page))}
    if score:
        metadata["score"] = MetadataValue.text(score)
    return MaterializeResult(metadata=metadata)


ASSETS = [raw_texts, clean_texts, facts, indicators, documents, report]
