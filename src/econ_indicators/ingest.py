"""Ingest: find raw files and turn their bytes into text, recording what was read and how."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import NamedTuple

import charset_normalizer
import pypdfium2 as pdfium
from selectolax.lexbor import LexborHTMLParser
from selectolax.lexbor import LexborNode as Node

from .rules import data_lines, read_text

TEXT_SUFFIXES = (".txt", ".md", ".text")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
PAGE_BREAK = "\f"  # joins the pages of a PDF; the cleaner reads it as a page break

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Detectors name the Chinese encodings by their subsets; GB18030 decodes all of them.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "hz": "gb18030"}


class IngestError(Exception):
    """A raw file that cannot be read as text; the message says why."""


MAX_REASON = 200  # characters of a failure's reason in documents.parquet and the summary


def failure_reason(stage: str, exc: BaseException) -> str:
    """A short, one-line reason for an unexpected exception in `stage` of one document: the
    stage, the exception's type and the first line of its message, at most MAX_REASON characters."""
    lines = str(exc).strip().splitlines()
    reason = f"{stage} failed: {type(exc).__name__}"
    if lines:
        reason += f": {lines[0]}" + (" …" if len(lines) > 1 else "")
    return reason if len(reason) <= MAX_REASON else reason[:MAX_REASON - 1] + "…"


@dataclass(frozen=True)
class RawDocument:
    """A raw file as read: identity, checksum and decoded text (None when it failed)."""

    doc_id: str
    path: str
    sha256: str
    bytes: int
    encoding: str | None
    text: str | None
    error: str | None = None
    damage: str | None = None  # read, but not all of it: what was replaced or read in another encoding

    @property
    def ok(self) -> bool:
        return self.error is None


def doc_id_for(relative_path: str) -> str:
    """The document id: the path under the raw folder, POSIX separators, without extension."""
    return PurePosixPath(relative_path.replace("\\", "/")).with_suffix("").as_posix()


