"""The fast path's personal-data log (server/fast_reads.py): on PostgreSQL in autocommit
its one INSERT commits without waiting for the WAL flush unless the operator asks for it
(KYODO_ACCESS_LOG_WAIT_FOR_FLUSH); the entries are the same either way, and the setting
lasts for that statement only.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.read.raw import NotRaw, RawPostgreSQL
from kyodo.server import fast_reads
from tests.server.test_fast_reads import fresh, post
from tests.server.test_fixed_cost import serving, token, url

__all__ = ["token", "url"]

ONE = """query { node(id: "UGFydG5lcjo1") { ... on Partner { id name
    contacts { name phone } } } }"""


async def _entries(served: Any, request_id: str) -> list[tuple[str, str, str]]:
    async with served.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.changes)
            .where(AuditEvent.action == PERSONAL_DATA_READ)
            .where(sa.cast(AuditEvent.changes, sa.Text).contains(request_id))
            .order_by(AuditEvent.entity_type, AuditEvent.entity_id)
        )
        return [(t, i, str(sorted(c["fields"]))) for t, i, c in rows]


async def _fast_read(served: Any, token: str, query: str) -> tuple[Any, list[str]]:
    headers = {"Authorization": f"Bearer {token}"}
    await post(served, {"query": query}, **headers)  # through Strawberry: now known
    answered = served.fast_reads.answered
    with served.events() as seen:
        response = await post(served, {"query": query}, **headers)
    assert served.fast_reads.answered == answered + 1
    assert response.status_code == 200, response.text
    inserts = [s for s in seen["statements"] if s.lstrip().upper().startswith("INSERT")]
    return response, inserts


async def test_the_fast_paths_log_skips_the_flush_wait_in_autocommit_only(
    url: str, token: str
) -> None:
    postgresql = url.startswith("postgresql")
    entries = []
    for wait in (False, True):
        async with serving(
            url,
            KYODO_RESPONSE_CACHE=False,
            KYODO_ACCESS_LOG_WAIT_FOR_FLUSH=wait,
            # One connection: the one the request used is the one looked at after.
            KYODO_DB_POOL_SIZE=1,
            KYODO_DB_MAX_OVERFLOW=0,
        ) as served:
            # when: the same known query through the fast path
            query = fresh(ONE)
            response, inserts = await _fast_read(served, token, query)
            # then: one INSERT, committing lazily only on PostgreSQL and when allowed
            assert len(inserts) == 1
            assert ("synchronous_commit" in inserts[0]) == (postgresql and not wait)
            entries.append(await _entries(served, response.headers["x-request-id"]))
            if postgresql:
                # The setting was the statement's own: the pooled connection is as it was.
                async with served.engine.connect() as conn:
                    setting = (await conn.execute(sa.text("SHOW synchronous_commit"))).scalar()
                assert setting == "on"
    # and: the same entries (type, record, fields) either way
    assert entries[0] == entries[1]
    assert entries[0] == [("Partner", "5", "['contacts']")]


BENCH_SHAPES = {
    "list": """{ partners(first: 20) { totalCount edges { node { id name kind district phone
        contacts { name role phone email } fields { code name }
        agreements { id title concludedOn effectiveFrom effectiveUntil } } } } }""",
    "one": ONE,
    "deep": """{ partners(first: 10) { edges { node { id name fields { code name group }
        agreements { id title category status concludedOn
          parties { id name agreements { id title category status concludedOn } } } } } } }""",
    "disaster": """{ disasterSupport(categories: [SUPPLIES], on: "2022-03-10") {
        partner { id name phone } agreement { id title } emergencyContacts { name phone } } }""",
}


async def test_on_postgresql_the_fast_path_sends_its_statements_on_asyncpg_itself(
    url: str, token: str
) -> None:
    postgresql = url.startswith("postgresql")
    headers = {"Authorization": f"Bearer {token}"}
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        for name, text in BENCH_SHAPES.items():
            query = fresh(text)
            normal = await post(served, {"query": query}, **headers)
            # when: through the fast path, straight to asyncpg (nothing listens)...
            answered, sent = served.fast_reads.answered, RawPostgreSQL.sent
            raw = await post(served, {"query": query}, **headers)
            raw_sent = RawPostgreSQL.sent - sent
            # ...and through the session (a listener on the engine turns the raw way off)
            with served.events() as seen:
                through_session = await post(served, {"query": query}, **headers)
            # then: the same answer all three ways, the fast path answering twice
            assert served.fast_reads.answered == answered + 2, name
            assert raw.status_code == normal.status_code == 200, name
            assert raw.content == through_session.content == normal.content, name
            assert "errors" not in raw.json(), name
            # the read, and the log when personal data was read, on asyncpg on PostgreSQL
            personal = name != "deep"
            assert raw_sent == ((1 + personal) if postgresql else 0), name
            sent_there = [s for s in seen["statements"] if s.split()[0].upper() != "BEGIN"]
            # (the disaster lookup too: its in-force candidates are read along)
            assert len(sent_there) == 1 + personal, name


async def test_a_repeated_read_is_compiled_once_and_answers_the_same(
    url: str, token: str, monkeypatch: Any
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("SQLite reads through the session: nothing is compiled for asyncpg")
    headers = {"Authorization": f"Bearer {token}"}
    compiled: list[bool] = []
    original = RawPostgreSQL._sql

    def counting(self: RawPostgreSQL, statement: Any, params: Any) -> Any:
        compiled.append(bool(params))  # True: the access log's INSERT
        return original(self, statement, params)

    monkeypatch.setattr(RawPostgreSQL, "_sql", counting)
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        query = fresh(BENCH_SHAPES["one"])
        answers = [(await post(served, {"query": query}, **headers)).content for _ in range(4)]
    # then: the same answer each time; the read compiled at most twice (the first
    # requests, while its statement is not yet kept), the log every time
    assert len(set(answers)) == 1
    reads = [c for c in compiled if not c]
    assert 1 <= len(reads) <= 2
    assert compiled.count(True) >= 3


def _calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """The sessions ``server.fast_reads.<name>`` (a coroutine of the session) is called
    with, from now on."""
    seen: list[Any] = []
    original = getattr(fast_reads, name)

    async def counted(session: Any) -> Any:
        seen.append(session)
        return await original(session)

    monkeypatch.setattr(fast_reads, name, counted)
    return seen


async def test_a_kept_answer_is_checked_and_logged_in_one_statement(
    url: str, token: str, monkeypatch: Any
) -> None:
    postgresql = url.startswith("postgresql")
    headers = {"Authorization": f"Bearer {token}"}
    versions_read = _calls(monkeypatch, "current_data_version")
    async with serving(url) as served:
        store = served.app.state.response_store
        query = fresh(ONE)
        first = await post(served, {"query": query}, **headers)  # Strawberry: kept
        # when: asked again, the data unchanged
        sent, hits = RawPostgreSQL.sent, store.hits
        again = await post(served, {"query": query}, **headers)
        # then: the kept answer, its reads logged for this request; on PostgreSQL the
        # version check and the log are one statement
        assert again.content == first.content
        assert store.hits == hits + 1
        assert RawPostgreSQL.sent - sent == (1 if postgresql else 0)
        if postgresql:
            assert versions_read == []  # no statement of its own
        logged = await _entries(served, again.headers["x-request-id"])
        assert logged == await _entries(served, first.headers["x-request-id"])
        assert logged


async def test_a_kept_answer_older_than_the_data_is_read_again_and_logged_once(
    url: str, token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    rename = """mutation ($v: Int!) { partnerUpdate(id: "UGFydG5lcjo1", expectedVersion: $v,
        input: {kind: COMPANY, name: "（デモ）改名した樽前フードセンター"}) {
        partner { name } errors { code } } }"""
    async with serving(url) as served:
        store = served.app.state.response_store
        query = fresh(ONE)
        await post(served, {"query": query}, **headers)  # kept
        await post(served, {"query": query}, **headers)  # served from the cache
        version = await post(
            served,
            {"query": '{ node(id: "UGFydG5lcjo1") { ... on Partner { version } } }'},
            **headers,
        )
        # when: the partner changes, then the same read
        changed = await post(
            served,
            {"query": rename, "variables": {"v": version.json()["data"]["node"]["version"]}},
            **headers,
        )
        assert changed.json()["data"]["partnerUpdate"]["errors"] == []
        hits = store.hits
        after = await post(served, {"query": query}, **headers)
        # then: the new name, read anew (no hit), its reads logged once for this request
        assert after.json()["data"]["node"]["name"] == "（デモ）改名した樽前フードセンター"
        assert store.hits == hits
        logged = await _entries(served, after.headers["x-request-id"])
        assert logged and len(logged) == len(set(logged))


async def test_on_postgresql_the_fast_path_leases_a_pooled_connection_and_gives_it_back(
    url: str, token: str, monkeypatch: Any
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("SQLite reads through the session")
    headers = {"Authorization": f"Bearer {token}"}
    through_session = _calls(monkeypatch, "_autocommit")
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        query = fresh(ONE)
        normal = await post(served, {"query": query}, **headers)
        answered = served.fast_reads.answered
        # when: twice through the fast path
        answers = [await post(served, {"query": query}, **headers) for _ in range(2)]
        # then: the same answer, logged, on a connection leased from the pool (the
        # session never connected) and back in the pool afterwards
        assert served.fast_reads.answered == answered + 2
        assert [a.content for a in answers] == [normal.content] * 2
        assert through_session == []
        assert served.engine.pool.checkedout() == 0
        for answer in answers:
            assert await _entries(served, answer.headers["x-request-id"])


async def test_a_statement_the_leased_connection_cannot_send_leaves_the_request_to_strawberry(
    url: str, token: str, monkeypatch: Any
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("SQLite reads through the session")
    headers = {"Authorization": f"Bearer {token}"}
    async with serving(url, KYODO_RESPONSE_CACHE=False) as served:
        query = fresh(ONE)
        normal = await post(served, {"query": query}, **headers)
        expected = await _entries(served, normal.headers["x-request-id"])
        sql = RawPostgreSQL.sql

        def no_insert(self: Any, statement: Any, params: Any = None, **kw: Any) -> Any:
            if getattr(statement, "is_insert", False) or "INSERT" in str(statement)[:40]:
                raise NotRaw("not this one")
            return sql(self, statement, params, **kw)

        monkeypatch.setattr(RawPostgreSQL, "sql", no_insert)
        answered, passed = served.fast_reads.answered, served.fast_reads.passed
        # when: the access log's INSERT cannot go on the leased connection
        again = await post(served, {"query": query}, **headers)
        # then: Strawberry answered (the read and its log, once, as usual), and the
        # leased connection is back in the pool
        assert (served.fast_reads.answered, served.fast_reads.passed) == (answered, passed + 1)
        assert again.content == normal.content
        assert await _entries(served, again.headers["x-request-id"]) == expected
        assert served.engine.pool.checkedout() == 0


async def test_a_read_stopped_by_the_time_limit_gives_its_leased_connection_back(
    url: str, token: str, monkeypatch: Any
) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("SQLite reads through the session")
    headers = {"Authorization": f"Bearer {token}"}
    async with serving(url, KYODO_RESPONSE_CACHE=False, KYODO_REQUEST_TIMEOUT_MS=200) as served:
        query = fresh(ONE)
        await post(served, {"query": query}, **headers)  # now known
        fetchrow = RawPostgreSQL.fetchrow

        async def slow(self: Any, *args: Any, **kw: Any) -> Any:
            await asyncio.sleep(5)
            return await fetchrow(self, *args, **kw)

        monkeypatch.setattr(RawPostgreSQL, "fetchrow", slow)
        answered = served.fast_reads.answered
        # when: the read takes longer than the request may
        stopped = await post(served, {"query": query}, **headers)
        # then: the time limit's answer, and the connection is back in the pool, usable
        assert served.fast_reads.answered == answered + 1
        assert stopped.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert served.engine.pool.checkedout() == 0
        monkeypatch.setattr(RawPostgreSQL, "fetchrow", fetchrow)
        again = await post(served, {"query": query}, **headers)
        assert again.json()["data"]["node"]["name"]
