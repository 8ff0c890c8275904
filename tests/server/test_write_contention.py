"""Many writers at once, through the HTTP app, each request on its own connection.

Issue 8 (items 2 and 3): on SQLite, writers must queue for the write lock instead of
failing with "database is locked"; on both databases, every committed change is exactly
one version step and one audit event, whatever races it. These tests commit for real, so
each backend gets a scratch database of its own (a file for SQLite), migrated once for the
module and emptied after each test. The app builds its own engine and pool from the
settings, as in production.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth import service as tokens
from kyodo.domain.auth.models import ApiToken
from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.partners.models import Contact, Partner
from kyodo.domain.transactions import WriteLockTimeout
from kyodo.schema.node import to_global_id
from kyodo.server.app import create_app
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import Settings
from tests.conftest import BACKENDS, CHANGE_EVENTS, alembic_config, scratch_database

WRITERS = 20
UPSERTS = 4

UPDATE = """
mutation ($id: ID!, $v: Int!, $name: String!) {
  partnerUpdate(id: $id, expectedVersion: $v, input: {kind: NPO, name: $name}) {
    partner { version } errors { code }
  }
}
"""
UPSERT = """
mutation ($input: [PartnerUpsertInput!]!) {
  partnersUpsert(input: $input) { created updated unchanged errors { code field } }
}
"""
VIEWER = "{ viewer { name role } }"


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(str(request.param), Path(tmp_path_factory.mktemp("contention"))) as url:
        command.upgrade(alembic_config(url), "head")
        yield url


@pytest.fixture
async def db(url: str) -> AsyncIterator[Any]:
    """A sessionmaker of the test's own (for setting up and checking); empties the tables
    the tests write afterwards."""
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    async with engine.begin() as conn:
        for table in ("contact", "partner_field", "partner", "audit_event", "api_token"):
            await conn.execute(sa.text(f"DELETE FROM {table}"))
    await engine.dispose()


@asynccontextmanager
async def serving(url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app as `kyodo serve` builds it (its own engine and pool), lifespan included."""
    # These tests are about queueing, not the pool's wait: on a loaded machine opening
    # 30 connections at once can take longer than the 2 s default.
    settings.setdefault("KYODO_DB_POOL_TIMEOUT_MS", 4500)
    app = create_app(Settings(DATABASE_URL=url, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=120
        ) as client:
            yield client


async def issue_token(db: Any, name: str = "（デモ）連携スクリプト") -> str:
    async with db() as session:
        _, plaintext = await tokens.create_token(session, name=name, role=Role.ADMIN)
        await session.commit()
    return plaintext


async def committed_partner(db: Any, name: str = "（デモ）競合NPO", **values: Any) -> int:
    async with db() as session:
        partner = Partner(kind=PartnerKind.NPO, name=name, **values)
        session.add(partner)
        await session.commit()
    assert partner.id is not None
    return partner.id


async def post(
    client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One GraphQL request; any answer but a clean 200 with no top-level error fails."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return dict(body["data"])


def gid(pk: int) -> str:
    return str(to_global_id("Partner", pk))


async def test_writers_with_the_same_version_give_one_winner_and_conflicts_for_the_rest(
    db: Any, url: str
) -> None:
    # given a partner at version 1 and an integration token
    token = await issue_token(db)
    partner_id = await committed_partner(db)
    async with serving(url) as client:
        # when 20 callers update it at once, all from version 1
        answers = await asyncio.gather(
            *(
                post(client, token, UPDATE, {"id": gid(partner_id), "v": 1, "name": f"（デモ）{i}"})
                for i in range(WRITERS)
            )
        )
    # then exactly one wins and every other one is told VERSION_CONFLICT
    codes = sorted(
        ",".join(e["code"] for e in a["partnerUpdate"]["errors"]) or "ok" for a in answers
    )
    assert codes == ["VERSION_CONFLICT"] * (WRITERS - 1) + ["ok"]
    async with db() as session:
        stored = await session.get(Partner, partner_id)
        events = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.entity_type == "Partner",
                    AuditEvent.entity_id == str(partner_id),
                    CHANGE_EVENTS,
                )
            )
        ).scalar_one()
    assert stored is not None and stored.version == 2
    assert events == 1


