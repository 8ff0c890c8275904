"""The fast path's personal-data log (server/fast_reads.py): on PostgreSQL in autocommit
its one INSERT commits without waiting for the WAL flush unless the operator asks for it
(KYODO_ACCESS_LOG_WAIT_FOR_FLUSH); the entries are the same either way, and the setting
lasts for that statement only.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.read.raw import RawPostgreSQL
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
