"""search: the owner in the SQLite index, so one account's search never reads another's matches

SQLite's FTS5 tables get an `owner` column holding one trigram per account (three characters
of the Private Use Area spelling its id; no owner, the app without accounts, is id 0), filled
from the conversation by the insert triggers and kept when a conversation changes account. A
search then asks the index for `owner : "<its trigram>" AND body : "<word>"`, which FTS5 answers
by stepping through the smaller of the two lists. (PostgreSQL needs no migration: its searches
join the owner's conversations and the planner picks the trigram index or the owner's rows.)

Revision ID: 0017_search_owner
Revises: 0016_organise_folder_list
"""
from alembic import op

revision = '0017_search_owner'
down_revision = '0016_organise_folder_list'
branch_labels = None
depends_on = None

# search/text.py's owner_token in SQL: the same three characters for an account id (or NULL).
OWNER_TOKEN = ("char(57344 + coalesce({id}, 0) / 40960000 % 6400, 57344 + coalesce({id}, 0) / 6400 % 6400, "
               "57344 + coalesce({id}, 0) % 6400)")

DROP_OLD = [
    *(f"DROP TRIGGER {name}" for name in (
        "message_fts_insert", "message_fts_update", "message_fts_delete",
        "conversation_fts_insert", "conversation_fts_update", "conversation_fts_delete")),
    "DROP TABLE message_fts",
    "DROP TABLE conversation_fts",
]

UP = [
    *DROP_OLD,
    "CREATE VIRTUAL TABLE message_fts USING fts5(owner, body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE conversation_fts USING fts5(conversation_id UNINDEXED, owner, body, tokenize='trigram')",
    f"""CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
         INSERT INTO message_fts(rowid, owner, body)
         SELECT new.id, {OWNER_TOKEN.format(id='c.account_id')}, rc_fold(new.content)
         FROM conversation c WHERE c.id = new.conversation_id; END""",
    """CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
         UPDATE message_fts SET body = rc_fold(new.content) WHERE rowid = new.id; END""",
    """CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
         DELETE FROM message_fts WHERE rowid = old.id; END""",
    f"""CREATE TRIGGER conversation_fts_insert AFTER INSERT ON conversation BEGIN
         INSERT INTO conversation_fts(conversation_id, owner, body)
         VALUES (new.id, {OWNER_TOKEN.format(id='new.account_id')}, rc_fold(new.title)); END""",
    """CREATE TRIGGER conversation_fts_update AFTER UPDATE OF title ON conversation BEGIN
         UPDATE conversation_fts SET body = rc_fold(new.title) WHERE conversation_id = new.id; END""",
    f"""CREATE TRIGGER conversation_fts_owner AFTER UPDATE OF account_id ON conversation BEGIN
         UPDATE conversation_fts SET owner = {OWNER_TOKEN.format(id='new.account_id')}
         WHERE conversation_id = new.id;
         UPDATE message_fts SET owner = {OWNER_TOKEN.format(id='new.account_id')}
         WHERE rowid IN (SELECT id FROM message WHERE conversation_id = new.id); END""",
    """CREATE TRIGGER conversation_fts_delete AFTER DELETE ON conversation BEGIN
         DELETE FROM conversation_fts WHERE conversation_id = old.id; END""",
    f"""INSERT INTO message_fts(rowid, owner, body)
        SELECT m.id, {OWNER_TOKEN.format(id='c.account_id')}, rc_fold(m.content)
        FROM message m JOIN conversation c ON c.id = m.conversation_id""",
    f"""INSERT INTO conversation_fts(conversation_id, owner, body)
        SELECT id, {OWNER_TOKEN.format(id='account_id')}, rc_fold(title) FROM conversation""",
]

DOWN = [
    "DROP TRIGGER conversation_fts_owner",
    *DROP_OLD,
    "CREATE VIRTUAL TABLE message_fts USING fts5(body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE conversation_fts USING fts5(conversation_id UNINDEXED, body, tokenize='trigram')",
    """CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
         INSERT INTO message_fts(rowid, body) VALUES (new.id, rc_fold(new.content)); END""",
    """CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
         UPDATE message_fts SET body = rc_fold(new.content) WHERE rowid = new.id; END""",
    """CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
         DELETE FROM message_fts WHERE rowid = old.id; END""",
    """CREATE TRIGGER conversation_fts_insert AFTER INSERT ON conversation BEGIN
         INSERT INTO conversation_fts(conversation_id, body) VALUES (new.id, rc_fold(new.title)); END""",
    """CREATE TRIGGER conversation_fts_update AFTER UPDATE OF title ON conversation BEGIN
         UPDATE conversation_fts SET body = rc_fold(new.title) WHERE conversation_id = new.id; END""",
    """CREATE TRIGGER conversation_fts_delete AFTER DELETE ON conversation BEGIN
         DELETE FROM conversation_fts WHERE conversation_id = old.id; END""",
    "INSERT INTO message_fts(rowid, body) SELECT id, rc_fold(content) FROM message",
    "INSERT INTO conversation_fts(conversation_id, body) SELECT id, rc_fold(title) FROM conversation",
]


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in UP:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in DOWN:
            op.execute(statement)
