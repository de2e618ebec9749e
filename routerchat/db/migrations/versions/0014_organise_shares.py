"""organise: forks remember their original, share links (a snapshot per chat)

Revision ID: 0014_organise_shares
Revises: 0013_message_status_index
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_organise_shares'
down_revision = '0013_message_status_index'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('conversation', sa.Column('forked_from', sa.String(length=32), nullable=True))
    op.create_table('share',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('conversation_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('messages', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token'),
    sa.UniqueConstraint('conversation_id')
    )


def downgrade():
    """Not offered: on SQLite, dropping a conversation column rebuilds the table, and dropping the old
    table cascades to every message. Restore a backup taken before upgrading."""
    raise NotImplementedError("0014_organise_shares cannot be undone in place: restore a database backup.")
