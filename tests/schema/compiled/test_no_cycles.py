"""A compiled read leaves nothing for the garbage collector.

Everything a request builds (its context, session, plan request, read query, rows) is
freed by reference counting once the answer is written. A reference cycle among them
keeps the lot alive until the next collection, and collecting them was a tenth of a
small read's CPU (issue 9): graphql-core's executor, built per request, holds itself in
a cycle, and a root's writer closes over the request it is kept in.
"""

from __future__ import annotations

import gc
from datetime import date

import pytest
from graphql import parse
from graphql.execution.executor import Executor
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import Role
from kyodo.domain.read.fetch import ReadQuery
from kyodo.schema import schema
from kyodo.schema.compiled.extension import plan_for, run_plan
from kyodo.schema.compiled.request import Fallback, Request
from kyodo.schema.context import Context, Principal
from kyodo.schema.node import to_global_id

from ..agreements.factories import make_agreement, make_department, make_partner

ADMIN = Principal(name="cycles-admin", role=Role.ADMIN)


async def _left_in_cycles(session: AsyncSession, query: str) -> list[str]:
    """Run ``query`` through the compiled path with the collector off; the request's
    objects that only a collection would free."""
    document = parse(query)
    context = Context(session=session, principal=ADMIN, today=date(2025, 1, 15))
    gc.collect()
    gc.disable()
    try:
        plan, variables = plan_for(schema, query, document, None, None, context)
        result = await run_plan(plan, variables, context)
        assert result.errors is None and result.data
        del plan, variables, result
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        # This request's own (a collection may also meet what an earlier test left)
        return [
            type(o).__name__
            for o in gc.garbage
            if (isinstance(o, Request) and o.context is context)
            or (isinstance(o, ReadQuery) and o.session is session)
            or (isinstance(o, Executor) and o.context_value is context)
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


async def test_a_node_read_is_freed_without_a_collection(session: AsyncSession) -> None:
    # given: a partner with an agreement, read by id (the writer kept per request)
    department = await make_department(session)
    partner = await make_partner(session, "循環の会")
    await make_agreement(session, department=department, parties=[partner])
    query = f'{{ node(id: "{to_global_id("Partner", partner.id or 0)}") {{ ... on Partner {{ name agreements {{ title }} }} }} }}'
    # when / then
    assert await _left_in_cycles(session, query) == []


async def test_a_page_is_freed_without_a_collection(session: AsyncSession) -> None:
    # given
    await make_partner(session, "循環の会")
    # when / then
    assert (
        await _left_in_cycles(session, "{ partners(first: 5) { edges { node { name } } } }") == []
    )


async def test_the_operation_is_found_as_graphql_core_finds_it(session: AsyncSession) -> None:
    # given: two operations in one document
    query = "query A { partners(first: 1) { totalCount } } query B { __typename }"
    document = parse(query)
    context = Context(session=session, principal=ADMIN, today=date(2025, 1, 15))
    # when / then: a name picks one; no name, or an unknown one, is left to Strawberry
    plan, _ = plan_for(schema, query, document, "A", None, context)
    assert [root.key for root in plan.roots] == ["partners"]
    for name in (None, "C"):
        with pytest.raises(Fallback):
            plan_for(schema, query, document, name, None, context)
