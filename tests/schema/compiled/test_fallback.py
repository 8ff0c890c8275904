"""When the compiled path leaves a request to Strawberry, and that the answer is then
Strawberry's, error for error.

One test per reason: a field the role may not read, an argument Strawberry refuses
(``first``, a cursor, an id) or the domain refuses (a date no record can hold),
variables that do not coerce, a field or root the planner does not cover, a node type
it does not cover, a mutation, the kill switch. And the other side: a document the
planner covers is answered by the compiled path, with the same personal-data reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import PartnerKind, Role
from kyodo.schema import schema
from kyodo.schema.compiled import COMPILED
from kyodo.schema.context import Context, Principal
from kyodo.schema.node import to_global_id

from ..agreements.factories import make_agreement, make_department, make_partner

ADMIN = Principal(name="fallback-admin", role=Role.ADMIN)
PUBLIC = Principal(name="anonymous", role=Role.PUBLIC)


async def run(
    session: AsyncSession,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    principal: Principal = ADMIN,
    compiled: bool = True,
) -> tuple[dict[str, Any], str | None, dict[tuple[str, int], set[str]]]:
    context = Context(session=session, principal=principal, today=date(2025, 1, 15))
    context.compiled_reads = compiled
    reads: dict[tuple[str, int], set[str]] = {}
    original = context.note_personal_read

    def note(entity_type: str, pk: int, field_name: str) -> None:
        reads.setdefault((entity_type, pk), set()).add(field_name)
        original(entity_type, pk, field_name)

    context.note_personal_read = note  # type: ignore[method-assign]
    result = await schema.execute(query, variable_values=variables, context_value=context)
    answer = {
        "data": result.data,
        "errors": [
            (e.message, e.path, (e.extensions or {}).get("code")) for e in result.errors or []
        ],
    }
    return answer, context.compiled_outcome, reads


async def both(
    session: AsyncSession,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    principal: Principal = ADMIN,
) -> tuple[dict[str, Any], str | None]:
    """The answer with the compiled path on, after checking it (and the personal-data
    reads) equals Strawberry's."""
    strawberry, _, strawberry_reads = await run(
        session, query, variables, principal=principal, compiled=False
    )
    answer, outcome, reads = await run(session, query, variables, principal=principal)
    assert answer == strawberry
    assert reads == strawberry_reads
    return answer, outcome


async def test_a_field_the_role_may_not_read_is_left_to_strawberry(session: AsyncSession) -> None:
    # given: an organisation's phone, which PUBLIC may not read
    query = '{ node(id: "UGFydG5lcjo1") { ... on Partner { name phone } } }'
    # when
    answer, outcome = await both(session, query, principal=PUBLIC)
    # then: Strawberry's FORBIDDEN at the field, nothing from the compiled path
    assert outcome == "fallback: Partner.phone is not readable by PUBLIC"
    assert [code for _, _, code in answer["errors"]] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("variables", "error"),
    [
        ({"first": 101}, "StrawberryGraphQLError"),
        ({"first": -1}, "StrawberryGraphQLError"),
        ({"first": 1, "last": 1}, "StrawberryGraphQLError"),
        ({"last": 101}, "StrawberryGraphQLError"),
        ({"after": "not-a-cursor"}, "DomainError"),
        ({"before": "b2Zmc2V0OjI"}, "DomainError"),
    ],
)
async def test_a_page_strawberry_refuses_is_left_to_strawberry(
    session: AsyncSession, variables: dict[str, Any], error: str
) -> None:
    # given
    query = (
        "query ($first: Int, $after: String, $last: Int, $before: String) {"
        " partners(first: $first, after: $after, last: $last, before: $before) { totalCount } }"
    )
    # when
    answer, outcome = await both(session, query, variables)
    # then
    assert outcome is not None and outcome.startswith(f"fallback: {error}")
    assert [c for _, _, c in answer["errors"]] == ["INVALID"]


async def test_a_broken_id_in_a_filter_is_left_to_strawberry(session: AsyncSession) -> None:
    # given: an agreement's id where a partner's belongs
    query = f'{{ agreements(filter: {{partnerId: "{to_global_id("Agreement", 1)}"}}) {{ totalCount }} }}'
    # when
    answer, outcome = await both(session, query)
    # then
    assert outcome is not None and outcome.startswith("fallback: StrawberryGraphQLError")
    assert [c for _, _, c in answer["errors"]] == ["INVALID"]


async def test_variables_that_do_not_coerce_are_left_to_strawberry(
    session: AsyncSession,
) -> None:
    # given: a date variable that is no date
    query = "query ($on: Date) { disasterSupport(on: $on) { partner { name } } }"
    # when
    answer, outcome = await both(session, query, {"on": "2022-13-45"})
    # then: graphql-core's coercion error, as Strawberry reports it
    assert outcome == "fallback: variables or operation refused"
    assert answer["data"] is None and len(answer["errors"]) == 1


