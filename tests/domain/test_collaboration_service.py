"""domain.collaborations.service: what the GraphQL tests do not pin directly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.collaborations.service import (
    ParticipationsOfPartnerKey,
    longest_run,
    participations_page_by_partner,
)
from tests.schema.collaborations.factories import make_collaboration, make_department, make_partner


@pytest.mark.parametrize(
    ("years", "run"),
    [
        ([], 0),
        ([2020], 1),
        ([2021, 2019, 2020], 3),
        ([2016, 2017, 2019, 2020, 2021, 2021], 3),
        ([2016, 2018, 2020], 1),
    ],
)
def test_longest_run_counts_consecutive_fiscal_years(years: list[int], run: int) -> None:
    # when / then
    assert longest_run(years) == run


async def test_pages_of_one_partner_in_one_batch_come_from_one_statement(
    session: AsyncSession, count_queries: Any
) -> None:
    # given: a partner in five collaborations (fiscal years 2017..2021)
    dept = await make_department(session)
    partner = await make_partner(session)
    for year in range(2017, 2022):
        await make_collaboration(session, department=dept, fiscal_year=year, parts=[partner])
    assert partner.id is not None
    keys = [
        ParticipationsOfPartnerKey(partner.id, limit=2, offset=0),
        ParticipationsOfPartnerKey(partner.id, limit=2, offset=3),
        ParticipationsOfPartnerKey(partner.id, limit=0, offset=0),
        ParticipationsOfPartnerKey(partner.id, limit=2, offset=9),
    ]

    # when
    with count_queries() as counter:
        pages = await participations_page_by_partner(session, keys)

    # then
    assert counter.count == 1
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [len(p.items) for p in pages] == [2, 2, 0, 0]
    assert pages[0].has_next and not pages[1].has_next
    first_page_ids = {p.collaboration_id for p in pages[0].items}
    last_page_ids = {p.collaboration_id for p in pages[1].items}
    assert not first_page_ids & last_page_ids
