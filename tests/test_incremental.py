"""Partitions, storage roots, sources and the extraction cache, without Dagster."""

import shutil

import pyarrow as pa
import pytest

from econ_indicators import combine, incremental, tables
from econ_indicators.partitions import (
    PARTITION_KEYS,
    by_partition,
    changed_partitions,
    key_span,
    partition_digests,
    partition_of,
)
from econ_indicators.schema import DOCUMENTS, FACTS, RAW_TEXTS
from econ_indicators.sources import content_hashes, list_raw, raw_rows
from econ_indicators.storage import Root
from econ_indicators.tables import facts_table

SMALL = ("002_8b2cd82f5e43ebaa.txt", "004_fc92e0db041b966d.txt", "03_xian_2025_statistical_communique_pdftext.txt")


@pytest.fixture
def raw(tmp_path, samples_dir):
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(samples_dir / name, folder / name)
    return folder


def _extract(raw, cache, workers=0):
    return dict(incremental.extract_partitions(raw, cache, workers))


def test_a_file_keeps_its_partition_whatever_its_content():
    assert partition_of("samples/a.txt") == partition_of("samples/a.txt")
    assert {partition_of(f"doc{i}.txt") for i in range(200)} == set(PARTITION_KEYS)
    groups = by_partition(["b.txt", "a.txt"])
    assert set(groups) == set(PARTITION_KEYS) and sum(map(len, groups.values())) == 2


def test_partition_digests_change_only_where_a_file_changed():
    before = partition_digests({"a.txt": "1", "b.txt": "2"})
    after = partition_digests({"a.txt": "1", "b.txt": "3"})
    assert changed_partitions(before, after) == [partition_of("b.txt")]
    assert changed_partitions(before, before) == []
    assert changed_partitions({}, before) == sorted({partition_of("a.txt"), partition_of("b.txt")},
                                                    key=PARTITION_KEYS.index)
    assert changed_partitions(before, partition_digests({"a.txt": "1"})) == [partition_of("b.txt")]
    assert key_span(["c", "2", "a"]) == ("2", "c")


def test_memory_root_reads_and_writes_like_a_folder():
    root = Root("memory://econ-test-storage")
    root.write_bytes("sub/a.txt", "2024年增长5%。".encode())
    root.write_bytes(".hidden/b.txt", b"x")
    root.write_bytes("notes.pdf.bak", b"x")
    assert list_raw(root) == ["sub/a.txt"]
    table = pa.table({"x": [1, 2]})
    root.write_parquet("out/t.parquet", table)
    assert root.read_parquet("out/t.parquet").equals(table)
    with pytest.raises(FileNotFoundError, match="no table at memory://"):
        root.read_parquet("out/missing.parquet")
    rows = raw_rows(root, ["sub/a.txt"])
    assert rows[0]["doc_id"] == "sub/a" and rows[0]["text"] == "2024年增长5%。" and rows[0]["encoding"] == "utf-8"
    assert len(content_hashes(root)["sub/a.txt"]) == 64


def test_local_and_memory_roots_read_the_same_rows(raw):
    memory = Root("memory://econ-test-same")
    for path in raw.iterdir():
        memory.write_bytes(path.name, path.read_bytes())
    local = Root(str(raw))
    assert list_raw(local) == list_raw(memory)
    assert raw_rows(local, list_raw(local)) == raw_rows(memory, list_raw(memory))


def _partitions(root: Root) -> dict[str, list[dict]]:
    return {key: raw_rows(root, rels) for key, rels in by_partition(list_raw(root)).items() if rels}


