"""domain.collaborations.service: what the GraphQL tests do not pin directly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.collaborations.analyses import longest_run
from kyodo.domain.collaborations.service import (
    ParticipationsOfPartnerKey,
    participations_page_by_partner,
)
from kyodo.domain.pagination import PageRequest
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


async def test_partners_asking_for_the_same_page_share_one_statement(
    session: AsyncSession, count_queries: Any
) -> None:
    # given: two partners in five collaborations each (fiscal years 2017..2021)
    dept = await make_department(session)
    partner, other = await make_partner(session), await make_partner(session)
    for year in range(2017, 2022):
        await make_collaboration(session, department=dept, fiscal_year=year, parts=[partner, other])
    assert partner.id is not None and other.id is not None
    first_two = PageRequest(first=2)
    keys = [
        ParticipationsOfPartnerKey(partner.id, first_two),
        ParticipationsOfPartnerKey(other.id, first_two),
    ]

    # when
    with count_queries() as counter:
        pages = await participations_page_by_partner(session, keys)

    # then: one statement, newest fiscal year first
    assert counter.count == 1
    assert [p.total for p in pages] == [5, 5]
    assert [len(p.items) for p in pages] == [2, 2]
    assert pages[0].has_next and not pages[0].has_previous

    # and the pages after it and before its end, by keyset cursors
    after = PageRequest(first=2, after=pages[0].cursor(1))
    last = PageRequest(first=None, last=2, before=pages[0].cursor(1))
    empty = PageRequest(first=0)
    nexts, befores, none = await participations_page_by_partner(
        session,
        [
            ParticipationsOfPartnerKey(partner.id, after),
            ParticipationsOfPartnerKey(partner.id, last),
            ParticipationsOfPartnerKey(partner.id, empty),
        ],
    )
    first_page_ids = [p.collaboration_id for p in pages[0].items]
    assert not {p.collaboration_id for p in nexts.items} & set(first_page_ids)
    assert nexts.offset == 2 and nexts.has_previous and nexts.has_next
    assert [p.collaboration_id for p in befores.items] == first_page_ids[:1]
    assert not befores.has_previous and befores.has_next
    assert none.items == [] and none.total == 5
