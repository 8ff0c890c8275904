"""A living contact list (issue 11 item 10): one yearly check per partner across its
agreements, the outcome of each call, reminders, and disasterSupport's ranking — the
same on the compiled read path and through Strawberry."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.disasters.models import ContactVerification
from kyodo.domain.enums import Role, SupportCategory
from kyodo.schema.context import Principal
from tests.conftest import CHANGE_EVENTS
from tests.schema.agreements.factories import gid, make_agreement, make_department, make_partner
from tests.schema.compiled.both_paths import both_paths as compared

ON = date(2024, 9, 1)
OFFICE = Principal(name="危機管理室 テスト", role=Role.DISASTER_OFFICE, department_code="kikikanri")

RECORD = """
mutation ($p: ID!, $on: Date!, $outcome: VerificationOutcome!, $note: String) {
  contactVerificationRecord(partnerId: $p, verifiedOn: $on, outcome: $outcome, note: $note) {
    verification { verifiedOn outcome outcomeLabel verifiedBy note }
    errors { code field message }
  }
}"""
LOOKUP = """
query ($district: String!) {
  disasterSupport(categories: [SUPPLIES], on: "2024-09-01", district: $district) {
    partner { name } agreement { title } contactsVerifiedOn contactsStale
    lastCheckedOn lastCheckOutcome reachable
  }
}"""
DUE = """
query ($asOf: Date, $within: Int!) {
  contactsDue(asOf: $asOf, withinDays: $within) {
    partner { name } agreements { title } contactsVerifiedOn staleOn stale
    lastCheckOutcome reachable calls { verifiedOn outcome }
  }
}"""


def add_call(session: AsyncSession, partner_id: int, on: date, outcome: str) -> None:
    """A call of the partner's yearly contact check, as the office records it."""
    session.add(
        ContactVerification(
            partner_id=partner_id, verified_on=on, outcome=outcome, verified_by="テスト"
        )
    )


async def both_paths(session: AsyncSession, query: str, variables: dict[str, Any]) -> Any:
    return await compared(session, query, variables, principal=OFFICE, today=ON)


@pytest.fixture
async def district(session: AsyncSession) -> dict[str, Any]:
    """Four supply partners of one district: stale, verified 300 days ago, verified 10
    days ago, and verified 10 days ago but not answering the last call."""
    name = f"テスト地区{uuid.uuid4().hex[:6]}"
    department = await make_department(session)
    made: dict[str, Any] = {"district": name}
    for key, kana, verified in (
        ("stale", "あ", date(2023, 1, 10)),
        ("old", "い", date(2023, 11, 6)),
        ("recent", "う", date(2024, 8, 22)),
        ("silent", "え", date(2024, 8, 22)),
    ):
        partner = await make_partner(session, f"（テスト）{key}商店", kana=kana, district=name)
        agreement = await make_agreement(
            session,
            department=department,
            title=f"（テスト）{key}協定",
            parties=[partner],
            support=[SupportCategory.SUPPLIES],
            concluded_on=date(2020, 4, 1),
            effective_from=date(2020, 4, 1),
            contacts_verified_on=verified,
        )
        made[key] = gid("Partner", partner)
        made[f"{key}-pk"] = partner.id
        made[f"{key}-agreement"] = agreement.id
    add_call(session, made["silent-pk"], date(2024, 8, 30), "NO_ANSWER")
    await session.commit()
    return made


async def test_disaster_support_ranks_fresh_reachable_recent_contacts_first(
    session: AsyncSession, district: dict[str, Any]
):
    data = await both_paths(session, LOOKUP, {"district": district["district"]})
    rows = data["disasterSupport"]
    assert [(r["partner"]["name"], r["contactsStale"], r["reachable"]) for r in rows] == [
        ("（テスト）recent商店", False, True),
        ("（テスト）old商店", False, True),
        ("（テスト）silent商店", False, False),
        ("（テスト）stale商店", True, True),
    ]
    assert rows[2]["lastCheckOutcome"] == "NO_ANSWER"
    assert rows[2]["lastCheckedOn"] == "2024-08-30"


