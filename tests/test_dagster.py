"""The Dagster layer: definitions, sensor, schedule, partitioned runs, backfills, checks, storage."""

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_schedule_context, build_sensor_context

from econ_indicators import tables
from econ_indicators.indicators import indicators_table
from econ_indicators.partitions import PARTITION_KEYS, partition_of
from econ_indicators.schema import DOCUMENTS, FACTS, INDICATORS
from econ_indicators.storage import Root
from pipelines import partitions
from pipelines.automation import CHANGED_TAG, daily_refresh, raw_files_sensor
from pipelines.checks import CHECKS
from pipelines.definitions import REFRESH_JOB, defs
from pipelines.resources import Compute, Progress, Storage

SMALL = ("002_8b2cd82f5e43ebaa.txt", "004_fc92e0db041b966d.txt", "03_xian_2025_statistical_communique_pdftext.txt")
PART_TABLES = ("raw_texts", "facts", "documents")
MERGED = "merged_facts"  # indicators' copy of each facts part as last merged


@pytest.fixture
def raw(tmp_path, samples_dir) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(samples_dir / name, folder / name)
    return folder


def _run(raw_dir, out_dir, *, partition_key: str | None = None, tags: dict | None = None):
    return defs.resolve_job_def(REFRESH_JOB).execute_in_process(
        instance=DagsterInstance.ephemeral(), partition_key=partition_key, tags=tags,
        resources={"storage": Storage(raw_dir=str(raw_dir), out_dir=str(out_dir)), "compute": Compute(workers=1),
                   "progress": Progress()},
    )


def _parts(out: Path) -> dict[str, set[str]]:
    return {t: {p.stem for p in (out / "_parts" / t).glob("*.parquet")} for t in PART_TABLES}


def _metadata(result, asset: str) -> dict[str | None, dict]:
    """Materialization metadata of `asset` by partition."""
    found = {}
    for event in result.get_asset_materialization_events():
        mat = event.materialization
        if mat.asset_key.to_user_string() == asset:
            found[mat.partition] = {k: v.value for k, v in mat.metadata.items()}
    return found


def test_definitions_snapshot():
    graph = defs.resolve_asset_graph()
    assert sorted(k.to_user_string() for k in graph.get_all_asset_keys()) == [
        "document_facts", "documents", "facts", "indicators", "raw_texts", "report"]
    assert sorted(f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys) == [
        "documents:doc_id_unique", "documents:schema_matches", "documents:status_consistent",
        "facts:fact_id_unique", "facts:region_and_year_share", "facts:schema_matches", "facts:units_known",
        "facts:values_within_bounds", "indicators:conflicts", "indicators:schema_matches", "indicators:units_known"]
    job = defs.resolve_job_def(REFRESH_JOB)
    assert job.partitions_def.get_partition_keys() == list(PARTITION_KEYS)
    assert defs.resolve_sensor_def("raw_files_sensor").job_name == REFRESH_JOB
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 3 * * *"


def test_code_version_follows_the_rules():
    from econ_indicators.rules import rules_version

    graph = defs.resolve_asset_graph()
    versions = {k.to_user_string(): graph.get(k).code_version for k in graph.get_all_asset_keys()}
    assert set(versions.values()) == {rules_version()}


def test_range_tags_are_the_ones_dagster_sets_for_a_single_run_backfill():
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    assert (partitions.RANGE_START_TAG, partitions.RANGE_END_TAG) == (
        ASSET_PARTITION_RANGE_START_TAG, ASSET_PARTITION_RANGE_END_TAG)


def test_daily_schedule_refreshes_every_partition_in_one_run():
    request = daily_refresh(build_schedule_context())
    assert request.tags[partitions.RANGE_START_TAG] == "0" and request.tags[partitions.RANGE_END_TAG] == "f"


def test_sensor_requests_runs_only_for_new_or_changed_files(raw, tmp_path):
    storage = Storage(raw_dir=str(raw), out_dir=str(tmp_path / "out"))

    def tick(cursor):
        context = build_sensor_context(cursor=cursor, resources={"storage": storage})
        return raw_files_sensor(context), context.cursor

    first, cursor = tick(None)
    expected = sorted({partition_of(n) for n in SMALL}, key=PARTITION_KEYS.index)
    assert isinstance(first, RunRequest) and first.tags[CHANGED_TAG] == ",".join(expected)
    assert (first.tags[partitions.RANGE_START_TAG], first.tags[partitions.RANGE_END_TAG]) == (
        expected[0], expected[-1])

    unchanged, cursor = tick(cursor)
    assert isinstance(unchanged, SkipReason)

    (raw / "new_doc.txt").write_text("2024年全市地区生产总值增长5.2%。", "utf-8")
    new, cursor = tick(cursor)
    assert isinstance(new, RunRequest) and new.partition_key == partition_of("new_doc.txt")

    with (raw / SMALL[1]).open("a", encoding="utf-8") as f:
        f.write("\n全年粮食产量增长1.2%。\n")
    changed, cursor = tick(cursor)
    assert isinstance(changed, RunRequest) and changed.partition_key == partition_of(SMALL[1])

    again, _ = tick(cursor)
    assert isinstance(again, SkipReason)


