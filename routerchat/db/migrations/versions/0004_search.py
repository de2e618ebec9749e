"""search index over titles and messages

SQLite: FTS5 trigram tables over folded text (rc_fold, registered on every connection by the app),
kept up to date by triggers. PostgreSQL: pg_trgm GIN indexes on rc_fold(...), an SQL function on
unaccent. Both are filled for the conversations that exist already.

Revision ID: 0004_search
Revises: 0002_title_usage
"""
from alembic import op

revision = '0004_search'
down_revision = '0002_title_usage'
branch_labels = None
depends_on = None

SQLITE_UP = [
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
SQLITE_DOWN = [
    *(f"DROP TRIGGER {name}" for name in (
        "message_fts_insert", "message_fts_update", "message_fts_delete",
        "conversation_fts_insert", "conversation_fts_update", "conversation_fts_delete")),
    "DROP TABLE message_fts",
    "DROP TABLE conversation_fts",
]


def _extension_schema(name: str) -> str:
    """Create the extension where it can be shared (public) unless it exists already; say where it is."""
    op.execute(f"CREATE EXTENSION IF NOT EXISTS {name} WITH SCHEMA public")
    return op.get_bind().exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        f"WHERE e.extname = '{name}'").scalar_one()


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    trgm = _extension_schema("pg_trgm")
    unaccent = _extension_schema("unaccent")
    op.execute(
        "CREATE FUNCTION rc_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS "
        f"$$ SELECT lower({unaccent}.unaccent('{unaccent}.unaccent'::regdictionary, $1)) $$")
    op.execute(f"CREATE INDEX ix_message_content_search ON message USING gin (rc_fold(content) {trgm}.gin_trgm_ops)")
    op.execute(f"CREATE INDEX ix_conversation_title_search ON conversation USING gin (rc_fold(title) {trgm}.gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.execute("DROP INDEX ix_message_content_search")
    op.execute("DROP INDEX ix_conversation_title_search")
    op.execute("DROP FUNCTION rc_fold(text)")