async def test_overlapping_identical_upserts_all_succeed_and_create_each_partner_once(
    db: Any, url: str
) -> None:
    # given one integration payload of 20 partners, new to the database
    token = await issue_token(db)
    payload = [
        {"kind": "NPO", "name": f"（デモ）同時登録{i}", "externalId": f"overlap-{i}"}
        for i in range(20)
    ]
    async with serving(url) as client:
        # when four runs of it overlap
        answers = await asyncio.gather(
            *(post(client, token, UPSERT, {"input": payload}) for _ in range(UPSERTS))
        )
    # then every run succeeds: one created the 20, the others found them unchanged
    results = sorted(
        (a["partnersUpsert"]["created"], a["partnersUpsert"]["unchanged"]) for a in answers
    )
    assert [a["partnersUpsert"]["errors"] for a in answers] == [[]] * UPSERTS
    assert results == [(0, 20)] * (UPSERTS - 1) + [(20, 0)]
    async with db() as session:
        total = (await session.execute(sa.select(sa.func.count()).select_from(Partner))).scalar()
    assert total == 20


async def test_token_checks_during_writes_all_answer_and_stamp_their_token(
    db: Any, url: str
) -> None:
    # given a writer's token, a partner to write, and 20 tokens never used (so that each
    # one's first check writes its last_used_at)
    writer = await issue_token(db)
    readers = [await issue_token(db, f"（デモ）端末{i}") for i in range(20)]
    partner_id = await committed_partner(db)
    async with serving(url) as client:

        async def write(i: int) -> dict[str, Any]:
            row = {"kind": "NPO", "name": f"（デモ）更新{i}", "externalId": f"w-{i}"}
            return await post(client, writer, UPSERT, {"input": [row]})

        # when the readers call while writes are under way
        answers = await asyncio.gather(
            *(write(i) for i in range(10)),
            *(post(client, token, VIEWER) for token in readers),
            post(client, writer, UPDATE, {"id": gid(partner_id), "v": 1, "name": "（デモ）改"}),
        )
    # then every request got its answer (post() refuses a 500 or a top-level error)
    viewers = [a["viewer"] for a in answers if "viewer" in a]
    assert sorted(v["name"] for v in viewers) == sorted(f"（デモ）端末{i}" for i in range(20))
    # and every token's use was recorded
    async with db() as session:
        unstamped = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(ApiToken)
                .where(ApiToken.last_used_at.is_(None))  # type: ignore[union-attr]
            )
        ).scalar()
    assert unstamped == 0


async def test_upserts_racing_updates_take_one_version_step_and_one_event_per_change(
    db: Any, url: str
) -> None:
    # given a partner an integration script keeps loading, at version 1
    token = await issue_token(db)
    partner_id = await committed_partner(db, external_id="race-1")
    async with serving(url) as client:

        async def upsert(i: int) -> int:
            row = {"kind": "NPO", "name": f"（デモ）一括{i}", "externalId": "race-1"}
            answer = (await post(client, token, UPSERT, {"input": [row]}))["partnersUpsert"]
            return int(answer["updated"]) if not answer["errors"] else 0

        async def update(i: int) -> int:
            # a caller who read the partner, then saves a change on top of what it read
            read = await post(
                client,
                token,
                "query ($id: ID!) { node(id: $id) { ... on Partner { version } } }",
                {"id": gid(partner_id)},
            )
            answer = (
                await post(
                    client,
                    token,
                    UPDATE,
                    {
                        "id": gid(partner_id),
                        "v": read["node"]["version"],
                        "name": f"（デモ）個別{i}",
                    },
                )
            )["partnerUpdate"]
            return 0 if answer["errors"] else 1

        # when upserts and updates race
        changes = await asyncio.gather(*(op(i) for i in range(8) for op in (upsert, update)))
        # and afterwards a caller still holding version 1 saves
        stale = (
            await post(
                client, token, UPDATE, {"id": gid(partner_id), "v": 1, "name": "（デモ）古い版"}
            )
        )["partnerUpdate"]
    # then every committed change moved the version by exactly one step
    committed = sum(changes)
    async with db() as session:
        stored = await session.get(Partner, partner_id)
        events = list(
            (
                await session.execute(
                    sa.select(AuditEvent).where(
                        AuditEvent.action.in_(["partner.update", "partners.upsert"])  # type: ignore[attr-defined]
                    )
                )
            ).scalars()
        )
    assert stored is not None
    assert committed > 0
    assert stored.version == 1 + committed
    # and wrote exactly one audit event naming the partner
    naming = [
        e
        for e in events
        if (e.entity_type, e.entity_id) == ("Partner", str(partner_id))
        or str(partner_id) in (e.changes or {}).get("updated", {})
    ]
    assert len(naming) == committed
    # and the stale version was refused, changing nothing
    assert [e["code"] for e in stale["errors"]] == ["VERSION_CONFLICT"]
    assert stored.name != "（デモ）古い版"


