"""Helpers of the dump and restore tests: scratch databases, dumping, restoring, editing a dump."""

from __future__ import annotations

import asyncio
import io
import json
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.documents import attach_document
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.audit.log import record_event
from kyodo.domain.auth import service as tokens
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.exchange.dump import dump_database, tables
from kyodo.domain.exchange.dump_restore import restore_database, row_counts
from kyodo.domain.partners.commands import PartnerData, create_partner
from kyodo.seeds.demo_documents import demo_pdf
from kyodo.server.cli.dump import schema_head
from kyodo.server.db import make_engine
from tests.conftest import alembic_config, scratch_database

HEAD = schema_head()
OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}


# ---------------------------------------------------------------- helpers


class Databases:
    """Scratch databases kept for the module and emptied before each use: creating and
    dropping a PostgreSQL database takes seconds, emptying one milliseconds."""

    def __init__(self, stack: ExitStack, tmp_path: Path) -> None:
        self._stack = stack
        self._tmp_path = tmp_path
        self._urls: dict[tuple[str, str], str] = {}

    def _get(self, backend: str, slot: str) -> tuple[str, bool]:
        key = (backend, slot)
        if key in self._urls:
            return self._urls[key], False
        url = self._stack.enter_context(scratch_database(backend, self._tmp_path))
        self._urls[key] = url
        return url, True

    def empty(self, backend: str, slot: str = "main") -> str:
        """A migrated database without any rows."""
        url, new = self._get(backend, slot)
        if new:
            command.upgrade(alembic_config(url), "head")
        else:
            asyncio.run(_clear(url))
        return url

    def unmigrated(self, backend: str) -> str:
        """A database without any tables (never written to by the tests)."""
        return self._get(backend, "unmigrated")[0]


async def _clear(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.update(Agreement).values(amends_id=None))
            for table in reversed(tables()):
                await conn.execute(sa.delete(table))
    finally:
        await engine.dispose()


async def _dump(url: str) -> str:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            out = io.StringIO()
            await dump_database(conn, out, schema_revision=HEAD)
            return out.getvalue()
    finally:
        await engine.dispose()


async def _restore(url: str, text: str, *, replace: bool = False) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            return await restore_database(
                conn, io.StringIO(text), schema_revision=HEAD, replace=replace
            )
    finally:
        await engine.dispose()


async def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await row_counts(conn)
    finally:
        await engine.dispose()


def dump(url: str) -> str:
    return asyncio.run(_dump(url))


def restore(url: str, text: str, *, replace: bool = False) -> dict[str, int]:
    return asyncio.run(_restore(url, text, replace=replace))


def counts(url: str) -> dict[str, int]:
    return asyncio.run(_counts(url))


async def _add_variety(url: str) -> None:
    """What the demo data lacks: API tokens, audit events with JSON (and None) changes,
    an amendment pointing at a later agreement, instants with microseconds, texts as
    long as their columns hold."""
    engine = make_engine(url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            await tokens.create_token(
                session,
                name="危機管理室 端末1",
                role=Role.DISASTER_OFFICE,
                expires_at=datetime(2030, 3, 31, 15, 0, 0, 123456, tzinfo=UTC),
            )
            # Longest name and reading the columns hold, folded (NFKC) to four times
            # their length in the search text: what SQLite once stored and PostgreSQL
            # refused, so that the dump did not restore there (issue 8).
            await create_partner(
                session,
                data=PartnerData(kind=PartnerKind.NPO, name="㌀" * 300, name_kana="㌀" * 75),
                actor="test",
            )
            await create_partner(
                session,
                data=PartnerData(
                    kind=PartnerKind.NPO, name="（デモ）ﾊﾝｶｸ・全角 テスト会", name_kana="てすとかい"
                ),
                actor="test",
            )
            await record_event(
                session, actor="test", action="note", entity_type="Partner", entity_id=1
            )
            await record_event(
                session,
                actor="test",
                action="note",
                entity_type="Partner",
                entity_id=1,
                changes={"z": [1, 2.5, None, True], "あ": {"b": '改行\nと"引用"', "a": {}}},
            )
            ids = (
                (await session.execute(sa.select(col(Agreement.id)).order_by(col(Agreement.id))))
                .scalars()
                .all()
            )
            # An earlier agreement amends a later one: restoring it must wait for both rows.
            await session.execute(
                sa.update(Agreement).where(col(Agreement.id) == ids[0]).values(amends_id=ids[-1])
            )
            await session.execute(
                sa.update(Agreement).where(col(Agreement.id) == ids[-1]).values(amends_id=ids[1])
            )
            # A screening of 第5章 Q8 (JSON lists of grounds, a note and a day).
            await session.execute(
                sa.update(Collaboration)
                .where(col(Collaboration.id) == 1)
                .values(
                    declared_unfit_grounds=["RELIGIOUS_ACTIVITY"],
                    added_unfit_grounds=["POLITICAL_ACTIVITY", "HARMS_PUBLIC_INTEREST"],
                    screening_note="後援会の行事と確認した",
                    screened_on=date(2022, 4, 1),
                )
            )
            # A signed 協定書 far longer than the restore's read size (64 KiB), every byte
            # value in it: its base64 line is read in several pieces.
            content = demo_pdf(["scan"]) + bytes(range(256)) * 1200 + b"\n%%EOF\n"
            await attach_document(
                session,
                agreement_id=ids[2],
                file_name="スキャン（300 KB）.pdf",
                content=content,
                max_bytes=len(content),
                actor="test",
            )
            await session.commit()
    finally:
        await engine.dispose()


def edited(text: str, change: Any) -> str:
    """The dump with ``change(document)`` applied (and written with json's own layout)."""
    document = json.loads(text)
    change(document)
    return json.dumps(document, ensure_ascii=False, indent=1)


def table_rows(text: str, name: str) -> list[list[Any]]:
    return list(json.loads(text)["tables"][name]["rows"])


def column_values(text: str, name: str, column: str) -> list[Any]:
    table = json.loads(text)["tables"][name]
    index = table["columns"].index(column)
    return [row[index] for row in table["rows"]]