def discover(raw_dir: Path) -> list[Path]:
    """Supported raw files under `raw_dir`, sorted, skipping hidden files and folders."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    files = []
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if (path.is_file() or path.is_symlink()) and path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)  # a symlink is listed even when broken or leading out, to be reported
    return sorted(files, key=lambda p: p.relative_to(raw_dir).as_posix())


class Undecodable(IngestError):
    """No single encoding reads the bytes as a whole (they may still be damaged text)."""


class Decoded(NamedTuple):
    """Text read from bytes, the encoding(s) it was read with, and what was damaged (None if nothing)."""

    text: str
    encoding: str
    damage: str | None = None


def decode(data: bytes) -> tuple[str, str]:
    """Decode raw bytes as a whole, returning (text, encoding); raises IngestError when impossible
    (Undecodable when no single encoding reads them: `decode_text` then repairs them)."""
    if not data.strip():
        raise IngestError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise Undecodable(f"{encoding} with a byte order mark, but bytes that {encoding} cannot decode at "
                                  f"byte {exc.start:,}") from exc
    try:
        text = data.decode("utf-8")
        if "\x00" not in text:  # NULs between ASCII letters: UTF-16 without its BOM
            return text, "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEGMENT.search(data):  # UTF-8 text, damaged or with segments in another encoding
            raise Undecodable(f"not valid UTF-8 from byte {exc.start:,}") from exc
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise Undecodable("not text: no encoding decodes these bytes")
    name = best.encoding.lower().replace("_", "-")
    encoding = _ENCODING_ALIASES.get(name, name)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Undecodable(f"cannot decode as {encoding}: {exc}") from exc
    if "\x00" in text:
        raise IngestError("binary content (NUL characters)")
    return text, encoding


def decode_text(data: bytes) -> Decoded:
    """Decode raw bytes: as a whole when one encoding reads them, else repaired (see `repair`)."""
    try:
        return Decoded(*decode(data))
    except Undecodable as exc:
        return repair(data, str(exc))


# Signatures of binary files that end up named .txt (the reason then says what the file is).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"), (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF-", "a PDF (name it .pdf)"), (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
)
# Repairing: valid UTF-8 stays UTF-8; where it breaks, a run of GB18030 characters (ASCII inside)
# is read as GB18030 until UTF-8 resumes (three Chinese characters in UTF-8 in a row, or one or two
# before an ASCII character, which GB18030's two-byte characters hardly ever look like); bytes that
# neither reads become U+FFFD. A GB18030 run shorter than this, or not starting with a common
# (GB2312) character, is taken for damage, not text.
_GB_CHAR = rb"(?:[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]|[\x81-\xfe][\x40-\x7e\x80-\xfe])"
_UTF8_CHAR3 = rb"[\xe0-\xef][\x80-\xbf][\x80-\xbf]"
_UTF8_RESUMES = rb"(?:" + _UTF8_CHAR3 + rb"){3}|(?:" + _UTF8_CHAR3 + rb"){1,2}(?:[\x01-\x7f]|\Z)"
_UTF8_RESUMES_AT = re.compile(_UTF8_RESUMES)
_UTF8_SEGMENT = re.compile(rb"(?:" + _UTF8_CHAR3 + rb"){3}")
_GB_RUN = re.compile(rb"(?:(?!" + _UTF8_RESUMES + rb")(?:" + _GB_CHAR + rb"|[\x01-\x7f]))+")
_GB_COMMON = re.compile(rb"[\xa1-\xfe][\xa1-\xfe]")  # a GB2312 character: what a GB18030 segment starts with
_GB_TOKEN = re.compile(rb"([\xa1-\xfe][\xa1-\xfe])|" + _GB_CHAR + rb"|[\x01-\x7f]")
_MIN_GB_RUN = 4
_MIN_READABLE = 0.8  # share of the non-ASCII bytes that must read as text (UTF-8, or common GB2312 characters)
_HIGH = bytes(range(128, 256))


def _non_ascii(data: bytes) -> int:
    return len(data) - len(data.translate(None, _HIGH))


def repair(data: bytes, reason: str = "not text") -> Decoded:
    """Read bytes that no single encoding reads: UTF-8 and GB18030 segments each in their own
    encoding, undecodable bytes replaced by U+FFFD, the damage described. Raises IngestError
    when they are binary or too little of them reads as text (`reason` then says why)."""
    if data.startswith((_BOMS[1][0], _BOMS[2][0])):  # UTF-16 (its ASCII has NUL bytes): damaged pairs replaced
        text = data.decode("utf-16", "replace")
        return Decoded(text, "utf-16", _damage_note(False, 0, 0, text.count("\ufffd"), None))
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            raise IngestError(f"binary content ({kind}), not text")
    if b"\x00" in data:
        raise IngestError("binary content (NUL bytes), not text")
    start = len(_BOMS[0][0]) if data.startswith(_BOMS[0][0]) else 0
    pieces: list[str] = []
    utf8, common, gb_bytes, gb_runs, replaced, first_bad = 0, 0, 0, 0, 0, None
    view, pos = memoryview(data), start
    while pos < len(data):
        try:
            pieces.append(codecs.utf_8_decode(view[pos:], "strict", True)[0])
            utf8 += _non_ascii(data[pos:])
            break
        except UnicodeDecodeError as exc:
            fail, fail_end = pos + exc.start, pos + exc.end
        bad = fail
        while bad - pos >= 2 and 0xC2 <= data[bad - 2] <= 0xDF and data[bad - 1] <= 0xBF:
            bad -= 2  # a GB18030 character that is a valid UTF-8 pair by chance (元) may start the run
        run = None if _UTF8_RESUMES_AT.match(data, fail_end) else _GB_RUN.match(data, bad)  # a stray byte in UTF-8
        end = run.end() if run else bad
        try:
            gb_text = data[bad:end].decode("gb18030")
        except UnicodeDecodeError as exc:  # a 4-byte sequence outside GB18030
            end = bad + exc.start
            gb_text = data[bad:end].decode("gb18030")
        if end - bad < _MIN_GB_RUN or not _GB_COMMON.match(data, bad):  # no GB18030 text: the bytes are damage
            bad, end, gb_text = fail, max(fail_end, fail + 1), "\ufffd"
            replaced, first_bad = replaced + end - bad, bad if first_bad is None else first_bad
        else:
            gb_bytes, gb_runs = gb_bytes + end - bad, gb_runs + 1
            common += 2 * sum(1 for m in _GB_TOKEN.finditer(data, bad, end) if m.group(1))
        pieces += [codecs.utf_8_decode(view[pos:bad], "strict", True)[0], gb_text]
        utf8 += _non_ascii(data[pos:bad])
        pos = end
    non_ascii = _non_ascii(data) - start
    if utf8 + common < _MIN_READABLE * non_ascii:
        raise IngestError(f"{reason}; as UTF-8 and GB18030, only {(utf8 + common) / non_ascii:.0%} of the "
                          f"non-ASCII bytes read as text")
    encoding = "utf-8-sig" if start else "utf-8"
    if gb_bytes:
        encoding = f"{encoding}+gb18030" if utf8 else "gb18030"
    return Decoded("".join(pieces), encoding, _damage_note(bool(utf8), gb_bytes, gb_runs, replaced, first_bad))


def _damage_note(mixed: bool, gb_bytes: int, gb_runs: int, replaced: int, first_bad: int | None) -> str | None:
    notes = []
    if mixed and gb_bytes:
        notes.append(f"mixed encodings: {gb_bytes:,} bytes in {gb_runs} segment{'s' * (gb_runs > 1)} read as "
                     f"GB18030, the rest as UTF-8")
    if replaced:
        where = f" (first at byte {first_bad:,})" if first_bad is not None else ""
        notes.append(f"{replaced:,} undecodable byte{'s' * (replaced > 1)} replaced by U+FFFD{where}")
    return "; ".join(notes) or None


# Elements that end a line of rendered text; table cells too, so that cells never run together.
_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "br", "caption", "dd", "div", "dl", "dt", "figcaption", "figure",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "table", "tbody",
    "td", "tfoot", "th", "thead", "title", "tr", "ul",
})
_PREFORMATTED = frozenset({"pre", "textarea", "listing", "plaintext"})
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")


@lru_cache(maxsize=1)
def html_noise_selectors() -> tuple[str, ...]:
    """CSS selectors of the elements dropped from web pages (`data/html_noise.txt`)."""
    return tuple(ln.strip() for ln in data_lines(read_text("html_noise.txt")))


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, one block per line, scripts, styles and page chrome dropped."""
    tree = LexborHTMLParser(markup)
    for selector in html_noise_selectors():
        for node in tree.css(selector):
            node.decompose()
    if tree.root is None:
        return ""
    text = "".join(_rendered_parts(tree.root))
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{2,}", "\n\n", text).strip("\n")


