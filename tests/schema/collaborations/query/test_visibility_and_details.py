"""The Collaboration type: what anonymous callers see, node, readiness and progress.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import CollaborationForm, CollaborationStatus, Role
from kyodo.schema.context import Principal

from ..factories import (
    Part,
    gid,
    make_collaboration,
    make_department,
    make_field,
    make_partner,
)
from .support import _titles


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
        "missing": [
            "PURPOSE",
            "PLAN",
            "COST",
            "PERIOD",
            "RESPONSIBILITY",
            "ROLES",
            "CITY_ROLE",
            "PARTNER_REASONS",
        ],
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
    assert node["readiness"] == {"ready": False, "missing": ["ROLES", "PARTNER_REASONS"]}


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
