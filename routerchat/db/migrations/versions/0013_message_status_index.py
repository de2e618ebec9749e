"""an index on message.status: the answers running now are found without reading every message

Revision ID: 0013_message_status_index
Revises: 0012_organise
"""
from alembic import op

revision = '0013_message_status_index'
down_revision = '0012_organise'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_message_status', 'message', ['status'], unique=False)


def downgrade():
    op.drop_index('ix_message_status', table_name='message')
