"""Issue 8: an exception while reading or extracting one document is recorded for it (status and
a short reason), counted in the run summary, and the others go on; the run exits with 1 only
with --strict, and a failed extraction is not cached, so the next run tries the document again."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from econ_indicators import extract, ingest
from econ_indicators.ingest import MAX_REASON, failure_reason
from pipelines.cli import main

SAMPLES = ("004_fc92e0db041b966d.txt", "03_xian_2025_statistical_communique_pdftext.txt",
           "04_xiangxi_2025_statistical_communique_pdftext.txt")
VICTIM = "004_fc92e0db041b966d"
PAGE = "<html><body><p>全县地区生产总值86.3亿元，比上年增长5.2%。</p></body></html>"
LONG_MESSAGE = "the rule blew up on this text:\n" + "全文" * 3000


class RuleBug(RuntimeError):
    pass


@pytest.fixture
def raw(samples_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("ECON_INDICATORS_WORKERS", "1")  # extraction in this process, where the patches hold
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in SAMPLES:
        shutil.copy(samples_dir / name, folder / name)
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    return folder


def _documents(out) -> dict[str, dict]:
    return {row["doc_id"]: row for row in pq.read_table(out / "documents.parquet").to_pylist()}


def test_an_exception_extracting_one_document_fails_that_document_only(raw, tmp_path, monkeypatch, capsys):
    real = extract.extract_facts

    def extract_facts(doc_id, cleaned, ctx):
        if doc_id == VICTIM:
            raise RuleBug(LONG_MESSAGE)
        return real(doc_id, cleaned, ctx)

    monkeypatch.setattr(extract, "extract_facts", extract_facts)
    out = tmp_path / "out"
    assert main(["run", "--raw-dir", str(raw), "--out-dir", str(out)]) == 0
    printed = capsys.readouterr().out
    docs = _documents(out)
    victim = docs[VICTIM]
    assert victim["status"] == "failed" and victim["n_facts"] == 0
    assert victim["error"].startswith("extraction failed: RuleBug: the rule blew up on this text")
    assert len(victim["error"]) <= MAX_REASON and "\n" not in victim["error"]
    assert all(row["status"] == "ok" and row["n_facts"] > 0 for doc_id, row in docs.items() if doc_id != VICTIM)
    assert "documents read: 4  failed: 1  damaged: 0" in printed
    assert f"  {VICTIM}: extraction failed: RuleBug" in printed
    assert main(["run", "--strict", "--raw-dir", str(raw), "--out-dir", str(out)]) == 1

    monkeypatch.setattr(extract, "extract_facts", real)  # the bug is fixed: the document is extracted again
    assert main(["run", "--strict", "--raw-dir", str(raw), "--out-dir", str(out)]) == 0
    assert "extracted: 1  from cache: 3" in capsys.readouterr().out
    assert _documents(out)[VICTIM]["status"] == "ok" and _documents(out)[VICTIM]["n_facts"] > 0


def test_an_exception_reading_one_file_fails_that_file_only(raw, tmp_path, monkeypatch, capsys):
    def html_to_text(markup):
        raise RuleBug(LONG_MESSAGE)

    monkeypatch.setattr(ingest, "html_to_text", html_to_text)
    out = tmp_path / "out"
    assert main(["run", "--raw-dir", str(raw), "--out-dir", str(out)]) == 0
    docs = _documents(out)
    assert docs["page"]["status"] == "failed"
    assert docs["page"]["error"].startswith("reading failed: RuleBug: the rule blew up on this text")
    assert len(docs["page"]["error"]) <= MAX_REASON
    assert [doc_id for doc_id, row in docs.items() if row["status"] == "ok"] == [s.removesuffix(".txt")
                                                                                  for s in SAMPLES]
    assert "failed: 1" in capsys.readouterr().out
    assert main(["run", "--strict", "--raw-dir", str(raw), "--out-dir", str(out)]) == 1


def test_a_reason_is_one_short_line():
    reason = failure_reason("cleaning", ValueError("first line\nsecond line " + "x" * 1000))
    assert reason == "cleaning failed: ValueError: first line …"
    long = failure_reason("extraction", KeyError("k" * 1000))
    assert len(long) == MAX_REASON and long.endswith("…")
    assert failure_reason("reading", MemoryError()) == "reading failed: MemoryError"
