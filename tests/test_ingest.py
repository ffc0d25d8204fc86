from pathlib import Path

import pytest

from econ_indicators.ingest import (
    PAGE_BREAK,
    IngestError,
    decode,
    decode_text,
    discover,
    doc_id_for,
    html_to_text,
    read_document,
)

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


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [TEXT * 2, "Industrial output rose 6.1% and retail sales 4.2% in 2025. " * 2])
def test_utf16_without_a_bom_is_detected(encoding, text):
    decoded, found = decode(text.encode(encoding))
    assert decoded == text and "\x00" not in decoded
    assert found == encoding


def test_gbk_is_read_as_gb18030_its_superset():
    decoded, found = decode((TEXT * 3).encode("gbk"))
    assert decoded == TEXT * 3 and found == "gb18030"


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


def test_html_text_drops_code_and_page_chrome_and_decodes_entities():
    page = """<!DOCTYPE html><html><head><title>某县2025年经济运行情况</title>
      <style>.nav { color: red }</style><script>document.write("访问量 9999 次");</script></head>
      <body><nav><a href="/">首页</a> &gt; <a href="/tj">统计数据</a></nav>
      <div class="bdsharebuttonbox"><a>分享到微信</a></div>
      <article><header><h1>某县2025年经济运行情况</h1></header>
      <p>全县生产总值&nbsp;86.3&#20159;元，
         增长&#x0035;.2%。</p><script>var hits = 12;</script>
      <table><tr><td>工业</td><td>12.5</td></tr></table><!-- 备注 99 --></article>
      <footer>版权所有 某县人民政府 联系电话 0000-1234567</footer></body></html>"""
    lines = html_to_text(page).split("\n")
    assert "全县生产总值\xa086.3亿元， 增长5.2%。" in lines  # the source's line break is a space
    assert lines[0] == "某县2025年经济运行情况"
    assert lines.count("某县2025年经济运行情况") == 2  # the article's own header stays
    assert "工业" in lines and "12.5" in lines
    for noise in ("color", "document.write", "hits", "首页", "分享", "版权", "备注"):
        assert noise not in "\n".join(lines)


def test_html_keeps_preformatted_line_breaks():
    assert html_to_text("<pre>产值  12亿元\n增长 3%</pre>") == "产值  12亿元\n增长 3%"


def test_pdf_text_layer_is_read_page_by_page(tmp_path: Path, make_pdf):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf([["GDP 1234.5", "growth 4.5%"], ["exports 678 t"]]))
    doc = read_document(path, tmp_path)
    assert doc.ok and doc.encoding == "pdf" and doc.doc_id == "report"
    first, second = doc.text.split(PAGE_BREAK)
    assert first.split() == ["GDP", "1234.5", "growth", "4.5%"]
    assert second == "exports 678 t"
    assert doc.text.index("1234.5") < doc.text.index("678")


def test_pdf_without_text_layer_is_reported_as_scanned(tmp_path: Path, make_pdf):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[], []]))
    doc = read_document(path, tmp_path)
    assert not doc.ok and doc.text is None
    assert "scanned PDF without a text layer" in doc.error


