"""Ingest: find raw files and turn their bytes into text, recording what was read and how."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
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
# A raw file larger than this is not read (memory grows about 25 times the size of a text while it
# is cleaned and extracted): it fails with the reason. ECON_INDICATORS_MAX_DOC_MB overrides it.
MAX_DOCUMENT_BYTES = 32 * 2**20
MAX_DOCUMENT_ENV = "ECON_INDICATORS_MAX_DOC_MB"
# Seconds one document may take to be read, or to be cleaned and extracted, before it fails with
# the reason; ECON_INDICATORS_DOC_SECONDS overrides it (0: no budget).
DOCUMENT_SECONDS = 120.0
DOCUMENT_SECONDS_ENV = "ECON_INDICATORS_DOC_SECONDS"
_HASH_CHUNK = 1 << 20


def max_document_bytes() -> int:
    """The size budget of one raw file, in bytes (environment first)."""
    value = os.environ.get(MAX_DOCUMENT_ENV)
    return int(float(value) * 2**20) if value else MAX_DOCUMENT_BYTES


def document_seconds() -> float:
    """The time budget of one document's reading, and of its extraction, in seconds (0: none)."""
    value = os.environ.get(DOCUMENT_SECONDS_ENV)
    return float(value) if value else DOCUMENT_SECONDS


class OverBudget(Exception):  # noqa: N818 - read as "a document over its budget"
    """A document that took longer than its time budget (raised inside its work by a timer)."""


@contextlib.contextmanager
def time_budget(seconds: float, what: str = "the document") -> Iterator[None]:
    """Raise OverBudget inside the block once it has run `seconds` (wall clock). Works in the main
    thread of a process (a worker, the CLI, a run process); elsewhere, or with 0, no budget."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(_signum, _frame):
        raise OverBudget(f"{what} took more than its time budget of {seconds:g} s ({DOCUMENT_SECONDS_ENV})")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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


def shown_path(rel: str) -> str:
    """A raw file's path as valid UTF-8 text. A name that is not UTF-8 (the OS gives its bytes as
    surrogate escapes; a GBK name from a zip archive) is read as GB18030 when it decodes, else its
    undecodable bytes are written as `\\xNN`."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        pass
    raw = rel.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


class Identity(NamedTuple):
    """How a raw file is named in the tables: its shown path and its document id."""

    path: str
    doc_id: str


def identities(rels: Iterable[str]) -> dict[str, Identity]:
    """The shown path and document id of each raw file of a folder, unique and deterministic.

    A document id is the shown path without extension; files whose ids collide (`a.txt` and
    `a.md`, `c.txt` and `c.TXT`) keep it for the first in path order, and the others keep their
    extension (`a.txt`), with `~2`, `~3`... when that is taken too. Two names shown alike (a
    GB18030 name and its UTF-8 twin) make the later one show its bytes escaped."""
    rels = sorted(set(rels))
    paths: dict[str, str] = {}
    seen: set[str] = set()
    for rel in rels:
        path = shown_path(rel)
        if path in seen:
            path = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        paths[rel] = path
        seen.add(path)
    ordered = sorted(rels, key=lambda r: paths[r])
    ids: dict[str, str] = {}
    taken: set[str] = set()
    later: list[str] = []
    for rel in ordered:
        stem = doc_id_for(paths[rel])
        if stem in taken:
            later.append(rel)
        else:
            ids[rel] = stem
            taken.add(stem)
    for rel in later:
        base = paths[rel].replace("\\", "/")
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}~{n}", n + 1
        ids[rel] = candidate
        taken.add(candidate)
    return {rel: Identity(paths[rel], ids[rel]) for rel in rels}


