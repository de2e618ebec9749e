"""the status of a failed answer (OpenRouter's, e.g. 429), so its error event reads the same when rebuilt

Revision ID: 0007_error_status
Revises: 0003_message_versions
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_error_status'
down_revision = '0003_message_versions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_status', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('error_status')
