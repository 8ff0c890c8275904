"""Arguments written out in a document are converted once per plan; arguments that read
a variable, at every request. Either way the answer is Strawberry's."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.compiled import COMPILED
from kyodo.schema.compiled import request as compiled_request

from .test_fallback import both


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fields whose arguments the compiled path converted, one entry a conversion."""
    seen: list[str] = []
    original = compiled_request.get_argument_values

    def counted(definition: Any, node: Any, variables: Any = None) -> Any:
        seen.append(node.name.value)
        return original(definition, node, variables)

    monkeypatch.setattr(compiled_request, "get_argument_values", counted)
    return seen


async def test_written_out_arguments_are_converted_once(
    session: AsyncSession, conversions: list[str]
) -> None:
    # given: a page size and a nested list's argument written in the document
    query = (
        "{ partners(first: 3) { totalCount edges { node { name"
        " agreements(status: [IN_FORCE]) { title } } } } }"
    )
    # when: asked three times
    first = await both(session, query)
    converted = sorted(conversions)
    again = [await both(session, query) for _ in range(2)]
    # then: the same compiled answer each time; the arguments were converted when the
    # plan was first used (by this test, or an earlier one in this process), not again
    assert all(outcome == COMPILED for _, outcome in (first, *again))
    assert first[0] == again[0][0] == again[1][0]
    assert len(first[0]["data"]["partners"]["edges"]) == 3
    assert converted in ([], ["agreements", "partners"])
    assert sorted(conversions) == converted


async def test_arguments_that_read_a_variable_are_converted_every_time(
    session: AsyncSession, conversions: list[str]
) -> None:
    # given: the page size in a variable, inside a list argument too
    query = (
        "query ($first: Int, $status: AgreementStatus!) { partners(first: $first) {"
        " edges { node { name agreements(status: [$status]) { title } } } } }"
    )
    # when
    two, _ = await both(session, query, {"first": 2, "status": "IN_FORCE"})
    five, outcome = await both(session, query, {"first": 5, "status": "DRAFT"})
    # then: each request's own values
    assert outcome == COMPILED
    assert len(two["data"]["partners"]["edges"]) == 2
    assert len(five["data"]["partners"]["edges"]) == 5
    assert conversions.count("partners") == 2
    assert conversions.count("agreements") == 2


async def test_the_disaster_lookup_reuses_its_statement_only_for_the_same_arguments(
    session: AsyncSession,
) -> None:
    # given: the lookup's day, categories and district in variables (its conditions are
    # built once per set of values and reused)
    query = (
        "query ($on: Date, $categories: [SupportCategory!], $district: String) {"
        " disasterSupport(on: $on, categories: $categories, district: $district) {"
        " partner { name } agreement { title } } }"
    )
    asked = [
        {"on": "2022-03-10"},
        # agreements in force then have expired or ended since: conditions built for
        # another day would leave them out
        {"on": "2018-06-01"},
        {"on": "2022-03-10", "categories": ["SUPPLIES"]},
        {"on": "2022-03-10", "categories": ["TRANSPORT"]},
        {"on": "2022-03-10", "categories": ["SUPPLIES"], "district": "中央"},
        {"on": "2022-03-10"},
    ]
    # when: asked in turn, the first values again at the end
    answers = []
    for variables in asked:
        answer, outcome = await both(session, query, variables)
        assert outcome == COMPILED
        answers.append(answer["data"]["disasterSupport"])
    # then: each answer is Strawberry's for its own values (checked by ``both``), none
    # the one read for other values
    assert answers[0] == answers[5] and answers[0]
    assert answers[1] != answers[0]
    assert answers[2] != answers[3]
    assert len(answers[4]) < len(answers[2])
