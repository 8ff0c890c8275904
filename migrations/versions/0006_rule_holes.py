"""rule holes: subsidy programs carry a series key across fiscal years

Revision ID: 0006_rule_holes
Revises: 0005_disaster_tools
Create Date: 2026-12-01 16:00:00

Written by hand (issue 11). ``subsidy_program.series_key`` is added nullable, filled
from each program's name (:func:`series_key_of` below, a frozen copy of
``domain.subsidies.service.series_key_of`` as it was when this migration was written, so
that changing the live function never changes what this migration does: the name without
its fiscal-year label, width folded, no spaces — the programs the application counted
as one lineage until now, which also folded kana and case, share a key unless their
names differ only in kana or case), then made NOT NULL and indexed. The downgrade drops the column: series keys set
by hand are lost (dump them first with ``kyodo dump`` when they matter).
"""
import re
import unicodedata
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0006_rule_holes'
down_revision: Union[str, Sequence[str], None] = '0005_disaster_tools'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Frozen: a copy of domain.subsidies.service (2026-12-01), never to be changed. Its test
# (tests/test_migrations.py) compares it with the live function on the demo data's
# program names, so a change of the live function is noticed and decided on.
_FISCAL_YEAR_LABEL = re.compile(r"[(\[]?(?:令和|平成|昭和)?(?:元|\d+)年度[)\]]?")


def series_key_of(text: str) -> str:
    """The series key of a program named ``text``: without its fiscal-year label
    (令和3年度, 平成30年度, 2021年度, with or without brackets), width folded (NFKC), no
    spaces."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return _FISCAL_YEAR_LABEL.sub("", folded)


def upgrade() -> None:
    """Upgrade schema."""
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
