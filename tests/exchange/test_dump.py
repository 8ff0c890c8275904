"""Dump and restore (kyodo dump / kyodo restore): lossless, all-or-nothing, on both databases."""

from __future__ import annotations

import asyncio
import io
import json
import re
import stat
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from typer.testing import CliRunner

from domain.agreements.models import Agreement
from domain.audit.log import record_event
from domain.auth import service as tokens
from domain.collaborations.models import Collaboration
from domain.enums import PartnerKind, Role
from domain.exchange.dump import DumpError, dump_database, restore_database, row_counts, tables
from domain.partners.commands import PartnerData, create_partner
from domain.partners.models import Partner
from server.cli import app as cli
from server.cli.dump import schema_head
from server.db import make_engine
from server.settings import get_settings
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


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    with ExitStack() as stack:
        yield Databases(stack, tmp_path_factory.mktemp("dump"))


@pytest.fixture(scope="module")
def demo_dump(database_url: str) -> str:
    """The demo database (migrated, seeded) as a dump."""
    return dump(database_url)


@pytest.fixture(scope="module")
def varied_dump(backend: str, demo_dump: str, databases: Databases) -> str:
    """The demo data plus every kind of value the demo lacks, as a dump."""
    url = databases.empty(backend)
    restore(url, demo_dump)
    asyncio.run(_add_variety(url))
    return dump(url)


@pytest.fixture
def populated(backend: str, demo_dump: str, databases: Databases) -> str:
    """A migrated database holding the demo data."""
    url = databases.empty(backend)
    restore(url, demo_dump)
    return url


# ---------------------------------------------------------------- the format


def test_dump_holds_every_table_in_dependency_order_with_a_header(varied_dump: str) -> None:
    # when
    document = json.loads(varied_dump)
    # then
    assert list(document) == ["format", "version", "schemaRevision", "tables"]
    assert (document["format"], document["version"], document["schemaRevision"]) == (
        "kyodo-dump",
        1,
        HEAD,
    )
    assert list(document["tables"]) == [table.name for table in tables()]
    assert document["tables"]["api_token"]["rows"], "api_token is part of the dump"
    assert document["tables"]["partner"]["columns"] == [c.name for c in Partner.__table__.columns]  # type: ignore[attr-defined]


def test_dump_writes_typed_values_ordered_by_primary_key(varied_dump: str) -> None:
    # given
    document = json.loads(varied_dump)["tables"]
    # when
    partner = dict(
        zip(document["partner"]["columns"], document["partner"]["rows"][-1], strict=True)
    )
    token = dict(
        zip(document["api_token"]["columns"], document["api_token"]["rows"][0], strict=True)
    )
    events = [
        dict(zip(document["audit_event"]["columns"], row, strict=True))
        for row in document["audit_event"]["rows"]
    ]
    agreement_ids = column_values(varied_dump, "agreement", "id")
    categories = [(row[0], row[1]) for row in document["agreement_support_category"]["rows"]]
    # then
    assert agreement_ids == sorted(agreement_ids)
    assert categories == sorted(categories)  # text keys in byte order on both databases
    assert partner["name"] == "（デモ）ﾊﾝｶｸ・全角 テスト会"
    assert partner["kind"] == "NPO"
    assert partner["created_at"].endswith("+00:00")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", partner["created_at"])
    assert token["expires_at"] == "2030-03-31T15:00:00.123456+00:00"
    assert len(token["token_hash"]) == 64  # a SHA-256 digest, never the token
    assert {"z": [1, 2.5, None, True], "あ": {"b": '改行\nと"引用"', "a": {}}} in [
        event["changes"] for event in events
    ]
    assert "ﾊﾝｶｸ・全角" in varied_dump  # UTF-8, not \\u escapes


