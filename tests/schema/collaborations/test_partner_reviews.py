"""第4章(5) 相手方の固定化を避ける (issue 11, practice 6): reviews of partners that are
due, recording a review, and when each concentrated pair was last reviewed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import CollaborationStatus
from tests.schema.access_matrix.support import QUERY_ROLES, principal

from .factories import gid, make_collaboration, make_department, make_partner
from .test_mutations_helpers import audit_count

TODAY = date(2022, 3, 10)
INTERNAL = {"STAFF", "ADMIN"}

DUE = """
query ($asOf: Date, $days: Int!, $depts: [String!], $overdue: Boolean!) {
  collaborationReviewsDue(
    asOf: $asOf, withinDays: $days, departmentCodes: $depts, includeOverdue: $overdue
  ) {
    collaboration { title reviewDueOn reviewedOn }
    dueOn dueOnWareki overdue daysUntilDue
  }
}
"""


async def with_review(
    collaboration: Collaboration, due: date | None, reviewed: date | None = None
) -> Collaboration:
    collaboration.review_due_on = due
    collaboration.reviewed_on = reviewed
    return collaboration


async def reviews_world(session: AsyncSession) -> str:
    """A department with reviews overdue, due soon, due later, done and cancelled."""
    department = await make_department(session)
    cases = {
        "期限切れ": (CollaborationStatus.ACTIVE, date(2022, 2, 1), None),
        "来月": (CollaborationStatus.ACTIVE, date(2022, 4, 15), date(2021, 4, 1)),
        "半年後": (CollaborationStatus.COMPLETED, date(2022, 9, 30), None),
        "見直し済み": (CollaborationStatus.ACTIVE, date(2022, 3, 1), date(2022, 3, 1)),
        "中止": (CollaborationStatus.CANCELLED, date(2022, 3, 20), None),
        "予定なし": (CollaborationStatus.ACTIVE, None, None),
    }
    for title, (status, due, reviewed) in cases.items():
        row = await make_collaboration(session, department=department, title=title, status=status)
        await with_review(row, due, reviewed)
    await session.flush()
    return department.code


async def test_reviews_due_lists_pending_reviews_earliest_first(
    session: AsyncSession, gql: Any
) -> None:
    # given
    code = await reviews_world(session)

    # when: 90 days from 2022-03-10 (to 2022-06-08), the code sent with a trailing space
    variables = {"asOf": "2022-03-10", "days": 90, "depts": [f"{code} "], "overdue": True}
    data = await gql(DUE, variables, principal=principal("STAFF"))

    # then the overdue one and next month's; not the later, reviewed, cancelled or unplanned
    items = data["collaborationReviewsDue"]
    assert [(i["collaboration"]["title"], i["overdue"], i["daysUntilDue"]) for i in items] == [
        ("期限切れ", True, -37),
        ("来月", False, 36),
    ]
    assert items[1]["dueOnWareki"] == "令和4年4月15日"


async def test_reviews_due_can_leave_out_the_overdue_and_look_further(
    session: AsyncSession, gql: Any
) -> None:
    # given
    code = await reviews_world(session)

    # when
    variables = {"asOf": "2022-03-10", "days": 365, "depts": [code], "overdue": False}
    data = await gql(DUE, variables)

    # then
    assert [i["collaboration"]["title"] for i in data["collaborationReviewsDue"]] == [
        "来月",
        "半年後",
    ]


async def test_a_window_beyond_two_years_is_invalid(gql: Any) -> None:
    # when
    variables = {"asOf": "2022-03-10", "days": 732, "depts": None, "overdue": True}
    result = await gql.raw(DUE, variables)

    # then
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["collaborationReviewsDue"], "INVALID")
    ]


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_reviews_due_by_role(session: AsyncSession, gql: Any, role: str) -> None:
    # given
    code = await reviews_world(session)
    variables = {"asOf": "2022-03-10", "days": 90, "depts": [code], "overdue": True}

    # when
    result = await gql.raw(
        "query ($asOf: Date, $days: Int!, $depts: [String!], $overdue: Boolean!) {"
        " collaborations(first: 1) { totalCount }"
        " collaborationReviewsDue(asOf: $asOf, withinDays: $days, departmentCodes: $depts,"
        " includeOverdue: $overdue) { dueOn } }",
        variables,
        principal=principal(role),
    )

    # then the city's staff get the worklist; others a field-level FORBIDDEN beside the rest
    assert result["data"]["collaborations"]["totalCount"] > 0
    if role in INTERNAL:
        assert result["errors"] == []
        assert len(result["data"]["collaborationReviewsDue"]) == 2
    else:
        assert result["data"]["collaborationReviewsDue"] is None
        assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


# ------------------------------------------------------------------ recording a review

RECORD = """
mutation ($id: ID!, $v: Int!, $input: CollaborationReviewInput!) {
  collaborationRecordReview(id: $id, expectedVersion: $v, input: $input) {
    collaboration { reviewedOn reviewDueOn reviewNote version }
    errors { field code message }
  }
}
"""


async def one_collaboration(
    session: AsyncSession, status: CollaborationStatus = CollaborationStatus.ACTIVE
) -> Collaboration:
    department = await make_department(session)
    row = await make_collaboration(session, department=department, status=status)
    await with_review(row, date(2022, 3, 1))
    await session.commit()
    return row


async def test_recording_a_review_sets_the_next_one(session: AsyncSession, gql: Any) -> None:
    # given a collaboration whose review was due on 2022-03-01
    row = await one_collaboration(session)
    global_id, version = gid("Collaboration", row), row.version
    events = await audit_count(session)
    review = {"reviewedOn": "2022-03-08", "nextReviewDueOn": "2023-03-31", "note": "公募を検討"}

    # when
    data = await gql(RECORD, {"id": global_id, "v": version, "input": review}, today=TODAY)

    # then
    payload = data["collaborationRecordReview"]
    assert payload["errors"] == []
    assert payload["collaboration"] == {
        "reviewedOn": "2022-03-08",
        "reviewDueOn": "2023-03-31",
        "reviewNote": "公募を検討",
        "version": version + 1,
    }
    assert await audit_count(session) == events + 1
    # and it is no longer due
    due = await gql(
        DUE, {"asOf": "2022-03-10", "days": 30, "depts": None, "overdue": True}, today=TODAY
    )
    assert row.title not in {i["collaboration"]["title"] for i in due["collaborationReviewsDue"]}


@pytest.mark.parametrize(
    ("status", "review", "field", "code"),
    [
        (
            CollaborationStatus.ACTIVE,
            {"reviewedOn": "2022-03-11", "nextReviewDueOn": "2023-03-31"},
            ["input", "reviewedOn"],
            "INVALID",
        ),
        (
            CollaborationStatus.ACTIVE,
            {"reviewedOn": "2022-03-08", "nextReviewDueOn": "2022-03-08"},
            ["input", "nextReviewDueOn"],
            "INVALID",
        ),
        (
            CollaborationStatus.ACTIVE,
            {"reviewedOn": "1800-01-01", "nextReviewDueOn": "2023-03-31"},
            ["input", "reviewedOn"],
            "INVALID",
        ),
        (
            CollaborationStatus.CANCELLED,
            {"reviewedOn": "2022-03-08", "nextReviewDueOn": "2023-03-31"},
            ["id"],
            "INVALID_TRANSITION",
        ),
    ],
)
async def test_a_review_in_the_future_without_a_later_next_or_of_a_cancelled_one_is_refused(
    session: AsyncSession,
    gql: Any,
    status: CollaborationStatus,
    review: dict[str, str],
    field: list[str],
    code: str,
) -> None:
    # given
    row = await one_collaboration(session, status)
    version = row.version
    events = await audit_count(session)

    # when
    data = await gql(
        RECORD, {"id": gid("Collaboration", row), "v": version, "input": review}, today=TODAY
    )

    # then nothing is written
    assert [(e["field"], e["code"]) for e in data["collaborationRecordReview"]["errors"]] == [
        (field, code)
    ]
    await session.refresh(row)
    assert (row.version, row.reviewed_on, row.review_due_on) == (version, None, date(2022, 3, 1))
    assert await audit_count(session) == events


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_the_review_note_is_for_the_city_staff(
    session: AsyncSession, gql: Any, role: str
) -> None:
    # given a published collaboration with a recorded review
    row = await one_collaboration(session)
    row.reviewed_on, row.review_note = date(2022, 3, 1), "他団体にも声をかける"
    await session.flush()

    # when
    result = await gql.raw(
        "query ($id: ID!) { node(id: $id) { ... on Collaboration { reviewedOn reviewNote } } }",
        {"id": gid("Collaboration", row)},
        principal=principal(role),
    )

    # then the date is public, the note a field-level FORBIDDEN outside the staff
    node = result["data"]["node"]
    assert node["reviewedOn"] == "2022-03-01"
    if role in INTERNAL:
        assert node["reviewNote"] == "他団体にも声をかける"
    else:
        assert node["reviewNote"] is None
        assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
            (["node", "reviewNote"], "FORBIDDEN")
        ]


# ------------------------------------------------------------------ concentration findings

CONCENTRATION = """
query ($dept: String) {
  partnerConcentration(fromFiscalYear: 2019, toFiscalYear: 2021, departmentCode: $dept) {
    partner { name } consecutiveYears lastReviewedOn nextReviewDueOn
  }
}
"""


async def test_concentration_findings_say_when_the_pair_was_last_reviewed(
    session: AsyncSession, gql: Any
) -> None:
    # given two partners with the same department three years running: one reviewed in
    # 2021 with two reviews pending (the earlier is next), one never reviewed
    department = await make_department(session)
    reviewed = await make_partner(session, "見直した団体")
    never = await make_partner(session, "見直していない団体")
    for year in (2019, 2020, 2021):
        row = await make_collaboration(
            session, department=department, fiscal_year=year, parts=[reviewed]
        )
        if year == 2020:  # reviewed on 2021-03-15, next due 2022-03-31
            await with_review(row, date(2022, 3, 31), date(2021, 3, 15))
        if year == 2021:
            await with_review(row, date(2022, 6, 30))
        await make_collaboration(session, department=department, fiscal_year=year, parts=[never])
    await session.flush()

    # when
    data = await gql(CONCENTRATION, {"dept": department.code})

    # then
    findings = {f["partner"]["name"]: f for f in data["partnerConcentration"]}
    assert findings["見直した団体"]["lastReviewedOn"] == "2021-03-15"
    assert findings["見直した団体"]["nextReviewDueOn"] == "2022-03-31"
    assert findings["見直していない団体"]["lastReviewedOn"] is None
    assert findings["見直していない団体"]["nextReviewDueOn"] is None


async def test_the_review_dates_of_all_findings_take_one_statement(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given the demo's findings
    query_without = (
        "{ partnerConcentration(fromFiscalYear: 2015, toFiscalYear: 2022) { consecutiveYears } }"
    )
    query_with = (
        "{ partnerConcentration(fromFiscalYear: 2015, toFiscalYear: 2022) "
        "{ consecutiveYears lastReviewedOn nextReviewDueOn } }"
    )

    # when
    with count_queries() as without:
        plain = await gql(query_without)
    with count_queries() as with_reviews:
        await gql(query_with)

    # then the review dates of every finding add one grouped statement
    assert len(plain["partnerConcentration"]) > 1
    assert with_reviews.count == without.count + 1


async def test_the_demo_consumer_association_pair_was_reviewed_in_2021(gql: Any) -> None:
    # when: the demo's みんなの消費生活展, with 苫小牧消費者協会 every year
    data = await gql(CONCENTRATION.replace("2019", "2018"), {"dept": "shimin-seikatsu"})

    # then the review of 令和3年度 is there, and the next one pending
    findings = {f["partner"]["name"]: f for f in data["partnerConcentration"]}
    association = findings["苫小牧消費者協会"]
    assert association["lastReviewedOn"] == "2021-12-15"
    assert association["nextReviewDueOn"] == "2022-09-30"
