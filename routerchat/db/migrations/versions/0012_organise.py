"""organise: folders, pinned and archived chats, a chat's folder

Revision ID: 0012_organise
Revises: 0011_login_sessions
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_organise'
down_revision = '0011_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('folder',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('instructions', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'name', name='uq_folder_account_name')
    )
    op.add_column('conversation', sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('conversation', sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False))
    # A plain ADD COLUMN on SQLite too (as in 0005): a table rebuild would cascade to every message.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE conversation ADD COLUMN folder_id VARCHAR(32) REFERENCES folder (id)')
    else:
        op.add_column('conversation', sa.Column('folder_id', sa.String(length=32),
                                                sa.ForeignKey('folder.id'), nullable=True))
    op.create_index('ix_conversation_folder_id', 'conversation', ['folder_id'], unique=False)
    op.create_index('ix_conversation_list', 'conversation',
                    ['account_id', 'archived', 'pinned', 'updated_at', 'id'], unique=False)


def downgrade():
    """Not offered: on SQLite, dropping conversation columns rebuilds the table, and dropping the old
    table cascades to every message. Restore a backup taken before upgrading."""
    raise NotImplementedError("0012_organise cannot be undone in place: restore a database backup.")
