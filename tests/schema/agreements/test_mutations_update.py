"""``agreementUpdate``: expectedVersion, what may change in which status, and the audit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.enums import AgreementStatus

from .test_mutations_helpers import (
    UPDATE,
    agreement_input,
    assert_unchanged,
    audit_count,
    audit_events,
    before,
    conclude,
    create,
    db_state,
    errors_of,
    gid,
    inactive_partner,
    pk_of,
    stored_agreement,
    world,
)


async def _update(
    gql: Any, agreement: dict[str, Any], version: int | None = None, **input: Any
) -> dict[str, Any]:
    data = await gql(
        UPDATE,
        {
            "id": agreement["id"],
            "v": agreement["version"] if version is None else version,
            "input": input,
        },
    )
    return dict(data["agreementUpdate"])


async def test_update_changes_a_draft_and_records_before_and_after(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    audits = await audit_count(session)

    # when
    payload = await _update(
        gql,
        agreement,
        **agreement_input(
            w,
            title="災害時における物資の供給及び輸送に関する協定",
            partyIds=[w.partner_gids[0], w.partner_gids[1]],
            supportCategories=["SUPPLIES", "TRANSPORT"],
            emergencyContacts=[{"name": "新しい担当者", "phone": "000-0000-0002"}],
        ),
    )

    # then
    assert payload["errors"] == []
    updated = payload["agreement"]
    assert updated["version"] == 2
    assert updated["title"] == "災害時における物資の供給及び輸送に関する協定"
    assert [p["id"] for p in updated["parties"]] == w.partner_gids[:2]
    assert updated["supportCategories"] == ["SUPPLIES", "TRANSPORT"]
    state = await db_state(session, pk)
    assert state["row"]["version"] == 2
    assert state["parties"] == [(w.partner_ids[0], 0), (w.partner_ids[1], 1)]
    # two parties: the contact speaks for both, so it names none
    assert [(c[0], c[2]) for c in state["contacts"]] == [(None, "新しい担当者")]
    assert await audit_count(session) == audits + 1
    event = (await audit_events(session, pk))[-1]
    assert (event["action"], event["entity_type"]) == ("agreement.update", "Agreement")
    changes = event["changes"]
    assert changes["title"] == {
        "before": "災害時における物資の輸送に関する協定",
        "after": "災害時における物資の供給及び輸送に関する協定",
    }
    assert changes["parties"]["before"] == [
        {"partner_id": w.partner_ids[0], "name": w.partner_names[0]}
    ]
    assert len(changes["parties"]["after"]) == 2
    assert changes["support_categories"] == {
        "before": ["TRANSPORT"],
        "after": ["SUPPLIES", "TRANSPORT"],
    }
    assert changes["emergency_contacts"]["before"][0]["name"] == "テスト担当者"
    assert changes["emergency_contacts"]["after"][0]["name"] == "新しい担当者"
    assert "notice_days" not in changes


async def test_update_keeps_optional_fields_left_out(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)

    # when
    payload = await _update(
        gql,
        agreement,
        title="改題した協定",
        category="DISASTER_SUPPORT",
        partyIds=[w.partner_gids[0]],
        departmentCode=w.department_code,
    )

    # then
    assert payload["errors"] == []
    updated = payload["agreement"]
    assert updated["effectiveUntil"] == "2025-03-31"
    assert updated["noticeDays"] == 30
    assert updated["supportCategories"] == ["TRANSPORT"]
    assert [c["name"] for c in updated["emergencyContacts"]] == ["テスト担当者"]


async def test_update_clears_an_optional_field_sent_as_null(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)

    # when
    payload = await _update(
        gql, agreement, **agreement_input(w, noticeDays=None, effectiveUntil=None)
    )

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["noticeDays"] is None
    assert payload["agreement"]["effectiveUntil"] is None


async def test_update_refuses_a_stale_version(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    await _update(gql, agreement, **agreement_input(w, title="先に直した"))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _update(gql, agreement, version=1, **agreement_input(w, title="後から直した"))

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("VERSION_CONFLICT", ["expectedVersion"])]
    await assert_unchanged(session, snap, pk)


async def test_update_write_is_conditional_on_the_version(session: AsyncSession, gql: Any) -> None:
    # given: another writer bumped the version after this session read the row
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    await session.execute(
        sa.update(Agreement)
        .where(Agreement.id == pk)  # type: ignore[arg-type]
        .values(version=2, title="他の人の変更")
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    snap = await before(session, pk)

    # when: the cached row still says version 1, so only the UPDATE's condition sees it
    payload = await _update(gql, agreement, version=1, **agreement_input(w, title="私の変更"))

    # then
    assert errors_of(payload) == [("VERSION_CONFLICT", ["expectedVersion"])]
    await assert_unchanged(session, snap, pk)
    assert snap.state is not None and snap.state["row"]["title"] == "他の人の変更"


async def test_update_of_an_unknown_agreement_is_not_found(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _update(
        gql, {"id": gid("Agreement", 10**9), "version": 1}, **agreement_input(w)
    )

    # then
    assert errors_of(payload) == [("NOT_FOUND", ["id"])]
    await assert_unchanged(session, snap)


async def test_update_with_a_malformed_id_is_invalid(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    snap = await before(session)

    # when
    payload = await _update(gql, {"id": "not-an-id", "version": 1}, **agreement_input(w))

    # then
    assert errors_of(payload) == [("INVALID", ["id"])]
    await assert_unchanged(session, snap)


async def test_update_refuses_new_parties_once_in_force(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _update(
        gql, agreement, **agreement_input(w, partyIds=w.partner_gids[:2], emergencyContacts=[])
    )

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("INVALID_TRANSITION", ["input", "partyIds"])]
    assert "改正" in payload["errors"][0]["message"]
    await assert_unchanged(session, snap, pk)


async def test_update_refuses_term_changes_once_in_force(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _update(
        gql,
        agreement,
        **agreement_input(w, effectiveUntil="2026-03-31", autoRenewal=True, renewalTermMonths=12),
    )

    # then
    assert errors_of(payload) == [
        ("INVALID_TRANSITION", ["input", "effectiveUntil"]),
        ("INVALID_TRANSITION", ["input", "autoRenewal"]),
        ("INVALID_TRANSITION", ["input", "renewalTermMonths"]),
    ]
    await assert_unchanged(session, snap, pk)


async def test_update_refuses_support_category_changes_once_in_force(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _update(gql, agreement, **agreement_input(w, supportCategories=["MEDICAL_AID"]))

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", ["input", "supportCategories"])]
    await assert_unchanged(session, snap, pk)


async def test_update_corrects_working_details_once_in_force(
    session: AsyncSession, gql: Any
) -> None:
    # given: a two-party agreement in force
    w = await world(session)
    agreement = await conclude(
        gql, await create(gql, w, partyIds=w.partner_gids[:2]), on="2024-04-01"
    )

    # when: same parties listed in another order, new title, details and notice days
    payload = await _update(
        gql,
        agreement,
        **agreement_input(
            w,
            title="物資輸送協定（名称変更）",
            partyIds=[w.partner_gids[1], w.partner_gids[0]],
            supportDetails="冷凍車を含む",
            noticeDays=60,
            effectiveFrom="2024-04-01",
        ),
    )

    # then
    assert payload["errors"] == []
    updated = payload["agreement"]
    assert updated["status"] == "IN_FORCE"
    assert (updated["title"], updated["supportDetails"], updated["noticeDays"]) == (
        "物資輸送協定（名称変更）",
        "冷凍車を含む",
        60,
    )
    assert [p["id"] for p in updated["parties"]] == [w.partner_gids[1], w.partner_gids[0]]


async def test_update_refuses_an_expired_agreement(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await stored_agreement(session, w, status=AgreementStatus.EXPIRED)
    snap = await before(session, agreement["pk"])

    # when
    payload = await _update(gql, agreement, **agreement_input(w, title="直したい"))

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, agreement["pk"])


async def test_update_refuses_a_terminated_agreement(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await stored_agreement(session, w, status=AgreementStatus.TERMINATED)
    snap = await before(session, agreement["pk"])

    # when
    payload = await _update(gql, agreement, **agreement_input(w, title="直したい"))

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, agreement["pk"])


async def test_update_refuses_an_agreement_amending_itself(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _update(gql, agreement, **agreement_input(w, amendsId=agreement["id"]))

    # then
    assert errors_of(payload) == [("INVALID", ["input", "amendsId"])]
    await assert_unchanged(session, snap, pk)


async def test_update_refuses_an_amendment_loop(session: AsyncSession, gql: Any) -> None:
    # given: B amends A
    w = await world(session)
    a = await create(gql, w)
    b_id = (await create(gql, w, amendsId=a["id"]))["id"]
    pk = pk_of(a["id"])
    snap = await before(session, pk)

    # when: A would amend B
    payload = await _update(gql, a, **agreement_input(w, amendsId=b_id))

    # then
    assert errors_of(payload) == [("INVALID", ["input", "amendsId"])]
    await assert_unchanged(session, snap, pk)


async def test_update_refuses_dropping_the_party_a_kept_contact_speaks_for(
    session: AsyncSession, gql: Any
) -> None:
    # given: the contact speaks for party 0
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)
    payload_input = agreement_input(w, partyIds=[w.partner_gids[1]])
    del payload_input["emergencyContacts"]

    # when
    payload = await _update(gql, agreement, **payload_input)

    # then
    assert errors_of(payload) == [("INVALID", ["input", "emergencyContacts", "0", "partnerId"])]
    await assert_unchanged(session, snap, pk)


async def test_update_keeps_an_inactive_partner_already_party(
    session: AsyncSession, gql: Any
) -> None:
    # given: the partner became inactive after the agreement was drafted with it
    w = await world(session)
    inactive = await inactive_partner(session)
    agreement = await stored_agreement(session, w, status=AgreementStatus.DRAFT)
    from kyodo.domain.agreements.models import AgreementParty

    session.add(
        AgreementParty(agreement_id=agreement["pk"], partner_id=pk_of(inactive), position=1)
    )
    await session.commit()

    # when
    payload = await _update(
        gql,
        agreement,
        **agreement_input(w, partyIds=[w.partner_gids[0], inactive], emergencyContacts=[]),
    )

    # then
    assert payload["errors"] == []
    assert [p["id"] for p in payload["agreement"]["parties"]] == [w.partner_gids[0], inactive]
