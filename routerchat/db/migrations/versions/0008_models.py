"""models per chat: account settings, a chat's model, system prompt and parameters, and an
answer's reasoning, reasoning tokens and citations

Revision ID: 0008_models
Revises: 0007_error_status
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_models'
down_revision = '0007_error_status'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_settings',
        sa.Column('account_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('instructions', sa.Text(), server_default='', nullable=False),
        sa.Column('title_model', sa.String(length=200), nullable=True),
        sa.Column('title_prompt', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('account_id'),
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('system_prompt', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasoning_tokens', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reasoning', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reasoning_seconds', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('citations', sa.JSON(), nullable=True))
    # A chat remembers the model of its newest answer.
    op.execute("UPDATE conversation SET model = (SELECT m.model FROM message m WHERE m.conversation_id = conversation.id"
               " AND m.role = 'assistant' AND m.model IS NOT NULL ORDER BY m.created_at DESC, m.id DESC LIMIT 1)")


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('citations')
        batch_op.drop_column('reasoning_seconds')
        batch_op.drop_column('reasoning')
        batch_op.drop_column('reasoning_tokens')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('system_prompt')
        batch_op.drop_column('model')
    op.drop_table('account_settings')
