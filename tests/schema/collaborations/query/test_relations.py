"""Collaboration lists reached from departments and partners, and their cost.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import PartnerKind

from ..factories import (
    Part,
    gid,
    make_collaboration,
    make_department,
    make_field,
    make_partner,
)


async def test_department_lists_its_own_collaborations(session: AsyncSession, gql: Any) -> None:
    # given
    dept, other = await make_department(session), await make_department(session)
    await make_collaboration(session, department=dept, title="mine", fiscal_year=2020)
    await make_collaboration(session, department=dept, title="mine too", fiscal_year=2021)
    await make_collaboration(session, department=other, title="theirs")

    # when
    data = await gql(
        """
        query ($id: ID!) {
          node(id: $id) {
            ... on Department {
              all: collaborations { totalCount edges { node { title } } }
              filtered: collaborations(filter: {fiscalYear: 2020}) { totalCount }
            }
          }
        }
        """,
        {"id": gid("Department", dept)},
    )

    # then
    assert [e["node"]["title"] for e in data["node"]["all"]["edges"]] == ["mine too", "mine"]
    assert data["node"]["filtered"]["totalCount"] == 1


PARTICIPATIONS = """
query ($ids: [ID!]!, $first: Int, $after: String) {
  nodes(ids: $ids) {
    ... on Partner {
      name
      participations(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { role collaboration { title fiscalYear } } }
      }
    }
  }
}
"""


async def test_partner_participations_are_paginated_newest_first(
    session: AsyncSession, gql: Any
) -> None:
    # given: one partner in three collaborations, another in one
    dept = await make_department(session)
    busy, quiet = await make_partner(session, "多忙"), await make_partner(session, "閑散")
    for year in (2019, 2021, 2020):
        await make_collaboration(
            session, department=dept, title=f"y{year}", fiscal_year=year, parts=[busy]
        )
    await make_collaboration(session, department=dept, title="q", parts=[quiet])
    ids = [gid("Partner", busy), gid("Partner", quiet)]

    # when
    page1 = (await gql(PARTICIPATIONS, {"ids": ids, "first": 2}))["nodes"]
    cursor = page1[0]["participations"]["pageInfo"]["endCursor"]
    page2 = (await gql(PARTICIPATIONS, {"ids": ids, "first": 2, "after": cursor}))["nodes"]

    # then
    busy1, quiet1 = (n["participations"] for n in page1)
    assert [e["node"]["collaboration"]["title"] for e in busy1["edges"]] == ["y2021", "y2020"]
    assert busy1["totalCount"] == 3 and busy1["pageInfo"]["hasNextPage"]
    assert [e["node"]["collaboration"]["title"] for e in quiet1["edges"]] == ["q"]
    assert quiet1["totalCount"] == 1 and not quiet1["pageInfo"]["hasNextPage"]
    busy2, quiet2 = (n["participations"] for n in page2)
    assert [e["node"]["collaboration"]["title"] for e in busy2["edges"]] == ["y2019"]
    assert not busy2["pageInfo"]["hasNextPage"]
    # past the end: no items, but the total is still known
    assert quiet2["edges"] == [] and quiet2["totalCount"] == 1


async def test_partner_without_participations_has_an_empty_page(
    session: AsyncSession, gql: Any
) -> None:
    # given
    partner = await make_partner(session, kind=PartnerKind.NPO)

    # when
    nodes = (await gql(PARTICIPATIONS, {"ids": [gid("Partner", partner)]}))["nodes"]

    # then
    assert nodes[0]["participations"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


PAGE_WITH_EVERYTHING = """
query ($first: Int, $filter: CollaborationFilter) {
  collaborations(first: $first, filter: $filter) {
    totalCount
    edges { node {
      title forms
      department { name }
      fields { name }
      partnerCount
      participations { role partner { name } }
      readiness { ready missing }
      evaluation { outcomes }
      progressReports { reportedOn }
      progressOverdue
      agreements { title }
    } }
  }
}
"""


async def test_a_page_costs_the_same_number_of_statements_whatever_its_size(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given: 60 collaborations, each with fields, two partners, a report and an evaluation
    dept = await make_department(session)
    field = await make_field(session)
    partners = [await make_partner(session) for _ in range(6)]
    for i in range(60):
        await make_collaboration(
            session,
            department=dept,
            fiscal_year=2000 + i % 20,
            fields=[field],
            parts=[partners[i % 6], Part(partners[(i + 1) % 6], is_lead=True)],
            reports=[date(2021, 5, 1)],
            evaluated_on=date(2022, 3, 1) if i % 2 else None,
        )
    filter = {"departmentCodes": [dept.code]}

    # when
    counts = {}
    for first in (10, 50):
        with count_queries() as counter:
            data = await gql(PAGE_WITH_EVERYTHING, {"first": first, "filter": filter})
        assert len(data["collaborations"]["edges"]) == first
        counts[first] = counter.count

    # then
    assert counts[10] == counts[50]
    assert counts[10] <= 11, counts


LATEST_REPORTS = """
query ($id: ID!, $first: Int) {
  node(id: $id) { ... on Collaboration { progressReports(first: $first) { reportedOn } } }
}
"""


async def test_progress_reports_first_gives_the_latest(session: AsyncSession, gql: Any) -> None:
    # given
    collaboration = await make_collaboration(
        session,
        department=await make_department(session),
        reports=[date(2021, 6, 1), date(2021, 12, 1), date(2021, 9, 1)],
    )

    # when
    data = await gql(LATEST_REPORTS, {"id": gid("Collaboration", collaboration), "first": 2})

    # then
    assert data["node"]["progressReports"] == [
        {"reportedOn": "2021-12-01"},
        {"reportedOn": "2021-09-01"},
    ]


@pytest.mark.parametrize(
    "field", ["progressReports(first: 101) { note }", "agreements(first: 101) { id }"]
)
async def test_collaboration_lists_refuse_first_over_100(
    session: AsyncSession, gql: Any, field: str
) -> None:
    # given
    collaboration = await make_collaboration(session, department=await make_department(session))
    query = f"query ($id: ID!) {{ node(id: $id) {{ ... on Collaboration {{ {field} }} }} }}"

    # when
    result = await gql.raw(query, {"id": gid("Collaboration", collaboration)})

    # then
    assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID"]
