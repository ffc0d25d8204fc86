"""Assets: per-partition reading and extraction, then the public tables rebuilt from the parts.

raw_texts and document_facts are partitioned by a hash of each file's path (16 buckets); each
run handles one or many partitions and writes exactly their parts. facts, documents and
indicators are unpartitioned: they concatenate the parts.
"""

import warnings

import pyarrow as pa
import pyarrow.compute as pc
from dagster import (
    AssetExecutionContext,
    BackfillPolicy,
    BetaWarning,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from econ_indicators import combine, incremental, locking, tables
from econ_indicators.evaluate import gold_line, read_gold, read_gold_files
from econ_indicators.indicators import write_indicators
from econ_indicators.partitions import PARTITION_KEYS, by_partition
from econ_indicators.report import write_report
from econ_indicators.rules import rules_version
from econ_indicators.schema import DOCUMENTS, FACTS, INDICATORS, RAW_TEXTS
from econ_indicators.sources import content_hashes, list_raw, raw_identities, raw_rows, refuse_empty
from econ_indicators.storage import Root

from .memory import release_memory
from .partitions import PARTITIONS
from .resources import Compute, Progress, Storage

GROUP = "econ_indicators"
PREVIEW_ROWS = 10
_PREVIEW_DROP = ("text", "raw_index", "sentence", "fact_ids", "doc_ids")
# Combining parts into one file must not interleave between runs: one at a time (pool limit 1).
TABLES_POOL = "econ_indicators_tables"
RULES_VERSION = rules_version()
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)


def _preview(table: pa.Table) -> MetadataValue:
    head = table.slice(0, PREVIEW_ROWS).drop_columns([c for c in _PREVIEW_DROP if c in table.column_names])
    return MetadataValue.md(head.to_pandas().to_markdown(index=False))


def _head(root: Root, rel: str) -> pa.Table:
    """The first rows of a table, without reading the rest."""
    batches = root.iter_parquet(rel, PREVIEW_ROWS)
    try:
        return pa.Table.from_batches([next(batches)])
    except StopIteration:
        return root.read_parquet(rel)
    finally:
        batches.close()


def hold_out_lock(context: AssetExecutionContext, out: Root) -> None:
    """Take the output root's lock for the rest of this run (re-entrant: a CLI run holds it
    already); `report`, the job's last asset, gives it back, and a run process that dies frees it."""
    def waiting() -> None:
        context.log.warning(f"another run is writing to {out.url}: waiting for it to end")

    locking.acquire(locking.out_lock(out), True, waiting)


def release_out_lock(out: Root) -> None:
    lock = locking.out_lock(out)
    if lock.is_locked:
        lock.release()


def _failed(status: pa.ChunkedArray) -> int:
    return pc.sum(pc.equal(status, "failed")).as_py() or 0


def _stage(context: AssetExecutionContext, progress: Progress, stage: str, total: int, work):
    advance = progress.start(stage, total, context.log)
    try:
        return work(advance)
    finally:
        progress.finish()


@asset(group_name=GROUP, partitions_def=PARTITIONS, backfill_policy=BackfillPolicy.single_run(),
       code_version=RULES_VERSION, kinds={"parquet"},
       description="The partition's raw files decoded to text, with their SHA-256 (one part per partition).")
def raw_texts(context: AssetExecutionContext, storage: Storage, progress: Progress) -> None:
    raw, out = storage.raw_root(), storage.out_root()
    hold_out_lock(context, out)
    files = list_raw(raw, skip=out)
    refusal = refuse_empty(files, out, raw.url, storage.allow_empty)
    if refusal:
        raise Failure(refusal)
    groups = by_partition(files)
    names = raw_identities(files)
    keys = context.partition_keys

    def read(advance) -> None:  # one partition's texts in memory at a time
        for key in keys:
            if incremental.raw_part_current(out, key, content_hashes(raw, groups[key]), names):
                for rel in groups[key]:
                    advance(rel)
                context.add_asset_metadata({"documents": len(groups[key]), "unchanged": True}, partition_key=key)
                continue
            rows = raw_rows(raw, groups[key], advance, names)
            table = tables.to_arrow(RAW_TEXTS, rows)
            incremental.write_part(out, RAW_TEXTS.name, key, table)
            failed = sum(1 for r in rows if r["error"])
            context.add_asset_metadata({"documents": len(rows), "failed": failed, "preview": _preview(table)},
                                       partition_key=key)
            del rows, table
            release_memory()

    _stage(context, progress, "read", sum(len(groups[key]) for key in keys), read)


@asset(group_name=GROUP, partitions_def=PARTITIONS, backfill_policy=BackfillPolicy.single_run(),
       code_version=RULES_VERSION, deps=[raw_texts], kinds={"parquet"},
       description="The partition's documents cleaned and their figures extracted: facts and documents parts. "
                   "A text already extracted under the same rules comes from the cache.")
