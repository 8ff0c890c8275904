"""Fixtures shared by the tests of this package."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.seeds.loader import (
    load_demo_data,
)
from kyodo.server.db import make_engine, make_sessionmaker

from .support import (
    Seeded,
    migrate,
)


# Package scope: the demo data is loaded once for every file of this package, as it
# was once for the single module they were split from.
@pytest.fixture(scope="package")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('seeds') / 'demo.db'}"
    migrate(url)
    return url


@pytest.fixture(scope="package")
async def seeded(seeded_url: str) -> AsyncIterator[Seeded]:
    """A database into which the demo data was loaded once and committed."""
    engine = make_engine(seeded_url)
    maker = make_sessionmaker(engine)
    async with maker() as session:
        started = time.perf_counter()
        created = await load_demo_data(session)
        await session.commit()
        seconds = time.perf_counter() - started
    yield Seeded(maker, created, seconds)
    await engine.dispose()


@pytest.fixture
async def db(seeded: Seeded) -> AsyncIterator[AsyncSession]:
    async with seeded.maker() as session:
        yield session


@pytest.fixture
async def empty_db(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    """A migrated database with nothing in it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    # Alembic's env.py runs its own event loop, so it cannot run on this one.
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()
