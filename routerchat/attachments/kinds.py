"""What an uploaded file is, decided from its bytes and never from its name (pure: no Flask, no
database, no network).

Only formats a model can read and a browser can show safely are accepted: PNG, JPEG, WebP and
GIF images, PDF, and UTF-8 text. HTML and SVG are refused even though they are text: served back
they could run script, and no model needs them as files (paste their source as text instead).
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from ..constants import ATTACHMENT_NAME_MAX_CHARS as NAME_MAX_CHARS

SNIFF_BYTES = 4096  # how much of a file's start decides its kind

IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
PDF_SIGNATURE = b"%PDF-"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
PDF_TYPE = "application/pdf"
TEXT_TYPES_BY_EXTENSION = {
    "md": "text/markdown", "markdown": "text/markdown", "csv": "text/csv", "json": "application/json",
}
TEXT_TYPE = "text/plain"
# Tags whose presence at the start of a text makes browsers (and WHATWG's sniffing rules) call it HTML.
HTML_START = re.compile(
    rb"<(!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--|\?xml|svg)[\s>/]",
    re.IGNORECASE)
SVG_TAG = re.compile(rb"<svg[\s>]", re.IGNORECASE)
# Control characters that text does not hold (tab, line feed, form feed and carriage return are text).
BINARY_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


class Refused(ValueError):
    """This file is not accepted; `status` is the HTTP status to answer (415 or 400)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Kind:
    mime: str

    @property
    def is_image(self) -> bool:
        return self.mime in IMAGE_TYPES

    @property
    def is_pdf(self) -> bool:
        return self.mime == PDF_TYPE

    @property
    def is_text(self) -> bool:
        return not (self.is_image or self.is_pdf)


UNSUPPORTED = ("This kind of file cannot be attached: attach PNG, JPEG, WebP or GIF images, PDFs, "
               "or UTF-8 text (code, Markdown, CSV, JSON, plain text).")


def sniff(head: bytes, name: str) -> Kind:
    """The kind of a file from its first bytes (at least SNIFF_BYTES of them when the file is
    longer); `name` only picks the text flavour (Markdown, CSV, JSON). Raises Refused (415)."""
    for signature, mime in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return Kind(mime)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Kind("image/webp")
    if head.startswith(PDF_SIGNATURE):
        return Kind(PDF_TYPE)
    if not looks_like_text(head):
        raise Refused(415, UNSUPPORTED)
    if is_markup(head):
        raise Refused(415, "HTML and SVG files cannot be attached (they can carry script); "
                           "paste their source as text, or save them as .txt.")
    return Kind(text_type(name))


def looks_like_text(head: bytes) -> bool:
    """UTF-8 (a character cut at the end of `head` is fine) without binary control characters."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return not BINARY_CONTROL.search(head)


def is_markup(head: bytes) -> bool:
    """HTML or SVG: a markup tag browsers treat as HTML at the start, or an SVG element anywhere in the head."""
    start = head.removeprefix(codecs.BOM_UTF8).lstrip()
    return bool(HTML_START.match(start)) or bool(SVG_TAG.search(head))


def text_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return TEXT_TYPES_BY_EXTENSION.get(extension, TEXT_TYPE)


def clean_name(raw: str | None) -> str:
    """A file name safe to store and show: the last path part, no control or format characters,
    whitespace collapsed, at most NAME_MAX_CHARS (the extension kept when cut)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in name)
    name = " ".join(name.split()).strip(". ") or "file"
    if len(name) <= NAME_MAX_CHARS:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return stem[:NAME_MAX_CHARS - len(extension) - 1].rstrip() + "." + extension
    return name[:NAME_MAX_CHARS].rstrip()


PDF_TAIL_BYTES = 1024
NOT_A_PDF = "The file starts like a PDF but is not a whole one (no end-of-file mark): it may be cut off."


def check_pdf_tail(tail: bytes) -> None:
    """A PDF ends with `%%EOF` (perhaps followed by a line break or a little padding); one that
    does not was cut off or is something else with a PDF header. Raises Refused (400)."""
    if b"%%EOF" not in tail[-PDF_TAIL_BYTES:]:
        raise Refused(400, NOT_A_PDF)


def check_text_piece(piece: bytes, decoder: codecs.IncrementalDecoder, final: bool) -> None:
    """One piece of a text file, read in order: still UTF-8 without binary control characters.
    Raises Refused (415): the start looked like text, but the file is not."""
    try:
        decoder.decode(piece, final=final)
    except UnicodeDecodeError as exc:
        raise Refused(415, UNSUPPORTED) from exc
    if BINARY_CONTROL.search(piece):
        raise Refused(415, UNSUPPORTED)
