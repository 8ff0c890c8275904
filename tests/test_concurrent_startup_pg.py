"""Several app instances starting at once on one PostgreSQL: each migrates and seeds an
empty database before serving; none may fail and nothing may be loaded twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from kyodo.domain.partners.models import Partner
from kyodo.seeds.loader import load_demo_data_if_empty
from kyodo.server.db import make_engine, make_sessionmaker
from tests.conftest import scratch_database

ROOT = Path(__file__).resolve().parents[1]


def test_instances_migrate_and_seed_at_once_without_conflict(tmp_path):
    with scratch_database("postgresql", tmp_path) as url:
        # given three instances (processes) starting against the same empty database
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, "-m", "kyodo.server.cli", "db", "upgrade"]
        # when they all migrate at once
        processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        # then none fails
        for process in processes:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err

        # and when they all seed "if empty" at once
        async def seed_everywhere() -> tuple[list[dict[str, int] | None], int, int]:
            engine = make_engine(url)
            try:
                maker = make_sessionmaker(engine)

                async def one_instance() -> dict[str, int] | None:
                    async with maker() as session:
                        counts = await load_demo_data_if_empty(session)
                        await session.commit()
                        return counts

                results = await asyncio.gather(*(one_instance() for _ in range(3)))
                async with maker() as session:
                    partners = await session.scalar(sa.select(sa.func.count()).select_from(Partner))
                    distinct = await session.scalar(
                        sa.select(sa.func.count(sa.distinct(Partner.external_id)))
                    )
                return list(results), partners or 0, distinct or 0
            finally:
                await engine.dispose()

        results, partners, distinct = asyncio.run(seed_everywhere())
        # then exactly one loaded the demo data, the others found it there
        assert sum(r is not None for r in results) == 1
        assert partners == distinct > 80