def test_dump_carries_the_collaboration_practices(varied_dump: str) -> None:
    # given: issue 11's columns (screening, the city's part, reasons) and co-departments
    document = json.loads(varied_dump)["tables"]
    collaboration = dict(
        zip(document["collaboration"]["columns"], document["collaboration"]["rows"][0], strict=True)
    )
    # then: every one is in the dump, with its type
    assert collaboration["declared_unfit_grounds"] == ["RELIGIOUS_ACTIVITY"]
    assert collaboration["added_unfit_grounds"] == ["POLITICAL_ACTIVITY", "HARMS_PUBLIC_INTEREST"]
    assert (collaboration["screening_note"], collaboration["screened_on"]) == (
        "後援会の行事と確認した",
        "2022-04-01",
    )
    assert any(column_values(varied_dump, "collaboration", "city_cannot_do"))
    assert any(column_values(varied_dump, "participation", "capacity"))
    assert len(table_rows(varied_dump, "collaboration_co_department")) == 2


# ---------------------------------------------------------------- round trips


def test_demo_dump_restored_into_an_empty_database_dumps_byte_identical(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given
    url = databases.empty(backend)
    # when
    restored = restore(url, demo_dump)
    again = dump(url)
    # then
    assert again == demo_dump
    assert restored["partner"] == len(table_rows(demo_dump, "partner")) > 250


def test_a_restore_moves_the_data_version_on_and_keeps_it_out_of_the_dump(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given: an empty database (its data version row comes with the migration)
    url = databases.empty(backend)
    before = asyncio.run(_data_version(url))
    # when
    restore(url, demo_dump)
    # then: app instances that kept answers of the old content see a new version
    assert asyncio.run(_data_version(url)) == before + 1
    assert "data_version" not in json.loads(demo_dump)["tables"]


async def _data_version(url: str) -> int:
    from domain.data_version import current_data_version
    from server.db import make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await current_data_version(session)
    finally:
        await engine.dispose()


def test_round_trip_through_the_other_database_is_byte_identical(
    backend: str, varied_dump: str, databases: Databases
) -> None:
    # given: SQLite -> PostgreSQL -> SQLite, and for the other backend the reverse
    other, same = databases.empty(OTHER[backend]), databases.empty(backend)
    # when
    restore(other, varied_dump)
    through_other = dump(other)
    restore(same, through_other)
    back = dump(same)
    # then
    assert through_other == varied_dump
    assert back == varied_dump


def test_restore_sets_self_references_after_all_rows_exist(
    backend: str, varied_dump: str, databases: Databases
) -> None:
    # given
    ids = column_values(varied_dump, "agreement", "id")
    url = databases.empty(backend)

    async def amendments() -> dict[int | None, int | None]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    sa.select(col(Agreement.id), col(Agreement.amends_id)).where(
                        col(Agreement.amends_id).is_not(None)
                    )
                )
                return {row[0]: row[1] for row in rows}
        finally:
            await engine.dispose()

    # when
    restore(url, varied_dump)
    # then
    found = asyncio.run(amendments())
    assert found[ids[0]] == ids[-1]
    assert found[ids[-1]] == ids[1]


def test_new_rows_get_fresh_ids_after_a_restore(
    backend: str, populated: str, demo_dump: str
) -> None:
    # given
    highest = max(column_values(demo_dump, "partner", "id"))

    async def create() -> int | None:
        engine = make_engine(populated)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                partner = await create_partner(
                    session,
                    data=PartnerData(kind=PartnerKind.NPO, name="復元後の新しい団体"),
                    actor="test",
                )
                await session.commit()
                return partner.id
        finally:
            await engine.dispose()

    events = counts(populated)["audit_event"]
    # when: on PostgreSQL this needs the sequences moved past the restored ids
    new_id = asyncio.run(create())
    # then
    assert new_id == highest + 1
    assert counts(populated)["audit_event"] == events + 1


# ---------------------------------------------------------------- refusals change nothing


def test_restore_refuses_a_database_that_holds_data(populated: str, demo_dump: str) -> None:
    # given
    before = dump(populated)
    partners = len(table_rows(demo_dump, "partner"))
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, demo_dump)
    # then
    assert "データベースが空ではありません（" in str(refused.value)
    assert f"partner {partners:,} 件" in str(refused.value)  # names what is there
    assert "--replace" in str(refused.value)
    assert dump(populated) == before


