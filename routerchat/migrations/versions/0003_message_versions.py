"""message versions: parent_id and selected_at

Every existing message gets the previous message of its conversation as its parent, so a
conversation written before versions existed becomes one branch, unchanged.

Revision ID: 0003_message_versions
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_message_versions'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

PREVIOUS_MESSAGE = sa.text("""
UPDATE message SET parent_id = (
    SELECT earlier.id FROM message AS earlier
    WHERE earlier.conversation_id = message.conversation_id
      AND (earlier.created_at < message.created_at
           OR (earlier.created_at = message.created_at AND earlier.id < message.id))
    ORDER BY earlier.created_at DESC, earlier.id DESC
    LIMIT 1
), selected_at = created_at
""")


def upgrade():
    # One batch only, and the parents are filled in after it: SQLite rebuilds the table in a
    # batch, and dropping the old table with foreign keys on would cascade-delete every row
    # whose parent_id is already set.
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('selected_at', sa.DateTime(), server_default=sa.text('CURRENT_TIMESTAMP'),
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_message_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_message_parent_id_message'), 'message', ['parent_id'], ['id'],
                                    ondelete='CASCADE')
    op.execute(PREVIOUS_MESSAGE)


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_message_parent_id_message'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_message_parent_id'))
        batch_op.drop_column('selected_at')
        batch_op.drop_column('parent_id')
