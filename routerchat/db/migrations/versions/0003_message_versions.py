"""message versions: parent_id and selected_at

Every existing message gets the previous message of its conversation as its parent, so a
conversation written before versions existed becomes one branch, unchanged.

Revision ID: 0003_message_versions
Revises: 0006_message_cost
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_message_versions'
down_revision = '0006_message_cost'  # runs after 0006: it was numbered before 0004-0006 landed
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
    # Plain ALTERs, never a batch: SQLite would rebuild the table and lose the search triggers on it.
    if op.get_bind().dialect.name == 'sqlite':  # its ALTER takes a foreign key only inline
        op.execute("ALTER TABLE message ADD COLUMN parent_id INTEGER CONSTRAINT fk_message_parent_id_message "
                   "REFERENCES message (id)")
    else:
        op.add_column('message', sa.Column('parent_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_message_parent_id_message', 'message', 'message', ['parent_id'], ['id'])
    op.add_column('message', sa.Column('selected_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_message_parent_id'), 'message', ['parent_id'], unique=False)
    op.execute(PREVIOUS_MESSAGE)


def downgrade():
    op.drop_index(op.f('ix_message_parent_id'), table_name='message')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_message_parent_id_message', type_='foreignkey')
        batch_op.drop_column('selected_at')
        batch_op.drop_column('parent_id')