def walk(raw_dir: Path, skip: Path | None = None, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> list[str]:
    """Supported raw files under `raw_dir` as sorted relative POSIX paths (as the OS names them),
    skipping hidden files and folders, and the folder `skip` (an output folder inside the raw
    folder). Symbolic links are listed, never followed into (to be reported); a subfolder that
    cannot be listed is listed as `its/path/`, so that it gets a row. Iterative: any depth."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {raw_dir}")
    skipped = _inside(skip, raw_dir) if skip is not None else None
    found: list[str] = []
    folders = [""]
    while folders:
        rel_dir = folders.pop()
        try:
            with os.scandir(raw_dir / rel_dir if rel_dir else raw_dir) as listing:
                entries = list(listing)
        except OSError:
            if not rel_dir:
                raise
            found.append(rel_dir + "/")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                folder = False
            if folder:
                if rel != skipped:
                    folders.append(rel)
            elif entry.name.lower().endswith(suffixes):
                found.append(rel)  # a symlink is listed even when broken, looping or leading out, to be reported
    return sorted(found)


def _inside(path: Path, folder: Path) -> str | None:
    """`path` relative to `folder` (both resolved) when it lies inside, else None."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return None


def discover(raw_dir: Path, skip: Path | None = None) -> list[Path]:
    """Supported raw files under `raw_dir`, sorted, skipping hidden files and folders (see `walk`)."""
    return [raw_dir / rel for rel in walk(raw_dir, skip)]


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
        if _few_nuls(data):  # a text with a few NUL bytes in it: damaged, read with repairs
            raise Undecodable("NUL bytes in UTF-8 text")
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
        if _few_nuls(data):
            raise Undecodable(f"NUL bytes in {encoding} text")
        raise IngestError("binary content (NUL characters)")
    return text, encoding


_MAX_NUL_SHARE = 0.001  # a text may hold up to one NUL byte in a thousand (damage); more is binary or UTF-16


def _few_nuls(data: bytes) -> bool:
    nuls = data.count(0)
    return 0 < nuls <= max(1, len(data) * _MAX_NUL_SHARE)


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
    nuls, first_nul = 0, None
    if b"\x00" in data:
        if not _few_nuls(data):
            raise IngestError("binary content (NUL bytes), not text")
        nuls, first_nul = data.count(0), data.index(0)
        data = data.replace(b"\x00", b"\x01")  # placeholders, replaced by U+FFFD once decoded (ASCII in both)
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
    text = "".join(pieces)
    if nuls:
        text = _restore_nuls(text, data, first_nul)
    note = _damage_note(bool(utf8), gb_bytes, gb_runs, replaced, first_bad, nuls, first_nul)
    return Decoded(text, encoding, note)


def _restore_nuls(text: str, data: bytes, first_nul: int | None) -> str:
    """The text with the placeholders of NUL bytes as U+FFFD (a \\x01 that was in the file stays)."""
    if data.count(1) == text.count("\x01"):  # no \x01 of the file was lost: every placeholder is a NUL
        return text.replace("\x01", "\ufffd")
    return text


def _damage_note(mixed: bool, gb_bytes: int, gb_runs: int, replaced: int, first_bad: int | None,
                 nuls: int = 0, first_nul: int | None = None) -> str | None:
    notes = []
    if nuls:
        notes.append(f"{nuls:,} NUL byte{'s' * (nuls > 1)} replaced by U+FFFD (first at byte {first_nul:,})")
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


# The HTML parser takes time quadratic in the nesting depth (100,000 nested <div> took minutes);
# real pages nest a few dozen deep. Deeper pages are not parsed: they fail with the reason.
MAX_HTML_DEPTH = 2_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
# Elements that have no end tag, or whose end tag is usually left out: they never deepen a page.
_NO_DEPTH = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "tbody", "thead", "tfoot", "colgroup", "rp", "rt",
    "html", "head", "body",
})


