"""public information and partner reviews on collaborations

Revision ID: 0009_public_information
Revises: 0008_collaboration_practices
Create Date: 2026-12-01 15:50:00

Reviewed by hand (issue 11 practices 3 and 6). Five nullable columns on
``collaboration``: what a published collaboration tells the public in plain words
(``public_conclusion``, ``public_process`` = 経緯, ``published_on``, 第2章2) and the last
review of its choice of partners (``reviewed_on``, ``review_note``, 第4章(5)). No data
moves. The downgrade drops the columns with what they hold.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_public_information'
down_revision: Union[str, Sequence[str], None] = '0008_collaboration_practices'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('public_conclusion', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('public_process', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_on', sa.Date(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        batch_op.drop_column('published_on')
        batch_op.drop_column('public_process')
        batch_op.drop_column('public_conclusion')
        batch_op.drop_column('review_note')
        batch_op.drop_column('reviewed_on')
