"""``agreementTerminate``: IN_FORCE → TERMINATED with a reason (解約, rule 8)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .test_mutations_helpers import (
    TERMINATE,
    assert_unchanged,
    audit_count,
    audit_events,
    before,
    conclude,
    create,
    db_state,
    errors_of,
    pk_of,
    world,
)

IN_FORCE_ON = """
query ($id: ID!, $on: Date!) { node(id: $id) { ... on Agreement { isInForce(on: $on) } } }
"""


async def _terminate(
    gql: Any,
    agreement: dict[str, Any],
    on: str,
    reason: str = "相手方の事業所が市外へ移転したため",
    version: int | None = None,
) -> dict[str, Any]:
    data = await gql(
        TERMINATE,
        {
            "id": agreement["id"],
            "v": agreement["version"] if version is None else version,
            "on": on,
            "reason": reason,
        },
    )
    return dict(data["agreementTerminate"])


async def _in_force(gql: Any, session: AsyncSession, **overrides: Any) -> dict[str, Any]:
    w = await world(session)
    return await conclude(gql, await create(gql, w, **overrides), on="2024-04-01")


async def test_terminate_ends_the_agreement_on_the_given_day(
    session: AsyncSession, gql: Any
) -> None:
    # given: in force 2024-04-01 .. 2025-03-31
    agreement = await _in_force(gql, session)
    pk = pk_of(agreement["id"])
    audits = await audit_count(session)

    # when
    payload = await _terminate(gql, agreement, on="2024-10-01", reason=" 事業所の移転のため ")

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["status"] == "TERMINATED"
    assert payload["agreement"]["version"] == agreement["version"] + 1
    row = (await db_state(session, pk))["row"]
    assert (row["terminated_on"].isoformat(), row["termination_reason"]) == (
        "2024-10-01",
        "事業所の移転のため",
    )
    last_day = await gql(IN_FORCE_ON, {"id": agreement["id"], "on": "2024-09-30"})
    first_day_after = await gql(IN_FORCE_ON, {"id": agreement["id"], "on": "2024-10-01"})
    assert last_day["node"]["isInForce"] is True
    assert first_day_after["node"]["isInForce"] is False
    assert await audit_count(session) == audits + 1
    event = (await audit_events(session, pk))[-1]
    assert (event["action"], event["entity_type"]) == ("agreement.terminate", "Agreement")
    assert event["changes"] == {
        "status": {"before": "IN_FORCE", "after": "TERMINATED"},
        "terminated_on": {"before": None, "after": "2024-10-01"},
        "termination_reason": {"before": None, "after": "事業所の移転のため"},
    }


async def test_terminate_requires_a_reason(session: AsyncSession, gql: Any) -> None:
    # given
    agreement = await _in_force(gql, session)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, agreement, on="2024-10-01", reason=" 　 ")

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("REASON_REQUIRED", ["reason"])]
    await assert_unchanged(session, snap, pk)


async def test_terminate_refuses_an_agreement_not_in_force(session: AsyncSession, gql: Any) -> None:
    # given: a draft
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, agreement, on="2024-10-01")

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, pk)


async def test_terminate_refuses_an_already_terminated_agreement(
    session: AsyncSession, gql: Any
) -> None:
    # given
    agreement = await _in_force(gql, session)
    terminated = (await _terminate(gql, agreement, on="2024-10-01"))["agreement"]
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, terminated, on="2024-11-01")

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, pk)


async def test_terminate_refuses_a_day_before_the_start(session: AsyncSession, gql: Any) -> None:
    # given: in force from 2024-04-01
    agreement = await _in_force(gql, session)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, agreement, on="2024-03-31")

    # then
    assert errors_of(payload) == [("INVALID", ["terminatedOn"])]
    await assert_unchanged(session, snap, pk)


async def test_terminate_allows_the_start_day(session: AsyncSession, gql: Any) -> None:
    # given: in force from 2024-04-01
    agreement = await _in_force(gql, session)

    # when
    payload = await _terminate(gql, agreement, on="2024-04-01")

    # then
    assert payload["errors"] == []


async def test_terminate_refuses_a_day_after_the_term_ran_out(
    session: AsyncSession, gql: Any
) -> None:
    # given: the term ended 2025-03-31 without renewal; it expired, it is not terminated
    agreement = await _in_force(gql, session)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, agreement, on="2025-04-02")

    # then
    assert errors_of(payload) == [("INVALID", ["terminatedOn"])]
    await assert_unchanged(session, snap, pk)


async def test_terminate_of_a_renewing_agreement_in_a_later_term(
    session: AsyncSession, gql: Any
) -> None:
    # given: renews yearly from 2025-03-31
    agreement = await _in_force(gql, session, autoRenewal=True, renewalTermMonths=12)

    # when: three years on, in a renewed term
    payload = await _terminate(gql, agreement, on="2027-06-01")

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["status"] == "TERMINATED"


async def test_terminate_refuses_a_day_beyond_the_calendar(session: AsyncSession, gql: Any) -> None:
    # given: renewing yearly, so the renewals would have to be counted up to year 9999
    agreement = await _in_force(gql, session, autoRenewal=True, renewalTermMonths=12)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, agreement, on="9999-12-31")

    # then
    assert errors_of(payload) == [("INVALID", ["terminatedOn"])]
    await assert_unchanged(session, snap, pk)


async def test_terminate_refuses_a_stale_version(session: AsyncSession, gql: Any) -> None:
    # given
    agreement = await _in_force(gql, session)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _terminate(gql, agreement, on="2024-10-01", version=1)

    # then
    assert errors_of(payload) == [("VERSION_CONFLICT", ["expectedVersion"])]
    await assert_unchanged(session, snap, pk)
