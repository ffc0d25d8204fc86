"""End to end: the refresh job, run in process on the samples, into a temp dir."""

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from econ_indicators.schema import OUTPUT_TABLES, TABLES
from pipelines.cli import main
from pipelines.definitions import REFRESH_JOB, defs


@pytest.fixture
def outputs(pipeline_outputs) -> Path:
    return pipeline_outputs


def test_definitions_load_with_the_expected_assets():
    keys = sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())
    assert keys == ["document_facts", "documents", "facts", "indicators", "raw_texts", "report"]
    assert defs.resolve_job_def(REFRESH_JOB) is not None
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 3 * * *"


@pytest.mark.parametrize("name", OUTPUT_TABLES)
def test_outputs_have_the_declared_schema(outputs, name):
    table = pq.read_table(outputs / TABLES[name].file_name)
    assert table.schema.equals(TABLES[name].arrow_schema(), check_metadata=False)
    field = table.schema.field(TABLES[name].columns[0].name)
    assert field.metadata[b"description"] == TABLES[name].columns[0].description.encode()


def test_facts_point_into_their_raw_text(outputs, samples_dir):
    facts = pq.read_table(outputs / "facts.parquet").to_pylist()
    assert len(facts) > 500
    assert len({f["fact_id"] for f in facts}) == len(facts)
    for fact in facts[::25]:
        raw = next(samples_dir.glob(Path(fact["doc_id"]).name + ".*")).read_text("utf-8")
        span = raw[fact["char_start"]:fact["char_end"]]
        assert "".join(span.split()) == "".join(fact["surface"].split()) or fact["surface"][0] in span


def test_known_figures_are_extracted(outputs):
    facts = pq.read_table(outputs / "facts.parquet").to_pandas()
    xian = facts[facts.doc_id == "03_xian_2025_statistical_communique_pdftext"]
    gdp = xian[xian.surface == "13902.67亿元"].iloc[0]
    assert gdp.value == 1.390267e12 and gdp.unit == "CNY" and gdp.year == 2025
    assert "地区生产总值" in gdp.metric
    assert (gdp.region, gdp.region_code) == ("西安市", "610100")
    masked = facts[facts.masked]
    assert len(masked) > 0 and masked.value.isna().all()


def test_documents_record_every_file(outputs, samples_dir):
    docs = pq.read_table(outputs / "documents.parquet").to_pandas()
    assert sorted(docs.path) == sorted(p.name for p in samples_dir.iterdir() if p.suffix in {".txt", ".md"})
    assert (docs.status == "ok").all() and docs.sha256.str.len().eq(64).all()
    xian = docs[docs.doc_id.str.startswith("03_xian")].iloc[0]
    assert str(xian.published) == "2026-05-15"
    assert xian.region == "西安市"
    masked_speech = docs[docs.doc_id.str.startswith("001_")].iloc[0]
    assert pd.isna(masked_speech.region)  # the city's name is masked: never a guess


def test_indicators_reference_existing_facts(outputs):
    facts = set(pq.read_table(outputs / "facts.parquet").column("fact_id").to_pylist())
    indicators = pq.read_table(outputs / "indicators.parquet").to_pylist()
    assert indicators
    assert all(set(row["fact_ids"]) <= facts for row in indicators)


def _digests(folder: Path) -> dict[str, str]:
    files = [folder / f"{n}.parquet" for n in OUTPUT_TABLES] + sorted((folder / "report").iterdir())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


GDP_GOLD = {"surface": "13902.67亿元", "value": 1390267000000, "unit": "CNY", "kind": "level", "core": True,
            "masked": False, "region": ["西安市"], "year": 2025, "metric_keywords": ["地区生产总值"]}


def test_report_is_written_beside_the_tables(outputs):
    page = (outputs / "report" / "index.html").read_text(encoding="utf-8")
    assert "03_xian_2025_statistical_communique_pdftext" in page and "<h2>Conflicts</h2>" in page
    assert "no score" in page  # no gold files beside the samples
    assert len(list((outputs / "report").glob("*.png"))) == 4


