"""organise: one folder's list reads one index range (folder, archived, pinned, newest first)

Revision ID: 0016_organise_folder_list
Revises: 0015_usage_ledger
"""
from alembic import op

revision = '0016_organise_folder_list'
down_revision = '0015_usage_ledger'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_conversation_folder_id', table_name='conversation')
    op.create_index('ix_conversation_folder_list', 'conversation',
                    ['folder_id', 'archived', 'pinned', 'updated_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_conversation_folder_list', table_name='conversation')
    op.create_index('ix_conversation_folder_id', 'conversation', ['folder_id'], unique=False)
