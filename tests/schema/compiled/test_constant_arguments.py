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
