"""account names folded (NFKC, case): `alice`, `Alice` and `ａｌｉｃｅ` are one name from now on

Existing accounts keep their names. Should two of them already fold alike, the older one keeps
the plain key (and logs in with any spelling); each later one can still log in with its exact name.

Revision ID: 0009_account_name_key
Revises: 0008_models
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0009_account_name_key'
down_revision = '0008_models'
branch_labels = None
depends_on = None


def _name_key(name):
    """accounts/store.py's name_key at the time of writing (a migration never imports the app)."""
    return unicodedata.normalize('NFKC', unicodedata.normalize('NFKC', name).casefold())


def upgrade():
    # A plain ADD COLUMN and a unique index, never a table rebuild: on SQLite, dropping the old
    # account table would trip the foreign keys of every conversation (hence nullable, as in the model).
    op.add_column('account', sa.Column('name_key', sa.String(length=255), nullable=True))
    account = sa.table('account', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                       sa.column('name_key', sa.String()))
    connection = op.get_bind()
    taken = set()
    for account_id, name in connection.execute(sa.select(account.c.id, account.c.name).order_by(account.c.id)).all():
        key = _name_key(name)[:255]
        if key in taken:
            key = f'{key[:240]}#{account_id}'  # a new name that folds to this is refused as taken
        taken.add(key)
        connection.execute(account.update().where(account.c.id == account_id).values(name_key=key))
    op.create_index('ix_account_name_key', 'account', ['name_key'], unique=True)


def downgrade():
    op.drop_index('ix_account_name_key', table_name='account')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('name_key')
