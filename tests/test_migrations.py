"""Migrations: upgrade to head and downgrade to base on both databases; models match."""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import json
from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import kyodo.domain.models  # noqa: F401  (registers the tables)
from kyodo.domain.subsidies.service import series_key_of
from kyodo.seeds.loader import read_seed_files
from kyodo.server.db import make_engine
from tests.conftest import ROOT, alembic_config, scratch_database

T = TypeVar("T")
RULE_HOLES = ROOT / "migrations" / "versions" / "0006_rule_holes.py"


async def on_connection(url: str, work: Callable[[sa.Connection], T], *, write: bool = False) -> T:
    """``work`` on a connection to ``url`` (in a committed transaction with ``write``)."""
    engine = make_engine(url)
    try:
        async with engine.begin() if write else engine.connect() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


async def table_names(url: str) -> set[str]:
    return await on_connection(url, lambda c: set(sa.inspect(c).get_table_names()))


async def metadata_diff(url: str) -> list:
    return await on_connection(
        url,
        lambda c: compare_metadata(
            MigrationContext.configure(c, opts={"compare_type": True}), SQLModel.metadata
        ),
    )


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


def test_a_collaboration_written_by_sql_alone_has_no_unfit_grounds(backend, tmp_path):
    """0010: an integration script's INSERT that names only the columns it knows gets
    the empty lists, not a NOT NULL error."""
    with scratch_database(backend, tmp_path) as url:
        # given a migrated database with one department
        command.upgrade(alembic_config(url), "head")

        def insert(conn: sa.Connection) -> list:
            conn.execute(sa.text("INSERT INTO department (code, name) VALUES ('d', '課')"))
            # when a collaboration is inserted without the screening lists
            conn.execute(
                sa.text(
                    "INSERT INTO collaboration (version, created_at, updated_at, title,"
                    " search_text, summary, status, department_id, fiscal_year, is_public)"
                    " VALUES (1, :now, :now, '事業', 'じぎょう', '概要', 'PLANNING',"
                    " (SELECT id FROM department), 2026, true)"
                ),
                {"now": datetime(2026, 12, 1, tzinfo=UTC)},
            )
            return list(
                conn.execute(
                    sa.text("SELECT declared_unfit_grounds, added_unfit_grounds FROM collaboration")
                ).one()
            )

        # then both lists are empty
        values = asyncio.run(on_connection(url, insert, write=True))
        assert [v if isinstance(v, list) else json.loads(v) for v in values] == [[], []]


# ---------------------------------------------------------------- 0006: series keys


def rule_holes() -> ModuleType:
    """Migration 0006 as a module (its file name is no importable module name)."""
    spec = importlib.util.spec_from_file_location("migration_0006_rule_holes", RULE_HOLES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def demo_program_names() -> list[str]:
    programs = read_seed_files()["subsidy_programs"]
    return [program["name"] for program in programs]


def test_0006_imports_no_application_code():
    # A migration must keep doing what it did: importing live domain code would let a
    # later change of that code change what the old migration writes.
    imported = set()
    for node in ast.walk(ast.parse(RULE_HOLES.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert {name for name in imported if name.startswith("kyodo")} == set()


def test_0006_frozen_series_key_agrees_with_the_live_function_on_the_demo_programs():
    # When this fails, series_key_of changed: decide whether existing keys need a new
    # migration (0006's frozen copy stays as it is).
    frozen = rule_holes().series_key_of
    names = demo_program_names()
    assert len(names) >= 3
    assert [frozen(name) for name in names] == [series_key_of(name) for name in names]
    assert {frozen(name) for name in names} == {"苫小牧市イベント・環境整備等助成金事業"}


def _programs_before_0006(conn: sa.Connection, names: list[str]) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    department = sa.table("department", sa.column("id"), sa.column("code"), sa.column("name"))
    conn.execute(sa.insert(department).values(id=1, code="kyodo-test", name="（テスト）課"))
    program = sa.table(
        "subsidy_program",
        *(sa.column(c) for c in ("id", "version", "created_at", "updated_at", "name")),
        *(sa.column(c) for c in ("department_id", "fiscal_year", "budget_yen")),
        sa.column("allowed_expense_categories", sa.JSON),
    )
    conn.execute(
        sa.insert(program),
        [
            {
                "id": index + 1,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "name": name,
                "department_id": 1,
                "fiscal_year": 2019 + index,
                "budget_yen": 1_000_000,
                "allowed_expense_categories": [],
            }
            for index, name in enumerate(names)
        ],
    )


def _series_keys(conn: sa.Connection) -> dict[str, str]:
    rows = conn.execute(sa.text("SELECT name, series_key FROM subsidy_program"))
    return {name: key for name, key in rows.all()}


def test_0006_fills_each_programs_series_key_from_its_name(backend, tmp_path):
    names = [*demo_program_names(), "にぎわい　助成金（令和８年度）", "ｶﾀｶﾅ事業 2021年度"]
    with scratch_database(backend, tmp_path) as url:
        cfg = alembic_config(url)
        # given programs stored before series keys existed
        command.upgrade(cfg, "0005_disaster_tools")
        asyncio.run(on_connection(url, lambda c: _programs_before_0006(c, names), write=True))
        # when migrating through 0006
        command.upgrade(cfg, "0006_rule_holes")
        # then each has the key of its name: the yearly editions share one
        keys = asyncio.run(on_connection(url, _series_keys))
    assert keys == {
        **{name: "苫小牧市イベント・環境整備等助成金事業" for name in demo_program_names()},
        "にぎわい　助成金（令和８年度）": "にぎわい助成金",
        "ｶﾀｶﾅ事業 2021年度": "カタカナ事業",
    }
