"""Search text rules shared by the index and the queries (pure: no Flask, no database).

Search is case- and accent-insensitive in any language: text and queries are *folded* the same way
(compatibility decomposition, diacritics dropped, case folded). Kana voicing marks are kept: か and が
are different words, not the same word with an accent.
"""
from __future__ import annotations

import unicodedata

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
SNIPPET_CHARS = 200
# A snippet is made from at most this much of a message around its hit: folding is done character by
# character in Python, and a 45 MB message once held the event loop for 44 s.
SNIPPET_SCAN_CHARS = 4_000
KEPT_MARKS = {"\u3099", "\u309a"}  # kana voicing marks (dakuten, handakuten)


class QueryError(ValueError):
    """The search text cannot be used as it is; the message says why, in plain words."""


def fold(text: str) -> str:
    """The text as the index sees it: no case, no diacritics, compatibility forms unified."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) or c in KEPT_MARKS)
    return unicodedata.normalize("NFC", stripped).casefold()


def query_words(q: str) -> list[str]:
    """The distinct words of a search, each one required; an empty list means "no search"."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The search text is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}.")
    words = list(dict.fromkeys(q.split()))
    if len(words) > MAX_QUERY_WORDS:
        raise QueryError(f"Search for at most {MAX_QUERY_WORDS} words at a time.")
    return words


def like_pattern(word: str) -> str:
    """A LIKE pattern (ESCAPE '\\') matching the word anywhere, with % and _ taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(word: str) -> str:
    """An FTS5 query that matches the word as a literal substring (trigram tokenizer)."""
    return '"' + word.replace('"', '""') + '"'


OWNER_TOKEN_BASE, OWNER_TOKEN_DIGITS = 0xE000, 6400  # the Private Use Area, U+E000-U+F8FF


def owner_token(account_id: int | None) -> str:
    """The account as one trigram of the SQLite index's `owner` column: its id (0 without
    accounts) in three base-6400 digits of the Private Use Area, which no folded text holds as
    an owner. Migration 0017 computes the same in SQL."""
    number = account_id or 0
    digits = (number // OWNER_TOKEN_DIGITS ** 2, number // OWNER_TOKEN_DIGITS, number)
    return "".join(chr(OWNER_TOKEN_BASE + digit % OWNER_TOKEN_DIGITS) for digit in digits)


def owned_fts_query(account_id: int | None, phrase: str | None = None) -> str:
    """An FTS5 query for the account's rows (the owner's trigram), having the phrase when given."""
    owned = f'owner : "{owner_token(account_id)}"'
    return owned if phrase is None else f"{owned} AND body : {phrase}"


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the index of the original one."""
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        piece = fold(char)
        folded.append(piece)
        positions.extend([index] * len(piece))
    return "".join(folded), positions


def first_hit(text: str, words: list[str]) -> tuple[int, int] | None:
    """Where the earliest of the words occurs in the text: (start, end) in the original text."""
    folded, positions = _folded_with_positions(text)
    best: tuple[int, int] | None = None
    for word in words:
        needle = fold(word)
        at = folded.find(needle) if needle else -1
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(needle))
    if best is None:
        return None
    start, end = best
    return positions[start], positions[end - 1] + 1


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    """Plain text around the first hit, at most `width` characters, cut on word boundaries."""
    flat = " ".join(_bounded_slice(text, words).split())
    hit = first_hit(flat, words) or (0, 0)
    if len(flat) <= width:
        return flat
    room = width - 2  # the ellipses
    start = max(0, min(hit[0] - room // 3, len(flat) - room))
    end = min(len(flat), start + room)
    start = _word_start(flat, start)
    end = _word_end(flat, end, limit=start + room)
    return ("…" if start > 0 else "") + flat[start:end].strip() + ("…" if end < len(flat) else "")


def _bounded_slice(text: str, words: list[str]) -> str:
    """The part of a long text worth a snippet: SNIPPET_SCAN_CHARS around the earliest hit that a
    plain case-insensitive search finds (C speed), else the start. A hit that only accent folding
    finds, beyond the start, shows the start instead."""
    if len(text) <= SNIPPET_SCAN_CHARS:
        return text
    lowered = text.lower()
    hits = [at for word in words if word and (at := lowered.find(word.lower())) >= 0]
    start = max(0, min(hits) - SNIPPET_SCAN_CHARS // 2) if hits and len(lowered) == len(text) else 0
    return text[start:start + SNIPPET_SCAN_CHARS]


def _word_start(text: str, at: int) -> int:
    """Move forward to the start of a word, unless that would skip more than a few characters."""
    if at == 0 or text[at - 1] == " ":
        return at
    space = text.find(" ", at, at + 20)
    return space + 1 if space >= 0 else at


def _word_end(text: str, at: int, limit: int) -> int:
    """Move back to the end of a word, unless the text has no space nearby (CJK)."""
    if at >= len(text) or text[at] == " ":
        return min(at, limit)
    space = text.rfind(" ", max(0, at - 20), at)
    return space if space > 0 else min(at, limit)
