"""Query.collaborations: the list, its filters, search and pages.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import CollaborationForm, CollaborationStatus

from ..factories import (
    gid,
    make_collaboration,
    make_department,
    make_field,
    make_partner,
)
from .support import LIST, _titles


async def test_lists_newest_fiscal_year_first_and_undated_last(
    session: AsyncSession, gql: Any
) -> None:
    # given
    dept = await make_department(session)
    for title, year in [("A", 2019), ("B", None), ("C", 2021), ("D", 2021)]:
        await make_collaboration(session, department=dept, title=title, fiscal_year=year)

    # when
    titles = await _titles(gql, {"departmentCodes": [dept.code]})

    # then: D was created after C, so it comes first within 2021
    assert titles == ["D", "C", "A", "B"]


async def test_filters_by_forms(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    await make_collaboration(
        session,
        department=dept,
        title="共催と委託",
        forms=[CollaborationForm.CO_HOSTING, CollaborationForm.CONSIGNMENT],
    )
    await make_collaboration(
        session, department=dept, title="後援", forms=[CollaborationForm.ENDORSEMENT]
    )

    # when
    titles = await _titles(gql, {"departmentCodes": [dept.code], "forms": ["CONSIGNMENT"]})

    # then
    assert titles == ["共催と委託"]


async def test_filters_by_statuses(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    await make_collaboration(
        session, department=dept, title="計画中", status=CollaborationStatus.PLANNING
    )
    await make_collaboration(
        session, department=dept, title="中止", status=CollaborationStatus.CANCELLED
    )
    await make_collaboration(
        session, department=dept, title="実施中", status=CollaborationStatus.ACTIVE
    )

    # when
    titles = await _titles(
        gql, {"departmentCodes": [dept.code], "statuses": ["PLANNING", "CANCELLED"]}
    )

    # then
    assert sorted(titles) == ["中止", "計画中"]


async def test_filters_by_department_codes(session: AsyncSession, gql: Any) -> None:
    # given
    mine, other, third = [await make_department(session) for _ in range(3)]
    await make_collaboration(session, department=mine, title="mine")
    await make_collaboration(session, department=other, title="other")
    await make_collaboration(session, department=third, title="third")

    # when
    titles = await _titles(gql, {"departmentCodes": [mine.code, other.code]})

    # then
    assert sorted(titles) == ["mine", "other"]


async def test_filters_by_field_codes(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    field, other = await make_field(session), await make_field(session)
    await make_collaboration(session, department=dept, title="in field", fields=[field, other])
    await make_collaboration(session, department=dept, title="other field", fields=[other])
    await make_collaboration(session, department=dept, title="no field")

    # when
    titles = await _titles(gql, {"fieldCodes": [field.code]})

    # then
    assert titles == ["in field"]


async def test_filters_by_fiscal_year(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    await make_collaboration(session, department=dept, title="R2", fiscal_year=2020)
    await make_collaboration(session, department=dept, title="R3", fiscal_year=2021)

    # when
    titles = await _titles(gql, {"departmentCodes": [dept.code], "fiscalYear": 2020})

    # then
    assert titles == ["R2"]


async def test_filters_by_partner(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    partner, other = await make_partner(session), await make_partner(session)
    await make_collaboration(session, department=dept, title="with", parts=[partner, other])
    await make_collaboration(session, department=dept, title="without", parts=[other])

    # when
    titles = await _titles(gql, {"partnerId": gid("Partner", partner)})

    # then
    assert titles == ["with"]


async def test_partner_filter_rejects_an_id_of_another_type(
    session: AsyncSession, gql: Any
) -> None:
    # given
    dept = await make_department(session)

    # when
    result = await gql.raw(LIST, {"filter": {"partnerId": gid("Department", dept)}})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_search_ignores_width_and_kana(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    await make_collaboration(
        session, department=dept, title="まちかどミーティング", summary="ＮＰＯと町内会の対話"
    )
    await make_collaboration(session, department=dept, title="消費生活展")

    # when: katakana for hiragana in the title, half-width for full-width in the summary
    by_title = await _titles(gql, {"departmentCodes": [dept.code], "search": "マチカド"})
    by_summary = await _titles(gql, {"departmentCodes": [dept.code], "search": "npoと"})

    # then
    assert by_title == ["まちかどミーティング"]
    assert by_summary == ["まちかどミーティング"]


async def test_paginates_with_cursors_and_total_count(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    for i in range(5):
        await make_collaboration(session, department=dept, title=f"c{i}", fiscal_year=2010 + i)
    filter = {"departmentCodes": [dept.code]}

    # when
    first = (await gql(LIST, {"first": 2, "filter": filter}))["collaborations"]
    second = (
        await gql(LIST, {"first": 2, "after": first["pageInfo"]["endCursor"], "filter": filter})
    )["collaborations"]
    last = (
        await gql(LIST, {"first": 2, "after": second["pageInfo"]["endCursor"], "filter": filter})
    )["collaborations"]

    # then
    assert [e["node"]["title"] for e in first["edges"]] == ["c4", "c3"]
    assert [e["node"]["title"] for e in second["edges"]] == ["c2", "c1"]
    assert [e["node"]["title"] for e in last["edges"]] == ["c0"]
    assert first["totalCount"] == second["totalCount"] == last["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    assert second["pageInfo"]["hasPreviousPage"]
    assert not last["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize("first", [101, -1])
async def test_page_size_out_of_range_is_invalid(gql: Any, first: int) -> None:
    # when
    result = await gql.raw(LIST, {"first": first})

    # then
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "INVALID"
