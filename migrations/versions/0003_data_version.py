"""data version: one number every committed change moves (the response cache checks it)

Revision ID: 0003_data_version
Revises: 0002_api_tokens
Create Date: 2026-12-01 11:00:00.000000

Written by hand. A new one-row table; the row is created here (version 0) and never
deleted: ``kyodo restore --replace`` leaves it and moves it on, so the number never goes
back and no cached answer of an earlier content can match it again. The downgrade drops
the table; it holds no data of anyone's.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003_data_version'
down_revision: Union[str, Sequence[str], None] = '0002_api_tokens'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version'))
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('data_version')
