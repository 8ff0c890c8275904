"""``agreementConclude``: DRAFT or NEGOTIATING → IN_FORCE (締結, rule 8)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementCategory, AgreementStatus

from .test_mutations_helpers import (
    CONCLUDE,
    TRANSITION,
    assert_unchanged,
    audit_count,
    audit_events,
    before,
    create,
    db_state,
    errors_of,
    pk_of,
    stored_agreement,
    world,
)

IN_FORCE_ON = """
query ($id: ID!, $on: Date!) {
  node(id: $id) { ... on Agreement { status isInForce(on: $on) concludedOnWareki } }
}
"""


async def _conclude(
    gql: Any, agreement: dict[str, Any], on: str, version: int | None = None, **extra: Any
) -> dict[str, Any]:
    data = await gql(
        CONCLUDE,
        {
            "id": agreement["id"],
            "v": agreement["version"] if version is None else version,
            "on": on,
            **extra,
        },
    )
    return dict(data["agreementConclude"])


async def test_conclude_puts_a_draft_in_force(session: AsyncSession, gql: Any) -> None:
    # given: a draft without a planned start
    w = await world(session)
    agreement = await create(gql, w, effectiveFrom=None)
    pk = pk_of(agreement["id"])
    audits = await audit_count(session)

    # when
    payload = await _conclude(gql, agreement, on="2022-03-10")

    # then: in force from the day it was concluded
    assert payload["errors"] == []
    concluded = payload["agreement"]
    assert (concluded["status"], concluded["concludedOn"], concluded["effectiveFrom"]) == (
        "IN_FORCE",
        "2022-03-10",
        "2022-03-10",
    )
    assert concluded["version"] == 2
    assert await audit_count(session) == audits + 1
    event = (await audit_events(session, pk))[-1]
    assert (event["action"], event["entity_type"]) == ("agreement.conclude", "Agreement")
    assert event["changes"] == {
        "status": {"before": "DRAFT", "after": "IN_FORCE"},
        "concluded_on": {"before": None, "after": "2022-03-10"},
        "effective_from": {"before": None, "after": "2022-03-10"},
    }
    read = await gql(IN_FORCE_ON, {"id": concluded["id"], "on": "2022-03-10"})
    assert read["node"] == {
        "status": "IN_FORCE",
        "isInForce": True,
        "concludedOnWareki": "令和4年3月10日",
    }


async def test_conclude_from_negotiating_with_a_later_start(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    draft = await create(gql, w, effectiveFrom=None, effectiveUntil=None)
    negotiating = (await gql(TRANSITION, {"id": draft["id"], "v": 1, "to": "NEGOTIATING"}))[
        "agreementTransition"
    ]["agreement"]

    # when
    payload = await _conclude(gql, negotiating, on="2024-03-10", effectiveFrom="2024-04-01")

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["effectiveFrom"] == "2024-04-01"
    read = await gql(IN_FORCE_ON, {"id": draft["id"], "on": "2024-03-31"})
    assert read["node"]["isInForce"] is False


async def test_conclude_keeps_the_start_the_draft_named(session: AsyncSession, gql: Any) -> None:
    # given: the draft already says it takes effect on 2024-04-01
    w = await world(session)
    agreement = await create(gql, w, effectiveFrom="2024-04-01")

    # when
    payload = await _conclude(gql, agreement, on="2024-03-10")

    # then
    assert payload["agreement"]["effectiveFrom"] == "2024-04-01"
    assert payload["agreement"]["concludedOn"] == "2024-03-10"


async def test_conclude_refuses_an_agreement_already_in_force(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = (await _conclude(gql, await create(gql, w), on="2024-04-01"))["agreement"]
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _conclude(gql, agreement, on="2024-05-01")

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, pk)


async def test_conclude_refuses_a_terminated_agreement(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await stored_agreement(session, w, status=AgreementStatus.TERMINATED)
    snap = await before(session, agreement["pk"])

    # when
    payload = await _conclude(gql, agreement, on="2024-05-01")

    # then
    assert errors_of(payload) == [("INVALID_TRANSITION", None)]
    await assert_unchanged(session, snap, agreement["pk"])


async def test_conclude_requires_a_party(session: AsyncSession, gql: Any) -> None:
    # given: a draft loaded without counterparties
    w = await world(session)
    agreement = await stored_agreement(
        session, w, status=AgreementStatus.DRAFT, parties=0, concluded_on=None
    )
    snap = await before(session, agreement["pk"])

    # when
    payload = await _conclude(gql, agreement, on="2024-04-01")

    # then
    assert errors_of(payload) == [("REQUIRED", None)]
    assert "相手方" in payload["errors"][0]["message"]
    await assert_unchanged(session, snap, agreement["pk"])


async def test_conclude_requires_a_support_category_for_disaster_support(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w, supportCategories=[])
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _conclude(gql, agreement, on="2024-04-01")

    # then
    assert errors_of(payload) == [("REQUIRED", None)]
    assert "支援の内容" in payload["errors"][0]["message"]
    await assert_unchanged(session, snap, pk)


async def test_conclude_needs_no_support_category_for_other_agreements(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await stored_agreement(
        session,
        w,
        status=AgreementStatus.DRAFT,
        category=AgreementCategory.FACILITY_USE,
        support=(),
        concluded_on=None,
    )

    # when
    payload = await _conclude(gql, agreement, on="2024-04-01")

    # then
    assert payload["errors"] == []
    assert payload["agreement"]["status"] == "IN_FORCE"


async def test_conclude_refuses_a_start_after_the_term_end(session: AsyncSession, gql: Any) -> None:
    # given: the term ends 2025-03-31
    w = await world(session)
    agreement = await create(gql, w, effectiveFrom=None)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _conclude(gql, agreement, on="2024-04-01", effectiveFrom="2025-04-01")

    # then
    assert errors_of(payload) == [("INVALID", ["effectiveFrom"])]
    await assert_unchanged(session, snap, pk)


async def test_conclude_refuses_a_conclusion_after_the_term_end(
    session: AsyncSession, gql: Any
) -> None:
    # given: the term ends 2025-03-31 and the draft names no start
    w = await world(session)
    agreement = await create(gql, w, effectiveFrom=None)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _conclude(gql, agreement, on="2025-04-01")

    # then
    assert errors_of(payload) == [("INVALID", ["concludedOn"])]
    await assert_unchanged(session, snap, pk)


async def test_conclude_refuses_a_stale_version(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _conclude(gql, agreement, on="2024-04-01", version=7)

    # then
    assert errors_of(payload) == [("VERSION_CONFLICT", ["expectedVersion"])]
    await assert_unchanged(session, snap, pk)
    assert (await db_state(session, pk))["row"]["status"] == "DRAFT"
