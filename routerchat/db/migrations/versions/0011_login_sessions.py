"""login sessions kept on the server: logout, password changes and the absolute lifetime end them

Cookies made before this migration name no session row, so everyone logs in once more.

Revision ID: 0011_login_sessions
Revises: 0010_attachments
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_login_sessions'
down_revision = '0010_attachments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_login_session_account_id'), 'login_session', ['account_id'], unique=False)
    op.create_index(op.f('ix_login_session_expires_at'), 'login_session', ['expires_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_login_session_expires_at'), table_name='login_session')
    op.drop_index(op.f('ix_login_session_account_id'), table_name='login_session')
    op.drop_table('login_session')
