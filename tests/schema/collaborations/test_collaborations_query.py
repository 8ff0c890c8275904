"""Query.collaborations and the Collaboration type: filters, pagination, related data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from domain.enums import CollaborationForm, CollaborationStatus, PartnerKind, Role
from schema.context import Principal

from .factories import (
    Part,
    gid,
    make_collaboration,
    make_department,
    make_field,
    make_partner,
)

LIST = """
query ($first: Int, $after: String, $filter: CollaborationFilter) {
  collaborations(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title fiscalYear } }
  }
}
"""


async def _titles(gql: Any, filter: dict[str, Any], **kw: Any) -> list[str]:
    data = await gql(LIST, {"filter": filter, "first": 100}, **kw)
    return [e["node"]["title"] for e in data["collaborations"]["edges"]]


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


async def test_anonymous_callers_see_only_published_collaborations(
    session: AsyncSession, gql: Any
) -> None:
    # given
    dept = await make_department(session)
    published = await make_collaboration(session, department=dept, title="公開", is_public=True)
    hidden = await make_collaboration(session, department=dept, title="非公開", is_public=False)
    anonymous = Principal(name="anonymous", role=Role.PUBLIC)

    # when
    listed = await _titles(gql, {"departmentCodes": [dept.code]}, principal=anonymous)
    nodes = await gql(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [gid("Collaboration", published), gid("Collaboration", hidden)]},
        principal=anonymous,
    )

    # then
    assert listed == ["公開"]
    assert nodes["nodes"] == [{"id": gid("Collaboration", published)}, None]


DETAIL = """
query ($id: ID!) {
  node(id: $id) {
    __typename
    ... on Collaboration {
      id title fiscalYear fiscalYearLabel status
      forms
      department { code name }
      fields { code }
      partnerCount
      participations { role isLead partner { name } collaboration { title } }
      readiness { ready missing }
      progressReports { reportedOn note }
      progressOverdue
      evaluation { evaluatedOn outcomes partnerFeedback rating }
      agreements { id }
      subsidyProgram { id }
    }
  }
}
"""


async def test_node_returns_a_collaboration_with_its_related_data(
    session: AsyncSession, gql: Any
) -> None:
    # given
    dept = await make_department(session, name="市民生活課テスト")
    field = await make_field(session)
    lead, helper = await make_partner(session, "主催団体"), await make_partner(session, "協力団体")
    collaboration = await make_collaboration(
        session,
        department=dept,
        title="みんなの消費生活展（テスト）",
        status=CollaborationStatus.EVALUATED,
        fiscal_year=2021,
        forms=[CollaborationForm.BUSINESS_COOPERATION, CollaborationForm.CO_HOSTING],
        fields=[field],
        parts=[Part(helper, role="出店"), Part(lead, role="企画・運営", is_lead=True)],
        reports=[date(2021, 10, 1), date(2022, 1, 15)],
        evaluated_on=date(2022, 3, 20),
    )

    # when
    node = (await gql(DETAIL, {"id": gid("Collaboration", collaboration)}))["node"]

    # then
    assert node["__typename"] == "Collaboration"
    assert node["fiscalYearLabel"] == "令和3年度"
    # forms come in the guideline's order (第3章), whatever order they were stored in
    assert node["forms"] == ["CO_HOSTING", "BUSINESS_COOPERATION"]
    assert node["department"] == {"code": dept.code, "name": "市民生活課テスト"}
    assert node["fields"] == [{"code": field.code}]
    assert node["partnerCount"] == 2
    assert node["participations"] == [
        {
            "role": "企画・運営",
            "isLead": True,
            "partner": {"name": "主催団体"},
            "collaboration": {"title": "みんなの消費生活展（テスト）"},
        },
        {
            "role": "出店",
            "isLead": False,
            "partner": {"name": "協力団体"},
            "collaboration": {"title": "みんなの消費生活展（テスト）"},
        },
    ]
    assert node["readiness"] == {"ready": True, "missing": []}
    assert [r["reportedOn"] for r in node["progressReports"]] == ["2022-01-15", "2021-10-01"]
    assert node["evaluation"]["evaluatedOn"] == "2022-03-20"
    assert node["evaluation"]["rating"] == 4
    assert node["agreements"] == []
    assert node["subsidyProgram"] is None


@pytest.mark.parametrize(
    ("fiscal_year", "label"), [(2018, "平成30年度"), (2019, "令和元年度"), (2022, "令和4年度")]
)
async def test_fiscal_year_label_is_in_the_japanese_era(
    session: AsyncSession, gql: Any, fiscal_year: int, label: str
) -> None:
    # given
    dept = await make_department(session)
    collaboration = await make_collaboration(session, department=dept, fiscal_year=fiscal_year)

    # when
    node = (await gql(DETAIL, {"id": gid("Collaboration", collaboration)}))["node"]

    # then
    assert node["fiscalYearLabel"] == label


async def test_readiness_names_what_a_planning_project_is_missing(
    session: AsyncSession, gql: Any
) -> None:
    # given: nothing decided yet, and one partner without a role
    dept = await make_department(session)
    partner = await make_partner(session)
    collaboration = await make_collaboration(
        session,
        department=dept,
        status=CollaborationStatus.PLANNING,
        ready=False,
        parts=[Part(partner, role=None)],
    )

    # when
    node = (await gql(DETAIL, {"id": gid("Collaboration", collaboration)}))["node"]

    # then
    assert node["readiness"] == {
        "ready": False,
        "missing": ["PURPOSE", "PLAN", "COST", "PERIOD", "RESPONSIBILITY", "ROLES"],
    }


async def test_readiness_requires_at_least_one_partner(session: AsyncSession, gql: Any) -> None:
    # given: everything set but nobody takes part
    dept = await make_department(session)
    collaboration = await make_collaboration(
        session, department=dept, status=CollaborationStatus.PLANNING, parts=[]
    )

    # when
    node = (await gql(DETAIL, {"id": gid("Collaboration", collaboration)}))["node"]

    # then
    assert node["readiness"] == {"ready": False, "missing": ["ROLES"]}


@pytest.mark.parametrize(
    ("reports", "today", "overdue"),
    [
        # two-year project, last report seven months ago
        ([date(2021, 6, 1)], date(2022, 1, 2), True),
        # ... reported five months ago
        ([date(2021, 6, 1), date(2021, 8, 10)], date(2022, 1, 2), False),
        # no report yet, started more than six months ago
        ([], date(2021, 11, 1), True),
    ],
)
async def test_progress_overdue_flags_long_projects_without_recent_reports(
    session: AsyncSession, gql: Any, reports: list[date], today: date, overdue: bool
) -> None:
    # given
    dept = await make_department(session)
    collaboration = await make_collaboration(
        session,
        department=dept,
        starts_on=date(2021, 4, 1),
        ends_on=date(2023, 3, 31),
        reports=reports,
    )

    # when
    node = (await gql(DETAIL, {"id": gid("Collaboration", collaboration)}, today=today))["node"]

    # then
    assert node["progressOverdue"] is overdue


async def test_progress_is_not_asked_of_finished_projects(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    collaboration = await make_collaboration(
        session,
        department=dept,
        status=CollaborationStatus.COMPLETED,
        starts_on=date(2019, 4, 1),
        ends_on=date(2021, 3, 31),
    )

    # when
    node = (await gql(DETAIL, {"id": gid("Collaboration", collaboration)}, today=date(2022, 1, 1)))[
        "node"
    ]

    # then
    assert node["progressOverdue"] is False


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