def test_one_partition_writes_only_its_part(raw, tmp_path):
    out = tmp_path / "out"
    key = partition_of(SMALL[0])
    assert _run(raw, out, partition_key=key).success
    assert _parts(out) == {t: {key} for t in PART_TABLES}
    assert pq.read_table(out / "documents.parquet").column("doc_id").to_pylist() == [SMALL[0].removesuffix(".txt")]

    assert _run(raw, out, tags=partitions.all_partitions_tags()).success
    assert _parts(out) == {t: set(PARTITION_KEYS) for t in PART_TABLES}
    before = {p: p.stat().st_mtime_ns for p in (out / "_parts").rglob("*.parquet")}

    changed = SMALL[2]
    with (raw / changed).open("a", encoding="utf-8") as f:
        f.write("\n全年粮食产量增长1.2%。\n")
    result = _run(raw, out, partition_key=partition_of(changed))
    assert result.success
    rewritten = {p.relative_to(out / "_parts").as_posix() for p, t in before.items() if p.stat().st_mtime_ns != t}
    assert rewritten == {f"{t}/{partition_of(changed)}.parquet" for t in (*PART_TABLES, MERGED)}
    assert _metadata(result, "document_facts")[partition_of(changed)]["extracted"] == 1
    facts = pq.read_table(out / "facts.parquet").to_pandas()
    assert (facts.surface == "1.2%").any() and facts.doc_id.nunique() == 2  # 002 states no figure
    assert _metadata(result, "indicators")[None]["built"] == "updated"
    fresh = tmp_path / "fresh"
    assert _run(raw, fresh, tags=partitions.all_partitions_tags()).success
    for table in ("facts", "documents", "indicators"):  # kept up to date = built from scratch, byte for byte
        assert (out / f"{table}.parquet").read_bytes() == (fresh / f"{table}.parquet").read_bytes()


def test_a_rerun_without_changes_leaves_every_part_alone(raw, tmp_path):
    out = tmp_path / "out"
    assert _run(raw, out, tags=partitions.all_partitions_tags()).success
    before = {p: p.stat().st_mtime_ns for p in (out / "_parts").rglob("*.parquet")}
    result = _run(raw, out, tags=partitions.all_partitions_tags())
    assert result.success
    assert {p: p.stat().st_mtime_ns for p in before} == before
    meta = _metadata(result, "document_facts")
    assert all(m["unchanged"] and m["extracted"] == 0 for m in meta.values())
    assert sum(m["from_cache"] for m in meta.values()) == len(SMALL)
    assert all(m["unchanged"] for m in _metadata(result, "raw_texts").values())


def test_backfill_of_two_partitions_in_one_run(raw, tmp_path):
    out = tmp_path / "out"
    first, second = "0", "1"  # 004 falls in 0, nothing in 1: both parts are written
    assert partition_of(SMALL[1]) == first
    result = _run(raw, out, tags=partitions.range_tags(first, second))
    assert result.success
    assert _parts(out) == {t: {first, second} for t in PART_TABLES}
    meta = _metadata(result, "document_facts")
    assert set(meta) == {first, second}
    assert meta[first]["documents"] == 1 and meta[first]["failed"] == 0 and meta[first]["facts"] > 0
    assert meta[second]["documents"] == 0 and "preview" in meta[first]
    assert {e.asset_key.to_user_string() for e in result.get_asset_check_evaluations()} == {
        "facts", "indicators", "documents"}
    assert all(e.passed for e in result.get_asset_check_evaluations() if e.severity.value == "ERROR")