def test_cli_rerun_is_byte_identical_and_reports_bad_files(outputs, samples_dir, tmp_path, capsys,
                                                          monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    raw = tmp_path / "raw"
    shutil.copytree(samples_dir, raw)
    assert main(["run", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 0
    assert _digests(tmp_path / "out") == _digests(outputs)
    (raw / "empty.txt").write_bytes(b"")
    gold = json.dumps(GDP_GOLD, ensure_ascii=False) + "\n"
    (raw / "03_xian_2025_statistical_communique_pdftext.gold.jsonl").write_text(gold, encoding="utf-8")
    assert main(["run", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "failed: 1" in printed and "empty: empty file" in printed
    assert "facts:" in printed and "indicators:" in printed
    assert f"report: {tmp_path / 'out' / 'report' / 'index.html'}" in printed
    score = next(line for line in printed.splitlines() if line.startswith("score: "))
    assert " recall=1.0 " in score and "core_recall=1.0 region_acc=1.0 year_acc=1.0 metric_acc=1.0" in score
    assert score.removeprefix("score: ") in (tmp_path / "out" / "report" / "index.html").read_text("utf-8")
    assert main(["run", "--strict", "--raw-dir", str(raw), "--out-dir", str(tmp_path / "out")]) == 1


def test_cli_show_prints_a_series_or_close_labels(outputs, capsys):
    assert main(["show", "--region", "西安市", "--metric", "地区生产总值", "--data-dir", str(outputs)]) == 0
    printed = capsys.readouterr().out
    assert "1,390,267,000,000" in printed and "CNY" in printed and "conflict" in printed
    assert main(["show", "--region", "西安市", "--metric", "生产总值", "--data-dir", str(outputs)]) == 1
    assert "close labels:" in capsys.readouterr().out


def test_cli_names_a_missing_raw_folder(tmp_path):
    with pytest.raises(SystemExit, match="raw folder not found"):
        main(["run", "--raw-dir", str(tmp_path / "missing"), "--out-dir", str(tmp_path / "out")])


def test_cli_schema_prints_the_declarations(capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert "facts.parquet" in printed and "char_start" in printed


def test_dagster_cli_validates_the_definitions(tmp_path):
    import os
    import subprocess
    import sys

    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    done = subprocess.run([str(dagster), "definitions", "validate"], cwd=Path(__file__).parents[1], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Validation successful" in done.stderr + done.stdout


def test_pdf_inputs_give_facts_and_a_scanned_pdf_a_failed_row(tmp_path, make_pdf):
    from econ_indicators.extract import documents_stage, process_document, raw_row
    from econ_indicators.ingest import discover, read_document

    (tmp_path / "report.pdf").write_bytes(make_pdf([["Output grew by 4.5% in 2025,"], ["exports 12.5%."]]))
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[]]))
    raw = [raw_row(read_document(path, tmp_path)) for path in discover(tmp_path)]
    done = [process_document(row["doc_id"], row["text"]) for row in raw if row["text"] is not None]
    cleaned, facts = [row for row, _ in done], [fact for _, rows in done for fact in rows]
    counts = Counter(f["doc_id"] for f in facts)
    docs = {row["doc_id"]: row for row in documents_stage(raw, cleaned, counts)}
    assert docs["scan"]["status"] == "failed" and "scanned PDF without a text layer" in docs["scan"]["error"]
    assert docs["report"]["status"] == "ok" and docs["report"]["encoding"] == "pdf"
    text = next(row["text"] for row in raw if row["doc_id"] == "report")
    assert sorted(f["surface"] for f in facts) == ["12.5%", "4.5%"]
    assert all(text[f["char_start"]:f["char_end"]] == f["surface"] for f in facts)
