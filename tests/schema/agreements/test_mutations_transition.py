"""``agreementTransition`` (added): DRAFT → NEGOTIATING, and IN_FORCE → EXPIRED once the
term has ended without renewal (rule 8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .test_mutations_helpers import (
    TRANSITION,
    assert_unchanged,
    audit_count,
    audit_events,
    before,
    conclude,
    create,
    errors_of,
    pk_of,
    world,
)

TERM = """
query ($id: ID!, $on: Date!) {
  node(id: $id) { ... on Agreement { isInForce(on: $on) currentTermEndsOn(asOf: $on) } }
}
"""


async def _transition(
    gql: Any,
    agreement: dict[str, Any],
    to: str,
    today: date = date(2024, 6, 1),
    version: int | None = None,
) -> dict[str, Any]:
    data = await gql(
        TRANSITION,
        {
            "id": agreement["id"],
            "v": agreement["version"] if version is None else version,
            "to": to,
        },
        today=today,
    )
    return dict(data["agreementTransition"])


async def test_draft_moves_to_negotiating(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    audits = await audit_count(session)

    # when
    payload = await _transition(gql, agreement, "NEGOTIATING")

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["status"] == "NEGOTIATING"
    assert payload["agreement"]["version"] == 2
    assert await audit_count(session) == audits + 1
    event = (await audit_events(session, pk))[-1]
    assert (event["action"], event["entity_type"]) == ("agreement.transition", "Agreement")
    assert event["changes"] == {"status": {"before": "DRAFT", "after": "NEGOTIATING"}}


async def test_in_force_expires_the_day_after_its_term(session: AsyncSession, gql: Any) -> None:
    # given: in force 2024-04-01 .. 2025-03-31, no renewal
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w), on="2024-04-01")
    pk = pk_of(agreement["id"])

    # when
    payload = await _transition(gql, agreement, "EXPIRED", today=date(2025, 4, 1))

    # then: history still answers for the days it was in force
    assert payload["errors"] == []
    assert payload["agreement"]["status"] == "EXPIRED"
    assert payload["agreement"]["effectiveUntil"] == "2025-03-31"
    last_day = await gql(TERM, {"id": agreement["id"], "on": "2025-03-31"})
    assert last_day["node"] == {"isInForce": True, "currentTermEndsOn": "2025-03-31"}
    after = await gql(TERM, {"id": agreement["id"], "on": "2025-04-01"})
    assert after["node"]["isInForce"] is False
    event = (await audit_events(session, pk))[-1]
    assert event["changes"] == {"status": {"before": "IN_FORCE", "after": "EXPIRED"}}


async def test_expiry_is_refused_on_the_last_day_of_the_term(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w), on="2024-04-01")
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "EXPIRED", today=date(2025, 3, 31))

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("INVALID_TRANSITION", ["to"])]
    await assert_unchanged(session, snap, pk)


async def test_expiry_is_refused_while_auto_renewal_runs(session: AsyncSession, gql: Any) -> None:
    # given: renews yearly, so its term never runs out on its own
    w = await world(session)
    agreement = await conclude(
        gql, await create(gql, w, autoRenewal=True, renewalTermMonths=12), on="2024-04-01"
    )
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "EXPIRED", today=date(2030, 1, 1))

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", ["to"])]
    await assert_unchanged(session, snap, pk)


async def test_expiry_is_refused_for_an_open_ended_agreement(
    session: AsyncSession, gql: Any
) -> None:
    # given: no end date (many 災害時応援協定 run until cancelled)
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w, effectiveUntil=None), on="2024-04-01")
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "EXPIRED", today=date(2030, 1, 1))

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", ["to"])]
    await assert_unchanged(session, snap, pk)


async def test_conclusion_is_not_a_plain_transition(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "IN_FORCE")

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", ["to"])]
    assert "agreementConclude" in payload["errors"][0]["message"]
    await assert_unchanged(session, snap, pk)


async def test_termination_is_not_a_plain_transition(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await conclude(gql, await create(gql, w))
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "TERMINATED")

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", ["to"])]
    await assert_unchanged(session, snap, pk)


async def test_negotiating_cannot_go_back_to_draft(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = (await _transition(gql, await create(gql, w), "NEGOTIATING"))["agreement"]
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "DRAFT")

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", ["to"])]
    await assert_unchanged(session, snap, pk)


async def test_transition_refuses_a_stale_version(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _transition(gql, agreement, "NEGOTIATING", version=2)

    # then
    assert errors_of(payload) == [("VERSION_CONFLICT", ["expectedVersion"])]
    await assert_unchanged(session, snap, pk)