CONTACTS = "query ($id: ID!) { node(id: $id) { ... on Partner { contacts { name } } } }"


async def test_queries_logging_personal_data_during_writes_all_answer_and_are_logged(
    db: Any, url: str
) -> None:
    # given a partner with a contact person, and a token already used once
    token = await issue_token(db)
    partner_id = await committed_partner(db)
    async with db() as session:
        session.add(Contact(partner_id=partner_id, name="（デモ）連絡 太郎"))
        await session.commit()
    async with serving(url) as client:
        await post(client, token, VIEWER)

        async def write(i: int) -> dict[str, Any]:
            row = {"kind": "NPO", "name": f"（デモ）書込{i}", "externalId": f"log-{i}"}
            return await post(client, token, UPSERT, {"input": [row]})

        # when ten callers read the contact (each read is logged) while writes go on
        answers = await asyncio.gather(
            *(write(i) for i in range(10)),
            *(post(client, token, CONTACTS, {"id": gid(partner_id)}) for _ in range(10)),
        )
    # then every read got the contact, and every read is in the access log
    contacts = [a["node"]["contacts"] for a in answers if "node" in a]
    assert contacts == [[{"name": "（デモ）連絡 太郎"}]] * 10
    async with db() as session:
        logged = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == PERSONAL_DATA_READ)
            )
        ).scalar()
    assert logged == 10


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another program holding SQLite's write lock (an open BEGIN IMMEDIATE)."""
    other = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def sqlite_only(url: str) -> None:
    if not url.startswith("sqlite"):
        pytest.skip("the busy timeout is SQLite's; PostgreSQL bounds waits by statement_timeout")


async def test_a_write_waiting_longer_than_the_busy_timeout_gets_timeout_and_changes_nothing(
    db: Any, url: str
) -> None:
    sqlite_only(url)
    # given a partner, a token already used once, and a server that waits 0.3 s for writes
    token = await issue_token(db)
    partner_id = await committed_partner(db)
    async with serving(url, KYODO_SQLITE_BUSY_TIMEOUT_MS=300) as client:
        await post(client, token, VIEWER)
        # when it updates the partner while another program holds the write lock
        with write_lock_held(url):
            response = await client.post(
                "/graphql",
                json={"query": UPDATE, "variables": {"id": gid(partner_id), "v": 1, "name": "x"}},
                headers={"Authorization": f"Bearer {token}"},
            )
    # then the caller is told the database was too busy, with a code (503, like every
    # TIMEOUT: the service, not the request, is at fault)
    body = response.json()
    assert response.status_code == 503
    assert body["data"] is None
    assert [(e["message"], e["extensions"]) for e in body["errors"]] == [
        (WriteLockTimeout.message, {"code": "TIMEOUT"})
    ]
    # and nothing changed
    async with db() as session:
        stored = await session.get(Partner, partner_id)
    assert stored is not None and (stored.version, stored.name) == (1, "（デモ）競合NPO")


async def test_a_token_check_answers_while_the_write_lock_is_held_elsewhere(
    db: Any, url: str
) -> None:
    sqlite_only(url)
    # given a token never used (its check would stamp last_used_at)
    token = await issue_token(db)
    async with serving(url, KYODO_SQLITE_BUSY_TIMEOUT_MS=300) as client:
        # when it is used while another program holds the write lock
        with write_lock_held(url):
            answer = await post(client, token, VIEWER)
    # then the request is answered; the use goes unrecorded this time (it is informational)
    assert answer["viewer"]["role"] == "ADMIN"
    async with db() as session:
        row = (await session.execute(sa.select(ApiToken))).scalar_one()
    assert row.last_used_at is None
