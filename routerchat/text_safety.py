"""Pure text checks and repairs for strings that cross a trust boundary (no Flask, no database).

People's input is checked and refused at the edge (`bad_character`, `json_problem`); model
output is repaired instead (`strip_title_controls`, `SurrogateJoiner`): an answer is never
rejected for what a model wrote. Upstream error text is redacted (`redact_secrets`) because a
proxy or an OpenAI-compatible server may echo our `Authorization` header back.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

REDACTED = "[redacted]"
REPLACEMENT = "\ufffd"

# Bidi embeddings, overrides and isolates, and the invisible direction marks: they make a title
# read differently from what it holds ("\u202egnp.exe").
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANSI_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # terminal colours: "\x1b[1m" goes whole
_BEARER = re.compile(r"(?i)\bbearer\s+[^\s\"',;}\]]+")
# OpenRouter's key shape, in case a key other than ours (or a cut one) shows up in upstream text.
_OPENROUTER_KEY = re.compile(r"\bsk-or-[A-Za-z0-9_-]{8,}")


def is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def bad_character(text: str) -> str | None:
    """Why `text` cannot be stored (a NUL, or a surrogate that is not part of a character), or None.

    PostgreSQL refuses NUL in text and no database can store half of a UTF-16 pair, so both are
    refused where they come in rather than failing (or being kept) deep inside.
    """
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if _SURROGATE.search(text):
        return "contains an unpaired surrogate (\\ud800-\\udfff), which is not a character"
    return None


MAX_JSON_DEPTH = 32  # deeper than any request or export routerchat reads


def json_problem(value: object, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a parsed JSON value cannot be accepted, or None: nesting deeper than `max_depth`, or
    a string (object keys included) that `bad_character` refuses.

    Walks with its own stack, so a value as deep as the parser allowed cannot exhaust Python's.
    """
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = bad_character(item)
            if problem:
                return f"has a string that {problem}"
        elif isinstance(item, (dict, list)):
            if depth > max_depth:
                return f"is nested more than {max_depth} levels deep"
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return None


def strip_title_controls(text: str) -> str:
    """A model's title answer without control characters, bidi controls or lone surrogates.

    Line breaks and tabs become spaces only later (title cleaning reads the first line), so they
    stay; every other C0/C1 control (escape sequences, backspace, NUL) goes.
    """
    return "".join(
        char for char in _ANSI_SEQUENCE.sub("", text)
        if char in "\n\t" or not (ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F
                                  or char in BIDI_CONTROLS or is_surrogate(char))
    )


def tidy_title(text: str) -> str:
    """A title someone set (a rename, an imported file) cleaned as a model's title is: without
    control characters or bidi controls, whitespace runs as one space, no space at the ends."""
    return " ".join(strip_title_controls(text).split())


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control, format (invisible, bidi), unassigned or private-use
    character, or a line or paragraph separator: none belongs in a name or a path."""
    return any(unicodedata.category(char)[0] == "C" or unicodedata.category(char) in ("Zl", "Zp") for char in text)


def redact_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each secret, any `Bearer …` token and anything shaped like an OpenRouter key
    replaced by a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _BEARER.sub(f"Bearer {REDACTED}", text)
    return _OPENROUTER_KEY.sub(REDACTED, text)


def join_surrogates(text: str) -> str:
    """Adjacent surrogate halves become their character; any half left alone becomes U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class SurrogateJoiner:
    """Repairs a stream of text deltas whose JSON escaped one character as two `\\uXXXX` halves
    that arrived in different chunks: a trailing high surrogate waits for the next delta."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        self._pending = ""
        if text and "\ud800" <= text[-1] <= "\udbff":
            text, self._pending = text[:-1], text[-1]
        return join_surrogates(text)

    def flush(self) -> str:
        """What is still held back when the stream ends: a half that never found its pair."""
        pending, self._pending = self._pending, ""
        return REPLACEMENT if pending else ""
