"""an index on partner.status

Revision ID: 0011_partner_status_index
Revises: 0010_unfit_grounds_default
Create Date: 2026-12-02 07:00:00

Written by hand. The partner lists filter by status, and every disaster lookup leaves
out the parties that are DISSOLVED or INACTIVE
(``domain.agreements.standing.party_standing``): without an index that meant reading
the whole partner table per lookup (1.6 ms of its 24 ms statement with 10,000
partners). No data moves; the downgrade drops the index.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0011_partner_status_index'
down_revision: Union[str, Sequence[str], None] = '0010_unfit_grounds_default'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_status'), ['status'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_status'))
