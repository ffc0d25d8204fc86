"""Issue 18, item 4: damaged state is detected and rebuilt, never trusted. Every part, cache
entry and table is written with its SHA-256 beside it and checked where it is read; a damaged
one is discarded and built again, and the result equals a run from scratch."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from econ_indicators import incremental
from econ_indicators.incremental import ExtractionCache, extract_one
from econ_indicators.storage import Damaged, Root, checksum_rel

SAMPLES = ("004_fc92e0db041b966d.txt", "03_xian_2025_statistical_communique_pdftext.txt",
           "04_xiangxi_2025_statistical_communique_pdftext.txt")
TABLES = ("facts.parquet", "documents.parquet", "indicators.parquet")


def flip_bit(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]


def garble(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    n = min(len(data) - i, rng.randint(1, 64))
    return data[:i] + bytes(rng.randrange(256) for _ in range(n)) + data[i + n:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data))]


DAMAGES = (flip_bit, garble, truncate)


def test_a_parquet_file_is_written_with_its_checksum_and_checked_on_read(tmp_path):
    root = Root(str(tmp_path))
    root.write_parquet("_parts/facts/0.parquet", pa.table({"x": [1, 2, 3]}))
    assert (tmp_path / checksum_rel("_parts/facts/0.parquet")).is_file()
    assert root.damage("_parts/facts/0.parquet") is None
    assert root.find("_parts") == ["_parts/facts/0.parquet"]  # checksums are not listed as files
    path = tmp_path / "_parts/facts/0.parquet"
    path.write_bytes(flip_bit(path.read_bytes(), random.Random(1)))
    assert root.damage("_parts/facts/0.parquet").startswith("checksum mismatch")
    with pytest.raises(Damaged, match="0.parquet: checksum mismatch"):
        root.read_verified("_parts/facts/0.parquet")
    root.remove("_parts/facts/0.parquet")
    assert not (tmp_path / checksum_rel("_parts/facts/0.parquet")).exists()


def test_a_cache_entry_with_a_flipped_bit_is_a_miss_never_a_changed_value(tmp_path):
    cache = ExtractionCache(Root(str(tmp_path)), "v")
    good = extract_one("doc", "全市地区生产总值23.9亿元，增长5.2%。")
    cache.put("ab" * 32, good)
    assert cache.get("ab" * 32, "doc").facts.equals(good.facts)
    entry = next(tmp_path.rglob("*.parquet"))
    data = entry.read_bytes()
    for i in range(0, len(data), max(1, len(data) // 200)):  # a bit flipped anywhere: never a hit
        entry.write_bytes(data[:i] + bytes([data[i] ^ 0x10]) + data[i + 1:])
        assert cache.get("ab" * 32, "doc") is None, i
    entry.write_bytes(data)
    assert cache.get("ab" * 32, "doc").facts.equals(good.facts)


def _run(raw: Path, out: Path) -> dict[str, bytes]:
    from pipelines.cli import run

    run(raw, out)
    return {name: (out / name).read_bytes() for name in TABLES}


@pytest.mark.slow
def test_random_damage_to_parts_tables_and_cache_is_rebuilt_to_a_fresh_run(samples_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("ECON_INDICATORS_WORKERS", "1")
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SAMPLES:
        shutil.copy(samples_dir / name, raw / name)
    fresh = _run(raw, tmp_path / "fresh")
    out = tmp_path / "out"
    assert _run(raw, out) == fresh
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    kinds = {"table": lambda p: p.name in TABLES, "part": lambda p: incremental.PARTS_DIR in p.parts,
             "cache": lambda p: incremental.CACHE_DIR in p.parts}
    for kind in rng.sample(list(kinds) * 3, 9):  # each kind three times, in a random order
        files = sorted(p for p in out.rglob("*.parquet") if not p.name.startswith(".") and kinds[kind](p))
        victim = rng.choice(files)
        damage = rng.choice(DAMAGES)
        victim.write_bytes(damage(victim.read_bytes(), rng))
        assert _run(raw, out) == fresh, (seed, victim, damage.__name__)
