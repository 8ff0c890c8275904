"""What every request costs besides its own reads: one session, one transaction, no ping,
no SET per transaction, the personal-data log in one statement.

The app runs as served (its engine built by ``server.db.make_engine`` from the settings)
on a scratch database per backend, migrated and seeded once for the module.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth import service as tokens
from kyodo.domain.enums import Role
from kyodo.server.app import create_app, service_engine
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import Settings
from tests.conftest import BACKENDS, alembic_config, scratch_database


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(str(request.param), Path(tmp_path_factory.mktemp("fixed"))) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_seed(url))
        yield url


async def _seed(url: str) -> None:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            await load_demo_data(session)
            await session.commit()
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def token(url: str) -> str:
    async def create() -> str:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                _row, plaintext = await tokens.create_token(
                    session, name="（デモ）固定費テスト", role=Role.ADMIN
                )
                await session.commit()
                return plaintext
        finally:
            await engine.dispose()

    return asyncio.run(create())


class Served:
    """The app on an engine built as ``create_app`` builds it, with the engine at hand."""

    def __init__(self, engine: AsyncEngine, client: httpx.AsyncClient, app: Any) -> None:
        self.engine = engine
        self.client = client
        self.app = app
        self.fast_reads = app.state.fast_reads

    async def post(self, token: str | None, query: str) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200, response.text
        body = dict(response.json())
        assert "errors" not in body, body["errors"]
        return body

    @contextmanager
    def events(self) -> Iterator[dict[str, list[Any]]]:
        """Checkouts, transactions begun and statements sent while the block runs."""
        seen: dict[str, list[Any]] = {
            "checkout": [],
            "begin": [],
            "statements": [],
            "executemany": [],
        }
        sync = self.engine.sync_engine

        def checkout(*_args: Any) -> None:
            seen["checkout"].append(1)

        def begin(_connection: Any) -> None:
            seen["begin"].append(1)

        def statement(
            _conn: Any, _cursor: Any, text: str, _params: Any, _context: Any, many: bool
        ) -> None:
            seen["statements"].append(text)
            if many:  # one statement, executed once per parameter set by the server
                seen["executemany"].append(text)

        sa.event.listen(sync.pool, "checkout", checkout)
        sa.event.listen(sync, "begin", begin)
        sa.event.listen(sync, "before_cursor_execute", statement)
        try:
            yield seen
        finally:
            sa.event.remove(sync.pool, "checkout", checkout)
            sa.event.remove(sync, "begin", begin)
            sa.event.remove(sync, "before_cursor_execute", statement)


@asynccontextmanager
async def serving(url: str, **values: Any) -> AsyncIterator[Served]:
    settings = Settings(DATABASE_URL=url, **values)
    engine = service_engine(settings)
    app = create_app(settings, sessionmaker=make_sessionmaker(engine))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield Served(engine, client, app)
    finally:
        await engine.dispose()


VIEWER = "{ viewer { name } }"


async def test_a_request_with_a_token_uses_one_connection_and_one_transaction(
    url: str, token: str
) -> None:
    # given: a server that remembers no token (the lookup is then in every request)
    async with serving(url, KYODO_TOKEN_CACHE_SECONDS=0) as served:
        await served.post(token, VIEWER)  # the token's use is recorded (once a minute)
        # when
        with served.events() as seen:
            body = await served.post(token, "{ viewer { name } departments { code } }")
        # then: the token is looked up in the request's own transaction
        assert body["data"]["viewer"]["name"] == "（デモ）固定費テスト"
        assert (len(seen["checkout"]), len(seen["begin"])) == (1, 1)
        assert any("api_token" in s for s in seen["statements"])


async def test_a_revoked_token_is_refused_at_the_next_request(url: str) -> None:
    # given: a token in use
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            row, plaintext = await tokens.create_token(
                session, name="（デモ）失効テスト", role=Role.STAFF, department_code="kikikanri"
            )
            await session.commit()
        async with serving(url, KYODO_TOKEN_CACHE_SECONDS=0) as served:
            await served.post(plaintext, VIEWER)
            # when: it is revoked (by the CLI, another process)
            async with make_sessionmaker(engine)() as session:
                await tokens.revoke_token(session, token_id=row.id)
                await session.commit()
            response = await served.client.post(
                "/graphql",
                json={"query": VIEWER},
                headers={"Authorization": f"Bearer {plaintext}"},
            )
        # then: nothing remembered it
        assert response.status_code == 401
    finally:
        await engine.dispose()


async def test_no_statement_is_spent_on_pings_or_settings(url: str, token: str) -> None:
    # (the response cache, which reads the data version first, is measured elsewhere)
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        await served.post(token, VIEWER)
        # when
        with served.events() as seen:
            await served.post(None, "{ departments { code } }")
        # then: the request's own read only (no SET LOCAL, no SELECT 1; SQLite's BEGIN
        # is a statement of its own)
        sent = [s.split()[0] for s in seen["statements"] if s != "BEGIN"]
        assert sent == ["SELECT"]
        assert served.engine.sync_engine.pool._pre_ping is False


async def test_the_statement_timeout_is_a_setting_of_each_connection(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("statement_timeout is a PostgreSQL setting")
    settings = {"KYODO_STATEMENT_TIMEOUT_MS": 1234, "KYODO_DB_POOL_TIMEOUT_MS": 500}
    async with serving(url, **settings) as served, served.engine.connect() as conn:
        # then: set when the connection opened, in force in every transaction
        assert (await conn.execute(sa.text("SHOW statement_timeout"))).scalar() == "1234ms"
        await conn.rollback()
        assert (await conn.execute(sa.text("SHOW statement_timeout"))).scalar() == "1234ms"


async def test_jit_compilation_is_off_on_each_connection_unless_asked_for(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("jit is a PostgreSQL setting")
    async with serving(url) as served, served.engine.connect() as conn:
        # then: off from the moment the connection opened (no SET per transaction)
        assert (await conn.execute(sa.text("SHOW jit"))).scalar() == "off"
    async with (
        server_default_jit(url) as default,
        serving(url, KYODO_POSTGRES_JIT=True) as served,
        served.engine.connect() as conn,
    ):
        # then: the server's own setting, whatever it is
        assert (await conn.execute(sa.text("SHOW jit"))).scalar() == default


@asynccontextmanager
async def server_default_jit(url: str) -> AsyncIterator[str]:
    """The database server's own ``jit`` setting (a connection that sends none)."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        yield await connection.fetchval("SHOW jit")
    finally:
        await connection.close()


