"""api tokens: bearer credentials for the API (only a SHA-256 digest is stored)

Revision ID: 0002_api_tokens
Revises: 0001_initial
Create Date: 2026-11-29 12:59:11.385681

Reviewed by hand: autogenerate output, plus comments. The table is new, so no data
moves; the downgrade drops it, and with it every issued token: so it refuses while
tokens exist unless the operator allows it (``kyodo db downgrade -1 --drop-tokens``,
see migrations/safety.py).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401

from kyodo.migrations.safety import refuse_to_drop_rows


# revision identifiers, used by Alembic.
revision: str = '0002_api_tokens'
down_revision: Union[str, Sequence[str], None] = '0001_initial'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    # VARCHAR, not a native enum (as every enum column here): adding a role later is
    # a code change, not a type migration.
    sa.Column('role', sa.Enum('PUBLIC', 'STAFF', 'DISASTER_OFFICE', 'INTEGRATION', 'ADMIN', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('department_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    # hex SHA-256 of the token; the token itself is never stored
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role <> 'STAFF' OR department_code IS NOT NULL", name=op.f('ck_api_token_staff_has_department')),
    sa.ForeignKeyConstraint(['department_code'], ['department.code'], name=op.f('fk_api_token_department_code_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    # the unique index is also the lookup index of every authenticated request
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_prefix'), ['prefix'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    # Every integration script, terminal and member of staff would be locked out.
    refuse_to_drop_rows(
        "api_token", flag="drop_tokens", what="API トークン", option="--drop-tokens"
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_prefix'))

    op.drop_table('api_token')
