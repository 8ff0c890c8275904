"""Migrations: upgrade to head and downgrade to base on both databases; models match."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import kyodo.domain.models  # noqa: F401  (registers the tables)
from kyodo.server.db import make_engine
from tests.conftest import alembic_config, scratch_database


async def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def metadata_diff(url: str) -> list:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), SQLModel.metadata
                )
            )
    finally:
        await engine.dispose()


def test_upgrade_and_downgrade_round_trip(backend, tmp_path):
    with scratch_database(backend, tmp_path) as url:
        cfg = alembic_config(url)
        # given a migrated database
        command.upgrade(cfg, "head")
        assert {"partner", "agreement", "collaboration", "audit_event"} <= asyncio.run(
            table_names(url)
        )
        # when downgrading to base
        command.downgrade(cfg, "base")
        # then only Alembic's own table is left, and upgrading again works
        assert asyncio.run(table_names(url)) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert "partner" in asyncio.run(table_names(url))


def test_migrations_match_the_models(backend, tmp_path):
    with scratch_database(backend, tmp_path) as url:
        # given a database built by the migrations
        command.upgrade(alembic_config(url), "head")
        # when comparing it with the SQLModel tables
        differences = asyncio.run(metadata_diff(url))
        # then autogenerate would find nothing to add
        assert differences == []
