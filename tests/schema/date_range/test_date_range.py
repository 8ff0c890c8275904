"""Every date the API accepts lies in the range the city's data can hold (issue 8, item 1).

The cases, one per Date argument and input field, are in support.py.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.validation import EARLIEST_DATE, LATEST_DATE
from kyodo.schema import schema
from tests.database_state import changes, database_state

from ..agreements import factories as agreement_factories
from ..collaborations import factories as collaboration_factories
from .support import (
    CASES,
    OUT_OF_RANGE,
    Case,
    _collaboration_create,
    _errors_of,
    _world,
)


@pytest.mark.parametrize("day", OUT_OF_RANGE)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_a_date_out_of_range_is_refused_at_its_field_and_changes_nothing(
    session: AsyncSession, gql: Any, case: Case, day: str
) -> None:
    # given a valid operation but for one date outside 1873-01-01..2999-12-31
    w = await _world(session)
    document, variables = case.build(w, day)
    before = await database_state(session)

    # when
    result = await gql.raw(document, variables)

    # then it is refused with INVALID at that field, the message names it and the range
    errors = _errors_of(case, result)
    refusals = [e for e in errors if e["code"] == "INVALID" and e["field"] == case.field]
    assert refusals, errors
    message = refusals[0]["message"]
    assert case.label in message and day in message and "1873-01-01" in message, message
    # and nothing was written
    assert changes(before, await database_state(session)) == {}


@pytest.mark.parametrize("day", [EARLIEST_DATE.isoformat(), LATEST_DATE.isoformat()])
async def test_the_first_and_last_day_of_the_range_are_accepted(
    session: AsyncSession, gql: Any, day: str
) -> None:
    # given a collaboration starting on the range's first or last day
    w = await _world(session)
    document, variables = _collaboration_create("startsOn")(w, day)

    # when
    payload = (await gql(document, variables))["collaborationCreate"]

    # then it is stored
    assert payload["errors"] == []
    assert payload["collaboration"]["id"]


def _date_inputs() -> set[str]:
    """Every Date argument or input field reachable from Query and Mutation, as
    ``Type.field.argument[.inputField...]``."""
    found: set[str] = set()

    def walk_input(type_: Any, path: list[str], seen: frozenset[str]) -> None:
        named = get_named_type(type_)
        if named.name == "Date":
            found.add(".".join(path))
        elif isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            for name, field in named.fields.items():
                walk_input(field.type, [*path, name], seen | {named.name})

    visited: set[str] = set()

    def walk_type(type_: GraphQLObjectType, prefix: str) -> None:
        for name, field in type_.fields.items():
            for arg_name, arg in field.args.items():
                walk_input(arg.type, [f"{prefix}.{name}", arg_name], frozenset())
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType) and named.name not in visited:
                visited.add(named.name)
                walk_type(named, named.name)

    graphql_schema = schema._schema
    for root in (graphql_schema.query_type, graphql_schema.mutation_type):
        assert root is not None
        visited.add(root.name)
        walk_type(root, root.name)
    return found


def test_every_date_input_is_covered() -> None:
    # given every Date argument and input field of the schema
    # when comparing them with the cases above
    # then each has a case (a new Date input needs the range check and a case)
    assert _date_inputs() == {case.input for case in CASES}


async def test_a_row_stored_before_the_check_with_an_old_date_still_renders(
    session: AsyncSession, gql: Any
) -> None:
    # given a collaboration and an agreement stored before dates were checked: starting
    # 1800-01-01 (fiscal year 1799), concluded 0001-01-01 (PostgreSQL's -infinity)
    department = await collaboration_factories.make_department(session)
    collaboration = await collaboration_factories.make_collaboration(
        session, department=department, fiscal_year=1799, starts_on=date(1800, 1, 1)
    )
    agreement = await agreement_factories.make_agreement(
        session, department=department, concluded_on=date.min
    )
    await session.commit()
    collaboration_id = collaboration_factories.gid("Collaboration", collaboration)
    agreement_id = agreement_factories.gid("Agreement", agreement)

    # when the public pages and node() that show them are read
    listed = await gql(
        "query ($d: [String!]) { collaborations(first: 100, filter: { departmentCodes: $d }) "
        "{ edges { node { id fiscalYearLabel startsOn } } } }",
        {"d": [department.code]},
    )
    node = await gql(
        "query ($a: ID!, $c: ID!) { a: node(id: $a) { ... on Agreement { concludedOnWareki } } "
        "c: node(id: $c) { ... on Collaboration { fiscalYearLabel } } }",
        {"a": agreement_id, "c": collaboration_id},
    )

    # then they answer, in the western calendar where there is no era
    assert listed["collaborations"]["edges"] == [
        {"node": {"id": collaboration_id, "fiscalYearLabel": "1799年度", "startsOn": "1800-01-01"}}
    ]
    assert node == {"a": {"concludedOnWareki": "1年1月1日"}, "c": {"fiscalYearLabel": "1799年度"}}
