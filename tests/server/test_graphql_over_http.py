"""GraphQL over HTTP: media types, the status of request errors, codes on every refusal
(server/graphql_http.py). The graphql-http audit itself runs in test_graphql_http_audit.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kyodo.server.app import create_app
from kyodo.server.graphql_http import GRAPHQL_RESPONSE_JSON, JSON, response_media_type
from kyodo.server.settings import Settings

RESPONSE_JSON = {"Accept": GRAPHQL_RESPONSE_JSON}
PLAIN_JSON = {"Accept": JSON}


@pytest.fixture
async def client(sessionmaker):
    app = create_app(Settings(), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    [error] = body["errors"]
    return error


# ---------------------------------------------------------------- which media type


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/*", JSON),
        ("text/html", JSON),  # accepts neither: the default
        ("garbage;;q=x", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("Application/GraphQL-Response+JSON", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json;q=0.5", JSON),
        ("application/graphql-response+json;q=0, */*", JSON),
    ],
)
def test_the_answer_is_in_the_media_type_the_client_prefers(
    accept: str | None, expected: str
) -> None:
    assert response_media_type(accept) == expected


async def test_a_query_answers_in_graphql_response_json_when_asked(client) -> None:
    # when
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers=RESPONSE_JSON
    )
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert response.json() == {"data": {"viewer": {"role": "PUBLIC"}}}


async def test_without_accept_the_answer_is_application_json(client) -> None:
    response = await client.post("/graphql", json={"query": "{ viewer { role } }"})
    assert response.headers["content-type"] == JSON


# ---------------------------------------------------------------- request errors


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ viewer { role "}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {"query": "query ($n: Int!) { partners(first: $n) { totalCount } }"},
            "BAD_USER_INPUT",
        ),
        (
            {
                "query": "query ($n: Int!) { partners(first: $n) { totalCount } }",
                "variables": {"n": "zwanzig"},
            },
            "BAD_USER_INPUT",
        ),
        (
            {"query": "{ viewer { role } }", "operationName": "Missing"},
            "OPERATION_RESOLUTION_FAILURE",
        ),
    ],
)
async def test_a_request_error_is_400_without_data_in_graphql_response_json(
    client, body: dict[str, Any], code: str
) -> None:
    # when
    response = await client.post("/graphql", json=body, headers=RESPONSE_JSON)
    # then
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert "data" not in response.json()
    assert only_error(response)["extensions"]["code"] == code


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ viewer { role "}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {"query": "{ viewer { role } }", "operationName": "Missing"},
            "OPERATION_RESOLUTION_FAILURE",
        ),
    ],
)
async def test_a_request_error_stays_200_in_application_json(
    client, body: dict[str, Any], code: str
) -> None:
    # when
    response = await client.post("/graphql", json=body, headers=PLAIN_JSON)
    # then: as the spec asks of application/json; still no data entry
    assert response.status_code == 200
    assert "data" not in response.json()
    assert only_error(response)["extensions"]["code"] == code


async def test_a_refusal_by_a_limit_is_a_request_error(client) -> None:
    # given a query an anonymous caller may not afford (README: refused from first: 37)
    query = "{ agreements(first: 40) { edges { node { title parties { name } } } } }"
    # when
    response = await client.post("/graphql", json={"query": query}, headers=RESPONSE_JSON)
    # then
    assert response.status_code == 400
    assert "data" not in response.json()
    assert only_error(response)["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_field_error_is_no_request_error(client) -> None:
    # when: the public asks for what it may not read
    response = await client.post(
        "/graphql",
        json={"query": "{ auditEvents(first: 1) { totalCount } }"},
        headers=RESPONSE_JSON,
    )
    # then: the operation ran; its data entry is there (null), and the status is 200
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert only_error(response)["extensions"]["code"] == "FORBIDDEN"


# ---------------------------------------------------------------- refusals as JSON


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{}", 400, "BAD_REQUEST"),
        (b'{"query": ""}', 400, "BAD_REQUEST"),
        (b'{"query": 5}', 400, "BAD_REQUEST"),
        (b'{"query": "{ viewer { role } }", "variables": []}', 400, "BAD_REQUEST"),
        (b'{"query": "{ viewer { role } }", "operationName": 5}', 400, "BAD_REQUEST"),
        (b"{not json", 400, "BAD_REQUEST"),
        (b'[{"query": "{ viewer { role } }"}]', 400, "BATCHING_NOT_SUPPORTED"),
    ],
)
async def test_strawberrys_refusals_are_json_with_a_code_and_japanese(
    client, content: bytes, status: int, code: str
) -> None:
    # when
    response = await client.post(
        "/graphql", content=content, headers={"Content-Type": "application/json"}
    )
    # then
    assert response.status_code == status
    assert response.headers["content-type"] == JSON
    error = only_error(response)
    assert error["extensions"]["code"] == code
    assert any("\u3040" <= ch <= "\u30ff" for ch in error["message"]), error


async def test_a_refusal_answers_in_graphql_response_json_when_asked(client) -> None:
    response = await client.post(
        "/graphql", content=b"{}", headers={**RESPONSE_JSON, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON


async def test_an_unknown_persisted_query_is_refused_with_its_code(client) -> None:
    # given a request naming a document by hash only (Apollo's persisted queries)
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}}
    # when
    response = await client.post("/graphql", json=body)
    # then: a GraphQL error the client can act on (send the document itself)
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "登録されていない" in error["message"]


async def test_an_unknown_persisted_query_is_400_in_graphql_response_json(client) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "cd" * 32}}}
    response = await client.post("/graphql", json=body, headers=RESPONSE_JSON)
    assert response.status_code == 400
    assert "data" not in response.json()
    assert only_error(response)["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize("query", ["{ viewer { role } }", "mutation { __typename }"])
async def test_operations_over_get_are_405_in_json(client, query: str) -> None:
    # when
    response = await client.get("/graphql", params={"query": query}, headers=RESPONSE_JSON)
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_JSON
    assert only_error(response)["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_other_methods_are_refused_in_json(client) -> None:
    response = await client.put("/graphql", json={"query": "{ viewer { role } }"})
    assert response.status_code == 405
    assert only_error(response)["extensions"]["code"] == "METHOD_NOT_ALLOWED"
