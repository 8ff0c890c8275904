"""rule holes: subsidy programs carry a series key across fiscal years

Revision ID: 0006_rule_holes
Revises: 0005_disaster_tools
Create Date: 2026-12-01 16:00:00

Written by hand (issue 11). ``subsidy_program.series_key`` is added nullable, filled
from each program's name (``domain.subsidies.service.series_key_of``: the name without
its fiscal-year label, width folded, no spaces — the programs the application counted
as one lineage until now, which also folded kana and case, share a key unless their
names differ only in kana or case), then made NOT NULL and indexed. The downgrade drops the column: series keys set
by hand are lost (dump them first with ``kyodo dump`` when they matter).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0006_rule_holes'
down_revision: Union[str, Sequence[str], None] = '0005_disaster_tools'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    from kyodo.domain.subsidies.service import series_key_of

    with op.batch_alter_table('subsidy_program', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('series_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )
    program = sa.table(
        'subsidy_program', sa.column('id', sa.Integer), sa.column('name'), sa.column('series_key')
    )
    bind = op.get_bind()
    for pk, name in bind.execute(sa.select(program.c.id, program.c.name)).all():
        bind.execute(
            sa.update(program).where(program.c.id == pk).values(series_key=series_key_of(name))
        )
    with op.batch_alter_table('subsidy_program', schema=None) as batch_op:
        batch_op.alter_column(
            'series_key', existing_type=sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False
        )
        batch_op.create_index(batch_op.f('ix_subsidy_program_series_key'), ['series_key'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('subsidy_program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_program_series_key'))
        batch_op.drop_column('series_key')
