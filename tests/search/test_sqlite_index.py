"""SQLite's search index kept by triggers (migrations 0017 and 0018): a conversation's title row is
found by key, whatever the number of conversations, and stays right through renames, changes of
account and deletions, after an upgrade from the index without keys and after a downgrade to it."""
import sqlite3
import uuid

from flask_migrate import downgrade, upgrade

from routerchat import create_app
from routerchat.db.engine import MIGRATIONS_DIR
from routerchat.extensions import db
from routerchat.search.sql import register_functions
from routerchat.search.text import fold, owner_token

CONVERSATION = ("INSERT INTO conversation (id, account_id, title, title_source, title_attempts, created_at, "
                "updated_at) VALUES (?, NULL, ?, 'user', 0, '2020-01-01', '2020-01-01')")


def migrated(path, revision: str = "head"):
    """A SQLite file migrated to `revision`, opened with the functions the triggers call."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=revision)
    return app


def connect(path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    register_functions(connection)
    return connection


def add_conversations(connection: sqlite3.Connection, count: int) -> list[str]:
    ids = [uuid.uuid4().hex for _ in range(count)]
    connection.executemany(CONVERSATION, [(i, f"Title {i}") for i in ids])
    return ids


def steps_to_rename(connection: sqlite3.Connection, conversation_id: str) -> int:
    """SQLite's virtual machine steps (in thousands) one title change costs, its triggers included."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0
    connection.set_progress_handler(count, 1000)
    connection.execute("UPDATE conversation SET title = 'Renamed' WHERE id = ?", (conversation_id,))
    connection.set_progress_handler(None, 0)
    return steps[0]


def index_rows(connection: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Each conversation's row of the title index, found through its key: (owner, body)."""
    return {cid: (owner, body) for cid, owner, body in connection.execute(
        "SELECT k.conversation_id, f.owner, f.body FROM conversation_fts_key k "
        "JOIN conversation_fts f ON f.rowid = k.fts_rowid")}


def test_a_title_change_costs_the_same_with_ten_or_ten_thousand_conversations(tmp_path):
    migrated(tmp_path / "i.db")
    connection = connect(tmp_path / "i.db")
    few = add_conversations(connection, 10)
    with_few = steps_to_rename(connection, few[0])
    many = add_conversations(connection, 10_000)
    assert steps_to_rename(connection, many[-1]) <= with_few + 2  # the index was read whole: ~100 times more


def test_the_index_follows_renames_accounts_and_deletions_by_key(tmp_path):
    app = migrated(tmp_path / "k.db")
    connection = connect(tmp_path / "k.db")
    kept, renamed, moved, deleted = add_conversations(connection, 4)
    connection.execute("INSERT INTO account (id, name, name_key, password_hash, created_at) "
                       "VALUES (7, 'ann', 'ann', 'x', '2020-01-01')")
    connection.execute("UPDATE conversation SET title = 'Café au lait' WHERE id = ?", (renamed,))
    connection.execute("UPDATE conversation SET account_id = 7 WHERE id = ?", (moved,))
    connection.execute("DELETE FROM conversation WHERE id = ?", (deleted,))
    rows = index_rows(connection)
    assert set(rows) == {kept, renamed, moved}  # the deleted one's row and key are gone
    assert rows[renamed] == (owner_token(None), fold("Café au lait"))
    assert rows[moved] == (owner_token(7), fold(f"Title {moved}"))
    assert rows[kept] == (owner_token(None), fold(f"Title {kept}"))
    assert connection.execute("SELECT count(*) FROM conversation_fts").fetchone()[0] == 3
    with app.app_context():
        db.engine.dispose()


def test_conversations_indexed_before_the_keys_keep_their_rows_up_and_down(tmp_path):
    path = tmp_path / "u.db"
    app = migrated(path, "0017_search_owner")
    connection = connect(path)
    before = add_conversations(connection, 3)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        assert set(index_rows(connection)) == set(before)  # keys made for what was indexed
        connection.execute("UPDATE conversation SET title = 'After the keys' WHERE id = ?", (before[0],))
        assert index_rows(connection)[before[0]][1] == fold("After the keys")
        downgrade(directory=MIGRATIONS_DIR, revision="0017_search_owner")
        connection.execute("UPDATE conversation SET title = 'Without keys again' WHERE id = ?", (before[1],))
        assert connection.execute("SELECT body FROM conversation_fts WHERE conversation_id = ?",
                                  (before[1],)).fetchone()[0] == fold("Without keys again")
        db.engine.dispose()
