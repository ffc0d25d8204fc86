"""Issue 8: bad inputs never stop a run or lose good data.

One run of the refresh job (`pipelines.cli.run`) over a raw folder where good texts with odd
names sit beside a binary file named .txt, undecodable bytes, a damaged UTF-8 text, a file mixing
UTF-8 and GB18030, a web page full of scripts and styles, a symlink out of the folder and a 20 MB
file that is one single line.
"""

from __future__ import annotations

import shutil
import time
from types import SimpleNamespace

import pandas as pd
import pyarrow.parquet as pq
import pytest

from econ_indicators.extract import extract_document, process_document
from pipelines.cli import print_summary, run
from pipelines.resources import Progress

pytestmark = pytest.mark.slow

XIAN = "03_xian_2025_statistical_communique_pdftext.txt"
SMALL = "004_fc92e0db041b966d.txt"
GOOD = "西安 统计公报 2025.txt"  # spaces and Chinese characters in the name
NESTED = "子目录 甲/100% 完成 #1 (副本).txt"

# The one-line file: plain sentences and, every fortieth, one with two figures (written for this test).
FILLER = ("今年以来各部门协同发力，项目建设稳步推进，民生保障持续加强，",
          "西安市基层治理不断完善，市场主体活力进一步释放，",
          "各项改革举措落地见效，发展基础更加牢固。")
FIGURE = "第{quarter}季度完成投资{amount}亿元，同比增长{growth}%。"
LINE_BYTES = 20_000_000
FIGURES_EVERY = 40

UTF8_LINES = ("2025年全县粮食总产量达到36.5万吨，比上年增长2.1%。", "城镇新增就业1.2万人。")
GB_LINES = ("全县一般公共预算收入完成18.7亿元，增长4.3%。", "社会消费品零售总额86.4亿元。")

SCRIPT = """<script>var stats = {{gdp: "9{i}99亿元", growth: "8{i}.8%"}};
document.write("<p>访问量{i}2345次，下载7{i}7份</p>");</script>
<style>.c{i} {{ width: 3{i}0px }} /* 产值1{i}00亿元 */</style>"""
PAGE = """<!DOCTYPE html><html><head><title>某县2025年经济运行简况</title>
<script type="application/ld+json">{{"name": "某县", "gdp": "5555亿元"}}</script>{head}</head>
<body><noscript>请启用脚本，增长6.6%</noscript>{body}
<article><h1>某县2025年经济运行简况</h1><p>全县地区生产总值86.3亿元，比上年增长5.2%。</p></article>
<script>window.onload = function () {{ show("工业增加值44.4亿元"); }};</script></body></html>"""


def one_line(size: int) -> bytes:
    """About `size` bytes of UTF-8 text, one line without a line break, two figures every fortieth sentence."""
    sentences, total, i = [], 0, 0
    while total < size:
        if i % FIGURES_EVERY == FIGURES_EVERY - 1:
            n = i // FIGURES_EVERY
            sentence = FIGURE.format(quarter=n % 4 + 1, amount=100 + n % 900, growth=f"{n % 9 + 1}.{n % 10}")
        else:
            sentence = FILLER[i % len(FILLER)]
        sentences.append(sentence)
        total += len(sentence.encode())
        i += 1
    return "".join(sentences).encode()


_SECONDS_PER_DOC: dict[str, float] = {}


class _Timing(Progress):
    """Records the CPU time each document took in the extract stage (one after another, in this
    process: CPU time does not depend on what else the machine runs)."""

    def start(self, stage, total, log):
        last = [time.process_time()]

        def advance(doc_id: str) -> None:
            now = time.process_time()
            if stage == "extract":
                _SECONDS_PER_DOC[doc_id] = now - last[0]
            last[0] = now

        return advance


