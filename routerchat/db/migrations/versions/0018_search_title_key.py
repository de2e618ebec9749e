"""search: a conversation's title found in the SQLite index by key, not by reading the whole index

FTS5 finds a row quickly only by its rowid; migration 0017's triggers found a conversation's title
by `WHERE conversation_id = …`, which reads every row of the index. Each title saved, each rename,
each deletion and each change of account read the titles of all conversations: a title save
and its commit took 1.3 ms at 3,000 conversations and 11 ms at 30,000 (0.12-0.13 ms by key), with
the event loop stopped meanwhile. A key table
(`conversation_fts_key`: conversation id → the index's rowid, filled by the insert trigger)
lets the triggers go straight to the row. (PostgreSQL's trigram indexes are on the conversation
table itself: nothing to do there.)

Revision ID: 0018_search_title_key
Revises: 0017_search_owner
"""
import importlib

from alembic import op

revision = '0018_search_title_key'
down_revision = '0017_search_owner'
branch_labels = None
depends_on = None

PREVIOUS = importlib.import_module("routerchat.db.migrations.versions.0017_search_owner")
OWNER = PREVIOUS.OWNER_TOKEN.format(id="new.account_id")
ROW = "rowid = (SELECT fts_rowid FROM conversation_fts_key WHERE conversation_id = {row}.id)"
TRIGGERS = ("conversation_fts_insert", "conversation_fts_update", "conversation_fts_owner", "conversation_fts_delete")
KEYED = [
    f"""CREATE TRIGGER conversation_fts_insert AFTER INSERT ON conversation BEGIN
         INSERT INTO conversation_fts(conversation_id, owner, body) VALUES (new.id, {OWNER}, rc_fold(new.title));
         INSERT INTO conversation_fts_key VALUES (new.id, last_insert_rowid()); END""",
    f"""CREATE TRIGGER conversation_fts_update AFTER UPDATE OF title ON conversation BEGIN
         UPDATE conversation_fts SET body = rc_fold(new.title) WHERE {ROW.format(row='new')}; END""",
    f"""CREATE TRIGGER conversation_fts_owner AFTER UPDATE OF account_id ON conversation BEGIN
         UPDATE conversation_fts SET owner = {OWNER} WHERE {ROW.format(row='new')};
         UPDATE message_fts SET owner = {OWNER} WHERE rowid IN (SELECT id FROM message WHERE conversation_id = new.id);
         END""",
    f"""CREATE TRIGGER conversation_fts_delete AFTER DELETE ON conversation BEGIN
         DELETE FROM conversation_fts WHERE {ROW.format(row='old')};
         DELETE FROM conversation_fts_key WHERE conversation_id = old.id; END""",
]
UNKEYED = [statement for statement in PREVIOUS.UP if statement.startswith("CREATE TRIGGER conversation_fts_")]


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("CREATE TABLE conversation_fts_key (conversation_id VARCHAR(32) PRIMARY KEY, "
               "fts_rowid INTEGER NOT NULL) WITHOUT ROWID")
    op.execute("INSERT INTO conversation_fts_key SELECT conversation_id, rowid FROM conversation_fts")
    for statement in KEYED:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE conversation_fts_key")
    for statement in UNKEYED:
        op.execute(statement)
