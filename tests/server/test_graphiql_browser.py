"""GraphiQL in a real headless Chromium with the network off: every file it needs comes
from ``kyodo serve`` itself (server/graphiql.py), so it works on a closed city network.

Chromium resolves no host but 127.0.0.1 (``--host-resolver-rules``), and every request
the page makes is recorded: a file still fetched from a CDN would fail to load and show
in the record. Needs Debian's chromium (``apt-get install -y chromium fonts-noto-cjk``):
skipped without it locally, failed in CI. The screenshot is written to the test's
temporary folder, or to ``$KYODO_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from alembic import command

from tests.conftest import _load_demo, alembic_config, scratch_database
from tests.live.browser import Page, chromium_page, require_chromium
from tests.live.server import ROOT, LiveServer, live_server

README_QUERY = re.search(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
FIRST_QUERY = README_QUERY.group(1) if README_QUERY else ""

RESULT = "document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue()"
EDITOR_READY = "!!document.querySelector('.graphiql-execute-button')"


@dataclass
class Session:
    server: LiveServer
    page: Page
    token: str
    shots: Path


async def _admin_token(url: str) -> str:
    from kyodo.domain.auth import service as tokens
    from kyodo.domain.enums import Role
    from kyodo.server.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            _row, plaintext = await tokens.create_token(
                session, name="GraphiQL test", role=Role.ADMIN, department_code=None,
                expires_at=None,
            )  # fmt: skip
            await session.commit()
            return plaintext
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def graphiql(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Session]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("graphiql")
    shots = Path(os.environ.get("KYODO_SCREENSHOTS") or tmp)
    await asyncio.to_thread(shots.mkdir, parents=True, exist_ok=True)
    with scratch_database("sqlite", tmp) as url:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        await _load_demo(url)
        token = await _admin_token(url)
        with live_server(url) as server:
            async with chromium_page(tmp / "profile") as page:
                yield Session(server, page, token, shots)


async def open_graphiql(session: Session, query: str) -> Page:
    page = session.page
    await page.goto(f"{session.server.graphql}?q={quote(query)}")
    await page.wait_for(EDITOR_READY)
    return page


async def run_query(page: Page) -> dict:
    # A response restored from the last visit must not pass for this one.
    await page.evaluate(
        "document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.setValue('')"
    )
    await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
    text = await page.wait_for(
        f"(() => {{ const v = {RESULT}; return v && v.trim() ? v : ''; }})()"
    )
    return json.loads(text)


async def test_the_readmes_first_query_runs_and_shows_reiwa_4(graphiql: Session) -> None:
    # given GraphiQL opened on the README's first query, with no network beyond this machine
    assert "collaborations" in FIRST_QUERY
    page = await open_graphiql(graphiql, FIRST_QUERY)
    # when running it
    result = await run_query(page)
    shot = await page.screenshot(graphiql.shots / "graphiql-first-query.png")
    # then the public's collaborations of 令和4年度 are shown
    labels = [e["node"]["fiscalYearLabel"] for e in result["data"]["collaborations"]["edges"]]
    assert "令和4年度" in labels
    assert "令和4年度" in await page.evaluate(RESULT)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000


async def test_every_file_came_from_the_server_itself(graphiql: Session) -> None:
    # given the page loaded and a query run (the previous test, or now)
    page = await open_graphiql(graphiql, FIRST_QUERY)
    await run_query(page)
    # then every request went to kyodo serve, and nothing failed to load or run
    hosts = {urlsplit(r["url"]).netloc for r in page.requests if r["url"].startswith("http")}
    assert hosts == {urlsplit(graphiql.server.url).netloc}
    assert {r["url"].rsplit("/", 1)[-1] for r in page.requests} >= {
        "graphiql.min.js",
        "react.production.min.js",
        "react-dom.production.min.js",
        "plugin-explorer.umd.js",
    }
    assert page.problems == []


async def test_a_token_in_the_headers_tab_is_used_but_not_kept(graphiql: Session) -> None:
    # given GraphiQL with an ADMIN token typed into its Headers tab
    page = await open_graphiql(graphiql, "{ viewer { role } }")
    headers = json.dumps({"Authorization": f"Bearer {graphiql.token}"})
    await page.evaluate(
        "[...document.querySelectorAll('.graphiql-editor-tools button')]"
        ".find(b => b.textContent.trim() === 'Headers').click()"
    )
    editor = await page.wait_for(
        "(() => { const e = [...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')]"
        ".find(e => !e.classList.contains('hidden')); return e ? 1 : 0; })()"
    )
    assert editor
    await page.evaluate(
        "[...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor')]"
        ".find(e => !e.classList.contains('hidden'))"
        f".querySelector('.CodeMirror').CodeMirror.setValue({json.dumps(headers)})"
    )
    # when running a query
    result = await run_query(page)
    # then the server saw the token
    assert result == {"data": {"viewer": {"role": "ADMIN"}}}
    # and the browser kept it nowhere: not in localStorage, not in the address
    stored = await page.evaluate("JSON.stringify(Object.entries(window.localStorage))")
    assert "graphiql:" in stored  # GraphiQL keeps its tabs there, just not the headers
    assert graphiql.token not in stored, stored
    assert graphiql.token not in await page.evaluate("window.location.href")
    # and after a reload the headers are gone
    page = await open_graphiql(graphiql, "{ viewer { role } }")
    assert await run_query(page) == {"data": {"viewer": {"role": "PUBLIC"}}}