def test_replace_empties_the_database_first(
    populated: str, varied_dump: str, demo_dump: str
) -> None:
    # given: the database holds the demo data; the dump has more
    assert dump(populated) == demo_dump
    # when
    restore(populated, varied_dump, replace=True)
    # then
    assert dump(populated) == varied_dump
    # and back: rows the dump lacks are gone
    restore(populated, demo_dump, replace=True)
    assert dump(populated) == demo_dump


def _truncated(text: str) -> str:
    return text[: len(text) * 2 // 3]


def _set(column: str, value: Any) -> Any:
    return lambda row, columns: row.__setitem__(columns.index(column), value)


def _without_owner(row: list[Any], columns: list[str]) -> None:
    row[columns.index("partner_id")] = None
    row[columns.index("agreement_id")] = None


@pytest.mark.parametrize(
    ("table", "change", "reason"),
    [
        ("contact", _set("partner_id", 999_999), ""),  # a partner that does not exist
        ("contact", _without_owner, ""),  # CHECK has_owner
        ("partner", _set("id", 1), ""),  # a duplicate primary key
        ("agreement", _set("concluded_on", "2022-02-30"), "列 concluded_on: 日付として読めません"),
        ("partner", _set("kind", "ALIEN"), "列 kind: 「ALIEN」は使えない値です"),
        ("partner", _set("version", "1"), "列 version: 整数ではありません"),
        # What SQLite stored although PostgreSQL refuses it (issue 8): a value longer than
        # its VARCHAR, a name folded (NFKC) to four times its length in the search text.
        (
            "partner",
            _set("postal_code", "053-8722-99"),
            "列 postal_code: 11文字あります（この列に入るのは10文字までです）",
        ),
        (
            "partner",
            _set("search_text", "アパート" * 300),
            "列 search_text: 1,200文字あります（この列に入るのは700文字までです）",
        ),
        # Dates outside the range every other path accepts.
        (
            "agreement",
            _set("concluded_on", "1800-01-01"),
            "列 concluded_on: 日付（1800-01-01）は1873-01-01（明治6年1月1日）から2999-12-31までの日付にしてください",
        ),
        ("agreement", _set("concluded_on", "0001-01-01"), "列 concluded_on: 日付（0001-01-01）は"),
    ],
    ids=[
        "foreign-key",
        "check",
        "duplicate-key",
        "bad-date",
        "bad-enum",
        "bad-type",
        "too-long",
        "too-long-once-folded",
        "date-before-meiji",
        "year-one",
    ],
)
def test_a_bad_row_in_the_middle_restores_nothing(
    populated: str, demo_dump: str, table: str, change: Any, reason: str
) -> None:
    # given: a bad row halfway through a table; with --replace, the tables are emptied and
    # every earlier table written before it is reached
    rows = table_rows(demo_dump, table)
    middle = len(rows) // 2

    def corrupt(document: dict[str, Any]) -> None:
        entry = document["tables"][table]
        change(entry["rows"][middle], entry["columns"])

    bad = edited(demo_dump, corrupt)
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, bad, replace=True)
    # then
    assert f"表 {table} の {middle + 1:,} 行目" in str(refused.value)
    assert reason in str(refused.value)
    assert dump(populated) == demo_dump


def test_a_cut_off_file_restores_nothing(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given
    url = databases.empty(backend)
    # when
    with pytest.raises(DumpError) as refused:
        restore(url, _truncated(demo_dump))
    # then
    assert "壊れています" in str(refused.value)
    assert "行目" in str(refused.value)
    assert not any(counts(url).values())


def test_broken_json_with_replace_restores_nothing(populated: str, demo_dump: str) -> None:
    # given: a syntax error after most tables were written
    cut = demo_dump.index("\n", len(demo_dump) * 3 // 4) + 1
    bad = demo_dump[:cut] + "}{" + demo_dump[cut:]
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, bad, replace=True)
    # then
    assert "壊れています" in str(refused.value)
    assert dump(populated) == demo_dump


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "schemaRevision",
            "0001_initial",
            f"ダンプのスキーマ版（0001_initial）が、このデータベースの版（{HEAD}）と違う",
        ),
        ("version", 2, "ダンプ形式の版 2 には対応していません"),
        ("format", "pg_dump", "kyodo のダンプファイルではありません"),
    ],
)
def test_a_dump_of_another_schema_or_format_is_refused(
    populated: str, demo_dump: str, field: str, value: Any, message: str
) -> None:
    # given
    bad = edited(demo_dump, lambda document: document.update({field: value}))
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, bad, replace=True)
    # then
    assert message in str(refused.value)
    assert dump(populated) == demo_dump


