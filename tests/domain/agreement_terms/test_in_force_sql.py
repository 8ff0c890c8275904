"""Agreement terms (rule 8) in SQL: the filters that page and count agreements in force
(``in_force.in_force_condition``) answer exactly as the rule itself does.

SQL only narrows (``maybe_in_force_on``) and reads back the candidates past their stored
term, the only ones a renewal can leave out; on every combination of the term columns
below and every day asked, the agreements the condition selects are those
``terms.agreement_in_force_on`` says are in force, and ``agreement_ids_in_force_on``
agrees with both.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.in_force import agreement_ids_in_force_on, in_force_condition
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.enums import AgreementStatus
from tests.schema.agreements.factories import make_agreement, make_department

DAYS = [
    date(2020, 12, 31),
    date(2021, 1, 31),
    date(2021, 3, 1),
    date(2022, 1, 30),
    date(2022, 1, 31),
    date(2023, 5, 31),
    date(2023, 6, 1),
    date(2025, 2, 28),
    date(2030, 1, 1),
]


@pytest.fixture
async def every_kind_of_term(session: AsyncSession) -> None:
    """Concluded or not, started or not, open-ended or ending (month ends among them),
    renewing monthly, yearly or not at all, terminated or not."""
    department = await make_department(session)
    for status, start, until, renewal, terminated in itertools.product(
        [
            AgreementStatus.IN_FORCE,
            AgreementStatus.EXPIRED,
            AgreementStatus.TERMINATED,
            AgreementStatus.DRAFT,
        ],
        [None, date(2021, 1, 31)],
        [None, date(2021, 2, 28), date(2022, 1, 30), date(2024, 3, 31)],
        [None, 1, 12],
        [None, date(2023, 6, 1)],
    ):
        await make_agreement(
            session,
            department=department,
            status=status,
            concluded_on=date(2020, 12, 15),
            effective_from=start,
            effective_until=until,
            auto_renewal=renewal is not None,
            renewal_term_months=renewal,
            terminated_on=terminated,
        )
    await session.commit()


async def test_the_sql_filter_keeps_exactly_the_agreements_in_force(
    session: AsyncSession, every_kind_of_term: None
):
    agreements = (await session.execute(sa.select(Agreement))).scalars().all()
    assert len(agreements) >= 192
    for day in DAYS:
        expected = {a.id for a in agreements if agreement_in_force_on(a, day)}
        condition = await in_force_condition(session, col(Agreement.id), on=day)
        selected = set((await session.execute(sa.select(Agreement.id).where(condition))).scalars())
        assert selected == expected, day
        assert set(await agreement_ids_in_force_on(session, on=day)) == expected, day
    # the days chosen do reach both sides: some renewals lapse, some carry on
    lapsed = [
        a
        for a in agreements
        if a.auto_renewal and a.effective_until and not agreement_in_force_on(a, date(2030, 1, 1))
    ]
    assert lapsed and any(agreement_in_force_on(a, date(2030, 1, 1)) for a in agreements)
