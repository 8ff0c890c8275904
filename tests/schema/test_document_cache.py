"""Parsing, validation and the limit checks are done once per document (schema/document_cache.py),
and a cached answer of a check is never handed to a request it does not fit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import kyodo.schema.document_cache as document_cache
from kyodo.domain.enums import Role
from kyodo.schema import schema as default_schema
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.schema.extensions import MAX_COST_PUBLIC
from tests.conftest import GraphQLClient

INTEGRATION = Principal(name="同期スクリプト", role=Role.INTEGRATION)


def fresh(query: str) -> str:
    """The same document under a text no earlier test has cached."""
    return f"{query}\n# {uuid.uuid4().hex}"


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real validation runs (each one still runs, unchanged)."""
    calls: list[int] = []
    real = document_cache.validate_document

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(document_cache, "validate_document", counting)
    return calls


def test_every_request_gets_the_same_validation_rules() -> None:
    # given: the extensions two requests get
    def rules() -> list[Any]:
        found = []
        for extension in default_schema.get_extensions():
            found.extend(getattr(extension, "validation_rules", ()))
        return found

    # then: the same rule classes (QueryDepthLimiter made new ones per request)
    first, second = rules(), rules()
    assert first and first == second


async def test_a_document_is_validated_once(gql: GraphQLClient, validations: list[int]) -> None:
    # given
    query = fresh("{ departments { code } }")
    # when
    for _ in range(3):
        await gql(query)
    # then
    assert len(validations) == 1


async def test_an_invalid_document_keeps_its_error_when_cached(
    gql: GraphQLClient, validations: list[int]
) -> None:
    # given: a field that does not exist
    query = fresh("{ departments { nope } }")
    # when
    first = await gql.raw(query)
    second = await gql.raw(query)
    # then: the same error both times, validated once
    assert first["errors"][0]["message"] == second["errors"][0]["message"]
    assert "nope" in second["errors"][0]["message"]
    assert second["data"] is None
    assert len(validations) == 1


PAGE = "query ($n: Int) { agreements(first: $n) { edges { node { title parties { name } } } } }"


async def test_the_cost_check_follows_the_variables_of_each_request(gql: GraphQLClient) -> None:
    # given: one document; 36 agreements fit the anonymous budget, 37 do not
    query = fresh(PAGE)
    # when
    answers = [await gql.raw(query, {"n": n}, principal=ANONYMOUS) for n in (36, 37, 36, 37, 5)]
    # then
    codes = [[e["extensions"].get("code") for e in a["errors"]] for a in answers]
    assert codes == [[], ["QUERY_TOO_COMPLEX"], [], ["QUERY_TOO_COMPLEX"], []]
    assert answers[1]["errors"][0]["extensions"]["maxCost"] == MAX_COST_PUBLIC


async def test_the_cost_check_follows_the_caller(gql: GraphQLClient) -> None:
    # given: what an anonymous caller may not ask, first asked with a token
    query = fresh(PAGE)
    # when
    with_token = await gql.raw(query, {"n": 37}, principal=INTEGRATION)
    anonymous = await gql.raw(query, {"n": 37}, principal=ANONYMOUS)
    # then
    assert with_token["errors"] == []
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["QUERY_TOO_COMPLEX"]


async def test_a_refusal_is_not_decorated_twice(gql: GraphQLClient) -> None:
    # given: a refused document, answered twice from the cache
    query = fresh(PAGE)
    # when
    first = await gql.raw(query, {"n": 37}, principal=ANONYMOUS)
    second = await gql.raw(query, {"n": 37}, principal=ANONYMOUS)
    # then: each answer carries the error as the check made it
    assert first["errors"] == second["errors"]
    assert len(second["errors"]) == 1


async def test_unusable_characters_in_variables_are_checked_on_every_request(
    gql: GraphQLClient,
) -> None:
    # given: a document whose literals are fine, its text cached
    query = fresh("query ($s: String) { partners(first: 1, filter: {search: $s}) { totalCount } }")
    await gql.raw(query, {"s": "とまこまい"})
    # when: a NUL comes in a variable
    answer = await gql.raw(query, {"s": "a\x00b"})
    # then
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["INVALID"]
    assert "$s" in answer["errors"][0]["message"]
