"""the unfit-ground lists default to the empty list in the database too

Revision ID: 0010_unfit_grounds_default
Revises: 0009_public_information
Create Date: 2026-12-01 23:20:00

Written by hand. 0008 added ``collaboration.declared_unfit_grounds`` and
``added_unfit_grounds`` as NOT NULL JSON lists and then dropped their server default, so
a row written by SQL without them (an integration script, the peer benchmark's
``big_extra.sql``) was refused although "no ground" is the obvious value. The default
comes back: ``'[]'``. No data moves; the downgrade drops the default again.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0010_unfit_grounds_default'
down_revision: Union[str, Sequence[str], None] = '0009_public_information'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = ('declared_unfit_grounds', 'added_unfit_grounds')


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, server_default='[]')


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, server_default=None)
