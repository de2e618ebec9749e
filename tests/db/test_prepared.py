"""Statements sent as prepared ones (routerchat/db/prepared.py) store and read exactly what the same
statements through the session do, on SQLite and PostgreSQL, and fail the same way."""
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from routerchat.db import prepared
from routerchat.db.models import Account, Conversation, Message
from routerchat.db.rows import insert_row, table_of, update_row
from routerchat.extensions import db

CONVERSATIONS = table_of(Conversation)
MESSAGES = table_of(Message)


def stored(table: sa.Table, key) -> dict:
    [column] = table.primary_key.columns
    return dict(db.session.execute(sa.select(table).where(column == key)).mappings().one())


def test_a_new_row_gets_every_default_the_session_would_give_it(app):
    """Python-side defaults (a timestamp, False, a title) are filled in, and the values come back
    through the session as the ORM would have stored them."""
    with app.app_context():
        through_session = Conversation(model="openai/gpt-5")
        db.session.add(through_session)
        db.session.commit()
        expected = stored(CONVERSATIONS, through_session.id)
        prepared_id = insert_row(Conversation, {"id": "a" * 32, "model": "openai/gpt-5"})
        db.session.commit()
        got = stored(CONVERSATIONS, prepared_id)
        assert prepared_id == "a" * 32
        for moving in ("id", "created_at", "updated_at"):
            expected.pop(moving), got.pop(moving)
        assert got == expected
        assert stored(CONVERSATIONS, prepared_id)["pinned"] is False
        db.session.execute(sa.delete(CONVERSATIONS).where(CONVERSATIONS.c.id.in_([through_session.id, prepared_id])))
        db.session.commit()


def test_values_that_need_processing_arrive_as_given(app):
    """A datetime (stored as text on SQLite), JSON and a boolean, in an INSERT and an UPDATE."""
    moment = datetime(2026, 12, 3, 23, 5, 7, 123456)
    with app.app_context():
        conversation_id = insert_row(Conversation, {"id": "b" * 32, "params": {"temperature": 0.5}, "archived": True})
        message_id = insert_row(Message, {"conversation_id": conversation_id, "role": "user", "content": "hi",
                                          "status": "complete", "created_at": moment})
        update_row(Message, message_id, citations=[{"url": "https://example.com/", "title": "Ex"}])
        db.session.commit()
        row = stored(MESSAGES, message_id)
        assert row["created_at"] == moment
        assert row["citations"] == [{"url": "https://example.com/", "title": "Ex"}]
        conversation = stored(CONVERSATIONS, conversation_id)
        assert conversation["params"] == {"temperature": 0.5}
        assert conversation["archived"] is True
        db.session.execute(sa.delete(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id))
        db.session.commit()


def test_a_read_carries_its_own_values_and_returns_none_for_no_row(app):
    """`limit(1)` brings its value with it; no row is None."""
    with app.app_context():
        first = prepared.first_value(sa.select(table_of(Account).c.id).limit(1), {})
        assert first == db.session.scalar(sa.select(table_of(Account).c.id).limit(1))
        missing = sa.select(MESSAGES.c.content).where(MESSAGES.c.id == sa.bindparam("key"))
        assert prepared.first_value(missing, {"key": -1}) is None
        db.session.rollback()


def test_a_failing_statement_raises_sqlalchemys_error_and_the_session_recovers(app):
    """A duplicate key is SQLAlchemy's IntegrityError (what callers catch, as SQLAlchemyError);
    after a rollback the session works on."""
    with app.app_context():
        insert_row(Conversation, {"id": "c" * 32})
        db.session.commit()
        with pytest.raises(IntegrityError) as raised:
            insert_row(Conversation, {"id": "c" * 32})
        assert isinstance(raised.value, SQLAlchemyError)
        assert "INSERT INTO conversation" in str(raised.value)
        db.session.rollback()
        assert prepared.first_value(sa.select(CONVERSATIONS.c.id).where(CONVERSATIONS.c.id == sa.bindparam("k")),
                                    {"k": "c" * 32}) == "c" * 32
        db.session.execute(sa.delete(CONVERSATIONS).where(CONVERSATIONS.c.id == "c" * 32))
        db.session.commit()


def test_listeners_of_the_engine_see_prepared_statements(app):
    with app.app_context():
        seen = []

        def record(_connection, _cursor, statement, parameters, _context, _many):
            seen.append((statement, parameters))
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            prepared.first_value(sa.select(MESSAGES.c.id).where(MESSAGES.c.id == sa.bindparam("key")), {"key": 7})
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
            db.session.rollback()
        [(statement, parameters)] = seen
        assert statement.startswith("SELECT message.id")
        assert 7 in (parameters.values() if isinstance(parameters, dict) else parameters)


def test_statements_it_cannot_send_faithfully_are_refused_when_prepared(app):
    """An IN list (expanding parameters) or a result that needs processing (a datetime on SQLite)
    would need SQLAlchemy's full execution: they are refused, not sent wrong."""
    with app.app_context():
        dialect = db.engine.dialect
        with pytest.raises(ValueError, match="expanding"):
            prepared.prepare(sa.select(MESSAGES.c.id).where(MESSAGES.c.id.in_(sa.bindparam("ids", expanding=True))),
                             dialect, frozenset({"ids"}))
        if dialect.name == "sqlite":
            with pytest.raises(ValueError, match="result processing"):
                prepared.prepare(sa.select(MESSAGES.c.created_at), dialect, frozenset())


# --- transaction(): a unit on a connection of its own --------------------------------------------


def conversation_exists(conversation_id: str) -> bool:
    found = db.session.scalar(sa.select(CONVERSATIONS.c.id).where(CONVERSATIONS.c.id == conversation_id))
    db.session.rollback()
    return found is not None


def test_a_transaction_commits_its_statements_without_the_session(app):
    """Statements inside run on the transaction's connection (the session never begins), are
    committed when the block ends, and the connection goes back to the pool."""
    from routerchat.db.guard import guard

    with app.app_context():
        commits = []

        def committed(connection):  # SQLite's checkpoints listen for these
            commits.append(connection)
        sa.event.listen(db.engine, "commit", committed)
        try:
            with prepared.transaction() as connection:
                assert prepared.current_connection() is connection
                insert_row(Conversation, {"id": "d" * 32})
                assert db.session().get_transaction() is None
                assert guard.held() == 1
        finally:
            sa.event.remove(db.engine, "commit", committed)
        assert len(commits) == 1 and guard.held() == 0
        assert conversation_exists("d" * 32)
        db.session.execute(sa.delete(CONVERSATIONS).where(CONVERSATIONS.c.id == "d" * 32))
        db.session.commit()


def test_a_transaction_that_raises_stores_nothing_and_gives_its_connection_back(app):
    from routerchat.db.guard import guard

    with app.app_context():
        insert_row(Conversation, {"id": "e" * 32})
        db.session.commit()
        with pytest.raises(IntegrityError), prepared.transaction():
            insert_row(Conversation, {"id": "f" * 32})
            insert_row(Conversation, {"id": "e" * 32})  # a duplicate: the whole unit is rolled back
        assert guard.held() == 0
        assert not conversation_exists("f" * 32)
        with prepared.transaction():  # and the next unit works
            update_row(Conversation, "e" * 32, title="Still here")
        assert stored(CONVERSATIONS, "e" * 32)["title"] == "Still here"
        db.session.execute(sa.delete(CONVERSATIONS).where(CONVERSATIONS.c.id == "e" * 32))
        db.session.commit()