def document_facts(context: AssetExecutionContext, storage: Storage, compute: Compute,
                   progress: Progress) -> None:
    out = storage.out_root()
    keys = context.partition_keys
    cache = incremental.ExtractionCache(out, RULES_VERSION)

    sources = {key: incremental.source_digest(out, key, RULES_VERSION) for key in keys}
    unchanged = [key for key in keys if incremental.parts_current(out, key, sources[key])]
    for key in unchanged:
        documents = out.parquet_rows(incremental.part_path(DOCUMENTS.name, key))
        context.add_asset_metadata({"documents": documents, "extracted": 0, "from_cache": documents,
                                    "unchanged": True}, partition_key=key)
    raw = incremental.RawParts(out, [key for key in keys if key not in unchanged])

    def extract(advance) -> None:  # results are written partition by partition
        for key, result in incremental.extract_partitions(raw, cache, compute.workers, advance):
            incremental.write_part(out, FACTS.name, key, incremental.with_source(result.facts, sources[key]))
            incremental.write_part(out, DOCUMENTS.name, key, incremental.with_source(result.documents, sources[key]))
            for row in result.documents.filter(pc.equal(result.documents.column("status"), "failed")).to_pylist():
                context.log.warning(f"{row['doc_id']}: {row['error']}")
            context.add_asset_metadata({
                "documents": result.documents.num_rows, "failed": _failed(result.documents.column("status")),
                "facts": result.facts.num_rows, "extracted": result.extracted, "from_cache": result.cached,
                "preview": _preview(result.facts),
            }, partition_key=key)
            del result
            release_memory()

    total = sum(out.parquet_rows(incremental.part_path(RAW_TEXTS.name, key)) for key in raw)
    _stage(context, progress, "extract", total, extract)


@asset(group_name=GROUP, code_version=RULES_VERSION, deps=[document_facts], pool=TABLES_POOL, kinds={"parquet"},
       description="One row per figure found, with region, year, metric, kind and provenance (all partitions).")
def facts(context: AssetExecutionContext, storage: Storage) -> MaterializeResult:
    release_memory()  # what the stage before freed
    out = storage.out_root()
    rows = combine.write_combined(out, FACTS, PARTITION_KEYS)
    statuses = combine.part_column(out, DOCUMENTS, PARTITION_KEYS, "status")
    metadata = {
        "facts": rows, "documents": len(statuses), "failed": _failed(statuses),
        "masked": pc.sum(out.read_parquet(FACTS.file_name, ["masked"]).column("masked")).as_py() or 0,
        "preview": _preview(_head(out, FACTS.file_name)),
    }
    gold, problems = read_gold_files(storage.raw_root())
    for problem in problems:
        context.log.warning(f"gold file {problem}")
    if problems:
        metadata["gold_skipped"] = MetadataValue.md("\n".join(f"- {p}" for p in problems))
    if gold:
        metadata["gold_files"] = len(gold)
        metadata["score"] = gold_line(gold, out.iter_parquet(FACTS.file_name))
    return MaterializeResult(metadata=metadata)


@asset(group_name=GROUP, code_version=RULES_VERSION, deps=[document_facts], pool=TABLES_POOL, kinds={"parquet"},
       description="One row per raw file: checksum, encoding, title, date, status and error (all partitions).")
def documents(storage: Storage) -> MaterializeResult:
    release_memory()  # what the stage before freed
    out = storage.out_root()
    combine.write_combined(out, DOCUMENTS, PARTITION_KEYS)
    table = out.read_parquet(DOCUMENTS.file_name)
    with_facts = pc.sum(pc.greater(table.column("n_facts"), 0)).as_py() or 0
    return MaterializeResult(metadata={"documents": table.num_rows, "failed": _failed(table.column("status")),
                                       "with_facts": with_facts, "preview": _preview(table)})


@asset(group_name=GROUP, code_version=RULES_VERSION, deps=[document_facts], pool=TABLES_POOL, kinds={"parquet"},
       description="Facts merged per (region, year, metric, unit, kind); disagreements flagged. Only the key "
                   "groups whose facts changed since the last run are merged again.")
def indicators(storage: Storage) -> MaterializeResult:
    release_memory()  # what the stage before freed
    out = storage.out_root()
    build = write_indicators(out, PARTITION_KEYS)
    conflicts = pc.sum(out.read_parquet(INDICATORS.file_name, ["conflict"]).column("conflict")).as_py() or 0
    return MaterializeResult(metadata={"indicators": build.rows, "conflicts": conflicts, "built": build.how,
                                       "facts_merged": build.facts_merged,
                                       "preview": _preview(_head(out, INDICATORS.file_name))})


@asset(group_name=GROUP, code_version=RULES_VERSION, deps=[facts, indicators, documents], pool=TABLES_POOL,
       kinds={"html"},
       description="HTML report with PNG charts: facts by document, unit and kind, attribution, conflicts, score.")
def report(storage: Storage) -> MaterializeResult:
    release_memory()  # what the stage before freed
    out = storage.out_root()
    score = gold_line(read_gold(storage.raw_root()), out.iter_parquet(FACTS.file_name))
    page = write_report(out, score)
    release_out_lock(out)
    metadata = {"path": MetadataValue.path(page)}
    if score:
        metadata["score"] = MetadataValue.text(score)
    return MaterializeResult(metadata=metadata)


ASSETS = [raw_texts, document_facts, facts, documents, indicators, report]