async def test_one_call_verifies_the_partner_across_all_its_agreements(
    session: AsyncSession, gql: Any, district: dict[str, Any]
):
    # given the stale partner is party to a second supply agreement, also stale
    department = await make_department(session)
    from kyodo.domain.partners.models import Partner

    partner = await session.get(Partner, district["stale-pk"])
    await make_agreement(
        session,
        department=department,
        title="（テスト）stale第二協定",
        parties=[partner],
        support=[SupportCategory.SUPPLIES],
        concluded_on=date(2021, 4, 1),
        effective_from=date(2021, 4, 1),
    )
    await session.commit()
    events = await session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
    )
    # when one call reaches it
    data = await gql(
        RECORD,
        {"p": district["stale"], "on": "2024-08-31", "outcome": "REACHED"},
        today=ON,
        principal=OFFICE,
    )
    assert data["contactVerificationRecord"]["errors"] == []
    assert data["contactVerificationRecord"]["verification"]["verifiedBy"] == "危機管理室 テスト"
    # then both its rows are fresh, verified that day, and it ranks first
    rows = (await both_paths(session, LOOKUP, {"district": district["district"]}))[
        "disasterSupport"
    ]
    mine = [r for r in rows if r["partner"]["name"] == "（テスト）stale商店"]
    assert [(r["contactsVerifiedOn"], r["contactsStale"]) for r in mine] == [
        ("2024-08-31", False),
        ("2024-08-31", False),
    ]
    assert rows[0]["partner"]["name"] == "（テスト）stale商店"
    assert (
        await session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
        == (events or 0) + 1
    )


async def test_a_call_is_refused_without_its_facts(gql: Any, district: dict[str, Any]):
    cases = [
        ({"on": "2024-09-02", "outcome": "REACHED"}, ("INVALID", ["verifiedOn"])),
        ({"on": "1800-01-01", "outcome": "REACHED"}, ("INVALID", ["verifiedOn"])),
        ({"on": "2024-08-31", "outcome": "CHANGED"}, ("REQUIRED", ["note"])),
        ({"on": "2024-08-31", "outcome": "REACHED", "p": "UGFydG5lcjo5OTk5OTk5"},
         ("NOT_FOUND", ["partnerId"])),
    ]  # fmt: skip
    for variables, expected in cases:
        data = await gql(RECORD, {"p": district["old"], **variables}, today=ON, principal=OFFICE)
        payload = data["contactVerificationRecord"]
        assert payload["verification"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [expected]


async def test_reminders_list_what_turns_stale_within_the_window(
    session: AsyncSession, gql: Any, district: dict[str, Any]
):
    # old: verified 2023-11-06, stale from 2024-11-06: due within 90 days, not within 30
    def names(data: dict[str, Any]) -> list[str]:
        return [
            d["partner"]["name"]
            for d in data["contactsDue"]
            if d["partner"]["name"].startswith("（テスト）") and "商店" in d["partner"]["name"]
        ]

    within_30 = await gql(DUE, {"asOf": "2024-09-01", "within": 30}, principal=OFFICE)
    within_90 = await gql(DUE, {"asOf": "2024-09-01", "within": 90}, principal=OFFICE)
    assert names(within_30) == ["（テスト）stale商店"]
    assert names(within_90) == ["（テスト）stale商店", "（テスト）old商店"]
    old = next(d for d in within_90["contactsDue"] if d["partner"]["name"] == "（テスト）old商店")
    assert (old["contactsVerifiedOn"], old["staleOn"], old["stale"]) == (
        "2023-11-06",
        "2024-11-06",
        False,
    )
    assert [a["title"] for a in old["agreements"]] == ["（テスト）old協定"]


async def test_the_window_is_bounded(gql: Any):
    result = await gql.raw(DUE, {"asOf": "2024-09-01", "within": 400}, principal=OFFICE)
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["contactsDue"], "INVALID")
    ]


async def test_the_demo_has_calls_to_make(gql: Any):
    # as of the demo's day, contacts confirmed in spring 2021 turn stale within 30 days
    data = await gql(DUE, {"asOf": "2022-03-10", "within": 30}, principal=OFFICE)
    assert data["contactsDue"]
    late = await gql(DUE, {"asOf": "2026-12-01", "within": 30}, principal=OFFICE)
    # the 2026 round reached 湧水 in 2025-12 (turns stale in December) and others in 2026
    due = {d["partner"]["name"]: d for d in late["contactsDue"]}
    assert due["（デモ）樽前湧水株式会社"]["staleOn"] == "2026-12-16"
    assert "（デモ）スーパーはまなす株式会社" not in due
    silent = due.get("（デモ）苫小牧地区歯科医師会")
    assert silent is not None and silent["reachable"] is False


