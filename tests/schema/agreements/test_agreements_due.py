"""The notice and renewal calendar (rule 20): noticeDeadlineOn, agreementsDue and the
iCal feed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.calendar import DueItem, agreements_due
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.enums import AgreementCategory, AgreementDueKind, Role
from kyodo.domain.exchange.disaster_exports import fold, ical_text, render_ics
from kyodo.schema.context import Principal
from tests.schema.agreements.factories import gid, make_agreement, make_department, make_partner
from tests.schema.collaborations.factories import make_collaboration
from tests.schema.compiled.both_paths import both_paths as compared

OFFICE = Principal(name="危機管理室 テスト", role=Role.DISASTER_OFFICE, department_code="kikikanri")
STAFF = Principal(name="職員 テスト", role=Role.STAFF, department_code="kikikanri")

DEADLINE = """
query ($id: ID!, $asOf: Date) {
  node(id: $id) { ... on Agreement { currentTermEndsOn(asOf: $asOf) noticeDeadlineOn(asOf: $asOf) } }
}"""
DUE = """
query ($asOf: Date, $within: Int!) {
  agreementsDue(asOf: $asOf, withinDays: $within) {
    kind kindLabel dueOn dueOnWareki termEndsOn
    agreement { title } collaboration { title }
  }
}"""


@pytest.fixture
async def renewing(session: AsyncSession) -> Agreement:
    """From 2021-04-01 to 2022-03-31, renewed by 12 months, notice 30 days before the end."""
    department = await make_department(session)
    partner = await make_partner(session, "（テスト）更新する会社")
    agreement = await make_agreement(
        session,
        department=department,
        title="（テスト）自動更新の協定",
        category=AgreementCategory.OTHER,
        parties=[partner],
        concluded_on=date(2021, 4, 1),
        effective_from=date(2021, 4, 1),
        effective_until=date(2022, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    agreement.notice_days = 30
    await session.flush()
    return agreement


async def both_paths(session: AsyncSession, query: str, variables: dict[str, Any]) -> Any:
    return await compared(session, query, variables, principal=OFFICE)


@pytest.mark.parametrize(
    ("as_of", "ends", "deadline"),
    [
        ("2022-01-10", "2022-03-31", "2022-03-01"),
        ("2022-03-05", "2022-03-31", "2022-03-01"),  # passed: this term renews anyway
        ("2022-04-10", "2023-03-31", "2023-03-01"),  # the renewed term's deadline
    ],
)
async def test_the_notice_deadline_is_the_current_term_end_minus_the_notice_days(
    session: AsyncSession, renewing: Agreement, as_of: str, ends: str, deadline: str
):
    data = await both_paths(session, DEADLINE, {"id": gid("Agreement", renewing), "asOf": as_of})
    assert data["node"] == {"currentTermEndsOn": ends, "noticeDeadlineOn": deadline}


async def test_no_notice_days_no_deadline(session: AsyncSession, gql: Any):
    department = await make_department(session)
    agreement = await make_agreement(session, department=department, effective_until=None)
    data = await both_paths(session, DEADLINE, {"id": gid("Agreement", agreement), "asOf": None})
    assert data["node"]["noticeDeadlineOn"] is None


def mine(data: dict[str, Any], title: str) -> list[tuple[str, str, str | None]]:
    return [
        (d["kind"], d["dueOn"], d["termEndsOn"])
        for d in data["agreementsDue"]
        if (d["agreement"] or {}).get("title") == title
    ]


async def test_agreements_due_lists_deadlines_and_term_ends_in_the_window(
    gql: Any, renewing: Agreement
):
    title = "（テスト）自動更新の協定"
    soon = await gql(DUE, {"asOf": "2022-02-01", "within": 60}, principal=OFFICE)
    assert mine(soon, title) == [
        ("NOTICE_DEADLINE", "2022-03-01", "2022-03-31"),
        ("TERM_END", "2022-03-31", "2022-03-31"),
    ]
    # once the deadline passed, the next term's comes into view
    later = await gql(DUE, {"asOf": "2022-03-05", "within": 400}, principal=OFFICE)
    assert mine(later, title) == [
        ("TERM_END", "2022-03-31", "2022-03-31"),
        ("NOTICE_DEADLINE", "2023-03-01", "2023-03-31"),
        ("TERM_END", "2023-03-31", "2023-03-31"),
    ]
    labelled = next(d for d in soon["agreementsDue"] if d["kind"] == "NOTICE_DEADLINE")
    assert labelled["kindLabel"] == "更新しない旨の申出期限"
    assert labelled["dueOnWareki"] == "令和4年3月1日"


async def test_reviews_of_unpublished_collaborations_are_for_the_city_staff(
    session: AsyncSession, gql: Any
):
    department = await make_department(session)
    partner = await make_partner(session, "（テスト）見直しの相手")
    collaboration = await make_collaboration(
        session, department=department, title="（テスト）非公開の事業", is_public=False
    )
    collaboration.review_due_on = date(2022, 3, 20)
    agreement = await make_agreement(
        session, department=department, parties=[partner], concluded_on=date(2020, 4, 1)
    )
    agreement.collaboration_id = collaboration.id
    await session.flush()

    def reviews(data: dict[str, Any]) -> list[str]:
        return [
            d["collaboration"]["title"]
            for d in data["agreementsDue"]
            if d["kind"] == "REVIEW" and d["collaboration"]
        ]

    variables = {"asOf": "2022-03-10", "within": 30}
    assert "（テスト）非公開の事業" in reviews(await gql(DUE, variables, principal=STAFF))
    assert "（テスト）非公開の事業" not in reviews(await gql(DUE, variables, principal=OFFICE))


async def test_the_window_is_bounded(gql: Any):
    result = await gql.raw(DUE, {"asOf": "2022-03-10", "within": 1000}, principal=OFFICE)
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["agreementsDue"], "INVALID")
    ]


async def test_the_demo_calendar_has_deadlines_and_a_review(session: AsyncSession):
    items = await agreements_due(
        session, as_of=date(2022, 3, 10), within_days=90, include_internal=False
    )
    kinds = {item.kind for item in items}
    assert kinds == {
        AgreementDueKind.NOTICE_DEADLINE,
        AgreementDueKind.TERM_END,
        AgreementDueKind.REVIEW,
    }
    review = next(i for i in items if i.kind is AgreementDueKind.REVIEW)
    assert review.collaboration is not None
    assert review.collaboration.title == "苫小牧市災害時応援協定"


def test_ical_lines_are_escaped_folded_and_end_in_crlf():
    agreement = Agreement(
        id=7,
        title="災害時における物資の供給, 輸送; 保管に関する協定" * 3,
        category=AgreementCategory.DISASTER_SUPPORT,
        department_id=1,
        notice_days=30,
    )
    item = DueItem(
        AgreementDueKind.NOTICE_DEADLINE, date(2022, 3, 1), agreement, None, date(2022, 3, 31)
    )
    text = render_ics([item], stamp=datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "UID:notice_deadline-agreement-7-2022-03-01@kyodo\r\n" in unfolded
    assert "DTSTART;VALUE=DATE:20220301\r\nDTEND;VALUE=DATE:20220302\r\n" in unfolded
    assert "DTSTAMP:20261201T030000Z" in unfolded
    assert "SUMMARY:【更新しない旨の申出期限】災害時における物資の供給\\, 輸送\\; 保管" in unfolded
    assert ical_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert fold("x" * 80) == "x" * 75 + "\r\n " + "x" * 5


FULL_DUE = """
query ($asOf: Date, $within: Int!) {
  agreementsDue(asOf: $asOf, withinDays: $within) {
    __typename kind kindLabel dueOn dueOnWareki termEndsOn needsReview reviewReason
    agreement { id title status parties { name status } isInForce currentTermEndsOn }
    collaboration { id title reviewDueOn }
  }
}"""


async def test_the_calendar_is_the_same_on_both_paths(session: AsyncSession, renewing: Agreement):
    # given: besides the renewing agreement, one with a dissolved and an inactive party,
    # one that has ended, and a collaboration an agreement is made for, due for review
    from kyodo.domain.enums import PartnerStatus

    department = await make_department(session)
    gone = await make_partner(session, "（テスト）解散した会社")
    resting = await make_partner(session, "（テスト）休止中の会")
    active = await make_partner(session, "（テスト）元気な会社")
    gone.status, resting.status = PartnerStatus.DISSOLVED, PartnerStatus.INACTIVE
    marked = await make_agreement(
        session,
        department=department,
        title="（テスト）見直しの協定",
        parties=[gone, resting, active],
        concluded_on=date(2021, 4, 1),
        effective_from=date(2021, 4, 1),
        effective_until=date(2022, 6, 30),
    )
    marked.notice_days = 60
    await make_agreement(
        session,
        department=department,
        title="（テスト）終わった協定",
        parties=[active],
        concluded_on=date(2019, 4, 1),
        effective_from=date(2019, 4, 1),
        effective_until=date(2021, 3, 31),
    )
    collaboration = await make_collaboration(session, department=department)
    collaboration.review_due_on = date(2022, 5, 15)
    renewing.collaboration_id = collaboration.id
    await session.commit()
    # when / then: the compiled path answers as Strawberry does, for several windows
    windows = (("2022-02-01", 60), ("2022-02-01", 731), ("2022-04-01", 0), ("2021-01-01", 90))
    for as_of, within in windows:
        await both_paths(session, FULL_DUE, {"asOf": as_of, "within": within})
    data = await both_paths(session, FULL_DUE, {"asOf": "2022-02-01", "within": 200})
    kinds = {
        ((d["agreement"] or d["collaboration"])["title"], d["kind"], d["needsReview"])
        for d in data["agreementsDue"]
    }
    assert ("（テスト）見直しの協定", "TERM_END", True) in kinds
    assert ("（テスト）自動更新の協定", "TERM_END", False) in kinds
    assert any(kind == "REVIEW" for _t, kind, _n in kinds)
    reason = next(d["reviewReason"] for d in data["agreementsDue"] if d["needsReview"])
    assert reason == "協定の見直しが必要（相手方が解散）"
