"""Search over titles and every message: `GET /conversations?q=`.

The database keeps the index itself (triggers on SQLite, expression indexes on PostgreSQL; see
migration 0004), so storing a message costs the chat path no extra round trip:
- SQLite: FTS5 tables with the trigram tokenizer over folded text (`rc_fold`, a Python function
  registered on every connection), so any substring of 3+ characters is found through the index;
  shorter words (common in Chinese and Japanese) are checked against the folded text directly.
- PostgreSQL: GIN trigram indexes (pg_trgm) on `rc_fold(content)` and `rc_fold(title)`, an SQL
  function built on `unaccent`, used by LIKE.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text

from .extensions import db
from .models import Conversation
from .search_text import fold, fts_phrase, like_pattern, snippet

MIN_INDEXED_CHARS = 3  # trigram index: shorter words cannot use it


def _sqlite_word(index: int, word: str) -> tuple[str, str, dict[str, str]]:
    """SQL for (conversation ids whose title or a message has the word, message ids with it), SQLite."""
    folded = fold(word)
    if len(folded) >= MIN_INDEXED_CHARS:
        condition, value = f"MATCH :w{index}", fts_phrase(folded)
    else:
        condition, value = f"LIKE :w{index} ESCAPE '\\'", like_pattern(folded)
    messages = f"SELECT rowid FROM message_fts WHERE message_fts.body {condition}"
    titles = f"SELECT conversation_id FROM conversation_fts WHERE conversation_fts.body {condition}"
    ids = (f"SELECT m.conversation_id FROM message m WHERE m.id IN ({messages}) "
           f"UNION {titles}")
    return ids, messages, {f"w{index}": value}


def _postgres_word(index: int, word: str) -> tuple[str, str, dict[str, str]]:
    """The same for PostgreSQL, through the trigram indexes on the folded expressions."""
    condition = f"LIKE rc_fold(:w{index}) ESCAPE '\\'"
    messages = f"SELECT id FROM message WHERE rc_fold(content) {condition}"
    ids = (f"SELECT conversation_id FROM message WHERE rc_fold(content) {condition} "
           f"UNION SELECT id FROM conversation WHERE rc_fold(title) {condition}")
    return ids, messages, {f"w{index}": like_pattern(word)}


def _word_queries(words: list[str]) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Per word, (its conversation ids, its message ids) as SQL; and the parameters of them all."""
    per_word = _sqlite_word if db.engine.dialect.name == "sqlite" else _postgres_word
    built = [per_word(i, word) for i, word in enumerate(words)]
    params: dict[str, Any] = {}
    for _, _, word_params in built:
        params.update(word_params)
    return [(ids, messages) for ids, messages, _ in built], params


def matching_conversations(words: list[str], limit: int, after: tuple[datetime, str] | None,
                           owner: int | None) -> list[Conversation]:
    """The owner's conversations having every word (in the title or any message), newest first,
    keyset-paged (`owner` None: the app without accounts)."""
    queries, params = _word_queries(words)
    params["owner"] = owner
    having_all = " INTERSECT ".join(f"SELECT * FROM ({ids}) AS w{i}" for i, (ids, _) in enumerate(queries))
    page = ""
    if after is not None:  # the form conversations._newest uses: the index range starts at the cursor
        page = "AND c.updated_at <= :after_at AND (c.updated_at < :after_at OR c.id < :after_id)"
        params.update(after_at=after[0], after_id=after[1])
    owned = "c.account_id IS NULL" if owner is None else "c.account_id = :owner"
    statement = text(
        f"SELECT c.* FROM conversation c WHERE {owned} AND c.id IN ({having_all}) {page} "
        "ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit"
    ).bindparams(limit=limit)
    return list(db.session.scalars(db.select(Conversation).from_statement(statement), params))


def snippets(conversation_ids: list[str], words: list[str]) -> dict[str, str]:
    """Plain text around the first hit of each conversation (its first message when only the title hits)."""
    if not conversation_ids:
        return {}
    queries, params = _word_queries(words)
    any_word = " UNION ".join(messages for _, messages in queries)
    params["ids"] = conversation_ids
    first_of_each = (
        "SELECT conversation_id, content FROM (SELECT conversation_id, content, ROW_NUMBER() OVER "
        "(PARTITION BY conversation_id ORDER BY created_at, id) AS n FROM message "
        "WHERE conversation_id IN :ids {only}) AS ranked WHERE n = 1"
    )
    found: dict[str, str] = {}
    for only in (f"AND id IN ({any_word})", ""):  # the first hit, else the first message
        rows = db.session.execute(
            text(first_of_each.format(only=only)).bindparams(bindparam("ids", expanding=True)), params)
        for conversation_id, content in rows:
            found.setdefault(conversation_id, snippet(content, words))
        params["ids"] = [i for i in conversation_ids if i not in found]
        if not params["ids"]:
            break
    return found
