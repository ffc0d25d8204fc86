"""Issue 18: inputs and states an attacker would try. One document fails, never the run, never
wrong data: odd names, loops, depth, NUL bytes, huge digit runs and nesting, gold files, keys
that leave their root, an empty raw folder, the umask."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from econ_indicators import incremental, io
from econ_indicators.evaluate import read_gold_files
from econ_indicators.incremental import extract_one
from econ_indicators.ingest import (
    MAX_HTML_DEPTH,
    IngestError,
    decode_text,
    html_to_text,
    identities,
    read_document,
    shown_path,
    walk,
)
from econ_indicators.partitions import by_partition, partition_of
from econ_indicators.quantities import find_quantities, quantity_pattern
from econ_indicators.sources import list_raw, raw_rows, read_raw, refuse_empty
from econ_indicators.storage import Root, UnsafePath, checked

SMALL = "004_fc92e0db041b966d.txt"
GBK_NAME = os.fsdecode(b"\xcd\xb3\xbc\xc6.txt")  # 统计.txt from a GBK zip archive


def _nested(base: Path, depth: int, name: str = "d") -> Path:
    """`depth` nested folders under `base` (made through folder descriptors: any depth)."""
    fd = os.open(base, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        made = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(made, "全市地区生产总值100亿元。".encode())
        os.close(made)
    finally:
        os.close(fd)
    return base


def _remove_nested(base: Path, name: str = "d") -> None:
    """Remove what `_nested` made, deepest first (shutil.rmtree recurses, and 1,000 levels is too deep)."""
    chain = [os.open(base, os.O_RDONLY)]
    try:
        while name in os.listdir(chain[-1]):
            chain.append(os.open(name, os.O_RDONLY, dir_fd=chain[-1]))
        for entry in os.listdir(chain[-1]):
            os.unlink(entry, dir_fd=chain[-1])
        while len(chain) > 1:
            os.close(chain.pop())
            os.rmdir(name, dir_fd=chain[-1])
    finally:
        for fd in chain:
            os.close(fd)


@pytest.fixture
def nested_cleanup():
    made: list[Path] = []
    yield made
    for base in made:
        _remove_nested(base)


# Item 2: no input fails the whole run.

def test_files_of_one_stem_get_unique_ids_and_ordinary_files_keep_theirs():
    names = identities(["a.txt", "a.md", "c.txt", "c.TXT", "sub/b.txt", "a.md.txt"])
    ids = {rel: n.doc_id for rel, n in names.items()}
    assert ids["sub/b.txt"] == "sub/b" and ids["a.md"] == "a" and ids["c.TXT"] == "c"
    assert ids["a.txt"] == "a.txt" and ids["c.txt"] == "c.txt"
    assert ids["a.md.txt"] == "a.md" and len(set(ids.values())) == len(ids)
    assert identities(reversed(list(names))) == names  # whatever order the files are listed in


def test_a_name_that_is_not_utf8_has_a_partition_and_a_readable_path(tmp_path):
    (tmp_path / GBK_NAME).write_text("全市地区生产总值100亿元。", encoding="utf-8")
    rels = list_raw(Root(str(tmp_path)))
    assert rels == [GBK_NAME] and partition_of(GBK_NAME) in "0123456789abcdef"
    assert shown_path(GBK_NAME) == "统计.txt"
    (row,) = raw_rows(Root(str(tmp_path)), rels, names=identities(rels))
    assert (row["path"], row["doc_id"], row["error"]) == ("统计.txt", "统计", None)
    assert by_partition(rels)[partition_of(GBK_NAME)] == [GBK_NAME]


def test_a_symlink_loop_fails_alone(tmp_path):
    (tmp_path / "loop.txt").symlink_to("loop.txt")
    (tmp_path / "good.txt").write_text("全市地区生产总值100亿元。", encoding="utf-8")
    assert walk(tmp_path) == ["good.txt", "loop.txt"]
    doc = read_document(tmp_path / "loop.txt", tmp_path)
    assert doc.error == "symlink loop: not followed" and doc.text is None


def test_a_thousand_nested_folders_are_walked(tmp_path, nested_cleanup):
    nested_cleanup.append(_nested(tmp_path, 1000))
    (rel,) = walk(tmp_path)
    assert rel.count("/") == 1000 and rel.endswith("/deep.txt")


def test_a_folder_that_cannot_be_listed_gets_a_row(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "good.txt").write_text("全市地区生产总值100亿元。", encoding="utf-8")
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(path, real):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", lambda path=".": refuse(path, real_scandir))
    monkeypatch.setattr(os, "listdir", lambda path=".": refuse(path, real_listdir))
    assert walk(tmp_path) == ["good.txt", "locked/"]
    doc = read_document(tmp_path / "locked", tmp_path)
    assert doc.error == "cannot list the folder: Permission denied" and doc.doc_id == "locked"


def test_a_fifo_named_txt_is_reported_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert read_document(tmp_path / "pipe.txt", tmp_path).error == "not a regular file (a named pipe): not read"


def test_a_few_nul_bytes_make_a_text_damaged_not_binary(samples_dir):
    data = (samples_dir / SMALL).read_bytes()
    cut = data.index("。".encode()) + 3
    damaged = data[:cut] + b"\x00\x00\x00" + data[cut:]
    decoded = decode_text(damaged)
    assert decoded.text == data.decode("utf-8")[:len(data[:cut].decode())] + "\ufffd" * 3 + data[cut:].decode()
    assert decoded.damage == f"3 NUL bytes replaced by U+FFFD (first at byte {cut:,})"
    with pytest.raises(IngestError, match="binary"):
        decode_text(b"ab\x00" * 100)  # a NUL byte in three: binary (or UTF-16), not damage


# Item 1: one document never stops or hangs a run.

def test_a_figure_never_starts_inside_a_run_of_digits():
    """What keeps the scan of a digit run linear: only the run's own start is tried."""
    assert [m.group() for m in quantity_pattern().finditer("一m30元")] == ["一m3"]  # not 0元 after it
    assert find_quantities("1" * 200_000) == []
    assert [q.surface for q in find_quantities("增长" + "1" * 5000 + "，另有12亿元")] == ["12亿元"]


