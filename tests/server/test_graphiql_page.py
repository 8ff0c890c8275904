"""The GraphiQL page and its files as served (server/graphiql.py); the browser test is
test_graphiql_browser.py."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from kyodo.server.app import create_app
from kyodo.server.graphiql import GraphiQLPage
from kyodo.server.graphiql_assets import ASSETS
from kyodo.server.settings import Settings
from tests.server.hardening.support import production

HTML = {"Accept": "text/html"}


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(sessionmaker):
    async with client_for(create_app(Settings(), sessionmaker=sessionmaker)) as client:
        yield client


async def test_the_page_loads_nothing_from_another_host(client) -> None:
    # when
    response = await client.get("/graphql", headers=HTML)
    # then every script and style sheet is one of ours, and the CSP allows nothing else
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(s.startswith("/graphiql/") or s == "data:," for s in sources)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "connect-src 'self'" in csp
    assert "script-src 'self' 'sha256-" in csp


async def test_every_file_of_the_page_is_served_as_pinned(client) -> None:
    # given the files the page names, with their integrity attributes
    page = (await client.get("/graphql", headers=HTML)).text
    tags = re.findall(r'(?:src|href)="/graphiql/([^"]+)" integrity="([^"]+)"', page)
    assert {name for name, _ in tags} == set(ASSETS)
    for name, integrity in tags:
        # when fetching each
        response = await client.get(f"/graphiql/{name}")
        # then it is there, and its bytes are those the page expects
        assert response.status_code == 200, name
        digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert integrity == f"sha384-{digest}", name


async def test_headers_are_not_persisted(client) -> None:
    page = (await client.get("/graphql", headers=HTML)).text
    assert "shouldPersistHeaders: false" in page
    assert "storage: storage" in page


async def test_only_the_pinned_files_are_served(client) -> None:
    for path in ("/graphiql/../app.py", "/graphiql/app.py", "/graphiql/"):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_production_serves_no_graphiql(sessionmaker) -> None:
    # given a production app
    settings = production()
    async with client_for(create_app(settings, sessionmaker=sessionmaker)) as client:
        # when
        page = await client.get("/graphql", headers=HTML)
        asset = await client.get("/graphiql/graphiql.min.js")
    # then
    assert page.status_code == 404
    assert page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert asset.status_code == 404


def test_without_its_files_the_page_says_how_to_install_them(tmp_path) -> None:
    # given GraphiQL's files missing (installed without make install)
    page = GraphiQLPage(assets_dir=tmp_path)
    # when
    response = page.response()
    # then a page that says what to run, instead of "Loading..." forever
    assert response.status_code == 503
    assert "make install" in response.body.decode()
