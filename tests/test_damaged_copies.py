"""Issue 3's acceptance checks: damaged copies of a corpus text give the figures of the original."""

from pathlib import Path

import pytest
import regex

from econ_indicators.clean import clean
from econ_indicators.extract import extract_document
from econ_indicators.ingest import read_document

XIAN = "03_xian_2025_statistical_communique_pdftext.txt"
OCR_PAGE = "004_fc92e0db041b966d.txt"
HEADER = "西安市2025年国民经济和社会发展统计公报"


def _figures(doc_id: str, text: str, *fields: str) -> list[tuple]:
    return [tuple(f[name] for name in fields) for f in extract_document(doc_id, text)]


@pytest.mark.parametrize("name", [XIAN, OCR_PAGE])
def test_a_gb18030_copy_yields_the_same_figures(samples_dir: Path, tmp_path: Path, name: str):
    original = read_document(samples_dir / name, samples_dir)
    (tmp_path / name).write_bytes(original.text.encode("gb18030"))
    copy = read_document(tmp_path / name, tmp_path)
    assert copy.encoding == "gb18030"
    fields = ("value", "unit", "surface", "char_start", "char_end")
    expected = _figures(original.doc_id, original.text, *fields)
    assert len(expected) >= 5
    assert _figures(copy.doc_id, copy.text, *fields) == expected


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _ocr_reflow(paragraph: str, width: int = 40, lines_per_page: int = 5) -> str:
    """The paragraph as a scan's OCR gives it back: stray spaces, short lines, page furniture."""
    damaged = regex.sub(r"(\d)\.(\d+)%", r"\1 . \2 %", paragraph)  # 4.5% -> 4 . 5 %
    damaged = regex.sub(r"(\d)(\p{Han})", r"\1 \2", damaged)  # 3月 -> 3 月
    damaged = regex.sub(r"(\p{Han}{5})(?=\p{Han})", r"\1 ", damaged)  # 落实落细 -> 落实 落细
    lines, line = [], ""
    for token in regex.findall(r"[A-Za-z]+|.", damaged):  # anywhere but inside a Latin word
        if _display_width(line + token) > width:
            lines.append(line)
            line = ""
        line += token
    lines.append(line)
    out = [HEADER]
    for start in range(0, len(lines), lines_per_page):
        if start:
            out += ["", f"— {start // lines_per_page} —", "\f" + HEADER]
        out += lines[start:start + lines_per_page]
    return "\n".join(out)


def test_the_reflow_really_damages_the_text():
    reflowed = _ocr_reflow("全年完成造林面积645.93公顷，森林覆盖率2.95%，比上年提高0.4个百分点。" * 4)
    assert "2 . 95 %" in reflowed and "645.93 公顷" in reflowed and "\f" + HEADER in reflowed
    assert "— 1 —" in reflowed and max(map(_display_width, reflowed.split("\n"))) <= 40


def test_an_ocr_reflowed_paragraph_yields_the_same_figures(samples_dir: Path):
    paragraphs = clean((samples_dir / XIAN).read_text("utf-8")).text.split("\n")
    checked = 0
    for paragraph in paragraphs:
        expected = _figures("p", paragraph, "value", "unit")
        if len(expected) < 5:
            continue
        reflowed = _ocr_reflow(paragraph)
        assert _figures("p", reflowed, "value", "unit") == expected, reflowed
        # A line that ends with a full stop ends a paragraph, and the title may run into the text
        # (it has no full stop): line breaks aside, the paragraph comes back as it was.
        text = clean(reflowed).text.replace("\n", "")
        assert text.endswith(paragraph) and text.count(HEADER) == 1
        checked += 1
    assert checked >= 10