def test_a_deeply_nested_page_fails_with_its_reason_and_a_nested_one_reads():
    deep = "<div>文字" * (MAX_HTML_DEPTH + 1) + "</div>" * (MAX_HTML_DEPTH + 1)
    with pytest.raises(IngestError, match="nested more than 2,000 elements deep"):
        html_to_text(deep)
    nested = "".join(f"<div>第{i}层" for i in range(1500)) + "<pre>a  b</pre>" + "</div>" * 1500
    text = html_to_text(nested)
    assert text.splitlines()[0] == "第0层" and "a  b" in text and text.count("层") == 1500


def test_a_file_over_the_size_budget_fails_with_the_reason(tmp_path):
    (tmp_path / "big.txt").write_text("全市地区生产总值100亿元。" * 100, encoding="utf-8")
    doc = read_document(tmp_path / "big.txt", tmp_path, max_bytes=1000)
    assert doc.text is None and doc.error.startswith("too large: 3,600 bytes, over the size budget of 1,000 bytes")
    assert doc.bytes == 3600 and len(doc.sha256) == 64


def test_a_document_over_its_time_budget_fails_alone(monkeypatch):
    import time

    def slow(doc_id, text):
        time.sleep(5)
        return {}, []

    monkeypatch.setattr(incremental, "process_document", slow)
    result = extract_one("slow", "文字", seconds=0.2)
    assert result.document["error"].startswith("extraction failed: OverBudget: ")
    assert "time budget of 0.2 s" in result.document["error"] and result.facts.num_rows == 0


def test_values_are_finite():
    result = extract_one("nines", "全市地区生产总值" + "9" * 400 + "亿元，增长5%。")
    assert result.facts.column("surface").to_pylist() == ["5%"]


# Item 3: gold files are input too.

