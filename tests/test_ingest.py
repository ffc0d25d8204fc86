from pathlib import Path

import pytest

from econ_indicators.ingest import IngestError, decode, discover, doc_id_for, html_to_text, read_document

TEXT = "2025年全市地区生产总值突破1000亿元，比上年增长5.2%。规模以上工业增加值增长6.1%。"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"),
    ("gb18030", "gb18030"),
])
def test_decode_detects_the_encoding(encoding, expected):
    text, found = decode((TEXT * 3).encode(encoding))
    assert text == TEXT * 3
    assert found == expected


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"   \n ", "empty"),
])
def test_decode_rejects_empty_files(data, reason):
    with pytest.raises(IngestError, match=reason):
        decode(data)


def test_binary_file_is_reported_not_decoded(tmp_path: Path):
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    doc = read_document(path, tmp_path)
    assert not doc.ok and doc.text is None
    assert doc.error


def test_doc_id_is_the_path_without_extension():
    assert doc_id_for("samples/000_abc.txt") == "samples/000_abc"
    assert doc_id_for("a\\b\\report.v2.html") == "a/b/report.v2"


def test_discover_skips_hidden_and_unsupported_files(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("x", "utf-8")
    (tmp_path / "a.md").write_text("x", "utf-8")
    (tmp_path / ".hidden.txt").write_text("x", "utf-8")
    (tmp_path / "gold.jsonl").write_text("{}", "utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == ["a.md", "sub/b.txt"]


def test_discover_names_a_missing_folder(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nope"):
        discover(tmp_path / "nope")


def test_html_text_drops_scripts_and_breaks_blocks():
    page = "<html><head><style>p{}</style><script>var a=1;</script></head>" \
           "<body><p>产值12亿元</p><div>增长3%</div></body></html>"
    text = html_to_text(page)
    assert "var a" not in text and "p{}" not in text
    assert "产值12亿元" in text and "增长3%" in text
    assert text.index("增长") > text.index("亿元\n")


def test_read_document_records_checksum_and_size(tmp_path: Path):
    path = tmp_path / "doc.txt"
    path.write_bytes(TEXT.encode("gb18030"))
    doc = read_document(path, tmp_path)
    assert doc.ok and doc.text == TEXT and doc.encoding == "gb18030"
    assert doc.bytes == len(TEXT.encode("gb18030")) and len(doc.sha256) == 64
