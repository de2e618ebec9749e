"""attachments: uploaded files, their bytes in chunks, and which messages carry them

Revision ID: 0010_attachments
Revises: 0009_account_name_key
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_attachments'
down_revision = '0009_account_name_key'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attachment',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('mime', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attachment_account_id', 'attachment', ['account_id'])
    op.create_index('ix_attachment_sent_created', 'attachment', ['sent_at', 'created_at'])
    op.create_table(
        'attachment_chunk',
        sa.Column('attachment_id', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('attachment_id', 'seq'),
    )
    op.create_table(
        'message_attachment',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('attachment_id', sa.String(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', 'attachment_id'),
    )
    op.create_index('ix_message_attachment_attachment_id', 'message_attachment', ['attachment_id'])


def downgrade():
    op.drop_index('ix_message_attachment_attachment_id', table_name='message_attachment')
    op.drop_table('message_attachment')
    op.drop_table('attachment_chunk')
    op.drop_index('ix_attachment_sent_created', table_name='attachment')
    op.drop_index('ix_attachment_account_id', table_name='attachment')
    op.drop_table('attachment')
