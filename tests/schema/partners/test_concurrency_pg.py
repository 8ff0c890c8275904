"""Two writers at once on PostgreSQL, each on its own connection (rule 15, issue 3).

These tests commit for real, so they run in a scratch database of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from kyodo.domain import writes
from kyodo.domain.enums import PartnerKind
from kyodo.domain.errors import DomainError
from kyodo.domain.partners import commands, upsert
from kyodo.domain.partners.commands import PartnerData
from kyodo.domain.partners.models import Partner
from kyodo.schema.context import Context
from kyodo.server.db import make_engine, make_sessionmaker
from tests.conftest import TEST_ADMIN, alembic_config, scratch_database


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory):
    with scratch_database("postgresql", Path(tmp_path_factory.mktemp("pg"))) as url:
        command.upgrade(alembic_config(url), "head")
        yield url


@pytest.fixture
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(pg_url)
    yield engine
    async with engine.begin() as conn:
        await conn.execute(sa.text("TRUNCATE partner, audit_event RESTART IDENTITY CASCADE"))
    await engine.dispose()


class Barrier:
    """Lets the first ``parties`` callers through only together."""

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived = 0
        self.event = asyncio.Event()

    async def wait(self) -> None:
        self.arrived += 1
        if self.arrived >= self.parties:
            self.event.set()
        await asyncio.wait_for(self.event.wait(), timeout=10)


async def test_two_concurrent_updates_exactly_one_wins(pg_engine, monkeypatch):
    # given a committed partner at version 1
    maker = make_sessionmaker(pg_engine)
    async with maker() as s:
        partner = Partner(kind=PartnerKind.NPO, name="（デモ）競合テスト")
        s.add(partner)
        await s.commit()
        partner_id = partner.id
    # and two writers that both read version 1 before either writes
    barrier = Barrier(2)
    original = writes.get_for_update

    async def read_then_wait(*args, **kwargs):
        row = await original(*args, **kwargs)
        await barrier.wait()
        return row

    monkeypatch.setattr(writes, "get_for_update", read_then_wait)

    async def write(name: str) -> str:
        async with maker() as s:
            try:
                await commands.update_partner(
                    s,
                    partner_id=partner_id,
                    expected_version=1,
                    data=PartnerData(name=name),
                    actor="writer",
                )
                await s.commit()
                return "ok"
            except DomainError as error:
                await s.rollback()
                return error.code

    # when both write at once on their own connections
    results = await asyncio.gather(write("A"), write("B"))
    # then exactly one wins, the other gets VERSION_CONFLICT, and the row is at version 2
    assert sorted(results) == ["VERSION_CONFLICT", "ok"]
    async with maker() as s:
        stored = await s.get(Partner, partner_id)
        assert stored is not None
        assert stored.version == 2
        assert stored.name in {"A", "B"}


UPSERT = """
mutation ($input: [PartnerUpsertInput!]!) {
  partnersUpsert(input: $input) { created updated unchanged errors { code field } }
}
"""


async def test_two_identical_upserts_at_once_create_no_duplicates(pg_engine, monkeypatch):
    # given two integration runs that both see an empty table before inserting
    from kyodo.schema import schema

    barrier = Barrier(2)
    original = upsert._existing
    calls = {"n": 0}

    async def look_then_wait(*args, **kwargs):
        found = await original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] <= 2:
            await barrier.wait()
        return found

    monkeypatch.setattr(upsert, "_existing", look_then_wait)
    payload = [
        {
            "kind": "NEIGHBORHOOD_ASSOCIATION",
            "name": f"（デモ）並行町内会{i}",
            "externalId": f"par-{i}",
        }
        for i in range(20)
    ]
    maker = make_sessionmaker(pg_engine)

    async def run() -> dict:
        async with maker() as s:
            result = await schema.execute(
                UPSERT,
                variable_values={"input": payload},
                context_value=Context(session=s, principal=TEST_ADMIN),
            )
            assert result.errors is None, result.errors
            assert result.data is not None
            return result.data["partnersUpsert"]

    # when both run at once
    first, second = await asyncio.gather(run(), run())
    # then one created all 20, the other (after a retry) found them unchanged
    outcomes = sorted(
        [(first["created"], first["unchanged"]), (second["created"], second["unchanged"])]
    )
    assert outcomes == [(0, 20), (20, 0)]
    assert first["errors"] == second["errors"] == []
    async with maker() as s:
        total = (await s.execute(sa.select(sa.func.count()).select_from(Partner))).scalar_one()
    assert total == 20
