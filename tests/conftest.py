from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "raw" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    assert SAMPLES.is_dir(), f"sample texts missing: {SAMPLES}"
    return SAMPLES


def _pdf_bytes(pages: list[list[str]]) -> bytes:
    """A minimal PDF, written by hand: one Helvetica text line per string, one list per page."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for n, lines in enumerate(pages):
        page, content = 4 + 2 * n, 5 + 2 * n
        ops = b"".join(b"BT /F1 11 Tf 60 %d Td (%s) Tj ET\n" % (700 - 14 * i, line.encode("ascii"))
                       for i, line in enumerate(lines))
        objects[content] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(ops), ops)
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                         b"/Resources << /Font << /F1 3 0 R >> >> >>" % content)
        kids.append(b"%d 0 R" % page)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number in sorted(objects):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def make_pdf():
    """Builds tiny PDFs with a text layer (ASCII lines) or blank pages."""
    return _pdf_bytes


@pytest.fixture(scope="session")
def pipeline_outputs(samples_dir, tmp_path_factory) -> Path:
    """The refresh job run once, in process, on the samples into a temp dir (shared by the tests)."""
    from pipelines.cli import run

    out = tmp_path_factory.mktemp("processed")
    mp = pytest.MonkeyPatch()
    mp.delenv("DAGSTER_HOME", raising=False)
    try:
        summary = run(samples_dir, out)
    finally:
        mp.undo()
    assert summary["documents"] == len([p for p in samples_dir.iterdir() if p.suffix in {".txt", ".md"}])
    return out
