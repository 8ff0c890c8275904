"""Dissolved or inactive partners in the due lists (rules 9, 19, 20).

The disaster office owes no yearly call to a partner that is DISSOLVED or INACTIVE:
``contactsDue`` leaves it out, as ``disasterSupport`` does. The dates of an agreement one
of whose parties is such a partner still fall due — the notice deadline is exactly when
to terminate or amend it — so ``agreementsDue`` and its iCal feed keep them and say
「協定の見直しが必要」. Both lists take the rule from the one predicate
(``domain.agreements.standing.party_standing``), which the last test checks by changing
what it counts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import standing
from kyodo.domain.enums import PartnerKind, PartnerStatus, Role, SupportCategory
from kyodo.domain.exchange.disaster_exports import export_agreements_due
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.schema.context import Principal

from .factories import make_agreement, make_department, make_partner, unique

ON = date(2024, 9, 1)
OFFICE = Principal(name="危機管理室 テスト", role=Role.DISASTER_OFFICE, department_code="kikikanri")

CONTACTS_DUE = """
query ($asOf: Date, $within: Int!) {
  contactsDue(asOf: $asOf, withinDays: $within) { partner { name } agreements { title } }
}"""
AGREEMENTS_DUE = """
query ($asOf: Date, $within: Int!) {
  agreementsDue(asOf: $asOf, withinDays: $within) {
    kind dueOn needsReview reviewReason agreement { title parties { name status } }
  }
}"""


@pytest.fixture
async def parties(session: AsyncSession) -> dict[str, str]:
    """An active, an inactive (an individual) and a dissolved partner, all with stale
    contacts on ON, and three disaster-support agreements with notice deadlines soon:
    joint (all three), dormant (the inactive one alone), alone (the active one alone)."""
    tag = unique("期限")
    department = await make_department(session)
    active = await make_partner(session, f"{tag}活動社", kana="ア")
    inactive = await make_partner(session, f"{tag}休止の人", kana="イ", kind=PartnerKind.INDIVIDUAL)
    dissolved = await make_partner(session, f"{tag}解散社", kana="ウ")
    names = {"tag": tag, "active": active.name, "inactive": inactive.name}
    names |= {"dissolved": dissolved.name, "inactive-pk": str(inactive.id)}
    for key, members, until in (
        ("joint", [active, inactive, dissolved], date(2024, 10, 31)),
        ("dormant", [inactive], date(2024, 10, 31)),
        ("alone", [active], date(2024, 11, 30)),
    ):
        agreement = await make_agreement(
            session,
            department=department,
            title=f"{tag}{key}協定",
            parties=members,
            support=[SupportCategory.SUPPLIES],
            concluded_on=date(2020, 4, 1),
            effective_from=date(2020, 4, 1),
            effective_until=until,
            contacts_verified_on=date(2023, 1, 10),
        )
        agreement.notice_days = 30
        names[key] = agreement.title
    inactive.status = PartnerStatus.INACTIVE
    dissolved.status = PartnerStatus.DISSOLVED
    await session.flush()
    return names


async def contacts_due(gql: Any, tag: str) -> dict[str, list[str]]:
    data = await gql(CONTACTS_DUE, {"asOf": ON.isoformat(), "within": 30}, principal=OFFICE)
    return {
        d["partner"]["name"]: [a["title"] for a in d["agreements"]]
        for d in data["contactsDue"]
        if d["partner"]["name"].startswith(tag)
    }


async def agreements_due(gql: Any, tag: str) -> list[tuple[str, str, str, bool, str | None]]:
    data = await gql(AGREEMENTS_DUE, {"asOf": ON.isoformat(), "within": 120}, principal=OFFICE)
    return [
        (d["agreement"]["title"], d["kind"], d["dueOn"], d["needsReview"], d["reviewReason"])
        for d in data["agreementsDue"]
        if d["agreement"] and d["agreement"]["title"].startswith(tag)
    ]


async def test_no_call_is_due_to_a_dissolved_or_inactive_partner(gql: Any, parties: dict[str, str]):
    # all three have stale contacts; the active one is called once for both its agreements
    assert await contacts_due(gql, parties["tag"]) == {
        parties["active"]: [parties["joint"], parties["alone"]]
    }


async def test_the_calendar_keeps_their_agreements_marked_as_needing_review(
    gql: Any, parties: dict[str, str]
):
    dissolved = "協定の見直しが必要（相手方が解散）"
    inactive = "協定の見直しが必要（相手方が休止中）"
    assert await agreements_due(gql, parties["tag"]) == [
        # a dissolved party outweighs an inactive one in the reason; the active one none
        (parties["joint"], "NOTICE_DEADLINE", "2024-10-01", True, dissolved),
        (parties["dormant"], "NOTICE_DEADLINE", "2024-10-01", True, inactive),
        (parties["alone"], "NOTICE_DEADLINE", "2024-10-31", False, None),
        (parties["joint"], "TERM_END", "2024-10-31", True, dissolved),
        (parties["dormant"], "TERM_END", "2024-10-31", True, inactive),
        (parties["alone"], "TERM_END", "2024-11-30", False, None),
    ]


async def test_the_ical_feed_says_so_and_names_the_parties(
    session: AsyncSession, parties: dict[str, str]
):
    export = await export_agreements_due(
        session, fmt=ExportFormat.ICS, on=ON, include_internal=True
    )
    text = export.body.decode("utf-8").replace("\r\n ", "")
    events = {
        event.split("SUMMARY:", 1)[1].split("\r\n", 1)[0]: event
        for event in text.split("BEGIN:VEVENT")[1:]
        if parties["tag"] in event
    }
    joint = events[f"【更新しない旨の申出期限】{parties['joint']}（協定の見直しが必要）"]
    assert "CATEGORIES:更新しない旨の申出期限,協定の見直しが必要\r\n" in joint
    assert (
        f"DESCRIPTION:協定の見直しが必要（相手方が解散）: {parties['inactive']}（休止中）、"
        f"{parties['dissolved']}（解散）\\n"
    ) in joint
    alone = events[f"【更新しない旨の申出期限】{parties['alone']}"]
    assert "CATEGORIES:更新しない旨の申出期限\r\n" in alone
    assert "協定の見直しが必要" not in alone
    # an individual's name is personal data: the feed's reads are logged like the API's
    assert export.personal_reads == {("Partner", int(parties["inactive-pk"])): {"name"}}


async def test_both_lists_follow_the_one_predicate(
    gql: Any, parties: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    # when only dissolution counted against a party, the inactive one is owed a call
    # again and its own agreement is not marked: neither list spells the rule itself
    monkeypatch.setattr(standing, "NEEDS_REVIEW_STATUSES", (PartnerStatus.DISSOLVED,))
    assert await contacts_due(gql, parties["tag"]) == {
        parties["active"]: [parties["joint"], parties["alone"]],
        parties["inactive"]: [parties["joint"], parties["dormant"]],
    }
    marked = {
        (title, flag) for title, _kind, _on, flag, _why in await agreements_due(gql, parties["tag"])
    }
    assert marked == {
        (parties["joint"], True),
        (parties["dormant"], False),
        (parties["alone"], False),
    }


async def test_the_demo_calendar_marks_the_dissolved_bus_company_but_calls_it_no_more(gql: Any):
    title = "（デモ）災害時における避難者の輸送に関する協定"
    data = await gql(AGREEMENTS_DUE, {"asOf": "2026-12-01", "within": 120}, principal=OFFICE)
    mine = [d for d in data["agreementsDue"] if (d["agreement"] or {}).get("title") == title]
    assert [(d["kind"], d["dueOn"], d["needsReview"], d["reviewReason"]) for d in mine] == [
        ("NOTICE_DEADLINE", "2027-01-30", True, "協定の見直しが必要（相手方が解散）"),
        ("TERM_END", "2027-03-31", True, "協定の見直しが必要（相手方が解散）"),
    ]
    assert mine[0]["agreement"]["parties"] == [
        {"name": "（デモ）旧ゆうふつ交通株式会社", "status": "DISSOLVED"}
    ]
    calls = await gql(CONTACTS_DUE, {"asOf": "2026-12-01", "within": 366}, principal=OFFICE)
    assert "（デモ）旧ゆうふつ交通株式会社" not in {
        d["partner"]["name"] for d in calls["contactsDue"]
    }
