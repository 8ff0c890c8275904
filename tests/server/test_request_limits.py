"""Limits on one request at the HTTP edge: the database waits' settings.

The pool wait is exercised against real locks in test_lock_waits_pg.py; the database
going away in test_database_outage_pg.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from server.app import create_app
from server.db import make_engine
from server.settings import ConfigurationError, Settings


def test_the_pool_wait_must_be_shorter_than_the_statement_timeout() -> None:
    # given
    settings = Settings(KYODO_STATEMENT_TIMEOUT_MS=2000, KYODO_DB_POOL_TIMEOUT_MS=2000)
    # when / then
    with pytest.raises(ConfigurationError, match="KYODO_DB_POOL_TIMEOUT_MS（2000 ms）は"):
        settings.check_ready_to_serve()
    with pytest.raises(ConfigurationError):
        create_app(settings)


def test_the_default_pool_wait_is_shorter_than_the_statement_timeout() -> None:
    settings = Settings()
    assert 0 < settings.db_pool_timeout_ms < settings.statement_timeout_ms
    settings.check_ready_to_serve()


async def test_the_pool_settings_reach_the_engine() -> None:
    # given
    settings = Settings(
        DATABASE_URL="postgresql+asyncpg://kyodo@db.example.jp/kyodo",
        KYODO_DB_POOL_SIZE=3,
        KYODO_DB_MAX_OVERFLOW=2,
        KYODO_DB_POOL_TIMEOUT_MS=750,
    )
    # when
    engine = make_engine(settings.database_url, **settings.engine_options())
    try:
        # then
        pool: Any = engine.pool
        assert (pool.size(), pool._max_overflow, pool.timeout()) == (3, 2, 0.75)
        assert settings.engine_options()["connect_args"] == {"timeout": 0.75}
    finally:
        await engine.dispose()