def test_broken_pdf_is_reported(tmp_path: Path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a PDF body")
    doc = read_document(path, tmp_path)
    assert not doc.ok and "PDF" in doc.error


def test_pdf_files_are_discovered(tmp_path: Path, make_pdf):
    (tmp_path / "a.pdf").write_bytes(make_pdf([["x 1"]]))
    (tmp_path / "b.PDF").write_bytes(make_pdf([["x 2"]]))
    assert [p.name for p in discover(tmp_path)] == ["a.pdf", "b.PDF"]


def test_a_symlink_out_of_the_raw_folder_is_reported_not_followed(tmp_path):
    from econ_indicators.ingest import discover, read_document

    raw, outside = tmp_path / "raw", tmp_path / "secret.txt"
    raw.mkdir()
    outside.write_text("全市生产总值100亿元。", encoding="utf-8")
    (raw / "link.txt").symlink_to(outside)
    (raw / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (raw / "ok 文件.txt").write_text("全市生产总值100亿元。", encoding="utf-8")
    docs = {d.path: d for d in (read_document(p, raw) for p in discover(raw))}
    assert sorted(docs) == ["broken.txt", "link.txt", "ok 文件.txt"]
    assert "outside the raw folder: not followed" in docs["link.txt"].error and docs["link.txt"].text is None
    assert "broken symlink" in docs["broken.txt"].error
    assert docs["ok 文件.txt"].error is None and "100亿元" in docs["ok 文件.txt"].text


UTF8_PART = "全市地区生产总值达到1200亿元，比上年增长5.1%。"
GB_PART = "固定资产投资增长3.2%，社会消费品零售总额860亿元。"


@pytest.mark.parametrize("pieces", [
    [(UTF8_PART, "utf-8"), ("\n", "utf-8"), (GB_PART, "gb18030"), ("\n", "utf-8"), (UTF8_PART, "utf-8")],
    [(UTF8_PART, "utf-8"), (GB_PART, "gb18030")] * 5,  # no line break where the encoding changes
    [(GB_PART * 20, "gb18030"), ("二〇二五年完", "utf-8")],  # GB18030 would read the UTF-8 tail as other characters
    [(UTF8_PART, "utf-8"), ("元元增长", "gb18030"), (UTF8_PART, "utf-8")],  # 元 in GB18030 is a valid UTF-8 pair
])
def test_mixed_utf8_and_gb18030_segments_are_each_read_in_their_own_encoding(pieces):
    decoded = decode_text(b"".join(text.encode(encoding) for text, encoding in pieces))
    assert decoded.text == "".join(text for text, _ in pieces)
    assert decoded.encoding == "utf-8+gb18030"
    assert decoded.damage.startswith("mixed encodings: ") and "read as GB18030, the rest as UTF-8" in decoded.damage


def test_undecodable_bytes_are_replaced_and_the_rest_kept():
    data = UTF8_PART.encode() * 3 + b"\xff\xfe\x80" + GB_PART.encode()
    decoded = decode_text(data)
    assert decoded.text == UTF8_PART * 3 + "\ufffd" * 3 + GB_PART
    assert decoded.encoding == "utf-8"
    assert decoded.damage == f"3 undecodable bytes replaced by U+FFFD (first at byte {len(UTF8_PART.encode()) * 3})"


def test_stray_bytes_inside_a_utf8_character_are_not_taken_for_gb18030():
    data = UTF8_PART.encode()
    cut = len("全市".encode()) + 1  # inside 地
    decoded = decode_text(data[:cut] + b"\xff\xc0\x80" + data[cut:])
    assert decoded.encoding == "utf-8" and decoded.text.startswith("全市\ufffd")
    assert decoded.text.endswith(UTF8_PART[3:]) and decoded.damage.startswith("6 undecodable bytes")


@pytest.mark.parametrize("data, encoding", [
    (b"\xef\xbb\xbf" + UTF8_PART.encode() + b"\xc0" + GB_PART.encode(), "utf-8-sig"),
    (b"\xff\xfe" + UTF8_PART.encode("utf-16-le") + b"\x00", "utf-16"),  # an odd number of bytes
])
def test_a_damaged_file_with_a_byte_order_mark_is_repaired(data, encoding):
    decoded = decode_text(data)  # used to raise UnicodeDecodeError and stop the run
    assert decoded.encoding == encoding and UTF8_PART in decoded.text and "\ufffd" in decoded.text
    assert "1 undecodable byte replaced by U+FFFD" in decoded.damage


def test_a_text_read_whole_has_no_damage():
    assert decode_text(TEXT.encode("gb18030")) == (TEXT, "gb18030", None)
    assert decode_text(TEXT.encode()) == (TEXT, "utf-8", None)


@pytest.mark.parametrize("data, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(1, 256)) * 4, "binary content (a PNG image), not text"),
    (b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)) * 4, "binary content (a ZIP archive"),
    (bytes(range(256)) * 8, "binary content (NUL bytes), not text"),
    (bytes((i * 37 + 11) % 128 + 128 for i in range(4000)), "of the non-ASCII bytes read as text"),
])
def test_binary_and_undecodable_bytes_are_refused_with_the_reason(data, reason):
    with pytest.raises(IngestError, match="^not text|^binary") as caught:
        decode_text(data)
    assert reason in str(caught.value)


def test_a_damaged_file_is_read_with_its_damage_noted(tmp_path: Path):
    path = tmp_path / "受损 文件.txt"
    path.write_bytes(UTF8_PART.encode() + b"\xff" + GB_PART.encode())
    doc = read_document(path, tmp_path)
    assert doc.ok and doc.text == UTF8_PART + "\ufffd" + GB_PART
    assert doc.damage == f"1 undecodable byte replaced by U+FFFD (first at byte {len(UTF8_PART.encode())})"