def test_unchanged_documents_come_from_the_cache(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    cache = incremental.ExtractionCache(out, "v1")
    first = _extract(_partitions(root), cache, workers=1)
    assert sum(r.extracted for r in first.values()) == 3
    shutil.copy(raw / SMALL[2], raw / "copy_of_xian.txt")
    second = _extract(_partitions(root), cache, workers=1)
    # the copy has the same text: a cache hit, under its own doc_id and fact ids
    assert sum(r.extracted for r in second.values()) == 0 and sum(r.cached for r in second.values()) == 4
    (raw / "new.txt").write_text("2024年全市地区生产总值增长5.2%。", "utf-8")
    third = _extract(_partitions(root), cache, workers=1)
    assert sum(r.extracted for r in third.values()) == 1
    facts = pa.concat_tables([r.facts for r in third.values()]).to_pylist()
    copy = [f for f in facts if f["doc_id"] == "copy_of_xian"]
    original = [f for f in facts if f["doc_id"] == SMALL[2].removesuffix(".txt")]
    assert len(copy) == len(original) > 100
    assert {f["fact_id"] for f in copy}.isdisjoint(f["fact_id"] for f in original)
    other_rules = _extract(_partitions(root), incremental.ExtractionCache(out, "v2"), workers=1)
    # new rules: every text again, but the copy (in a later partition) reuses its original's fresh entry
    assert sum(r.extracted for r in other_rules.values()) == 4
    assert sum(r.cached for r in other_rules.values()) == 1


def test_cached_and_fresh_extractions_give_the_same_parts(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    cache = incremental.ExtractionCache(out, "v1")
    fresh = _extract(_partitions(root), cache, workers=1)
    cached = _extract(_partitions(root), cache, workers=1)
    for key in fresh:
        assert cached[key].facts.equals(fresh[key].facts) and cached[key].documents.equals(fresh[key].documents)
    published = [d for r in cached.values() for d in r.documents.to_pylist() if d["published"]]
    assert published and str(published[0]["published"])[:2] == "20"


def test_worker_processes_give_the_same_result_as_one(raw, tmp_path):
    rows = [r for part in _partitions(Root(str(raw))).values() for r in part]
    items = [(r["doc_id"], r["text"]) for r in rows]
    assert incremental.extract_many(items, workers=2) == incremental.extract_many(items, workers=1)


def test_a_broken_worker_pool_falls_back_to_this_process(monkeypatch):
    class Broken:
        def __init__(self, *args, **kwargs):
            raise incremental.BrokenProcessPool("no worker could start")

    monkeypatch.setattr(incremental, "ProcessPoolExecutor", Broken)
    items = [("a", "2024年增长5%。"), ("b", "投资增长3.3%。")]
    with pytest.warns(RuntimeWarning, match="extracting in this process"):
        results = incremental.extract_many(items, workers=2)
    assert [r.facts.column("surface")[0].as_py() for r in results] == ["5%", "3.3%"]


def test_worker_count_follows_the_batch():
    assert incremental.choose_workers(0, 1) == 1
    assert incremental.choose_workers(0, 10) == 1  # too few documents to pay for a process
    assert incremental.choose_workers(4, 10) == 4
    assert incremental.choose_workers(4, 2) == 2


def test_combined_parts_match_one_build(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    results = _extract(_partitions(root), incremental.ExtractionCache(out, "v1"), workers=1)
    for key, result in results.items():
        incremental.write_part(out, FACTS.name, key, result.facts)
        incremental.write_part(out, DOCUMENTS.name, key, result.documents)
    rows = [f for r in results.values() for f in r.facts.to_pylist()]
    assert combine.write_combined(out, FACTS, PARTITION_KEYS) == len(rows)
    assert out.read_parquet(FACTS.file_name).equals(facts_table(rows))
    combine.write_combined(out, DOCUMENTS, PARTITION_KEYS)
    assert out.read_parquet(DOCUMENTS.file_name).column("doc_id").to_pylist() == sorted(p.stem for p in raw.iterdir())


def test_parts_merge_in_small_windows_into_the_same_order(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    results = _extract(_partitions(root), incremental.ExtractionCache(out, "v1"), workers=1)
    rows = [f for r in results.values() for f in r.facts.to_pylist()]
    per_doc = {d["doc_id"]: d["n_facts"] for r in results.values() for d in r.documents.to_pylist()}
    windows = combine.doc_windows(per_doc, rows_per_window=5)
    # 002 (no facts) and 004 (7) share the first window, xian (393) has the second
    assert [first[:3] for first, _ in windows] == ["002", "03_"] and windows[-1][1] is None

    def read(first, end):
        for key, result in results.items():
            ids = result.facts.column("doc_id").to_pylist()
            yield key, result.facts.filter(pa.array([first <= d and (end is None or d < end) for d in ids], pa.bool_()))

    chunks = list(combine.merge_windows(FACTS, windows, read))
    assert len(chunks) == 2 and pa.concat_tables(chunks).equals(facts_table(rows))


def test_doc_windows_cut_sorted_documents_by_rows():
    assert combine.doc_windows({"c": 3, "a": 2, "b": 2, "d": 1}, rows_per_window=4) == [("a", "c"), ("c", None)]
    assert combine.doc_windows({}) == []


def test_a_part_with_another_schema_is_named(tmp_path):
    out = Root(str(tmp_path))
    incremental.write_part(out, FACTS.name, "3", pa.table({"fact_id": ["x"]}))
    with pytest.raises(ValueError, match="part '3'"):
        combine.write_combined(out, FACTS, PARTITION_KEYS)


def test_a_raw_part_is_current_only_for_the_same_files_and_bytes(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    rels = list_raw(root)
    incremental.write_part(out, RAW_TEXTS.name, "0", tables.to_arrow(RAW_TEXTS, raw_rows(root, rels)))
    assert incremental.raw_part_current(out, "0", content_hashes(root, rels))
    (raw / rels[0]).write_text("2024年增长5%。", "utf-8")
    assert not incremental.raw_part_current(out, "0", content_hashes(root, rels))
    assert not incremental.raw_part_current(out, "0", {**content_hashes(root, rels[1:]), "gone.txt": None})
    assert not incremental.raw_part_current(out, "1", {})  # no part yet


def test_parts_are_current_for_their_source_and_rules_version(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    rows = raw_rows(root, list_raw(root))
    incremental.write_part(out, RAW_TEXTS.name, "0", tables.to_arrow(RAW_TEXTS, rows))
    digest = incremental.source_digest(out, "0", "v1")
    assert digest != incremental.source_digest(out, "0", "v2")
    result = _extract({"0": rows}, incremental.ExtractionCache(out, "v1"), workers=1)["0"]
    assert not incremental.parts_current(out, "0", digest)
    incremental.write_part(out, FACTS.name, "0", incremental.with_source(result.facts, digest))
    assert not incremental.parts_current(out, "0", digest)  # the documents part is missing
    incremental.write_part(out, DOCUMENTS.name, "0", incremental.with_source(result.documents, digest))
    assert incremental.parts_current(out, "0", digest)
    assert not incremental.parts_current(out, "0", incremental.source_digest(out, "0", "v2"))


def test_a_partition_with_a_failed_extraction_is_never_current(raw, tmp_path):
    root, out = Root(str(raw)), Root(str(tmp_path / "out"))
    rows = raw_rows(root, list_raw(root))
    incremental.write_part(out, RAW_TEXTS.name, "0", tables.to_arrow(RAW_TEXTS, rows))
    digest = incremental.source_digest(out, "0", "v1")
    result = _extract({"0": rows}, incremental.ExtractionCache(out, "v1"), workers=1)["0"]
    documents = result.documents.to_pylist()
    documents[0] = {**documents[0], "status": "failed", "error": "extraction failed: RuleBug: boom"}
    incremental.write_part(out, FACTS.name, "0", incremental.with_source(result.facts, digest))
    incremental.write_part(out, DOCUMENTS.name, "0", incremental.with_source(tables.documents_table(documents), digest))
    assert not incremental.parts_current(out, "0", digest)  # the failed document is tried again


def test_a_broken_link_is_hashed_as_unreadable_not_raised(tmp_path):
    (tmp_path / "good.txt").write_text("2024年增长5%。", "utf-8")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    hashes = content_hashes(Root(str(tmp_path)))
    assert hashes["broken.txt"] is None and len(hashes["good.txt"]) == 64


def _fact_row(doc_id: str, start: int) -> dict:
    return {"fact_id": f"{doc_id}-{start}", "doc_id": doc_id, "region": None, "region_code": None, "year": 2024,
            "period": None, "metric": "产量", "metric_id": None, "value": float(start), "value_low": None,
            "value_high": None, "unit": "t", "surface": f"{start}吨", "qualifier": None, "kind": "level",
            "masked": False, "sentence": "s", "char_start": start, "char_end": start + 2}


def _document_row(doc_id: str, n_facts: int) -> dict:
    return {"doc_id": doc_id, "path": f"{doc_id}.txt", "sha256": "0" * 64, "bytes": 1, "encoding": "utf-8",
            "title": None, "published": None, "year": None, "region": None,
           "genre": None, "status": "ok", "error": None,
            "n_facts": n_facts}


@pytest.mark.parametrize(("window", "batch"), [(1, 1), (4, 3), (7, 2), (1_000, 1_000)])
def test_parts_read_batch_by_batch_interleave_into_one_build(tmp_path, monkeypatch, window, batch):
    monkeypatch.setattr(combine, "WINDOW_ROWS", window)
    monkeypatch.setattr(combine, "PART_BATCH_ROWS", batch)
    out = Root(str(tmp_path))
    facts: dict[str, list[dict]] = {"0": [], "1": [], "2": []}
    documents: dict[str, list[dict]] = {"0": [], "1": [], "2": []}
    for i in range(30):  # documents spread over three parts, with 0 to 4 facts each
        doc_id, key = f"d{i:02d}", str(i % 3)
        facts[key] += [_fact_row(doc_id, 10 * n) for n in range(i % 5)]
        documents[key].append(_document_row(doc_id, i % 5))
    for key in facts:
        incremental.write_part(out, FACTS.name, key, facts_table(facts[key]))
        incremental.write_part(out, DOCUMENTS.name, key, tables.documents_table(documents[key]))
    everything = [row for rows in facts.values() for row in rows]
    assert combine.write_combined(out, FACTS, PARTITION_KEYS) == len(everything) == 60
    assert out.read_parquet(FACTS.file_name).equals(facts_table(everything))
    assert combine.write_combined(out, DOCUMENTS, PARTITION_KEYS) == 30
    assert out.read_parquet(DOCUMENTS.file_name).column("doc_id").to_pylist() == [f"d{i:02d}" for i in range(30)]


def test_a_combined_table_is_left_as_it_is_while_its_parts_are_unchanged(tmp_path):
    out = Root(str(tmp_path))
    for key, doc_id in (("0", "a"), ("1", "b")):
        incremental.write_part(out, FACTS.name, key, facts_table([_fact_row(doc_id, 0)]))
        incremental.write_part(out, DOCUMENTS.name, key, tables.documents_table([_document_row(doc_id, 1)]))
    combine.write_combined(out, FACTS, PARTITION_KEYS)
    written = out.local_path(FACTS.file_name).stat().st_mtime_ns
    assert combine.write_combined(out, FACTS, PARTITION_KEYS) == 2
    assert out.local_path(FACTS.file_name).stat().st_mtime_ns == written
    incremental.write_part(out, FACTS.name, "1", facts_table([_fact_row("b", 0), _fact_row("b", 5)]))
    incremental.write_part(out, DOCUMENTS.name, "1", tables.documents_table([_document_row("b", 2)]))
    assert combine.write_combined(out, FACTS, PARTITION_KEYS) == 3
    assert out.read_parquet(FACTS.file_name).column("fact_id").to_pylist() == ["a-0", "b-0", "b-5"]