def test_tables_out_of_dependency_order_are_refused(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given: tables in alphabetical order, as a tool sorting keys would write them
    reordered = edited(demo_dump, lambda d: d.update(tables=dict(sorted(d["tables"].items()))))
    url = databases.empty(backend)
    # when
    with pytest.raises(DumpError) as refused:
        restore(url, reordered)
    # then
    message = "表 agreement が、参照先の表 collaboration より前に書かれています"
    assert message in str(refused.value)
    assert not any(counts(url).values())


def test_any_json_layout_of_a_dump_restores(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given: the same document on one line, non-ASCII as \\u escapes
    compact = json.dumps(json.loads(demo_dump), separators=(",", ":"))
    url = databases.empty(backend)
    # when
    restore(url, compact)
    # then
    assert dump(url) == demo_dump


def test_an_unmigrated_database_is_refused(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given
    url = databases.unmigrated(backend)
    # when
    with pytest.raises(DumpError) as refused:
        restore(url, demo_dump)
    # then
    assert "データベースにテーブルがありません。先に kyodo db upgrade" in str(refused.value)


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``use_database(url)`` points the CLI's settings at ``url``."""

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def test_cli_dump_then_restore_into_an_empty_database(
    backend: str, populated: str, databases: Databases, tmp_path: Path, use_database: Any
) -> None:
    # given
    file = tmp_path / "backup.json"
    target = databases.empty(backend, "target")
    # when
    use_database(populated)
    dumped = run_cli("dump", str(file))
    use_database(target)
    restored = run_cli("restore", str(file))
    # then
    assert dumped.exit_code == 0, dumped.output
    assert "ダンプを書き出しました" in dumped.stderr
    assert "ハッシュだけ" in dumped.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # personal data: owner only
    assert restored.exit_code == 0, restored.output
    assert "復元しました" in restored.stderr
    assert dump(target) == file.read_text(encoding="utf-8")


def test_cli_restore_refuses_a_database_with_data_unless_replace(
    populated: str, demo_dump: str, tmp_path: Path, use_database: Any
) -> None:
    # given
    file = tmp_path / "backup.json"
    file.write_text(demo_dump, encoding="utf-8")
    use_database(populated)
    # when
    refused = run_cli("restore", str(file))
    replaced = run_cli("restore", str(file), "--replace")
    # then
    assert refused.exit_code == 1
    assert "データベースが空ではありません（" in refused.stderr
    assert "--replace" in refused.stderr
    assert "データベースは変更していません" in refused.stderr
    assert replaced.exit_code == 0, replaced.output
    assert dump(populated) == demo_dump


def test_cli_reports_a_missing_file(tmp_path: Path) -> None:
    # when
    result = run_cli("restore", str(tmp_path / "nothing.json"))
    # then
    assert result.exit_code == 1
    assert "ファイルが見つかりません" in result.stderr


def test_cli_failed_dump_leaves_the_previous_file(
    backend: str, databases: Databases, tmp_path: Path, use_database: Any
) -> None:
    # given: a backup exists; the database is not migrated
    file = tmp_path / "backup.json"
    file.write_text("earlier backup", encoding="utf-8")
    use_database(databases.unmigrated(backend))
    # when
    result = run_cli("dump", str(file))
    # then
    assert result.exit_code == 1
    assert "kyodo db upgrade" in result.stderr
    assert file.read_text(encoding="utf-8") == "earlier backup"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".backup")] == []