DUE_IN_FULL = """
query ($asOf: Date, $within: Int!) {
  contactsDue(asOf: $asOf, withinDays: $within) {
    __typename partner { id name phone } agreements { title isInForce } contactsVerifiedOn
    staleOn stale lastCheckedOn lastCheckOutcome reachable
    calls { __typename verifiedOn outcome outcomeLabel verifiedBy note createdAt }
  }
}"""


async def test_reminders_are_the_same_on_both_paths(
    session: AsyncSession, district: dict[str, Any]
):
    # given: besides the district's four, a partner of two agreements (the later check
    # counts), one whose only agreement has ended, one DISSOLVED, and a call that got
    # through after the agreement's own check; and an auto-renewing agreement that
    # expired (SQL keeps it as a candidate, the term rules drop it)
    from kyodo.domain.enums import AgreementStatus, PartnerStatus
    from kyodo.domain.partners.models import Partner

    department = await make_department(session)
    both = await make_partner(
        session, "（テスト）二協定商店", kana="お", district=district["district"]
    )
    ended = await make_partner(session, "（テスト）終了商店", kana="か")
    gone = await make_partner(session, "（テスト）解散商店", kana="き")
    lapsed = await make_partner(session, "（テスト）満了商店", kana="く")
    await make_agreement(
        session,
        department=department,
        title="（テスト）満了協定",
        parties=[lapsed],
        support=[SupportCategory.SUPPLIES],
        status=AgreementStatus.EXPIRED,
        concluded_on=date(2020, 4, 1),
        effective_from=date(2020, 4, 1),
        effective_until=date(2024, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    for title, party, verified, until in (
        ("（テスト）二協定A", both, date(2022, 5, 1), None),
        ("（テスト）二協定B", both, date(2023, 10, 1), None),
        ("（テスト）終了協定", ended, None, date(2024, 3, 31)),
        ("（テスト）解散協定", gone, None, None),
    ):
        await make_agreement(
            session,
            department=department,
            title=title,
            parties=[party],
            support=[SupportCategory.SUPPLIES],
            concluded_on=date(2020, 4, 1),
            effective_from=date(2020, 4, 1),
            effective_until=until,
            contacts_verified_on=verified,
        )
    (await session.get(Partner, gone.id)).status = PartnerStatus.DISSOLVED  # type: ignore[union-attr]
    add_call(session, district["stale-pk"], date(2023, 11, 1), "NO_ANSWER")
    add_call(session, district["stale-pk"], date(2024, 2, 1), "REACHED")
    add_call(session, district["silent-pk"], date(2024, 7, 1), "REACHED")
    await session.commit()
    # when / then: the compiled path answers as Strawberry does, for several windows
    for as_of, within in (("2024-09-01", 30), ("2024-09-01", 366), ("2025-06-01", 0), (None, 60)):
        data = await both_paths(session, DUE_IN_FULL, {"asOf": as_of, "within": within})
        names = [d["partner"]["name"] for d in data["contactsDue"]]
        assert not {"（テスト）終了商店", "（テスト）解散商店", "（テスト）満了商店"} & set(names)
    year = await both_paths(session, DUE_IN_FULL, {"asOf": "2024-09-01", "within": 366})
    due = {d["partner"]["name"]: d for d in year["contactsDue"]}
    assert due["（テスト）二協定商店"]["contactsVerifiedOn"] == "2023-10-01"
    assert [a["title"] for a in due["（テスト）二協定商店"]["agreements"]] == [
        "（テスト）二協定A",
        "（テスト）二協定B",
    ]
    assert due["（テスト）stale商店"]["contactsVerifiedOn"] == "2024-02-01"
    assert [c["verifiedOn"] for c in due["（テスト）stale商店"]["calls"]] == [
        "2024-02-01",
        "2023-11-01",
    ]
