"""``kyodo audit prune-reads`` on a database of its own: old access records go in
batches of their own transactions, each recorded; bad input changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import col
from typer.testing import CliRunner

from kyodo.domain.audit import retention
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.base import utcnow
from kyodo.server.cli import app as cli
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import get_settings
from tests.conftest import alembic_config, scratch_database

OLD = retention.PRUNE_BATCH + 5
"""Old access records: more than one batch."""


async def _fill(url: str) -> None:
    """OLD reads 400 days old, 3 reads 10 days old, one change event 400 days old."""
    engine = make_engine(url)
    now = utcnow()
    rows = [
        {
            "occurred_at": now - timedelta(days=days),
            "actor": "test",
            "action": action,
            "entity_type": "Partner",
            "entity_id": str(i),
            "changes": {"fields": ["phone"], "requestId": "r"},
        }
        for i, (action, days) in enumerate(
            [(PERSONAL_DATA_READ, 400)] * OLD
            + [(PERSONAL_DATA_READ, 10)] * 3
            + [("partner.update", 400)]
        )
    ]
    try:
        async with make_sessionmaker(engine)() as session:
            for start in range(0, len(rows), 2000):
                await session.execute(sa.insert(AuditEvent), rows[start : start + 2000])
            await session.commit()
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            stmt = sa.select(col(AuditEvent.action), sa.func.count()).group_by(
                col(AuditEvent.action)
            )
            return {a: n for a, n in await session.execute(stmt)}
    finally:
        await engine.dispose()


@pytest.fixture
def database(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with scratch_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_fill(url))
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.chdir(tmp_path)
        get_settings.cache_clear()
        yield url
        get_settings.cache_clear()


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, ["audit", "prune-reads", *args], env={"COLUMNS": "250"})


def test_old_access_records_are_pruned_in_recorded_batches(database: str) -> None:
    # when: a dry run, then the prune keeping a year
    dry = run_cli("--keep-days", "365", "--dry-run")
    before = asyncio.run(_counts(database))
    result = run_cli("--keep-days", "365")

    # then: the dry run counted and deleted nothing; the prune deleted every old read
    # in two batches, each recorded; recent reads and the change event stay
    assert dry.exit_code == 0, dry.output
    assert f"{OLD:,} 件が削除の対象" in dry.output
    assert before[PERSONAL_DATA_READ] == OLD + 3
    assert result.exit_code == 0, result.output
    assert f"{OLD:,} 件を削除しました" in result.output
    assert asyncio.run(_counts(database)) == {
        PERSONAL_DATA_READ: 3,
        "partner.update": 1,
        retention.PERSONAL_DATA_PRUNE: 2,
    }
    # and again: nothing left to delete, nothing recorded
    again = run_cli("--keep-days", "365")
    assert again.exit_code == 0, again.output
    assert asyncio.run(_counts(database))[retention.PERSONAL_DATA_PRUNE] == 2


def test_the_keeping_period_defaults_to_the_setting(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a city keeping its access records for 500 days
    monkeypatch.setenv("KYODO_ACCESS_LOG_KEEP_DAYS", "500")
    get_settings.cache_clear()

    # when
    result = run_cli()

    # then: the 400-day-old records are within the period
    assert result.exit_code == 0, result.output
    assert "0 件を削除しました" in result.output
    assert asyncio.run(_counts(database))[PERSONAL_DATA_READ] == OLD + 3


def test_a_period_under_thirty_days_is_refused_and_deletes_nothing(database: str) -> None:
    result = run_cli("--keep-days", "7")
    assert result.exit_code == 1
    assert "保存期間は 30 日以上" in result.output
    assert asyncio.run(_counts(database))[PERSONAL_DATA_READ] == OLD + 3
