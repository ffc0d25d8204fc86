"""The run report: sections, charts and identical rebuilds, on small hand-made tables."""

import contextlib
import warnings

from econ_indicators.indicators import indicators_table
from econ_indicators.io import output_path, write_parquet
from econ_indicators.metrics import metric_id
from econ_indicators.report import (
    INDEX,
    MAX_DOCUMENT_BARS,
    REPORT_DIR,
    bar_chart,
    build_report,
    conflicts,
    documents_chart,
    fact_histogram,
    facts_by_document,
    write_report,
)
from econ_indicators.tables import documents_table, facts_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _fact(fid, doc, value, unit="CNY", kind="level", region="西安市", year=2025, metric="地区生产总值"):
    return {"fact_id": fid, "doc_id": doc, "region": region, "region_code": None, "year": year, "metric": metric,
            "value": value, "unit": unit, "surface": "s", "qualifier": None, "kind": kind, "masked": False,
            "sentence": "s", "period": None, "metric_id": metric_id(metric, kind, unit), "value_low": None,
            "value_high": None, "char_start": int(fid), "char_end": int(fid) + 1}


def _doc(doc_id, status="ok", error=None):
    return {"doc_id": doc_id, "path": f"{doc_id}.txt", "sha256": "0" * 64, "bytes": 1, "encoding": "utf-8",
            "title": None, "published": None, "year": None, "region": None,
           "genre": None, "status": status, "error": error,
            "n_facts": 0}


FACTS = [_fact("1", "西安公报", 1.3e12), _fact("2", "西安公报", 4.7, unit="%", kind="change"),
         _fact("3", "other", 1.4e12), _fact("4", "other", 9.0, unit="t", region=None, year=None, metric=None)]
DOCS = [_doc("西安公报"), _doc("other"), _doc("broken", "failed", "empty file")]


@contextlib.contextmanager
def _no_glyph_warnings():
    """Fail when matplotlib warns, as it does for a character its font lacks."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    assert [str(w.message) for w in caught if issubclass(w.category, UserWarning)] == []


def _frames():
    return (facts_table(FACTS).to_pandas(), indicators_table(FACTS).to_pandas(), documents_table(DOCS).to_pandas())


def test_report_has_every_section_and_png_charts():
    with _no_glyph_warnings():
        report = build_report(*_frames(), score="precision=1.0")
    for title in ("Facts by document", "Facts by unit", "Facts by kind", "Attributed to a region and year",
                  "Top 20 metrics", "Conflicts", "Failed and damaged documents"):
        assert f"<h2>{title}</h2>" in report.html
    assert "<pre>precision=1.0</pre>" in report.html
    assert "empty file" in report.html and "西安公报" in report.html
    assert "75.0%" in report.html  # 3 of 4 facts have a region
    assert report.charts and all(png.startswith(PNG_MAGIC) for png in report.charts.values())
    assert all(f'src="{name}"' in report.html for name in report.charts)


def test_chart_labels_without_glyphs_in_the_default_font_become_positions():
    with _no_glyph_warnings():
        assert bar_chart(["西安市", "CNY"], [1, 2], "t", "x").startswith(PNG_MAGIC)


def test_conflicting_values_are_listed_once_per_key():
    table, total = conflicts(indicators_table(FACTS).to_pandas())
    assert total == 1
    assert table.to_dict("records") == [{"region": "西安市", "year": 2025, "metric": "地区生产总值", "unit": "CNY",
                                         "kind": "level", "values": "1,300,000,000,000 / 1,400,000,000,000",
                                         "sources": 2}]


def test_without_gold_the_report_says_there_is_no_score():
    assert "no score" in build_report(*_frames()).html


def test_written_report_is_identical_when_rebuilt(tmp_path):
    write_parquet(facts_table(FACTS), output_path(tmp_path, "facts"))
    write_parquet(indicators_table(FACTS), output_path(tmp_path, "indicators"))
    write_parquet(documents_table(DOCS), output_path(tmp_path, "documents"))
    folder = tmp_path / REPORT_DIR
    (folder).mkdir()
    (folder / "old_chart.png").write_bytes(PNG_MAGIC)
    page = write_report(tmp_path)
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    write_report(tmp_path)
    assert page == str(folder / INDEX)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    assert "old_chart.png" not in first


def test_the_report_is_written_to_an_fsspec_root():
    from econ_indicators.storage import Root

    root = Root("memory://report-test")
    for name, table in (("facts", facts_table(FACTS)), ("indicators", indicators_table(FACTS)),
                        ("documents", documents_table(DOCS))):
        root.write_parquet(f"{name}.parquet", table)
    write_report(root, "precision=1.0")
    assert root.read_bytes(f"{REPORT_DIR}/{INDEX}").startswith(b"<!DOCTYPE html>")


def test_many_documents_are_charted_as_a_histogram_and_the_table_is_cut():
    docs = [_doc(f"d{i:04d}") for i in range(MAX_DOCUMENT_BARS + 1)]
    facts = [_fact(str(i), f"d{i % 3:04d}", 1.0) for i in range(12)]
    by_doc = facts_by_document(facts_table(facts).to_pandas(), documents_table(docs).to_pandas())
    assert by_doc.facts.tolist()[:4] == [4, 4, 4, 0]
    assert documents_chart(by_doc).startswith(PNG_MAGIC)
    assert fact_histogram(by_doc.facts) == (["0", "1-9", "10-49", "50-99", "100-199", "200-499", "500+"],
                                            [MAX_DOCUMENT_BARS - 2, 3, 0, 0, 0, 0, 0])
    html = build_report(facts_table(facts).to_pandas(), indicators_table(facts).to_pandas(),
                        documents_table([_doc(f"d{i:04d}") for i in range(600)]).to_pandas()).html
    assert "… and 100 more (see documents.parquet)" in html


def test_only_the_first_conflicting_keys_are_spelled_out_but_all_are_counted():
    facts = [_fact(str(2 * i + k), "d", 1.0 + k, region=f"R{i:02d}") for i in range(5) for k in (0, 1)]
    table, total = conflicts(indicators_table(facts), limit=2)
    assert total == 5 and table.region.tolist() == ["R00", "R01"] and table["values"].tolist() == ["1 / 2"] * 2
