"""``agreementCreate``: every validation rule of an agreement (rule 8) and its audit event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementStatus

from ..collaborations.factories import make_collaboration
from .test_mutations_helpers import (
    CREATE,
    World,
    agreement_input,
    assert_unchanged,
    audit_count,
    audit_events,
    before,
    create,
    db_state,
    errors_of,
    gid,
    inactive_partner,
    pk_of,
    stored_agreement,
    world,
)


async def _refused(gql: Any, w: World, **overrides: Any) -> dict[str, Any]:
    data = await gql(CREATE, {"input": agreement_input(w, **overrides)})
    payload: dict[str, Any] = data["agreementCreate"]
    assert payload["agreement"] is None
    return payload


async def test_create_stores_a_draft_with_parties_support_and_contacts(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    audits = await audit_count(session)

    # when
    agreement = await create(
        gql,
        w,
        partyIds=[w.partner_gids[1], w.partner_gids[0]],
        supportCategories=["TRANSPORT", "SUPPLIES", "TRANSPORT"],
        emergencyContacts=[
            {
                "name": " 苫小牧 太郎 ",
                "phone": "０００－００００－０００１",
                "partnerId": w.partner_gids[0],
            },
            {"name": "窓口", "email": "saigai@example.jp", "isEmergencyContact": False},
        ],
    )

    # then
    pk = pk_of(agreement["id"])
    assert agreement["status"] == "DRAFT"
    assert agreement["version"] == 1
    assert [p["id"] for p in agreement["parties"]] == [w.partner_gids[1], w.partner_gids[0]]
    assert agreement["supportCategories"] == ["SUPPLIES", "TRANSPORT"]
    assert agreement["department"] == {"code": w.department_code}
    assert agreement["emergencyContacts"][0]["name"] == "苫小牧 太郎"
    assert agreement["emergencyContacts"][0]["phone"] == "000-0000-0001"
    assert agreement["emergencyContacts"][0]["isEmergencyContact"] is True
    assert agreement["emergencyContacts"][1]["isEmergencyContact"] is False
    state = await db_state(session, pk)
    assert state["row"]["title"] == "災害時における物資の輸送に関する協定"
    assert [c[0] for c in state["contacts"]] == [w.partner_ids[0], None]
    assert await audit_count(session) == audits + 1
    (event,) = await audit_events(session, pk)
    assert (event["action"], event["entity_type"], event["actor"]) == (
        "agreement.create",
        "Agreement",
        "test-admin",
    )
    changes = event["changes"]
    assert changes["title"] == {"before": None, "after": "災害時における物資の輸送に関する協定"}
    assert changes["status"] == {"before": None, "after": "DRAFT"}
    assert changes["parties"]["after"] == [
        {"partner_id": w.partner_ids[1], "name": w.partner_names[1]},
        {"partner_id": w.partner_ids[0], "name": w.partner_names[0]},
    ]
    assert changes["support_categories"]["after"] == ["SUPPLIES", "TRANSPORT"]
    assert changes["emergency_contacts"]["after"][0]["name"] == "苫小牧 太郎"
    assert changes["emergency_contacts"]["after"][0]["phone"] == "000-0000-0001"


async def test_create_defaults_a_contact_to_the_only_party(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)

    # when
    agreement = await create(gql, w, emergencyContacts=[{"name": "担当者"}])

    # then
    state = await db_state(session, pk_of(agreement["id"]))
    assert [c[0] for c in state["contacts"]] == [w.partner_ids[0]]


async def test_create_links_collaboration_and_amended_agreement(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    from kyodo.domain.reference.models import Department

    department = await session.get(Department, w.department_id)
    assert department is not None
    collaboration = await make_collaboration(session, department=department)
    assert collaboration.id is not None
    collaboration_gid = gid("Collaboration", collaboration.id)
    await session.commit()
    original = await create(gql, w)

    # when
    amendment = await create(gql, w, collaborationId=collaboration_gid, amendsId=original["id"])

    # then
    assert amendment["amends"] == {"id": original["id"]}
    state = await db_state(session, pk_of(amendment["id"]))
    assert state["row"]["collaboration_id"] == collaboration.id
    assert state["row"]["amends_id"] == pk_of(original["id"])


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"title": "  　"}, "REQUIRED", ["input", "title"]),
        ({"title": "協" * 301}, "INVALID", ["input", "title"]),
        ({"partyIds": []}, "REQUIRED", ["input", "partyIds"]),
        ({"departmentCode": "no-such-department"}, "NOT_FOUND", ["input", "departmentCode"]),
        (
            {"category": "FACILITY_USE", "supportCategories": ["SUPPLIES"]},
            "INVALID",
            ["input", "supportCategories"],
        ),
        (
            {"effectiveFrom": "2024-04-01", "effectiveUntil": "2024-03-31"},
            "INVALID",
            ["input", "effectiveUntil"],
        ),
        (
            {"autoRenewal": True, "effectiveUntil": None, "renewalTermMonths": 12},
            "REQUIRED",
            ["input", "effectiveUntil"],
        ),
        ({"autoRenewal": True}, "REQUIRED", ["input", "renewalTermMonths"]),
        (
            {"autoRenewal": True, "renewalTermMonths": 0},
            "INVALID",
            ["input", "renewalTermMonths"],
        ),
        (
            {"autoRenewal": True, "renewalTermMonths": 121},
            "INVALID",
            ["input", "renewalTermMonths"],
        ),
        ({"noticeDays": -1}, "INVALID", ["input", "noticeDays"]),
        (
            {"emergencyContacts": [{"name": " "}]},
            "REQUIRED",
            ["input", "emergencyContacts", "0", "name"],
        ),
        (
            {"emergencyContacts": [{"name": "担当", "phone": "電話してね"}]},
            "INVALID",
            ["input", "emergencyContacts", "0", "phone"],
        ),
        (
            {"emergencyContacts": [{"name": "担当", "email": "not-an-address"}]},
            "INVALID",
            ["input", "emergencyContacts", "0", "email"],
        ),
        (
            {"emergencyContacts": [{"name": "担当"}] * 101},
            "INVALID",
            ["input", "emergencyContacts"],
        ),
        (
            {"collaborationId": gid("Collaboration", 10**9)},
            "NOT_FOUND",
            ["input", "collaborationId"],
        ),
        ({"collaborationId": "bm90LWFuLWlk"}, "INVALID", ["input", "collaborationId"]),
        ({"amendsId": gid("Agreement", 10**9)}, "NOT_FOUND", ["input", "amendsId"]),
        ({"amendsId": gid("Partner", 1)}, "INVALID", ["input", "amendsId"]),
    ],
    ids=[
        "blank-title",
        "long-title",
        "no-party",
        "unknown-department",
        "support-on-non-disaster",
        "until-before-from",
        "auto-renewal-without-end",
        "auto-renewal-without-months",
        "renewal-months-zero",
        "renewal-months-over-ten-years",
        "negative-notice-days",
        "contact-without-name",
        "contact-bad-phone",
        "contact-bad-email",
        "too-many-contacts",
        "unknown-collaboration",
        "malformed-collaboration-id",
        "unknown-amended",
        "amends-wrong-type",
    ],
)
async def test_create_refuses_invalid_input(
    session: AsyncSession,
    gql: Any,
    overrides: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, **overrides)

    # then
    assert errors_of(payload) == [(code, field)]
    await assert_unchanged(session, snap)


async def test_create_refuses_an_unknown_party(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, partyIds=[w.partner_gids[0], gid("Partner", 10**9)])

    # then
    assert errors_of(payload) == [("NOT_FOUND", ["input", "partyIds", "1"])]
    await assert_unchanged(session, snap)


async def test_create_refuses_a_party_listed_twice(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, partyIds=[w.partner_gids[0], w.partner_gids[0]])

    # then
    assert errors_of(payload) == [("DUPLICATE", ["input", "partyIds", "1"])]
    await assert_unchanged(session, snap)


async def test_create_refuses_a_malformed_party_id(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, partyIds=["garbage", gid("Agreement", 1)])

    # then
    assert errors_of(payload) == [
        ("INVALID", ["input", "partyIds", "0"]),
        ("INVALID", ["input", "partyIds", "1"]),
    ]
    await assert_unchanged(session, snap)


async def test_create_refuses_more_than_100_parties(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, partyIds=[w.partner_gids[0]] * 101, emergencyContacts=[])

    # then
    assert errors_of(payload) == [("INVALID", ["input", "partyIds"])]
    await assert_unchanged(session, snap)


async def test_create_refuses_an_inactive_partner_as_new_party(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    inactive = await inactive_partner(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, partyIds=[inactive], emergencyContacts=[])

    # then
    assert errors_of(payload) == [("INVALID", ["input", "partyIds", "0"])]
    await assert_unchanged(session, snap)


async def test_create_refuses_a_contact_for_someone_not_a_party(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(
        gql, w, emergencyContacts=[{"name": "担当", "partnerId": w.partner_gids[2]}]
    )

    # then
    assert errors_of(payload) == [("INVALID", ["input", "emergencyContacts", "0", "partnerId"])]
    await assert_unchanged(session, snap)


async def test_create_reports_every_problem_at_once(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _refused(gql, w, title="", noticeDays=-5, departmentCode="nope")

    # then
    assert sorted(errors_of(payload)) == sorted(
        [
            ("REQUIRED", ["input", "title"]),
            ("NOT_FOUND", ["input", "departmentCode"]),
            ("INVALID", ["input", "noticeDays"]),
        ]
    )
    await assert_unchanged(session, snap)


async def test_create_may_amend_an_agreement_in_any_status(session: AsyncSession, gql: Any) -> None:
    # given: an amendment may point at any existing agreement, whatever its status
    w = await world(session)
    terminated = await stored_agreement(session, w, status=AgreementStatus.TERMINATED)

    # when
    amendment = await create(gql, w, amendsId=terminated["id"])

    # then
    assert amendment["amends"] == {"id": terminated["id"]}
