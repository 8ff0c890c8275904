"""Helpers of the import tests: a migrated demo database, the CLI, row counts, files."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner, Result

from kyodo.server.cli import app as cli
from kyodo.server.db import make_engine
from kyodo.server.settings import get_settings
from tests.conftest import alembic_config, scratch_database

COUNTED_TABLES = (
    "partner",
    "partner_field",
    "contact",
    "agreement",
    "agreement_party",
    "agreement_support_category",
    "audit_event",
)


@contextmanager
def demo_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A scratch database, migrated with Alembic and holding the demo data."""
    with scratch_database(backend, tmp_path) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_load_demo(url))
        yield url


async def _load_demo(url: str) -> None:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await load_demo_data(session)
            await session.commit()
    finally:
        await engine.dispose()


def run_import(url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    """``kyodo import ARGS`` against ``url`` (DATABASE_URL, as the CLI reads it), with
    ``env`` as further settings (KYODO_MUNICIPALITY)."""
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(
            cli, ["import", *args], env={"DATABASE_URL": url, "COLUMNS": "200", **(env or {})}
        )
    finally:
        get_settings.cache_clear()


def query(url: str, sql: str, **params: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(sa.text(sql), params)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def row_counts(url: str) -> dict[str, int]:
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {t}" for t in COUNTED_TABLES)
    return {name: count for name, count in query(url, sql)}


def csv_bytes(rows: Sequence[Sequence[str]], encoding: str = "cp932") -> bytes:
    """A CSV as Excel writes it: CRLF line ends, quotes only where needed."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def error_lines(result: Result) -> list[str]:
    """The problems the CLI printed, one per line, without the closing summary."""
    return [line for line in result.stderr.splitlines() if "読み込みませんでした" not in line]
