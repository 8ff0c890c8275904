"""The fast path of POST /graphql (server/fast_reads.py): a known query answered without
Strawberry, with the same bytes, status and headers as the normal path; anything else
goes the normal way.

The app runs as served (its own engine, so that PostgreSQL reads run in autocommit) on
a scratch database per backend, as in test_fixed_cost.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.server.db import make_engine
from tests.server.test_fixed_cost import serving, token, url

__all__ = ["token", "url"]

ORIGIN = "https://kyodo.example.jp"
PAGE = """query ($n: Int) { partners(first: $n) { totalCount edges { node {
    id name contacts { name phone } agreements { title } } } } }"""


def fresh(query: str) -> str:
    """A text this process has not seen (the document caches are per process)."""
    return f"{query}\n# {uuid.uuid4().hex}"


async def post(served: Any, body: dict[str, Any], **headers: str) -> Any:
    return await served.client.post("/graphql", json=body, headers=headers)


def same_response(first: Any, second: Any) -> None:
    assert (second.status_code, second.content) == (first.status_code, first.content)
    drop = {"x-request-id", "content-length"}
    assert {k: v for k, v in second.headers.items() if k not in drop} == {
        k: v for k, v in first.headers.items() if k not in drop
    }


async def test_a_known_query_is_answered_alike_by_both_paths(url: str, token: str) -> None:
    async with serving(url, KYODO_RESPONSE_CACHE=False, KYODO_CORS_ORIGINS=ORIGIN) as served:
        for accept in ("application/json", "application/graphql-response+json"):
            headers = {"Authorization": f"Bearer {token}", "Origin": ORIGIN, "Accept": accept}
            body = {"query": fresh(PAGE), "variables": {"n": 5}}
            # when: the first time through Strawberry, then through the fast path
            answered = served.fast_reads.answered
            first = await post(served, body, **headers)
            second = await post(served, body, **headers)
            # then
            assert served.fast_reads.answered == answered + 1
            same_response(first, second)
            assert second.headers["access-control-allow-origin"] == ORIGIN
            assert second.headers["content-type"].startswith(accept)
            assert second.headers["x-request-id"] != first.headers["x-request-id"]


async def test_an_argument_the_api_refuses_goes_the_normal_way(url: str, token: str) -> None:
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        headers = {"Authorization": f"Bearer {token}"}
        query = fresh(PAGE)
        await post(served, {"query": query, "variables": {"n": 5}}, **headers)
        answered = served.fast_reads.answered
        # when: a page larger than the API allows, twice
        first = await post(served, {"query": query, "variables": {"n": 101}}, **headers)
        second = await post(served, {"query": query, "variables": {"n": 101}}, **headers)
        # then: Strawberry's answer both times
        assert served.fast_reads.answered == answered
        same_response(first, second)
        assert first.json()["errors"][0]["extensions"]["code"] == "INVALID"


async def test_a_mutation_is_never_answered_by_the_fast_path(url: str, token: str) -> None:
    async with serving(url) as served:
        headers = {"Authorization": f"Bearer {token}"}
        create = """mutation ($name: String!) { partnerCreate(input: {kind: INDIVIDUAL,
            name: $name}) { partner { name } errors { code } } }"""
        answered = served.fast_reads.answered
        # when: the same document twice
        names = []
        for name in ("（デモ）高速経路テスト一", "（デモ）高速経路テスト二"):
            response = await post(served, {"query": create, "variables": {"name": name}}, **headers)
            names.append(response.json()["data"]["partnerCreate"]["partner"]["name"])
        # then: both written through the normal path
        assert served.fast_reads.answered == answered
        assert names == ["（デモ）高速経路テスト一", "（デモ）高速経路テスト二"]


async def test_a_cached_answer_from_the_fast_path_is_logged_for_each_request(
    url: str, token: str
) -> None:
    async with serving(url) as served:
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": fresh(PAGE), "variables": {"n": 3}}
        first = await post(served, body, **headers)
        answered, hits = served.fast_reads.answered, served.app.state.response_store.hits
        # when
        second = await post(served, body, **headers)
        # then: served from the response cache by the fast path, and logged again
        assert served.fast_reads.answered == answered + 1
        assert served.app.state.response_store.hits == hits + 1
        same_response(first, second)
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:

                async def logged(response: Any) -> int | None:
                    request_id = response.headers["x-request-id"]
                    changes = sa.cast(sa.column("changes"), sa.Text)
                    return (
                        await conn.execute(
                            sa.select(sa.func.count())
                            .select_from(AuditEvent)
                            .where(sa.column("action") == PERSONAL_DATA_READ)
                            .where(changes.contains(request_id))
                        )
                    ).scalar()

                counts = [await logged(first), await logged(second)]
        finally:
            await engine.dispose()
        assert counts[0] == counts[1] > 0


async def test_extensions_that_are_no_object_are_refused_as_before(url: str, token: str) -> None:
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        headers = {"Authorization": f"Bearer {token}"}
        query = fresh(PAGE)
        await post(served, {"query": query, "variables": {"n": 2}}, **headers)
        answered = served.fast_reads.answered
        for extensions in (0, False, []):
            # when: a known document with extensions that are no JSON object
            body = {"query": query, "variables": {"n": 2}, "extensions": extensions}
            response = await post(served, body, **headers)
            # then: refused by the normal path (GraphQL over HTTP)
            assert response.status_code == 400, extensions
            assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert served.fast_reads.answered == answered
