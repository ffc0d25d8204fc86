"""Ingest: find raw files and turn their bytes into text, recording what was read and how."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

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


def decode(data: bytes) -> tuple[str, str]:
    """Decode raw bytes, returning (text, encoding); raises IngestError when impossible."""
    if not data.strip():
        raise IngestError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        text = data.decode("utf-8")
        if "\x00" not in text:  # NULs between ASCII letters: UTF-16 without its BOM
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError("not text: no encoding decodes these bytes")
    name = best.encoding.lower().replace("_", "-")
    encoding = _ENCODING_ALIASES.get(name, name)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestError(f"cannot decode as {encoding}: {exc}") from exc
    if "\x00" in text:
        raise IngestError("binary content (NUL characters)")
    return text, encoding


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


def to_text(data: bytes, suffix: str) -> tuple[str, str]:
    """A raw file's text and how it was read (encoding, or "pdf"), by its extension."""
    if suffix in PDF_SUFFIXES:
        return pdf_to_text(data), "pdf"
    text, encoding = decode(data)
    if suffix in HTML_SUFFIXES:
        text = html_to_text(text)
    return text, encoding


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
        text, encoding = to_text(data, path.suffix.lower())
    except IngestError as exc:
        return RawDocument(doc_id_for(rel), rel, sha, len(data), None, None, str(exc))
    return RawDocument(doc_id_for(rel), rel, sha, len(data), encoding, text)


def _read_inside(path: Path, raw_dir: Path) -> bytes:
    """The file's bytes; a symlink leading out of the raw folder is not followed."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            raise IngestError(f"broken symlink to {target}")
        if not target.is_relative_to(raw_dir.resolve()):
            raise IngestError(f"symlink to {target} outside the raw folder: not followed")
    return path.read_bytes()
