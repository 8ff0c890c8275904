"""The HTTP edge: /graphql over POST, GraphiQL on GET, the health check."""

from __future__ import annotations

import httpx
import pytest

from kyodo.server.app import create_app
from kyodo.server.settings import Settings


@pytest.fixture
async def client(sessionmaker):
    app = create_app(Settings(), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_post_graphql_answers_a_query(client):
    # when posting a query
    response = await client.post(
        "/graphql", json={"query": "{ collaborationForms { form label } departments { code } }"}
    )
    # then it answers with the seven forms in Japanese
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    labels = [f["label"] for f in body["data"]["collaborationForms"]]
    assert labels == [
        "共催",
        "実行委員会・協議会",
        "協定",
        "事業協力",
        "委託",
        "補助・助成",
        "後援",
    ]
    assert {"kikikanri"} <= {d["code"] for d in body["data"]["departments"]}


async def test_graphiql_is_served_outside_production(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_check_reaches_the_database(client):
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok"}


async def test_viewer_without_credentials_is_public(client):
    response = await client.post("/graphql", json={"query": "{ viewer { role name } }"})
    assert response.json()["data"]["viewer"] == {"role": "PUBLIC", "name": "anonymous"}
