"""collaboration practices: unfit screening, the city's part, reasons, co-departments

Revision ID: 0008_collaboration_practices
Revises: 0007_agreement_documents
Create Date: 2026-12-01 16:00:00.000000

Written by hand (issue 11, practices 1, 2 and 7). New nullable text columns, two JSON
lists that default to the empty list (existing rows: no ground ticked, none added) and a
new table of co-departments, so no data moves. The downgrade drops them with their
values: screenings, the city's part, reasons and co-departments are lost (dump them
first with ``kyodo dump`` when they matter).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008_collaboration_practices'
down_revision: Union[str, Sequence[str], None] = '0007_agreement_documents'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_can_do', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('city_cannot_do', sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column('declared_unfit_grounds', sa.JSON(), nullable=False, server_default='[]')
        )
        batch_op.add_column(
            sa.Column('added_unfit_grounds', sa.JSON(), nullable=False, server_default='[]')
        )
        batch_op.add_column(sa.Column('screening_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('screened_on', sa.Date(), nullable=True))
    # The model sets the lists itself; the server default only filled existing rows.
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        batch_op.alter_column('declared_unfit_grounds', server_default=None)
        batch_op.alter_column('added_unfit_grounds', server_default=None)

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('capacity', sa.Text(), nullable=True))

    op.create_table('collaboration_co_department',
    sa.Column('collaboration_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collaboration_id'], ['collaboration.id'], name=op.f('fk_collaboration_co_department_collaboration_id_collaboration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_collaboration_co_department_department_id_department')),
    sa.PrimaryKeyConstraint('collaboration_id', 'department_id', name=op.f('pk_collaboration_co_department'))
    )
    with op.batch_alter_table('collaboration_co_department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collaboration_co_department_department_id'), ['department_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('collaboration_co_department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collaboration_co_department_department_id'))
    op.drop_table('collaboration_co_department')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('capacity')
        batch_op.drop_column('reason')
    with op.batch_alter_table('collaboration', schema=None) as batch_op:
        batch_op.drop_column('screened_on')
        batch_op.drop_column('screening_note')
        batch_op.drop_column('added_unfit_grounds')
        batch_op.drop_column('declared_unfit_grounds')
        batch_op.drop_column('city_cannot_do')
        batch_op.drop_column('city_can_do')
