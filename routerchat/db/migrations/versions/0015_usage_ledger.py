"""the usage ledger: one row per billed request (answer, title), kept when chats are deleted

Filled from what is stored: every assistant message is one answer request, and each conversation's
title requests become one row (with their count). Answers imported before this version cannot be
told apart from this install's and are recorded too; imports from now on write no rows.

Revision ID: 0015_usage_ledger
Revises: 0014_organise_shares
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_usage_ledger'
down_revision = '0014_organise_shares'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('usage_record',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=200), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('completion_tokens', sa.Integer(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_usage_record_account_at', 'usage_record', ['account_id', 'at'], unique=False)
    op.execute(
        "INSERT INTO usage_record (account_id, kind, model, requests, prompt_tokens, completion_tokens, cost, at) "
        "SELECT conversation.account_id, 'answer', message.model, 1, message.prompt_tokens, "
        "message.completion_tokens, message.cost, message.created_at "
        "FROM message JOIN conversation ON conversation.id = message.conversation_id "
        "WHERE message.role = 'assistant' ORDER BY message.id")
    op.execute(
        "INSERT INTO usage_record (account_id, kind, model, requests, prompt_tokens, completion_tokens, cost, at) "
        "SELECT account_id, 'title', title_model, title_requests, title_prompt_tokens, title_completion_tokens, "
        "title_cost, created_at FROM conversation WHERE title_requests > 0 ORDER BY created_at, id")


def downgrade():
    op.drop_index('ix_usage_record_account_at', table_name='usage_record')
    op.drop_table('usage_record')
