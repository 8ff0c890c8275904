"""The authorisation matrix: the Mutation table, and that the tables name every field.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from graphql import build_schema
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.schema import schema
from tests.conftest import CHANGE_EVENTS, GraphQLClient

from . import collaboration_operations, disaster_operations, operations  # noqa: F401  (register every mutation's call)
from .support import (
    CONTRACT,
    MUTATION_MATRIX,
    MUTATION_ROLES,
    OPERATIONS,
    QUERIES,
    QUERY_MATRIX,
    SUBSCRIPTION_MATRIX,
    SUBSCRIPTIONS,
    TODAY,
    Probe,
    World,
    cases,
    principal,
)

MUTATION_CASES = cases(MUTATION_MATRIX, MUTATION_ROLES)


@dataclass(frozen=True)
class Snapshot:
    change_events: int
    rows: int
    target_version: int | None


async def snapshot(session: AsyncSession, probe: Probe) -> Snapshot:
    """What the database holds, read with plain SQL (never the session's cached objects)."""
    change_events = await session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
    )
    rows = await session.scalar(sa.select(sa.func.count()).select_from(probe.model))
    version = None
    if probe.pk is not None:
        version = await session.scalar(
            sa.select(probe.model.version).where(probe.model.id == probe.pk)
        )
    return Snapshot(int(change_events or 0), int(rows or 0), version)


@pytest.mark.parametrize(("field", "role", "allowed"), MUTATION_CASES)
async def test_mutation_field_access(
    session: AsyncSession,
    gql: GraphQLClient,
    world: World,
    field: str,
    role: str,
    allowed: bool,
) -> None:
    # given the mutation's target, committed so that it outlives any rollback
    op = OPERATIONS[field]
    variables, probe = await op.prepare(session, world)
    await session.commit()
    caller = principal(role, own=world.own.code, other=world.other.code)
    before = await snapshot(session, probe)
    # when
    result = await gql.raw(op.document, variables, today=TODAY, principal=caller)
    # then
    assert result["errors"] == []
    payload = result["data"][field]
    after = await snapshot(session, probe)
    if allowed:
        assert payload["errors"] == []
        assert after.change_events == before.change_events + 1  # one audit event
        assert (after.rows, after.target_version) != (before.rows, before.target_version)
    else:
        assert payload["errors"] == [
            {"code": "FORBIDDEN", "message": "この操作を行う権限がありません。"}
        ]
        # the payload carries nothing else: no record, no counts
        assert not any(value for key, value in payload.items() if key != "errors")
        assert after == before


def root_fields(sdl: str) -> tuple[set[str], set[str]]:
    built = build_schema(sdl)
    assert built.query_type is not None and built.mutation_type is not None
    return set(built.query_type.fields), set(built.mutation_type.fields)


def subscription_fields(sdl: str) -> set[str]:
    subscription_type = build_schema(sdl).subscription_type
    return set(subscription_type.fields) if subscription_type is not None else set()


def test_the_matrix_names_every_query_mutation_and_subscription_field_of_the_live_schema() -> None:
    # given
    queries, mutations = root_fields(schema.as_str())
    subscriptions = subscription_fields(schema.as_str())
    # then: a new field must be placed in the matrix before it ships
    assert set(QUERY_MATRIX) == queries
    assert set(QUERIES) == queries
    assert set(MUTATION_MATRIX) == mutations
    assert set(OPERATIONS) == mutations
    assert set(SUBSCRIPTION_MATRIX) == subscriptions
    assert set(SUBSCRIPTIONS) == subscriptions


def test_the_matrix_names_every_field_of_the_contract() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    # given
    queries, mutations = root_fields(CONTRACT.read_text(encoding="utf-8"))
    # then
    assert queries <= set(QUERY_MATRIX)
    assert mutations <= set(MUTATION_MATRIX)
    assert subscription_fields(CONTRACT.read_text(encoding="utf-8")) <= set(SUBSCRIPTION_MATRIX)
