"""title request usage on the conversation

Revision ID: 0002_title_usage
Revises: 0001_initial
Create Date: 2026-11-24 05:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002_title_usage'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_model', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('title_requests', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('title_prompt_tokens', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('title_completion_tokens', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('title_cost', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('title_cost')
        batch_op.drop_column('title_completion_tokens')
        batch_op.drop_column('title_prompt_tokens')
        batch_op.drop_column('title_requests')
        batch_op.drop_column('title_model')
