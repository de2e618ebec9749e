"""what each answer cost (OpenRouter's usage.cost, in US dollars)

Revision ID: 0006_message_cost
Revises: 0005_accounts
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_message_cost'
down_revision = '0005_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cost', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('cost')
