"""The response cache (schema/response_cache.py) with two app instances on one database.

Each instance is an app as `kyodo serve` builds it (its own engine, pool and cache) on a
scratch database per backend: a PostgreSQL database, or one SQLite file. A change
committed through one instance, or by a command beside them, must be seen at once by the
other; a cached answer must never reach a caller it was not made for; personal data
served from the cache is logged like any other read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from starlette.applications import Starlette

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth import service as tokens
from kyodo.domain.data_version import current_data_version
from kyodo.domain.enums import Role
from kyodo.domain.partners.models import Partner
from kyodo.schema.node import to_global_id
from kyodo.schema.response_cache import ResponseStore
from kyodo.server.app import create_app
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import Settings
from tests.conftest import BACKENDS, alembic_config, scratch_database


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(str(request.param), Path(tmp_path_factory.mktemp("cache"))) as url:
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


@pytest.fixture
async def db(url: str) -> AsyncIterator[Any]:
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def issue(db: Any, name: str, role: Role = Role.ADMIN, department: str | None = None) -> str:
    async with db() as session:
        _row, plaintext = await tokens.create_token(
            session, name=name, role=role, department_code=department
        )
        await session.commit()
    return plaintext


class Instance:
    def __init__(self, app: Starlette, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    @property
    def store(self) -> ResponseStore:
        store = self.app.state.response_store
        assert isinstance(store, ResponseStore)
        return store

    async def post(
        self, token: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text
        return response

    async def data(
        self, token: str | None, query: str, variables: dict[str, Any] | None = None
    ) -> Any:
        return (await self.post(token, query, variables)).json()["data"]


@asynccontextmanager
async def instance(url: str, **settings: Any) -> AsyncIterator[Instance]:
    app = create_app(Settings(DATABASE_URL=url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Instance(app, client)


@asynccontextmanager
async def two_instances(url: str) -> AsyncIterator[tuple[Instance, Instance]]:
    async with instance(url) as a, instance(url) as b:
        yield a, b


async def a_partner(db: Any) -> Partner:
    async with db() as session:
        partner = (
            (
                await session.execute(
                    sa.select(Partner).where(Partner.kind == "NPO").order_by(Partner.id)
                )
            )
            .scalars()
            .first()
        )
    assert partner is not None and partner.id is not None
    return partner


PARTNER = """query ($id: ID!) { node(id: $id) { ... on Partner { name version } } }"""
RENAME = """mutation ($id: ID!, $v: Int!, $name: String!) {
  partnerUpdate(id: $id, expectedVersion: $v, input: {kind: NPO, name: $name}) {
    partner { version } errors { code } } }"""


async def test_a_repeated_read_is_answered_from_the_cache(url: str, db: Any) -> None:
    # given
    token = await issue(db, "（デモ）キャッシュ1", Role.STAFF, "kikikanri")
    async with instance(url) as a:
        query = "{ departments { code name } partners(first: 5) { totalCount } }"
        first = await a.data(token, query)
        hits = a.store.hits
        # when
        second = await a.data(token, query)
    # then
    assert second == first
    assert a.store.hits == hits + 1


async def test_a_mutation_through_one_instance_is_seen_by_the_other_at_once(
    url: str, db: Any
) -> None:
    # given: B has the partner's name cached
    token = await issue(db, "（デモ）キャッシュ2", Role.STAFF, "kikikanri")
    partner = await a_partner(db)
    gid = str(to_global_id("Partner", partner.id))
    async with two_instances(url) as (a, b):
        before = (await b.data(token, PARTNER, {"id": gid}))["node"]
        assert (await b.data(token, PARTNER, {"id": gid}))["node"] == before
        hits = b.store.hits
        # when: A renames it
        renamed = await a.data(
            token, RENAME, {"id": gid, "v": before["version"], "name": "（デモ）改名後"}
        )
        assert renamed["partnerUpdate"]["errors"] == []
        # then: B answers with the new name, not from its cache
        after = (await b.data(token, PARTNER, {"id": gid}))["node"]
    assert after == {"name": "（デモ）改名後", "version": before["version"] + 1}
    assert b.store.hits == hits


async def test_a_change_committed_beside_the_instances_is_seen_at_once(url: str, db: Any) -> None:
    # given: a cached search
    token = await issue(db, "（デモ）キャッシュ3")
    query = '{ partners(first: 100, filter: {search: "（デモ）CLIで追加"}) { totalCount } }'
    async with instance(url) as a:
        assert (await a.data(token, query))["partners"]["totalCount"] == 0
        await a.data(token, query)
        # when: a command (as `kyodo import partners` does) adds a partner
        from kyodo.domain.enums import PartnerKind
        from kyodo.domain.partners.commands import PartnerData, upsert_partners

        async with db() as session:
            await upsert_partners(
                session,
                rows=[
                    PartnerData(
                        kind=PartnerKind.NPO, name="（デモ）CLIで追加", external_id="cache-cli-1"
                    )
                ],
                dry_run=False,
                actor="cli:test",
            )
            await session.commit()
        # then
        assert (await a.data(token, query))["partners"]["totalCount"] == 1


async def test_every_committed_mutation_moves_the_data_version(url: str, db: Any) -> None:
    token = await issue(db, "（デモ）キャッシュ4")
    partner = await a_partner(db)
    gid = str(to_global_id("Partner", partner.id))
    async with db() as session:
        before = await current_data_version(session)
    async with instance(url) as a:
        node = (await a.data(token, PARTNER, {"id": gid}))["node"]
        await a.data(token, RENAME, {"id": gid, "v": node["version"], "name": "（デモ）二度目"})
        # a refused one changes nothing
        refused = await a.data(token, RENAME, {"id": gid, "v": 1, "name": "（デモ）古い版"})
        assert [e["code"] for e in refused["partnerUpdate"]["errors"]] == ["VERSION_CONFLICT"]
    async with db() as session:
        after = await current_data_version(session)
    assert after == before + 1


CONTACTS = "{ partners(first: 100) { edges { node { name contacts { name phone } } } } }"


async def test_personal_data_served_from_the_cache_is_logged_again(url: str, db: Any) -> None:
    # given
    token = await issue(db, "（デモ）危機管理室 キャッシュ", Role.DISASTER_OFFICE)
    async with instance(url) as a:
        first = await a.post(token, CONTACTS)
        hits = a.store.hits
        # when
        second = await a.post(token, CONTACTS)
        assert a.store.hits == hits + 1
    # then: the same entries, once per request, each with its own request id
    async with db() as session:
        rows = (
            await session.execute(
                sa.select(AuditEvent).where(
                    AuditEvent.action == PERSONAL_DATA_READ,
                    AuditEvent.actor == "（デモ）危機管理室 キャッシュ",
                )
            )
        ).scalars()
        by_request: dict[str, set[tuple[str, str, tuple[str, ...]]]] = {}
        for row in rows:
            assert row.changes is not None
            by_request.setdefault(row.changes["requestId"], set()).add(
                (row.entity_type, row.entity_id, tuple(row.changes["fields"]))
            )
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert sorted(by_request) == sorted(ids)
    assert by_request[ids[0]] == by_request[ids[1]]
    assert len(by_request[ids[0]]) > 10


async def test_an_answer_is_never_served_to_another_role(url: str, db: Any) -> None:
    # given: ADMIN's count includes individual volunteers, the public's does not
    token = await issue(db, "（デモ）管理者 キャッシュ")
    query = "{ partners { totalCount } }"
    async with instance(url) as a:
        admin = await a.data(token, query)
        await a.data(token, query)
        # when
        public = await a.data(None, query)
    # then
    assert public["partners"]["totalCount"] < admin["partners"]["totalCount"]


async def test_an_answer_is_never_served_to_another_department_or_token(url: str, db: Any) -> None:
    # given: two STAFF tokens of the same name in two departments, and a third token
    one = await issue(db, "（デモ）職員", Role.STAFF, "kikikanri")
    other = await issue(db, "（デモ）職員", Role.STAFF, "machizukuri")
    third = await issue(db, "（デモ）別の職員", Role.STAFF, "kikikanri")
    query = "{ viewer { name departmentCode } }"
    async with instance(url) as a:
        await a.data(one, query)
        await a.data(one, query)
        # when
        answers = [await a.data(t, query) for t in (one, other, third)]
    # then
    assert [a["viewer"] for a in answers] == [
        {"name": "（デモ）職員", "departmentCode": "kikikanri"},
        {"name": "（デモ）職員", "departmentCode": "machizukuri"},
        {"name": "（デモ）別の職員", "departmentCode": "kikikanri"},
    ]


async def test_the_audit_log_is_never_answered_from_the_cache(url: str, db: Any) -> None:
    # given: an ADMIN who reads the access log, then reads personal data
    token = await issue(db, "（デモ）監査 キャッシュ")
    query = "{ auditEvents(first: 1) { totalCount } }"
    async with instance(url) as a:
        before = (await a.data(token, query))["auditEvents"]["totalCount"]
        await a.data(token, CONTACTS)  # logged, without moving the data version
        # when
        after = (await a.data(token, query))["auditEvents"]["totalCount"]
    # then
    assert after > before


async def test_an_admin_asking_a_node_by_id_is_cached_unless_it_is_an_audit_event(
    url: str, db: Any
) -> None:
    # given
    token = await issue(db, "（デモ）管理者 ノード")
    partner = await a_partner(db)
    partner_id = str(to_global_id("Partner", partner.id))
    event_id = str(to_global_id("AuditEvent", 10**9))
    async with instance(url) as a:
        for _ in range(2):
            await a.data(token, PARTNER, {"id": partner_id})
        hits = a.store.hits
        # when: an audit event that may be written any moment (by the access log)
        for _ in range(2):
            assert (await a.data(token, PARTNER, {"id": event_id}))["node"] is None
        # then: a partner comes from the cache, an audit event never
        assert hits >= 1
        assert a.store.hits == hits


@pytest.mark.parametrize("token_cache_seconds", [0, 5])
async def test_a_repeated_read_with_a_token_is_one_statement(
    url: str, db: Any, token_cache_seconds: int
) -> None:
    # given: an answer without personal data, cached
    token = await issue(db, "（デモ）キャッシュ 往復")
    query = "{ departments { code name } }"
    settings = Settings(DATABASE_URL=url, KYODO_TOKEN_CACHE_SECONDS=token_cache_seconds)
    engine = make_engine(url, **settings.engine_options())
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    app = create_app(settings, sessionmaker=make_sessionmaker(engine))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                served = Instance(app, client)
                await served.data(token, query)
                await served.data(token, query)
                hits = served.store.hits
                sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
                # when
                await served.data(token, query)
                sa.event.remove(engine.sync_engine, "before_cursor_execute", record)
                # then
                assert served.store.hits == hits + 1
    finally:
        await engine.dispose()
    queries = [s for s in sent if s != "BEGIN"]
    assert len(queries) == 1
    assert "data_version" in queries[0]
    # the token lookup carries the data version; a remembered token needs none
    assert ("api_token" in queries[0]) is (token_cache_seconds == 0)


async def test_the_cache_can_be_turned_off(url: str, db: Any) -> None:
    token = await issue(db, "（デモ）キャッシュなし")
    async with instance(url, KYODO_RESPONSE_CACHE=False) as a:
        await a.data(token, "{ departments { code } }")
        assert a.app.state.response_store is None