def html_depth(markup: str, limit: int = MAX_HTML_DEPTH) -> int:
    """How deep the elements of a page nest, as its tags say (counted up to just past `limit`)."""
    depth = deepest = 0
    for m in _TAG.finditer(markup):
        if m.group(3) or m.group(2).lower() in _NO_DEPTH:
            continue
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page, one block per line, scripts, styles and page chrome dropped;
    a page nested deeper than MAX_HTML_DEPTH raises IngestError."""
    if html_depth(markup) > MAX_HTML_DEPTH:
        raise IngestError(f"HTML nested more than {MAX_HTML_DEPTH:,} elements deep: not parsed")
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
    """Text pieces of a tree in document order, with a newline around every block element; whether
    a text is preformatted travels down the stack, so that a page nested 100,000 deep is linear."""
    stack: list[tuple[Node, bool, bool]] = [(root, False, False)]  # (node, leaving, inside preformatted)
    while stack:
        node, leaving, pre = stack.pop()
        tag = node.tag
        if leaving:
            yield "\n"
        elif tag == "-text":
            text = node.text_content or ""
            yield text if pre else _WHITESPACE.sub(" ", text)
        elif tag and not tag.startswith("-"):  # elements; comments and doctypes say nothing
            if tag in _BLOCKS:
                yield "\n"
                stack.append((node, True, pre))
            inner = pre or tag in _PREFORMATTED
            stack.extend((child, False, inner) for child in reversed(list(node.iter(include_text=True))))


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


def read_document(path: Path, raw_dir: Path, identity: Identity | None = None,
                  max_bytes: int | None = None, seconds: float | None = None) -> RawDocument:
    """Read one raw file; failures are recorded on the returned document, never raised.

    `identity` names it in the tables (by default its shown path and the id from it); a file
    over `max_bytes` (default `max_document_bytes()`) is not read, and reading it (decoding, an
    HTML page or a PDF) may take `seconds` (default `document_seconds()`)."""
    if identity is None:
        shown = shown_path(path.relative_to(raw_dir).as_posix())
        identity = Identity(shown, doc_id_for(shown))
    doc_id, rel = identity.doc_id, identity.path
    limit = max_document_bytes() if max_bytes is None else max_bytes
    try:
        size = _check_readable(path, raw_dir)
        if size > limit:
            return RawDocument(doc_id, rel, _file_sha256(path), size, None, None,
                               f"too large: {size:,} bytes, over the size budget of {limit:,} bytes "
                               f"({MAX_DOCUMENT_ENV})")
        data = path.read_bytes()
    except (IngestError, OSError) as exc:
        reason = str(exc) if isinstance(exc, IngestError) else f"cannot read the file: {exc.strerror or exc}"
        return RawDocument(doc_id, rel, hashlib.sha256(b"").hexdigest(), 0, None, None, reason)
    sha = hashlib.sha256(data).hexdigest()
    try:
        with time_budget(document_seconds() if seconds is None else seconds, "reading"):
            text, encoding, damage = to_text(data, path.suffix.lower())
    except IngestError as exc:
        return RawDocument(doc_id, rel, sha, len(data), None, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug met reading one file must not stop the run
        return RawDocument(doc_id, rel, sha, len(data), None, None, failure_reason("reading", exc))
    return RawDocument(doc_id, rel, sha, len(data), encoding, text, damage=damage)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _check_readable(path: Path, raw_dir: Path) -> int:
    """The size of a regular file that may be read: a symlink leading out of the raw folder, a
    broken or looping one, a folder that cannot be listed, a pipe or a device raise IngestError."""
    if path.is_symlink():
        try:
            target = Path(os.path.realpath(path, strict=True))
        except RuntimeError as exc:
            raise IngestError("symlink loop: not followed") from exc
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                raise IngestError("symlink loop: not followed") from exc
            raise IngestError(f"broken symlink to {os.path.realpath(path)}") from exc
        if not target.is_relative_to(raw_dir.resolve()):
            raise IngestError(f"symlink to {target} outside the raw folder: not followed")
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        try:
            os.listdir(path)
        except OSError as exc:
            raise IngestError(f"cannot list the folder: {exc.strerror or exc}") from exc
        raise IngestError("a folder, not a file")
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise IngestError(f"not a regular file ({kind}): not read")
    return info.st_size
