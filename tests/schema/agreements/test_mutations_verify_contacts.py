"""``agreementVerifyContacts``: the yearly check of emergency contacts (rule 9)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementStatus

from .test_mutations_helpers import (
    TODAY,
    VERIFY,
    assert_unchanged,
    audit_count,
    audit_events,
    before,
    conclude,
    create,
    db_state,
    errors_of,
    pk_of,
    stored_agreement,
    world,
)

STALE = """
query ($id: ID!, $asOf: Date!) {
  node(id: $id) { ... on Agreement { contactsVerifiedOn contactsStale(asOf: $asOf) } }
}
"""

DISASTER = """
query ($on: Date!, $district: String) {
  disasterSupport(categories: [TRANSPORT], on: $on, district: $district) {
    agreement { id }
    emergencyContacts { name phone }
    contactsStale
  }
}
"""

CONTACTS = [
    {"name": "輸送課長", "role": "課長", "phone": "000-0000-0101", "availableAroundTheClock": True},
    {"name": "夜間窓口", "phone": "000-0000-0102", "email": "yakan@example.jp"},
]


async def _verify(
    gql: Any,
    agreement: dict[str, Any],
    on: str = "2024-05-20",
    contacts: list[dict[str, Any]] | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    data = await gql(
        VERIFY,
        {
            "id": agreement["id"],
            "v": agreement["version"] if version is None else version,
            "on": on,
            "contacts": CONTACTS if contacts is None else contacts,
        },
        today=TODAY,
    )
    return dict(data["agreementVerifyContacts"])


async def test_verify_replaces_contacts_and_records_the_day(
    session: AsyncSession, gql: Any
) -> None:
    # given: an agreement in force whose contacts were never checked
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    audits = await audit_count(session)

    # when
    payload = await _verify(gql, agreement, on="2024-05-20")

    # then
    assert payload["errors"] == []
    verified = payload["agreement"]
    assert verified["contactsVerifiedOn"] == "2024-05-20"
    assert verified["version"] == agreement["version"] + 1
    assert [(c["name"], c["phone"]) for c in verified["emergencyContacts"]] == [
        ("輸送課長", "000-0000-0101"),
        ("夜間窓口", "000-0000-0102"),
    ]
    assert all(c["isEmergencyContact"] for c in verified["emergencyContacts"])
    state = await db_state(session, pk)
    assert [c[0] for c in state["contacts"]] == [w.partner_ids[0], w.partner_ids[0]]
    assert await audit_count(session) == audits + 1
    event = (await audit_events(session, pk))[-1]
    assert (event["action"], event["entity_type"]) == ("agreement.verify_contacts", "Agreement")
    changes = event["changes"]
    assert changes["contacts_verified_on"] == {"before": None, "after": "2024-05-20"}
    assert [c["name"] for c in changes["emergency_contacts"]["before"]] == ["テスト担当者"]
    assert [(c["name"], c["phone"]) for c in changes["emergency_contacts"]["after"]] == [
        ("輸送課長", "000-0000-0101"),
        ("夜間窓口", "000-0000-0102"),
    ]


async def test_verified_contacts_are_fresh_for_a_year(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))

    # when
    await _verify(gql, agreement, on="2024-05-20")

    # then
    at_check = await gql(STALE, {"id": agreement["id"], "asOf": "2024-05-20"})
    a_year_on = await gql(STALE, {"id": agreement["id"], "asOf": "2025-05-20"})
    a_day_later = await gql(STALE, {"id": agreement["id"], "asOf": "2025-05-21"})
    assert at_check["node"]["contactsStale"] is False
    assert a_year_on["node"]["contactsStale"] is False
    assert a_day_later["node"]["contactsStale"] is True


async def test_disaster_lookup_shows_the_verified_contacts(session: AsyncSession, gql: Any) -> None:
    # given: a disaster-support agreement for transport, in force
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    from kyodo.domain.partners.models import Partner

    partner = await session.get(Partner, w.partner_ids[0])
    assert partner is not None
    partner.district = f"テスト地区-{w.department_code}"
    district = partner.district
    await session.commit()

    # when
    await _verify(gql, agreement, on="2024-05-20")

    # then
    rows = (await gql(DISASTER, {"on": "2024-06-01", "district": district}))["disasterSupport"]
    assert rows == [
        {
            "agreement": {"id": agreement["id"]},
            "emergencyContacts": [
                {"name": "輸送課長", "phone": "000-0000-0101"},
                {"name": "夜間窓口", "phone": "000-0000-0102"},
            ],
            "contactsStale": False,
        }
    ]


async def test_verify_is_allowed_on_a_draft(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)

    # when
    payload = await _verify(gql, agreement)

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["status"] == "DRAFT"


async def test_verify_requires_at_least_one_contact(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(gql, agreement, contacts=[])

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("REQUIRED", ["emergencyContacts"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_refuses_a_day_in_the_future(session: AsyncSession, gql: Any) -> None:
    # given: today is 2024-06-01
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(gql, agreement, on="2024-06-02")

    # then
    assert errors_of(payload) == [("INVALID", ["verifiedOn"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_allows_today(session: AsyncSession, gql: Any) -> None:
    # given: today is 2024-06-01
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))

    # when
    payload = await _verify(gql, agreement, on=TODAY.isoformat())

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["contactsVerifiedOn"] == "2024-06-01"


async def test_verify_refuses_a_contact_for_someone_not_a_party(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(
        gql,
        agreement,
        contacts=[{"name": "担当", "phone": "000-0000-0103", "partnerId": w.partner_gids[1]}],
    )

    # then
    assert errors_of(payload) == [("INVALID", ["emergencyContacts", "0", "partnerId"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_refuses_a_malformed_partner_id(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(
        gql, agreement, contacts=[{"name": "担当", "phone": "000-0000-0103", "partnerId": "???"}]
    )

    # then
    assert errors_of(payload) == [("INVALID", ["emergencyContacts", "0", "partnerId"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_refuses_an_invalid_contact(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(
        gql,
        agreement,
        contacts=[CONTACTS[0], {"name": "担当", "phone": "000-0000-0103", "email": "@example"}],
    )

    # then
    assert errors_of(payload) == [("INVALID", ["emergencyContacts", "1", "email"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_refuses_more_than_100_contacts(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(gql, agreement, contacts=[CONTACTS[0]] * 101)

    # then
    assert errors_of(payload) == [("INVALID", ["emergencyContacts"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_refuses_an_expired_agreement(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await stored_agreement(session, w, status=AgreementStatus.EXPIRED)
    snap = await before(session, agreement["pk"])

    # when
    payload = await _verify(gql, agreement)

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, agreement["pk"])


async def test_verify_refuses_a_terminated_agreement(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await stored_agreement(session, w, status=AgreementStatus.TERMINATED)
    snap = await before(session, agreement["pk"])

    # when
    payload = await _verify(gql, agreement)

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, agreement["pk"])


async def test_verify_refuses_a_stale_version(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _verify(gql, agreement, version=1)

    # then
    assert errors_of(payload) == [("VERSION_CONFLICT", ["expectedVersion"])]
    await assert_unchanged(session, snap, pk)


async def test_verify_refuses_a_contact_nobody_can_phone(session: AsyncSession, gql: Any) -> None:
    # given: an agreement in force (rule 19: a verified contact must be reachable)
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when: the office "verifies" a name alone, and a name with an e-mail only
    payload = await _verify(
        gql,
        agreement,
        contacts=[{"name": "担当者"}, {"name": "夜間窓口", "email": "yakan@example.jp"}],
    )

    # then: both need a phone, and the agreement stays unverified
    assert errors_of(payload) == [
        ("REQUIRED", ["emergencyContacts", "0", "phone"]),
        ("REQUIRED", ["emergencyContacts", "1", "phone"]),
    ]
    assert "担当者" in payload["errors"][0]["message"]
    await assert_unchanged(session, snap, pk)