def test_storage_roots_may_be_fsspec_urls(raw):
    base = "memory://econ-test-run"
    raw_root = Root(f"{base}/raw")
    for path in raw.iterdir():
        raw_root.write_bytes(path.name, path.read_bytes())
    gold = {"surface": "1亿元", "value": 1e8, "unit": "CNY", "masked": False, "kind": "level", "region": [],
            "year": None, "metric_keywords": [], "core": True}
    raw_root.write_bytes("gold/" + SMALL[2].replace(".txt", ".gold.jsonl"), json.dumps(gold).encode() + b"\n")
    result = _run(f"{base}/raw", f"{base}/out", tags=partitions.all_partitions_tags())
    assert result.success
    out = Root(f"{base}/out")
    assert out.read_parquet("facts.parquet").num_rows > 100
    assert out.read_parquet("documents.parquet").num_rows == len(SMALL)
    facts_meta = _metadata(result, "facts")[None]
    assert facts_meta["documents"] == 3 and facts_meta["failed"] == 0 and facts_meta["gold_files"] == 1
    assert facts_meta["score"].startswith("precision=")  # scored against the gold beside the raw texts
    assert not os.path.exists("memory:")  # nothing went to a local folder named after the URL


def _broken_tables() -> dict[str, pa.Table]:
    """One table per asset that breaks every check on it."""
    fact = {"fact_id": "dup", "doc_id": "d", "region": None, "region_code": None, "year": 2025, "metric": "m",
            "metric_id": None, "period": None, "value_low": None, "value_high": None,
            "value": 1.0, "unit": "CNY", "surface": "1元", "qualifier": None, "kind": "level", "masked": False,
            "sentence": "s", "char_start": 0, "char_end": 2}
    facts = tables.facts_table([fact, {**fact, "unit": "furlong"}, {**fact, "value": 1e20}])
    gdp = {**fact, "metric_id": "gdp"}
    indicators = indicators_table([gdp, {**gdp, "value": 2.0, "surface": "2元"}, {**fact, "unit": "furlong"}])
    doc = {"doc_id": "a", "path": "a.txt", "sha256": "0" * 64, "bytes": 1, "encoding": None, "title": None,
           "published": None, "year": None, "region": None,
           "genre": None, "status": "failed", "error": None, "n_facts": 0}
    documents = tables.documents_table([doc, doc])
    extra = pa.array(["x"] * 3)
    return {FACTS.name: facts.append_column("extra", extra),
            INDICATORS.name: indicators.append_column("extra", extra[:indicators.num_rows]),
            DOCUMENTS.name: documents.append_column("extra", extra[:2])}


def test_every_asset_check_fails_on_a_broken_table(tmp_path):
    out = Root(str(tmp_path))
    for name, table in _broken_tables().items():
        out.write_parquet(f"{name}.parquet", table)
    storage = Storage(raw_dir=str(tmp_path), out_dir=str(tmp_path))
    for check in CHECKS:
        (key,) = check.check_keys
        outcome = check(storage=storage)
        assert not outcome.passed, f"{key} passed a broken table"
        assert outcome.description, f"{key} does not say why"


def test_runs_left_started_by_a_dead_process_are_failed_and_free_their_slots(tmp_path):
    import subprocess

    from dagster import DagsterRunStatus
    from dagster._core.storage.dagster_run import DagsterRun

    from pipelines.assets import TABLES_POOL
    from pipelines.cli import PROCESS_TAG, process_tag, release_dead_runs

    instance = DagsterInstance.local_temp(str(tmp_path), overrides={"concurrency": {"pools": {"default_limit": 1}}})
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = DagsterRun(job_name=REFRESH_JOB, status=DagsterRunStatus.STARTED, tags={PROCESS_TAG: process_tag(gone.pid)})
    alive = DagsterRun(job_name=REFRESH_JOB, status=DagsterRunStatus.STARTED, tags={PROCESS_TAG: process_tag()})
    elsewhere = DagsterRun(job_name=REFRESH_JOB, status=DagsterRunStatus.STARTED,
                           tags={PROCESS_TAG: f"another-host:{gone.pid}:1"})
    daemons = DagsterRun(job_name=REFRESH_JOB, status=DagsterRunStatus.STARTED)  # not started by the CLI
    odd = DagsterRun(job_name=REFRESH_JOB, status=DagsterRunStatus.STARTED, tags={PROCESS_TAG: "no pid here"})
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(TABLES_POOL)
    for dagster_run in (dead, alive, elsewhere, daemons, odd):
        instance.add_run(dagster_run)
    storage.claim_concurrency_slot(TABLES_POOL, dead.run_id, "facts")
    assert storage.get_concurrency_info(TABLES_POOL).claimed_slots  # a next run would wait for it forever

    assert release_dead_runs(instance) == [dead.run_id]
    assert instance.get_run_by_id(dead.run_id).status == DagsterRunStatus.FAILURE
    assert not storage.get_concurrency_info(TABLES_POOL).claimed_slots
    assert all(instance.get_run_by_id(r.run_id).status == DagsterRunStatus.STARTED
               for r in (alive, elsewhere, daemons, odd))
    assert release_dead_runs(instance) == []
