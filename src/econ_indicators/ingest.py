"""Ingest: find raw files and turn their bytes into text, recording what was read and how."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import charset_normalizer

TEXT_SUFFIXES = (".txt", ".md", ".text")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES

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
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
    return sorted(files, key=lambda p: p.relative_to(raw_dir).as_posix())


def decode(data: bytes) -> tuple[str, str]:
    """Decode raw bytes, returning (text, encoding); raises IngestError when impossible."""
    if not data.strip():
        raise IngestError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise IngestError("not text: no encoding decodes these bytes")
    encoding = _ENCODING_ALIASES.get(best.encoding.lower(), best.encoding.lower())
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestError(f"cannot decode as {encoding}: {exc}") from exc
    if "\x00" in text:
        raise IngestError("binary content (NUL characters)")
    return text, encoding


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML page, dropping scripts and styles, breaking at blocks."""

    _SKIP = {"script", "style", "noscript", "template"}
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "td"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document, one block per line."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    return re.sub(r"\n\s*\n+", "\n\n", text)


def read_document(path: Path, raw_dir: Path) -> RawDocument:
    """Read one raw file; failures are recorded on the returned document, never raised."""
    rel = path.relative_to(raw_dir).as_posix()
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        text, encoding = decode(data)
        if path.suffix.lower() in HTML_SUFFIXES:
            text = html_to_text(text)
    except IngestError as exc:
        return RawDocument(doc_id_for(rel), rel, sha, len(data), None, None, str(exc))
    return RawDocument(doc_id_for(rel), rel, sha, len(data), encoding, text)


def read_all(raw_dir: Path) -> Iterator[RawDocument]:
    """Every supported raw file under `raw_dir`, read in path order."""
    for path in discover(raw_dir):
        yield read_document(path, raw_dir)
