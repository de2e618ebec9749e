"""Search over titles and every message: `GET /conversations?q=`.

The database keeps the index itself (triggers on SQLite, expression indexes on PostgreSQL; see
migration 0004), so storing a message costs the chat path no extra round trip:
- SQLite: FTS5 tables with the trigram tokenizer over folded text (`rc_fold`, a Python function
  registered on every connection), so any substring of 3+ characters is found through the index;
  shorter words (common in Chinese and Japanese) are checked against the folded text directly.
- PostgreSQL: GIN trigram indexes (pg_trgm) on `rc_fold(content)` and `rc_fold(title)`, an SQL
  function built on `unaccent`, used by LIKE.

How a search runs (which word's matches drive it, or a check of the newest conversations) is
decided by `plan.py` from a bounded sample of each word (one short statement).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import bindparam, event, text

from ..db.models import Conversation
from ..extensions import db
from . import plan as planning
from .text import fold, fts_phrase, like_pattern, owned_fts_query, snippet

if TYPE_CHECKING:
    import sqlite3


def register_functions(dbapi_connection: sqlite3.Connection, _record: object = None) -> None:
    """The SQLite index's triggers (migration 0004) fold text with rc_fold: every SQLite connection
    that writes conversations or messages needs it."""
    dbapi_connection.create_function("rc_fold", 1, fold, deterministic=True)


def init_app(app: Flask) -> None:
    """Give every SQLite connection of the app the functions the index calls (PostgreSQL's
    rc_fold is an SQL function the migration created)."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", register_functions)


@dataclass(frozen=True)
class WordSql:
    """One search word as SQL over the index and as row-by-row checks (parameters in `params`)."""
    message_hits: str  # conversation_id of each message having the word (through the index if any)
    title_hits: str  # ids of the conversations whose title has it (likewise)
    in_message: str  # the word is in message `m` (a check of one row)
    in_title: str  # the word is in the title of conversation `c` (a check of one row)
    indexed: bool  # False: too short for the trigram index, so its hits read every row of the owner
    owner_messages: str  # the owner's messages as rows `id` (and `content` where in_message needs it)
    params: dict[str, Any]

    @property
    def conversation_ids(self) -> str:
        return f"{self.message_hits} UNION {self.title_hits}"

    @property
    def in_conversation(self) -> str:
        return (f"({self.in_title} OR EXISTS (SELECT 1 FROM message m "
                f"WHERE m.conversation_id = c.id AND {self.in_message}))")

    @property
    def sample(self) -> str:
        """One row (n, c, t), what `WordSample` is built from. Through the index: matches counted up
        to the sample size (messages, their distinct conversations, titles). Otherwise: hits among
        the first messages."""
        limit = planning.SAMPLED_MATCHES
        if not self.indexed:
            return (f"SELECT count(*) AS n, 0 AS c, 0 AS t FROM ({self.owner_messages} LIMIT {limit}) "
                    f"AS m WHERE {self.in_message}")
        return (f"SELECT m.n AS n, m.c AS c, t.n AS t FROM "
                f"(SELECT count(*) AS n, count(DISTINCT conversation_id) AS c FROM ({self.message_hits} "
                f"LIMIT {limit}) AS hits) AS m, "
                f"(SELECT count(*) AS n FROM ({self.title_hits} LIMIT {limit}) AS hits) AS t")


def _sqlite_word(key: str, word: str, indexed: bool, owner: int | None) -> WordSql:
    """The index holds each row's owner (migration 0017): every lookup asks for the owner's rows
    with the word, so FTS5 steps through the shorter of the two lists and never reads another
    account's matches. A word too short for it is looked for in the owner's rows one by one."""
    folded = fold(word)
    if indexed:
        condition, pattern = f"MATCH :{key}_index", owned_fts_query(owner, fts_phrase(folded))
    else:
        condition, pattern = f"MATCH :owned AND {{table}}.body LIKE :{key}_index ESCAPE '\\'", like_pattern(folded)
    return WordSql(
        message_hits=("SELECT m.conversation_id FROM message_fts JOIN message m ON m.id = message_fts.rowid "
                      f"WHERE message_fts {condition.format(table='message_fts')}"),
        title_hits=("SELECT conversation_id FROM conversation_fts "
                    f"WHERE conversation_fts {condition.format(table='conversation_fts')}"),
        # instr() keeps SQLite from answering these through the index: they check one row each
        in_message=f"instr((SELECT body FROM message_fts WHERE rowid = m.id), :{key}) > 0",
        in_title=f"instr(rc_fold(c.title), :{key}) > 0",
        indexed=indexed, owner_messages="SELECT rowid AS id FROM message_fts WHERE message_fts MATCH :owned",
        params={key: folded, f"{key}_index": pattern, "owned": owned_fts_query(owner)})