@pytest.fixture(scope="module")
def bad_run(samples_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("bad_inputs")
    raw, out = base / "raw", base / "out"
    (raw / "子目录 甲").mkdir(parents=True)
    shutil.copy(samples_dir / XIAN, raw / GOOD)
    shutil.copy(samples_dir / SMALL, raw / NESTED)
    (raw / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (raw / "undecodable.txt").write_bytes(bytes((i * 131 + 7) % 128 + 128 for i in range(6000)))
    damaged = "\n".join(UTF8_LINES).encode()
    cut = len("2025年全县粮".encode()) - 1  # inside 粮
    (raw / "damaged utf8.txt").write_bytes(damaged[:cut] + b"\xff\xc0\x80" + damaged[cut:])
    mixed = [line.encode("utf-8") for line in UTF8_LINES] + [line.encode("gb18030") for line in GB_LINES]
    (raw / "mixed 编码.txt").write_bytes(b"\n".join([mixed[0], mixed[2], mixed[1], mixed[3]]))
    head = "".join(SCRIPT.format(i=i) for i in range(60))
    (raw / "scripts.html").write_text(PAGE.format(head=head, body=head), encoding="utf-8")
    (base / "outside.txt").write_text("全市生产总值100亿元。", encoding="utf-8")
    (raw / "link out.txt").symlink_to(base / "outside.txt")
    line = one_line(LINE_BYTES)
    (raw / "one line.txt").write_bytes(line)

    mp = pytest.MonkeyPatch()
    mp.delenv("DAGSTER_HOME", raising=False)
    mp.setenv("ECON_INDICATORS_WORKERS", "1")  # documents one after another: the timing is per document
    try:
        summary = run(raw, out, _Timing())
    finally:
        mp.undo()
    docs = pq.read_table(out / "documents.parquet").to_pandas().set_index("path")
    facts = pq.read_table(out / "facts.parquet").to_pandas()
    return SimpleNamespace(raw=raw, out=out, summary=summary, docs=docs, facts=facts,
                           line=line, per_doc=dict(_SECONDS_PER_DOC))


def _surfaces(run, path: str) -> list[str]:
    return run.facts[run.facts.doc_id == run.docs.loc[path, "doc_id"]].surface.tolist()


def test_every_file_gets_a_documents_row(bad_run):
    assert sorted(bad_run.docs.index) == sorted([
        GOOD, NESTED, "image.txt", "undecodable.txt", "damaged utf8.txt", "mixed 编码.txt", "scripts.html",
        "link out.txt", "one line.txt"])
    assert bad_run.docs.loc[NESTED, "doc_id"] == "子目录 甲/100% 完成 #1 (副本)"


@pytest.mark.parametrize("path, reason", [
    ("image.txt", "binary content (a PNG image), not text"),
    ("undecodable.txt", "not text: no encoding decodes these bytes; as UTF-8 and GB18030, only "),
    ("link out.txt", "outside the raw folder: not followed"),
])
def test_unreadable_files_fail_with_their_reason(bad_run, path, reason):
    row = bad_run.docs.loc[path]
    assert row.status == "failed" and reason in row.error and row.n_facts == 0


def test_good_siblings_give_the_facts_they_give_alone(bad_run, samples_dir):
    for path, sample in ((GOOD, XIAN), (NESTED, SMALL)):
        row = bad_run.docs.loc[path]
        assert row.status == "ok" and pd.isna(row.error)
        alone = extract_document(row.doc_id, (samples_dir / sample).read_text("utf-8"))
        assert _surfaces(bad_run, path) == [f["surface"] for f in alone] and row.n_facts == len(alone) > 5


def test_a_damaged_text_keeps_its_good_part_and_notes_the_damage(bad_run):
    row = bad_run.docs.loc["damaged utf8.txt"]
    assert row.status == "damaged" and row.encoding == "utf-8"
    first = len("2025年全县".encode())
    assert row.error == f"6 undecodable bytes replaced by U+FFFD (first at byte {first})"  # 粮 and 3 stray bytes
    assert _surfaces(bad_run, "damaged utf8.txt") == ["36.5万吨", "2.1%", "1.2万人"]


def test_mixed_encodings_are_each_read_in_their_own(bad_run):
    row = bad_run.docs.loc["mixed 编码.txt"]
    assert row.status == "damaged" and row.encoding == "utf-8+gb18030"
    assert row.error.startswith("mixed encodings: ") and "2 segments read as GB18030" in row.error
    assert _surfaces(bad_run, "mixed 编码.txt") == ["36.5万吨", "2.1%", "18.7亿元", "4.3%", "1.2万人", "86.4亿元"]


def test_a_web_page_gives_the_figures_of_its_body_not_of_its_scripts(bad_run):
    row = bad_run.docs.loc["scripts.html"]
    assert row.status == "ok"
    assert _surfaces(bad_run, "scripts.html") == ["86.3亿元", "5.2%"]


def test_a_20_mb_single_line_is_processed_in_linear_time(bad_run):
    row = bad_run.docs.loc["one line.txt"]
    assert b"\n" not in bad_run.line and row.bytes >= LINE_BYTES
    assert row.status == "ok" and row.n_facts == 2 * bad_run.line.decode().count("季度完成投资")
    figures = bad_run.facts[bad_run.facts.doc_id == "one line"]
    assert figures.sentence.str.len().max() < 100  # each figure keeps its own sentence as context
    # Linear: the whole line takes about twenty times what its first twentieth takes (quadratic: 400).
    part = bad_run.line[:LINE_BYTES // 20].decode("utf-8", "ignore")
    started = time.process_time()
    _, part_facts = process_document("part", part)
    part_seconds = time.process_time() - started
    assert len(part_facts) > 500
    assert bad_run.per_doc["one line"] < 40 * part_seconds + 5, (bad_run.per_doc["one line"], part_seconds)


def test_the_summary_counts_failures_and_damage(bad_run, capsys):
    summary = bad_run.summary
    assert (summary["documents"], summary["failed"], summary["damaged"]) == (9, 3, 2)
    print_summary(summary)
    printed = capsys.readouterr().out
    assert "documents read: 9  failed: 3  damaged: 2" in printed
    assert "  image: binary content (a PNG image), not text" in printed
    assert "  mixed 编码: damaged: mixed encodings: " in printed