async def test_connections_the_server_closed_are_replaced_without_an_error(
    url: str, token: str
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("the server closes connections on PostgreSQL only")
    async with serving(url) as served:
        # given: pooled connections, then closed by the server (a restart, an admin)
        await asyncio.gather(*(served.post(token, VIEWER) for _ in range(3)))
        database = sa.engine.make_url(url).database
        admin = make_engine(url)
        try:
            async with admin.connect() as conn:
                await conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": database},
                )
        finally:
            await admin.dispose()
        await asyncio.sleep(0.2)  # the sockets' ends arrive
        # when / then: every request is answered
        for _ in range(3):
            await served.post(token, VIEWER)


PERSONAL_PAGE = "{ partners(first: 100) { edges { node { name contacts { name phone } } } } }"


async def test_the_access_log_of_a_page_is_one_statement(url: str, token: str) -> None:
    async with serving(url) as served:
        await served.post(token, VIEWER)
        # when: a page with the contacts of many partners
        with served.events() as seen:
            body = await served.post(token, PERSONAL_PAGE)
        # then: one INSERT, executed once, one entry per partner read
        inserts = [s for s in seen["statements"] if s.startswith("INSERT INTO audit_event")]
        read = [e for e in body["data"]["partners"]["edges"] if e["node"]["contacts"]]
        assert len(read) > 10
        assert len(inserts) == 1
        assert seen["executemany"] == []
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                entries = (
                    await conn.execute(
                        sa.select(sa.func.count())
                        .select_from(AuditEvent)
                        .where(sa.column("action") == PERSONAL_DATA_READ)
                        .where(sa.column("actor") == "（デモ）固定費テスト")
                    )
                ).scalar()
        finally:
            await engine.dispose()
        assert entries is not None and entries >= len(read)


async def test_a_known_query_is_its_read_and_its_log_only(url: str, token: str) -> None:
    # given: the token known to the server (KYODO_TOKEN_CACHE_SECONDS), the document
    # already seen once (parsed, validated, planned), the response cache off
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        first = await served.post(token, PERSONAL_PAGE)
        answered = served.fast_reads.answered
        # when
        with served.events() as seen:
            again = await served.post(token, PERSONAL_PAGE)
        # then: the fast path answered the same, with the read and the access log's one
        # INSERT (on PostgreSQL in autocommit: the kit's pg_stat_statements count shows no
        # BEGIN and no COMMIT; SQLAlchemy's events still see a "begin")
        assert again == first
        assert served.fast_reads.answered == answered + 1
        sent = [s.split()[0] for s in seen["statements"]]
        if url.startswith("postgresql"):
            assert sent == ["SELECT", "INSERT"]
        else:
            assert [s for s in sent if s not in ("BEGIN", "COMMIT")] == ["SELECT", "INSERT"]