def test_gold_files_are_never_followed_out_nor_read_blindly(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (tmp_path / "secret.gold.jsonl").write_text('{"unit": "CNY", "value": 1}\n', encoding="utf-8")
    (raw / "out.gold.jsonl").symlink_to(tmp_path / "secret.gold.jsonl")
    os.mkfifo(raw / "pipe.gold.jsonl")
    (raw / "bad.gold.jsonl").write_text('{"unit": "CNY", "value": 1}\n{oops\n', encoding="utf-8")
    (raw / "odd.gold.jsonl").write_text('{"value": 1}\n', encoding="utf-8")
    (raw / "good.gold.jsonl").write_text('{"unit": "CNY", "value": 2, "core": true}\n', encoding="utf-8")
    gold, problems = read_gold_files(raw)
    assert gold == {"good": [{"unit": "CNY", "value": 2, "core": True}]}
    assert sorted(problems) == [
        "bad.gold.jsonl: line 2: not JSON (Expecting property name enclosed in double quotes): skipped",
        "odd.gold.jsonl: line 1: no unit: skipped",
        f"out.gold.jsonl: symlink to {tmp_path / 'secret.gold.jsonl'} outside the raw folder: not followed: skipped",
        "pipe.gold.jsonl: not a regular file: skipped",
    ]


# Item 6: storage roots are jails.

@pytest.mark.parametrize("rel", ["/tmp/x.txt", "a//b.txt", "../x.txt", "a/../../x.txt", "./x.txt"])
def test_keys_that_leave_their_root_are_refused(rel, tmp_path):
    with pytest.raises(UnsafePath):
        checked(rel)
    for root in (Root("memory://jail-raw"), Root(str(tmp_path))):
        with pytest.raises(UnsafePath):
            root.full(rel)
        with pytest.raises(UnsafePath):
            root.write_bytes(rel, b"x")


def test_a_remote_key_with_a_double_slash_is_a_failed_row_never_read_outside(tmp_path):
    root = Root("memory://jail18")
    root.fs.pipe_file("/jail18/ok.txt", "全市地区生产总值100亿元。".encode())
    root.fs.pipe_file("/jail18//tmp/evil.txt", b"outside")
    outside = Root("memory://tmp")
    outside.fs.pipe_file("/tmp/evil.txt", "全市地区生产总值999亿元。".encode())
    rels = list_raw(root)
    docs = {rel: read_raw(root, rel) for rel in rels}
    assert docs["ok.txt"].error is None
    unsafe = [d for rel, d in docs.items() if rel != "ok.txt"]
    assert unsafe and all(d.text is None and "would leave" in d.error for d in unsafe)


# Item 7: nothing silently wrong.

def test_an_out_dir_inside_the_raw_dir_is_not_read(tmp_path):
    (tmp_path / "a.txt").write_text("全市地区生产总值100亿元。", encoding="utf-8")
    (tmp_path / "out" / "report").mkdir(parents=True)
    (tmp_path / "out" / "report" / "index.html").write_text("<p>100亿元</p>", encoding="utf-8")
    assert list_raw(Root(str(tmp_path)), skip=Root(str(tmp_path / "out"))) == ["a.txt"]
    with pytest.raises(ValueError, match="is the raw folder"):
        list_raw(Root(str(tmp_path)), skip=Root(str(tmp_path)))


def test_an_empty_raw_folder_does_not_replace_tables_with_documents(pipeline_outputs, tmp_path):
    out = Root(str(pipeline_outputs))
    refusal = refuse_empty([], out, str(tmp_path))
    assert refusal and "not replacing them with empty ones" in refusal and "--allow-empty" in refusal
    assert refuse_empty([], out, str(tmp_path), allow_empty=True) is None
    assert refuse_empty(["a.txt"], out, str(tmp_path)) is None
    assert refuse_empty([], Root(str(tmp_path / "fresh")), str(tmp_path)) is None


def test_written_files_honour_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        io.write_bytes(b"x", tmp_path / "t.bin")
        io.write_parquet_chunks(pa.schema([("x", pa.int64())]), [], tmp_path / "t.parquet")
    finally:
        os.umask(previous)
    for name in ("t.bin", "t.parquet"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o644


@pytest.fixture
def hostile_raw(samples_dir, tmp_path, nested_cleanup):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a.txt", "a.md", "c.txt", "c.TXT", GBK_NAME):
        shutil.copy(samples_dir / SMALL, raw / name)
    (raw / "loop.txt").symlink_to("loop.txt")
    nested_cleanup.append(_nested(raw, 1000))
    data = (samples_dir / SMALL).read_bytes()
    cut = data.index("。".encode()) + 3
    (raw / "nul.txt").write_bytes(data[:cut] + b"\x00\x00\x00" + data[cut:])
    (raw / "ones.txt").write_text("1" * 1_000_000, encoding="ascii")
    (raw / "nested.html").write_text("<div>第层，产值1亿元。" * 100_000 + "</div>" * 100_000, encoding="utf-8")
    (raw / "nines.txt").write_text("全市地区生产总值" + "9" * 400 + "亿元，增长5%。", encoding="utf-8")
    (raw / "x.gold.jsonl").symlink_to("/etc/passwd")
    os.mkfifo(raw / "f.gold.jsonl")
    (raw / "m.gold.jsonl").write_text("{nope\n", encoding="utf-8")
    return raw


@pytest.mark.slow
def test_one_run_over_hostile_inputs_fails_documents_never_the_run(hostile_raw, monkeypatch, capsys):
    from pipelines.cli import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    out = hostile_raw / "out"  # inside the raw folder: never read as input
    assert main(["run", "--raw-dir", str(hostile_raw), "--out-dir", str(out)]) == 0
    assert main(["run", "--raw-dir", str(hostile_raw), "--out-dir", str(out)]) == 0  # and again
    docs = {r["path"]: r for r in pq.read_table(out / "documents.parquet").to_pylist()}
    facts = pq.read_table(out / "facts.parquet").to_pandas()
    assert not any(path.startswith("out/") for path in docs)
    assert {docs[p]["doc_id"] for p in ("a.md", "a.txt", "c.TXT", "c.txt")} == {"a", "a.txt", "c", "c.txt"}
    assert all(docs[p]["status"] == "ok" and docs[p]["n_facts"] > 5 for p in ("a.md", "a.txt", "c.TXT", "统计.txt"))
    assert facts.fact_id.is_unique and len(facts) == sum(r["n_facts"] for r in docs.values())
    assert docs["loop.txt"]["error"] == "symlink loop: not followed"
    assert docs["nested.html"]["error"].startswith("HTML nested more than")
    assert docs["nul.txt"]["status"] == "damaged" and docs["nul.txt"]["n_facts"] == docs["a.md"]["n_facts"]
    assert docs["ones.txt"]["status"] == "ok" and docs["ones.txt"]["n_facts"] == 0
    assert facts[facts.doc_id == "nines"].surface.tolist() == ["5%"]
    deep = next(p for p in docs if p.endswith("deep.txt"))
    assert deep.count("/") == 1000 and docs[deep]["n_facts"] == 1
    printed = capsys.readouterr()
    assert "gold file x.gold.jsonl: symlink to /etc/passwd outside the raw folder" in printed.err


# Item 5: concurrent runs.

def test_a_second_run_into_one_out_dir_waits_or_fails_fast(samples_dir, tmp_path, monkeypatch):
    from filelock import FileLock

    from econ_indicators.locking import Busy, exclusive, lock_path
    from pipelines.cli import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(samples_dir / SMALL, raw / SMALL)
    other = FileLock(lock_path(Root(str(out))))  # another run's lock (a lock file descriptor of its own)
    other.acquire()
    try:
        with pytest.raises(SystemExit, match="another run holds .* not waiting"):
            main(["run", "--raw-dir", str(raw), "--out-dir", str(out), "--no-wait"])
        with pytest.raises(Busy), exclusive(Root(str(out)), wait=False):
            pass
        assert not (out / "facts.parquet").exists()
    finally:
        other.release()
    assert main(["run", "--raw-dir", str(raw), "--out-dir", str(out), "--no-wait"]) == 0
    with exclusive(Root(str(out)), wait=False):  # the run gave the lock back
        pass


# Item 7: an empty raw folder never replaces good tables silently.

@pytest.mark.slow
def test_an_empty_raw_folder_is_refused_unless_allowed(samples_dir, tmp_path, monkeypatch, capsys):
    from pipelines.cli import main

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    raw, empty, out = tmp_path / "raw", tmp_path / "empty", tmp_path / "out"
    raw.mkdir()
    empty.mkdir()
    shutil.copy(samples_dir / SMALL, raw / SMALL)
    assert main(["run", "--raw-dir", str(raw), "--out-dir", str(out)]) == 0
    before = (out / "facts.parquet").read_bytes()
    with pytest.raises(SystemExit, match="has no files to read.*holds tables of 1 documents.*--allow-empty"):
        main(["run", "--raw-dir", str(empty), "--out-dir", str(out), "--strict"])
    with pytest.raises(SystemExit, match="raw folder not found"):
        main(["run", "--raw-dir", str(tmp_path / "missing"), "--out-dir", str(out)])
    assert (out / "facts.parquet").read_bytes() == before
    assert main(["run", "--raw-dir", str(empty), "--out-dir", str(out), "--allow-empty"]) == 0
    assert pq.read_metadata(out / "facts.parquet").num_rows == 0


# Item 8: the sensor compares the raw files with what the tables were built from.

def test_the_sensor_compares_with_what_the_tables_were_built_from(samples_dir, tmp_path, monkeypatch):
    from dagster import RunRequest, SkipReason, build_sensor_context

    from pipelines.automation import raw_files_sensor
    from pipelines.cli import run
    from pipelines.resources import Storage

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    shutil.copy(samples_dir / SMALL, raw / SMALL)
    (raw / "b.txt").write_text("全市地区生产总值100亿元。", encoding="utf-8")
    storage = Storage(raw_dir=str(raw), out_dir=str(out))

    def tick(cursor):
        context = build_sensor_context(cursor=cursor, resources={"storage": storage})
        return raw_files_sensor(context), context.cursor

    run(raw, out)
    fresh, _ = tick(None)  # a sensor that never ran (or was reset) over tables already up to date
    assert isinstance(fresh, SkipReason)
    (raw / "b.txt").write_text("全市地区生产总值200亿元。", encoding="utf-8")  # while the sensor is off
    changed, cursor = tick(None)
    assert isinstance(changed, RunRequest) and changed.partition_key == partition_of("b.txt")
    pending, cursor = tick(cursor)
    assert isinstance(pending, SkipReason)  # requested already: not asked again while it runs
    run(raw, out)
    done, _ = tick(cursor)
    assert isinstance(done, SkipReason)