async def test_a_field_the_planner_does_not_cover_is_left_to_strawberry(
    session: AsyncSession,
) -> None:
    # given: a grouped analysis the compiled path leaves to its resolver on purpose
    query = "{ collaborationStats { total } departments { code } }"
    # when
    answer, outcome = await both(session, query)
    # then
    assert outcome == "fallback: Query.collaborationStats is not compiled"
    assert answer["errors"] == []


async def test_a_node_whose_selection_the_planner_does_not_cover_is_left_to_strawberry(
    session: AsyncSession,
) -> None:
    # given: one document, selecting on a partner what the planner does not cover (the
    # cursors of its participations, whose sort keys live on the collaboration)
    def lookup(type_name: str, pk: int) -> str:
        return (
            f'{{ node(id: "{to_global_id(type_name, pk)}") {{ id __typename '
            "... on Partner { participations(first: 2) { edges { cursor } } } } }"
        )

    # when: a partner's id, then a department's
    _answer, partner = await both(session, lookup("Partner", 5))
    _answer, department = await both(session, lookup("Department", 1))
    # then: only the request that meets the uncovered selection falls back
    assert partner == "fallback: cursors of this connection are not compiled"
    assert department == COMPILED


async def test_a_node_of_a_covered_type_is_compiled_in_the_same_document(
    session: AsyncSession,
) -> None:
    # given: the same selection, on a partner's id and an unknown id
    query = f'{{ nodes(ids: ["{to_global_id("Partner", 5)}", "eHg", "{to_global_id("Partner", 999_999)}"]) {{ id __typename }} }}'
    # when
    answer, outcome = await both(session, query)
    # then
    assert outcome == COMPILED
    assert answer["data"]["nodes"][1:] == [None, None]


async def test_a_mutation_is_left_to_strawberry(session: AsyncSession) -> None:
    # given
    query = 'mutation { partnerDelete(id: "eHg", expectedVersion: 1) { errors { code } } }'
    # when
    _answer, outcome = await both(session, query)
    # then
    assert outcome == "fallback: mutation operation"


async def test_an_argument_the_domain_refuses_is_left_to_strawberry(
    session: AsyncSession,
) -> None:
    # given: an agreement asked for its term as of a day no record can hold
    department = await make_department(session)
    party = await make_partner(session, "更新の会")
    agreement = await make_agreement(
        session,
        department=department,
        parties=[party],
        effective_from=date(2020, 4, 1),
        effective_until=date(2021, 3, 31),
        auto_renewal=True,
        renewal_term_months=1,
    )
    query = f'{{ node(id: "{to_global_id("Agreement", agreement.id or 0)}") {{ ... on Agreement {{ title currentTermEndsOn(asOf: "9999-12-31") }} }} }}'
    # when
    answer, outcome = await both(session, query)
    # then: the domain's date check, as Strawberry reports it at the field
    assert outcome is not None and outcome.startswith("fallback: DomainError")
    assert [c for _, _, c in answer["errors"]] == ["INVALID"]


async def test_the_kill_switch_sends_every_query_through_strawberry(
    session: AsyncSession,
) -> None:
    # given: a query the planner covers
    query = "{ departments { code } }"
    # when
    _answer, outcome, _reads = await run(session, query, compiled=False)
    # then: the compiled path did not even look at it
    assert outcome is None


async def test_a_covered_document_is_answered_by_the_compiled_path_with_the_same_reads(
    session: AsyncSession,
) -> None:
    # given: a volunteer (personal data as a whole) party to an agreement
    department = await make_department(session)
    volunteer = await make_partner(session, "デモ 一人", kind=PartnerKind.INDIVIDUAL)
    agreement = await make_agreement(
        session, department=department, parties=[volunteer], contacts=[(volunteer, "デモ 窓口")]
    )
    query = """
    query ($codes: [String!]) { agreements(first: 5, filter: {departmentCodes: $codes}) { edges { node {
      title emergencyContacts { name } parties { name phone contacts { name } } } } } }"""
    # when
    answer, outcome, reads = await run(session, query, {"codes": [department.code]})
    # then
    assert outcome == COMPILED
    assert answer["data"]["agreements"]["edges"][0]["node"]["parties"][0]["name"] == "デモ 一人"
    assert reads == {
        ("Partner", volunteer.id): {"name"},
        ("Agreement", agreement.id): {"emergencyContacts"},
    }
    assert (answer, reads) == (
        await run(session, query, {"codes": [department.code]}, compiled=False)
    )[::2]
