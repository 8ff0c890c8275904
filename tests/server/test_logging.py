"""Logs help operators and protect people (issue 8, item 9).

- An ordinary user error (validation, FORBIDDEN, INVALID, a refused mutation) is at most
  one short INFO line, without a traceback and without the caller's input: anyone can
  send them, so they must not flood the log or copy personal data into it.
- An unexpected error is still logged in full, once, with the request id.
- SQL parameters (names, phones) never reach the log, with KYODO_SQL_ECHO or in errors.
- A client that goes away before its request is read is no application error.
- Every line has a timestamp, the level and the request id; `kyodo serve` gives
  uvicorn's own lines the same format.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.schema.context import ANONYMOUS
from kyodo.server.app import create_app
from kyodo.server.db import make_engine
from kyodo.server.logs import Formatter, RequestIdFilter, request_id
from kyodo.server.settings import Settings
from tests.conftest import ROOT, GraphQLClient, alembic_config, scratch_database

PERSONAL = "デモ 花子"
PHONE = "000-0000-0991"

LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"\[(?P<request_id>[^\]]+)\] [\w.]+: .+$"
)


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(Settings(), sessionmaker=sessionmaker))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info is not None or r.exc_text]


# ------------------------------------------------------------------ expected errors

EXPECTED = {
    "validation": (f'{{ partners(filter: {{search: "{PERSONAL}"}}) {{ nope }} }}', None),
    "FORBIDDEN": ("{ auditEvents(first: 1) { totalCount } }", None),
    "INVALID argument": ("{ partners(first: 1000) { totalCount } }", None),
    "INVALID search": (
        "query ($q: String) { partners(filter: {search: $q}) { totalCount } }",
        {"q": PERSONAL * 100},
    ),
    "refused mutation": (
        f'mutation {{ partnerCreate(input: {{kind: INDIVIDUAL, name: "{PERSONAL}"}}) '
        "{ errors { code } } }",
        None,
    ),
    "mutation with a wrong variable": (
        'mutation ($v: Int!) { partnerDelete(id: "x", expectedVersion: $v) { errors { code } } }',
        {"v": PHONE},
    ),
}


@pytest.mark.parametrize("case", list(EXPECTED))
async def test_an_ordinary_user_error_is_one_short_line_without_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    # given an anonymous caller's request that is refused for a reason of its own
    query, variables = EXPECTED[case]
    # when it is sent
    with caplog.at_level(logging.DEBUG):
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    # then it is answered, and the log has no traceback, no warning, and none of its input
    assert response.status_code == 200
    assert tracebacks(caplog) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    graphql = [r for r in caplog.records if r.name.startswith(("kyodo", "strawberry"))]
    assert len(graphql) <= 1
    assert all("\n" not in r.getMessage() for r in graphql)
    assert PERSONAL not in caplog.text and PHONE not in caplog.text


async def test_an_ordinary_error_line_names_its_code_and_field(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    # when an anonymous caller asks for the audit log
    with caplog.at_level(logging.INFO, logger="kyodo.graphql"):
        await gql.raw("{ auditEvents(first: 1) { totalCount } }", principal=ANONYMOUS)
    # then one line says what was refused, where
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "refused: FORBIDDEN at auditEvents")
    ]


# ------------------------------------------------------------------ unexpected errors


async def test_an_unexpected_error_is_logged_once_in_full_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given a read that fails in a way nobody planned, on the compiled read path (which
    # then leaves the query to Strawberry) and in the resolver
    async def broken(_session: AsyncSession) -> None:
        raise RuntimeError("nobody planned this")

    async def broken_compiled_read(_query: object) -> None:
        raise RuntimeError("nobody planned this")

    monkeypatch.setattr("kyodo.schema.reference.queries.list_departments", broken)
    monkeypatch.setattr("kyodo.domain.read.fetch.ReadQuery.run", broken_compiled_read)
    caplog.handler.addFilter(RequestIdFilter())
    # when it is called
    with caplog.at_level(logging.DEBUG):
        response = await client.post("/graphql", json={"query": "{ departments { code } }"})
    # then the traceback is logged exactly once, under the response's request id
    [record] = tracebacks(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and "nobody planned" in str(record.exc_info[1])
    assert record.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert response.headers["x-request-id"] in record.getMessage()


# ------------------------------------------------------------------ SQL parameters


async def test_sql_echo_logs_statements_without_their_parameters(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # given an engine that echoes SQL (KYODO_SQL_ECHO=true)
    engine = make_engine(database_url, echo=True)
    try:
        # when a statement carries a name and a phone number
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
            async with engine.connect() as conn:
                await conn.execute(
                    sa.text("SELECT count(*) FROM partner WHERE name = :name OR phone = :phone"),
                    {"name": PERSONAL, "phone": PHONE},
                )
    finally:
        await engine.dispose()
    # then the statement is logged, the values are not
    assert "FROM partner WHERE name = " in caplog.text
    assert PERSONAL not in caplog.text and PHONE not in caplog.text


async def test_a_database_error_message_carries_no_parameters(database_url: str) -> None:
    # given a statement that fails on a unique constraint, with a name among its values
    engine = make_engine(database_url)
    insert = sa.text("INSERT INTO department (code, name) VALUES (:code, :name)")
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(insert, {"code": "log-test-dup", "name": PERSONAL})
            # when the same key is inserted again
            with pytest.raises(sa.exc.IntegrityError) as raised:
                await conn.execute(insert, {"code": "log-test-dup", "name": PERSONAL})
            await transaction.rollback()
    finally:
        await engine.dispose()
    # then the error (what a traceback would print) names no value
    assert PERSONAL not in str(raised.value)


# ------------------------------------------------------------------ client disconnects


async def test_a_client_that_disconnects_is_no_application_error(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    # given a POST whose client goes away before its body arrives
    app = create_app(Settings(), sessionmaker=sessionmaker)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"40")],
        "server": ("test", 80),
        "client": ("192.0.2.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # when the app serves it
    with caplog.at_level(logging.DEBUG):
        await app(scope, receive, send)
    # then nothing is raised or answered (no one is listening), and it is one INFO line
    assert sent == []
    assert tracebacks(caplog) == []
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [r.getMessage() for r in caplog.records if "disconnect" in r.getMessage()] == [
        "client disconnected before its request was read"
    ]


# ------------------------------------------------------------------ the format


def test_every_line_has_a_timestamp_the_level_and_the_request_id() -> None:
    # given a handler as the service configures it
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Formatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("kyodo.test.format")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id.set("req-42")
    try:
        # when a line is logged during a request, and one outside any request
        logger.warning("during a request")
        request_id.reset(token)
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    # then both carry a timestamp, the level and the request id (or "-")
    lines = stream.getvalue().splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [m["request_id"] for m in matches if m] == ["req-42", "-"]
    assert lines[0].endswith(" WARNING [req-42] kyodo.test.format: during a request")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_kyodo_serve_logs_uvicorns_lines_in_the_same_format(tmp_path: Path) -> None:
    # given a migrated SQLite database and `kyodo serve` on a free port
    with scratch_database("sqlite", tmp_path) as url:
        command.upgrade(alembic_config(url), "head")
        port = free_port()
        environment = {**os.environ, "DATABASE_URL": url, "KYODO_PORT": str(port)}
        kyodo = Path(sys.executable).with_name("kyodo")
        server = subprocess.Popen(
            [str(kyodo), "serve"],
            cwd=ROOT,
            env=environment,
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            # when a request is served
            response = asyncio.run(_get_when_up(f"http://127.0.0.1:{port}/healthz"))
        finally:
            server.terminate()
            output = server.communicate(timeout=20)
    # then every line, uvicorn's startup and access lines included, has the format,
    # and the access line carries the response's request id
    lines = [line for line in "".join(output).splitlines() if line.strip()]
    assert lines and [line for line in lines if not LINE.match(line)] == []
    access = [line for line in lines if "GET /healthz" in line]
    assert access and f"[{response.headers['x-request-id']}] uvicorn.access" in access[0]


async def _get_when_up(url: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as http:
        while True:
            try:
                return await http.get(url)
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
