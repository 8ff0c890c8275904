"""POST /graphql reads JSON however the media type is spelled (RFC 9110 §8.3.1: the type,
the subtype and parameter names are case-insensitive), and still nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.server.app import create_app
from kyodo.server.settings import Settings

QUERY = b'{"query": "{ viewer { role } }"}'


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(Settings(), sessionmaker=sessionmaker))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize(
    "content_type",
    [
        "Application/JSON",
        "APPLICATION/JSON",
        "application/Json; Charset=UTF-8",
        'application/json ; charset="utf-8"',
        "application/json;charset=utf-8",
    ],
)
async def test_json_is_accepted_in_any_spelling_of_its_media_type(
    client: httpx.AsyncClient, content_type: str
) -> None:
    # when posting a query as JSON, with the media type spelled this way
    response = await client.post("/graphql", content=QUERY, headers={"Content-Type": content_type})
    # then it is answered
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": {"role": "PUBLIC"}}}


@pytest.mark.parametrize("content_type", ["Text/Plain", "application/jsonp", "application/json+x"])
async def test_other_media_types_are_still_refused(
    client: httpx.AsyncClient, content_type: str
) -> None:
    # when posting with a media type that is not JSON, whatever its case
    response = await client.post("/graphql", content=QUERY, headers={"Content-Type": content_type})
    # then it is refused before anything runs
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