def _rendered_parts(root: Node) -> Iterator[str]:
    """Text pieces of a tree in document order, with a newline around every block element."""
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            yield "\n"
        elif tag == "-text":
            yield _node_text(node)
        elif tag and not tag.startswith("-"):  # elements; comments and doctypes say nothing
            if tag in _BLOCKS:
                yield "\n"
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))


def _node_text(node: Node) -> str:
    """A text node as rendered: runs of white space are one space, except in preformatted text."""
    text = node.text_content or ""
    parent = node.parent
    while parent is not None:
        if parent.tag in _PREFORMATTED:
            return text
        parent = parent.parent
    return _WHITESPACE.sub(" ", text)


def pdf_to_text(data: bytes) -> str:
    """The text layer of a PDF, pages joined by form feeds; raises IngestError when it has none."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise IngestError(f"unreadable PDF: {exc}") from exc
    try:
        pages = [_page_text(pdf, i) for i in range(len(pdf))]
    finally:
        pdf.close()
    if not pages:
        raise IngestError("PDF without pages")
    if not any(chars for chars, _ in pages):
        raise IngestError(f"scanned PDF without a text layer ({len(pages)} pages of images, no characters)")
    return PAGE_BREAK.join(text for _, text in pages)


def _page_text(pdf: pdfium.PdfDocument, index: int) -> tuple[int, str]:
    """(number of characters, text) of one PDF page."""
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        chars = textpage.count_chars()
        return chars, textpage.get_text_range() if chars > 0 else ""
    finally:
        textpage.close()
        page.close()


def to_text(data: bytes, suffix: str) -> Decoded:
    """A raw file's text, how it was read (encoding, or "pdf") and its damage, by its extension."""
    if suffix in PDF_SUFFIXES:
        return Decoded(pdf_to_text(data), "pdf")
    decoded = decode_text(data)
    if suffix in HTML_SUFFIXES:
        return decoded._replace(text=html_to_text(decoded.text))
    return decoded


def read_document(path: Path, raw_dir: Path) -> RawDocument:
    """Read one raw file; failures are recorded on the returned document, never raised."""
    rel = path.relative_to(raw_dir).as_posix()
    try:
        data = _read_inside(path, raw_dir)
    except (IngestError, OSError) as exc:
        reason = str(exc) if isinstance(exc, IngestError) else f"cannot read the file: {exc.strerror or exc}"
        return RawDocument(doc_id_for(rel), rel, hashlib.sha256(b"").hexdigest(), 0, None, None, reason)
    sha = hashlib.sha256(data).hexdigest()
    try:
        text, encoding, damage = to_text(data, path.suffix.lower())
    except IngestError as exc:
        return RawDocument(doc_id_for(rel), rel, sha, len(data), None, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug met reading one file must not stop the run
        return RawDocument(doc_id_for(rel), rel, sha, len(data), None, None, failure_reason("reading", exc))
    return RawDocument(doc_id_for(rel), rel, sha, len(data), encoding, text, damage=damage)


def _read_inside(path: Path, raw_dir: Path) -> bytes:
    """The file's bytes; a symlink leading out of the raw folder is not followed."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise IngestError(f"broken symlink to {target}")
        if not target.is_relative_to(raw_dir.resolve()):
            raise IngestError(f"symlink to {target} outside the raw folder: not followed")
    return path.read_bytes()
