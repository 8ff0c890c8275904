"""Several departments on one collaboration (第3章(5) 委託, rule 17).

The guideline's consignment case names two departments (協働・男女平等参画室 and
行政監理室): a collaboration has one owning department and may list co-departments. STAFF
of a co-department sees it under its own department and runs it as its own, but cannot
move it to another owner.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import Role
from kyodo.schema import schema
from kyodo.schema.compiled import COMPILED
from kyodo.schema.context import Context, Principal

from .test_mutations_helpers import (
    ERRORS,
    TRANSITION,
    World,
    audit_count,
    codes_and_fields,
    collaboration_count,
    create,
    events_of,
    read,
    ready_input,
    world,
)

SHARED = "id version department { code } coDepartments { code name }"
CREATE_SHARED = f"""
mutation ($input: CollaborationInput!) {{
  collaborationCreate(input: $input) {{ collaboration {{ {SHARED} }} {ERRORS} }}
}}
"""
UPDATE_SHARED = f"""
mutation ($id: ID!, $v: Int!, $input: CollaborationInput!) {{
  collaborationUpdate(id: $id, expectedVersion: $v, input: $input) {{
    collaboration {{ {SHARED} plan }} {ERRORS}
  }}
}}
"""
BY_DEPARTMENT = """
query ($codes: [String!]) {
  collaborations(first: 50, filter: {departmentCodes: $codes}) {
    totalCount edges { node { title department { code } coDepartments { code } } }
  }
}
"""


def staff_of(code: str) -> Principal:
    return Principal(name=f"staff-{code}", role=Role.STAFF, department_code=code)


async def shared_collaboration(
    session: AsyncSession, gql: Any
) -> tuple[World, World, dict[str, Any]]:
    owner, co = await world(session), await world(session)
    payload = (
        await gql(
            CREATE_SHARED,
            {"input": ready_input(owner, coDepartmentCodes=[co.department_code])},
        )
    )["collaborationCreate"]
    assert payload["errors"] == []
    return owner, co, payload["collaboration"]


async def test_a_collaboration_lists_its_co_departments(session: AsyncSession, gql: Any) -> None:
    # when
    owner, co, collaboration = await shared_collaboration(session, gql)

    # then
    assert collaboration["department"] == {"code": owner.department_code}
    assert collaboration["coDepartments"] == [{"code": co.department_code, "name": "テスト課"}]
    [event] = await events_of(session, collaboration["id"])
    assert len(event.changes["co_department_ids"]["after"]) == 1  # type: ignore[index]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
async def test_a_co_department_finds_it_under_its_own_code(
    session: AsyncSession, gql: Any, compiled: bool
) -> None:
    # given
    owner, co, _ = await shared_collaboration(session, gql)
    context = Context(session=session, principal=staff_of(co.department_code))
    context.compiled_reads = compiled

    # when: both read paths, the co-department's and the owner's code
    answers = []
    for code in (co.department_code, owner.department_code):
        result = await schema.execute(
            BY_DEPARTMENT, variable_values={"codes": [code]}, context_value=context
        )
        assert result.errors is None
        assert (context.compiled_outcome == COMPILED) is compiled
        answers.append(result.data["collaborations"])  # type: ignore[index]

    # then it is listed under each of them
    for answer in answers:
        assert answer["totalCount"] == 1
        assert answer["edges"][0]["node"]["department"] == {"code": owner.department_code}


async def test_staff_of_a_co_department_runs_it_as_its_own(session: AsyncSession, gql: Any) -> None:
    # given
    owner, co, collaboration = await shared_collaboration(session, gql)

    # when a co-department's staff edits it (sending the owner's code, as the input asks)
    input = ready_input(owner, coDepartmentCodes=[co.department_code], plan="年6回に増やす")
    edited = (
        await gql(
            UPDATE_SHARED,
            {"id": collaboration["id"], "v": 1, "input": input},
            principal=staff_of(co.department_code),
        )
    )["collaborationUpdate"]
    started = (
        await gql(
            TRANSITION,
            {"id": collaboration["id"], "v": 2, "to": "ACTIVE"},
            principal=staff_of(co.department_code),
        )
    )["collaborationTransition"]

    # then both are saved
    assert edited["errors"] == [] and edited["collaboration"]["plan"] == "年6回に増やす"
    assert started["errors"] == [] and started["collaboration"]["status"] == "ACTIVE"


@pytest.mark.parametrize("whose", ["unrelated", "co-department-taking-it-over"])
async def test_other_staff_and_a_takeover_are_forbidden(
    session: AsyncSession, gql: Any, whose: str
) -> None:
    # given
    owner, co, collaboration = await shared_collaboration(session, gql)
    if whose == "unrelated":
        caller, code = (await world(session)).department_code, owner.department_code
    else:
        caller, code = co.department_code, co.department_code
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)

    # when
    input = ready_input(owner, departmentCode=code, coDepartmentCodes=[])
    payload = (
        await gql(
            UPDATE_SHARED,
            {"id": collaboration["id"], "v": 1, "input": input},
            principal=staff_of(caller),
        )
    )["collaborationUpdate"]

    # then
    assert codes_and_fields(payload["errors"]) == [("FORBIDDEN", None)]
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        pytest.param("owner", [("INVALID", ["input", "coDepartmentCodes", "0"])], id="the-owner"),
        pytest.param(
            ["no-such-department"],
            [("NOT_FOUND", ["input", "coDepartmentCodes", "0"])],
            id="unknown",
        ),
    ],
)
async def test_bad_co_departments_are_refused(
    session: AsyncSession, gql: Any, codes: Any, expected: list[Any]
) -> None:
    # given
    w = await world(session)
    sent = [w.department_code] if codes == "owner" else codes
    collaborations, events = await collaboration_count(session), await audit_count(session)

    # when
    payload = (await gql(CREATE_SHARED, {"input": ready_input(w, coDepartmentCodes=sent)}))[
        "collaborationCreate"
    ]

    # then
    assert codes_and_fields(payload["errors"]) == expected
    assert await collaboration_count(session) == collaborations
    assert await audit_count(session) == events


async def test_the_consignment_case_names_both_offices(gql: Any) -> None:
    # when: the guideline's 委託 case in the demo data
    data = await gql(
        "query ($search: String) { collaborations(first: 5, filter: {search: $search}) {"
        " edges { node { department { name } coDepartments { name } } } } }",
        {"search": "こども研修・交流事業"},
    )

    # then: 協働・男女平等参画室 and 行政監理室 (with 青少年課, whose project it is)
    [node] = [e["node"] for e in data["collaborations"]["edges"]]
    assert node["department"] == {"name": "協働・男女平等参画室"}
    assert node["coDepartments"] == [{"name": "行政監理室"}, {"name": "青少年課"}]


async def test_a_client_that_never_sends_co_departments_gets_none(
    session: AsyncSession, gql: Any
) -> None:
    # given: an existing client's input, without coDepartmentCodes
    w = await world(session)

    # when
    collaboration = await create(gql, ready_input(w))

    # then
    query = "query ($id: ID!) { node(id: $id) { ... on Collaboration { coDepartments { code } } } }"
    assert (await gql(query, {"id": collaboration["id"]}))["node"] == {"coDepartments": []}
