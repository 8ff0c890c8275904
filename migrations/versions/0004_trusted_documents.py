"""trusted documents: operations registered ahead, sent by id (kyodo documents register)

Revision ID: 0004_trusted_documents
Revises: 0003_data_version
Create Date: 2026-12-01 11:10:00.000000

Reviewed by hand: autogenerate output. A new table, so no data moves. The downgrade
drops it with every registered document: they come from the front ends' operation
files and are registered again with ``kyodo documents register`` (a server set to
``KYODO_TRUSTED_DOCUMENTS=only`` refuses every request until then).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0004_trusted_documents'
down_revision: Union[str, Sequence[str], None] = '0003_data_version'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('trusted_document',
    # what clients send: the body's SHA-256 (hex), or a Relay id
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('operation_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_document'))
    )
    with op.batch_alter_table('trusted_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trusted_document_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('trusted_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trusted_document_sha256'))

    op.drop_table('trusted_document')