def _postgres_word(key: str, word: str, indexed: bool, owner: int | None) -> WordSql:
    """Hits are looked for among the owner's conversations: the planner reads the trigram index
    and keeps the owner's rows, or reads the owner's messages (ix_conversation_list, then
    ix_message_conversation_created) and checks each, whichever its statistics find cheaper."""
    condition = f"LIKE rc_fold(:{key}_index) ESCAPE '\\'"
    owned = "oc.account_id IS NULL" if owner is None else "oc.account_id = :owner"
    return WordSql(
        message_hits=("SELECT m.conversation_id FROM message m JOIN conversation oc ON oc.id = m.conversation_id "
                      f"WHERE {owned} AND rc_fold(m.content) {condition}"),
        title_hits=f"SELECT oc.id FROM conversation oc WHERE {owned} AND rc_fold(oc.title) {condition}",
        in_message=f"strpos(rc_fold(m.content), rc_fold(:{key})) > 0",
        in_title=f"strpos(rc_fold(c.title), rc_fold(:{key})) > 0",
        indexed=indexed,
        owner_messages=("SELECT m.id, m.content FROM message m JOIN conversation oc ON oc.id = m.conversation_id "
                        f"WHERE {owned}"),
        params={key: word, f"{key}_index": like_pattern(word), "owner": owner})


def word_sql(words: list[str], owner: int | None) -> list[WordSql]:
    """Each word's SQL, every lookup restricted to the owner's rows (`owner` None: the app without accounts)."""
    per_word = _sqlite_word if db.engine.dialect.name == "sqlite" else _postgres_word
    return [per_word(f"w{i}", word, len(fold(word)) >= planning.MIN_INDEXED_CHARS, owner)
            for i, word in enumerate(words)]


def _params(words: list[WordSql]) -> dict[str, Any]:
    return {name: value for word in words for name, value in word.params.items()}


def _samples(words: list[WordSql]) -> list[planning.WordSample]:
    """Every word's sample, in one statement (one row: three counts per word)."""
    tables = ", ".join(f"({word.sample}) AS s{i}" for i, word in enumerate(words))
    columns = ", ".join(f"s{i}.n, s{i}.c, s{i}.t" for i in range(len(words)))
    row = db.session.execute(text(f"SELECT {columns} FROM {tables}"), _params(words)).one()
    return [planning.WordSample(matches=row[3 * i] + row[3 * i + 2], conversations=max(row[3 * i + 1], row[3 * i + 2]),
                       indexed=word.indexed) for i, word in enumerate(words)]


def matching_conversations(words: list[str], limit: int, after: tuple[datetime, str] | None,
                           owner: int | None) -> list[Conversation]:
    """The owner's conversations having every word (in the title or any message), newest first,
    keyset-paged (`owner` None: the app without accounts)."""
    built = word_sql(words, owner)
    params = _params(built)
    order, driven = planning.search_plan(_samples(built))
    ranked = [built[i] for i in order]
    owned = "c.account_id IS NULL" if owner is None else "c.account_id = :owner"
    conditions = [owned]
    params["owner"] = owner
    if after is not None:  # the form conversations._newest uses: the index range starts at the cursor
        conditions.append("c.updated_at <= :after_at AND (c.updated_at < :after_at OR c.id < :after_id)")
        params.update(after_at=after[0], after_id=after[1])
    source = "conversation c"
    if driven:  # the candidates first, whole: checked row by row while scanning the newest, the
        # other words' checks would run on every conversation (PostgreSQL's planner does that)
        # (the owner's rows only: else PostgreSQL reads every account's conversations to join them)
        source = (f"(WITH candidates AS MATERIALIZED (SELECT c.* FROM conversation c WHERE {owned} AND "
                  f"c.id IN ({ranked[0].conversation_ids})) SELECT * FROM candidates) AS c")
        ranked = ranked[1:]
    conditions += [word.in_conversation for word in ranked]
    statement = text(
        f"SELECT c.* FROM {source} WHERE {' AND '.join(conditions)} "
        "ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit"
    ).bindparams(limit=limit)
    return list(db.session.scalars(db.select(Conversation).from_statement(statement), params))


def snippets(conversation_ids: list[str], words: list[str], owner: int | None) -> dict[str, str]:
    """Plain text around the first hit of each conversation (its first message when only the title hits)."""
    if not conversation_ids:
        return {}
    built = word_sql(words, owner)
    params = _params(built)
    any_word = " OR ".join(word.in_message for word in built)
    params["ids"] = conversation_ids
    first_of_each = (
        "SELECT conversation_id, content FROM (SELECT m.conversation_id, m.content, ROW_NUMBER() OVER "
        "(PARTITION BY m.conversation_id ORDER BY m.created_at, m.id) AS n FROM message m "
        "WHERE m.conversation_id IN :ids {only}) AS ranked WHERE n = 1"
    )
    found: dict[str, str] = {}
    for only in (f"AND ({any_word})", ""):  # the first hit, else the first message
        rows = db.session.execute(
            text(first_of_each.format(only=only)).bindparams(bindparam("ids", expanding=True)), params)
        for conversation_id, content in rows:
            found.setdefault(conversation_id, snippet(content, words))
        params["ids"] = [i for i in conversation_ids if i not in found]
        if not params["ids"]:
            break
    return found
