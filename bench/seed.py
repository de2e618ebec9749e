"""Bulk-seed conversations and messages with one INSERT … SELECT per table (seconds, not minutes).

Seeded rows are dated 2020 onwards, one second apart, so they sort below anything the benchmark
creates itself; ids are `seed` + a zero-padded number, messages alternate user / assistant.
"""
from __future__ import annotations

import sqlalchemy as sa

from routerchat.config import normalize_database_url
from routerchat.search.sql import register_functions as register_search_functions

SQLITE = {
    "conversation": """
        WITH RECURSIVE n(i) AS (SELECT :start UNION ALL SELECT i + 1 FROM n WHERE i < :stop - 1)
        INSERT INTO conversation (id, title, title_source, title_attempts, created_at, updated_at)
        SELECT printf('seed%028d', i), 'Seeded conversation ' || i, 'auto', 1,
               strftime('%Y-%m-%d %H:%M:%S', '2020-01-01', '+' || i || ' seconds') || '.000000',
               strftime('%Y-%m-%d %H:%M:%S', '2020-01-01', '+' || i || ' seconds') || '.000000'
        FROM n""",
    "message": """
        WITH RECURSIVE n(m) AS (SELECT :start * :per UNION ALL SELECT m + 1 FROM n WHERE m < :stop * :per - 1)
        INSERT INTO message (conversation_id, role, content, model, status, created_at)
        SELECT printf('seed%028d', m / :per), CASE WHEN m % 2 = 0 THEN 'user' ELSE 'assistant' END,
               'Seeded message ' || m || ', about as long as a short question or a short answer.',
               'bench/model', 'complete',
               strftime('%Y-%m-%d %H:%M:%S', '2020-01-01', '+' || (m / :per) || ' seconds')
                   || printf('.%06d', m % :per)
        FROM n""",
}

POSTGRES = {
    "conversation": """
        INSERT INTO conversation (id, title, title_source, title_attempts, created_at, updated_at)
        SELECT 'seed' || lpad(i::text, 28, '0'), 'Seeded conversation ' || i, 'auto', 1,
               timestamp '2020-01-01' + i * interval '1 second', timestamp '2020-01-01' + i * interval '1 second'
        FROM generate_series(:start, :stop - 1) AS i""",
    "message": """
        INSERT INTO message (conversation_id, role, content, model, status, created_at)
        SELECT 'seed' || lpad((m / :per)::text, 28, '0'), CASE WHEN m % 2 = 0 THEN 'user' ELSE 'assistant' END,
               'Seeded message ' || m || ', about as long as a short question or a short answer.',
               'bench/model', 'complete',
               timestamp '2020-01-01' + (m / :per) * interval '1 second' + (m % :per) * interval '1 microsecond'
        FROM generate_series(:start * :per, :stop * :per - 1) AS m""",
}


def engine_for(database_url: str) -> sa.Engine:
    """An engine that may write conversations: on SQLite the search index's triggers call rc_fold."""
    engine = sa.create_engine(normalize_database_url(database_url))
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", register_search_functions)
    return engine


def seed(engine: sa.Engine, start: int, stop: int, per: int) -> None:
    """Conversations number start … stop-1, each with `per` messages."""
    statements = SQLITE if engine.dialect.name == "sqlite" else POSTGRES
    params = {"start": start, "stop": stop, "per": per}
    with engine.begin() as conn:
        conn.execute(sa.text(statements["conversation"]), params)
        conn.execute(sa.text(statements["message"]), params)
        conn.execute(sa.text("ANALYZE"))
    if engine.dialect.name == "sqlite":  # fold the bulk insert's write-ahead log into the database,
        with engine.connect() as conn:  # as SQLite's automatic checkpoints do for rows added over time
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
