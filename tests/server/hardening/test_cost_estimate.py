"""API hardening: the cost estimate itself.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query

from kyodo.domain.agreements.commands import MAX_PARTIES
from kyodo.schema import schema as default_schema
from kyodo.schema.extensions import (
    estimate_cost,
)
from kyodo.schema.list_sizes import NESTED_LIST_MAX


def cost_of(query: str, variables: dict[str, Any] | None = None) -> int:
    from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return estimate_cost(default_schema._schema, operation, fragments, variables).work


AGREEMENT = "QWdyZWVtZW50OjE"


PARTNER = "UGFydG5lcjox"


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        # viewer (a resolver) 3 + object 10 + name 1
        ("{ viewer { name } }", 14),
        # partners (loads data) 30 + connection 10 + totalCount 1
        ("{ partners { totalCount } }", 41),
        # partners 30 + connection 10 + edges 1 + 5 × (edge 10 + node 1 + partner 10 + name 3)
        ("{ partners(first: 5) { edges { node { name } } } }", 41 + 5 * 24),
        # a connection without first: 20 per page
        ("{ partners { edges { cursor } } }", 41 + 20 * 11),
        # backwards: sized by last, as forwards by first
        ("{ partners(last: 50) { edges { cursor } } }", 41 + 50 * 11),
        ('{ partners(last: 2, before: "x") { edges { cursor } } }', 41 + 2 * 11),
        ("query ($n: Int = 9) { partners(last: $n) { edges { cursor } } }", 41 + 9 * 11),
        # contacts: at most domain.validation.MAX_LIST (100) per partner
        (
            "{ partners(first: 10) { edges { node { contacts { name } } } } }",
            41 + 10 * (10 + 1 + 10 + 30 + 100 * 11),
        ),
        # reference data: 50 assumed
        ("{ departments { name } }", 30 + 50 * 11),
        ("{ a: partners(first: 10) { totalCount } b: partners(first: 30) { totalCount } }", 82),
        ("query ($n: Int = 7) { partners(first: $n) { edges { cursor } } }", 41 + 7 * 11),
        ("{ ...P ...P } fragment P on Query { partners(first: 3) { totalCount } }", 82),
        # nodes: by the number of ids
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', 30 + 3 * 11),
        # an agreement's parties: at most MAX_PARTIES
        (
            f'{{ node(id: "{AGREEMENT}") {{ ... on Agreement {{ parties {{ name }} }} }} }}',
            40 + 30 + MAX_PARTIES * 13,
        ),
        # a partner's agreements: NESTED_LIST_MAX unless first says fewer
        (
            f'{{ node(id: "{PARTNER}") {{ ... on Partner {{ agreements {{ title }} }} }} }}',
            40 + 30 + NESTED_LIST_MAX * 11,
        ),
        (
            f'{{ node(id: "{PARTNER}") {{ ... on Partner {{ agreements(first: 3) {{ title }} }} }} }}',
            40 + 30 + 3 * 11,
        ),
        # fields that load data count, even when they return nothing
        (
            f'{{ node(id: "{PARTNER}") {{ ... on Partner {{ a: agreements(first: 0) {{ id }} '
            "b: agreements(first: 0) { id } } } }",
            40 + 2 * 30,
        ),
        # a fragment on a connection is sized by the page it is spread in
        (
            "{ partners(first: 4) { ...E } } fragment E on PartnerConnection { edges { cursor } }",
            41 + 4 * 11,
        ),
        (get_introspection_query(), 0),
    ],
)
def test_cost_estimates(query: str, cost: int) -> None:
    assert cost_of(query) == cost


def test_cost_uses_variables() -> None:
    query = "query ($n: Int) { partners(first: $n) { edges { cursor } } }"
    assert cost_of(query, {"n": 50}) == 41 + 50 * 11
    assert cost_of(query, {"n": None}) == 41 + 20 * 11
    backwards = "query ($n: Int) { partners(last: $n) { edges { cursor } } }"
    assert cost_of(backwards, {"n": 80}) == 41 + 80 * 11


def test_fields_refused_to_the_caller_cost_nothing_below_them() -> None:
    # given: subsidy applications are not for anonymous callers
    from graphql import parse

    from kyodo.domain.enums import Role

    query = "{ subsidyApplications(first: 100) { edges { node { title purpose status submittedOn } } } }"
    operation = parse(query).definitions[0]
    # when
    public = estimate_cost(default_schema._schema, operation, {}, role=Role.PUBLIC).work  # type: ignore[arg-type]
    staff = estimate_cost(default_schema._schema, operation, {}, role=Role.STAFF).work  # type: ignore[arg-type]
    # then
    assert public == 30
    # subsidyApplications 30 + connection 10 + edges 1 + 100 × (edge 10 + node 1 + application 10 + 4)
    assert staff == cost_of(query) == 41 + 100 * 25


def test_an_upsert_payload_is_sized_by_its_input() -> None:
    query = """mutation ($rows: [PartnerUpsertInput!]!) {
        partnersUpsert(input: $rows) { partners { name } } }"""
    # partnersUpsert 30 + payload 10 + partners 1 + rows × (partner 10 + name 3)
    assert cost_of(query, {"rows": [{}] * 7}) == 41 + 7 * 13


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        # a text search scans the table: 10,000 on top of the field
        ('{ agreements(filter: {search: "防災"}) { totalCount } }', None, 41 + 10_000),
        ('{ agreements(filter: {search: " "}) { totalCount } }', None, 41),
        (
            "query ($f: AgreementFilter) { agreements(filter: $f) { totalCount } }",
            {"f": {"inForceOn": "2022-03-10"}},
            41 + 25_000,
        ),
        # ... once per department it is asked for (50 assumed)
        (
            '{ departments { collaborations(filter: {search: "祭"}) { totalCount } } }',
            None,
            30 + 50 * (10 + 41 + 10_000),
        ),
    ],
)
def test_filters_that_scan_the_table_cost_more(
    query: str, variables: dict[str, Any] | None, cost: int
) -> None:
    assert cost_of(query, variables) == cost


def test_nodes_cost_counts_the_ids_in_a_variable() -> None:
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost_of(query, {"ids": ["a"] * 7}) == 30 + 7 * 11
