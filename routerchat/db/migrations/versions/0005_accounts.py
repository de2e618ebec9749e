"""accounts: the account table, the login throttle, conversation owners, presets per account

Existing rows are kept: conversations get a NULL owner and presets the owner 0 (the app without
accounts) until the first `python main.py user add` gives them to the first account.

Revision ID: 0005_accounts
Revises: 0004_search
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_accounts'
down_revision = '0004_search'
branch_labels = None
depends_on = None

PRESET_COLUMNS = ('slot', 'model', 'label', 'updated_at')


def upgrade():
    op.create_table('account',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sqlite_autoincrement=True
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_address_at', ['address', 'at'], unique=False)

    # A plain ADD COLUMN, never a table rebuild: on SQLite, dropping the old conversation table
    # would cascade to every message (and Alembic only adds SQLite foreign keys by rebuilding).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE conversation ADD COLUMN account_id INTEGER REFERENCES account (id)')
    else:
        op.add_column('conversation', sa.Column('account_id', sa.Integer(), sa.ForeignKey('account.id'),
                                                nullable=True))
    op.create_index(op.f('ix_conversation_account_id'), 'conversation', ['account_id'], unique=False)

    _rebuild_preset_with_owner()


def _rebuild_preset_with_owner():
    """The primary key becomes (account_id, slot): copy into a new table, the same on both backends."""
    op.create_table('preset_new',
    sa.Column('account_id', sa.Integer(), server_default='0', autoincrement=False, nullable=False),
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'slot')
    )
    columns = ', '.join(PRESET_COLUMNS)
    op.execute(f'INSERT INTO preset_new (account_id, {columns}) SELECT 0, {columns} FROM preset')
    op.drop_table('preset')
    op.rename_table('preset_new', 'preset')


def downgrade():
    """Not offered: on SQLite, dropping the owner column rebuilds the conversation table, and
    dropping the old table cascades to every message. Restore a backup taken before upgrading."""
    raise NotImplementedError("0005_accounts cannot be undone in place: restore a database backup.")
