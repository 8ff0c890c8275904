"""`kyodo export ...` against a scratch database with the demo data."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from openpyxl import load_workbook
from sqlmodel import col
from typer.testing import CliRunner

from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.exchange.exports import PARTNER_HEADERS
from kyodo.server.cli import app as cli
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import get_settings
from tests.conftest import alembic_config, scratch_database

ON = "2022-03-10"


async def _load_demo(url: str) -> None:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            await load_demo_data(session)
            await session.commit()
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def demo_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with the demo data of its own: the CLI commits (the access
    log), which must not reach the database the other tests share."""
    with scratch_database(backend, tmp_path_factory.mktemp(f"export-{backend}")) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_load_demo(url))
        yield url


@pytest.fixture
def database_env(
    demo_database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", demo_database)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield demo_database
    get_settings.cache_clear()


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, ["export", *args], env={"COLUMNS": "250"})


def personal_reads(url: str) -> list[AuditEvent]:
    async def read() -> list[AuditEvent]:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                stmt = (
                    sa.select(AuditEvent)
                    .where(
                        col(AuditEvent.action) == PERSONAL_DATA_READ,
                        col(AuditEvent.actor).startswith("cli"),
                    )
                    .order_by(col(AuditEvent.id))
                )
                return list((await session.execute(stmt)).scalars())
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_export_partners_writes_an_excel_csv_to_the_named_file(
    database_env: str, tmp_path: Path
) -> None:
    # when exporting the partners to a file
    target = tmp_path / "パートナー.csv"
    result = run_cli("partners", "--format", "csv", "--output", str(target))
    # then the file is a UTF-8 CSV with a BOM and the importer's headers, and it says so
    assert result.exit_code == 0, result.output
    body = target.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["外部ID", "名称", "フリガナ"]
    assert f"{target} に書き出しました（{len(rows) - 1} 件）。" in result.stderr


def test_export_disaster_contacts_writes_a_dated_page_by_default(
    database_env: str, tmp_path: Path
) -> None:
    # when exporting the disaster contacts for 2022-03-10 without naming a file
    result = run_cli("disaster-contacts", "--on", ON)
    # then a printable page named after the date is written in the current directory
    assert result.exit_code == 0, result.output
    page = (tmp_path / "kyodo-disaster-contacts-2022-03-10.html").read_text(encoding="utf-8")
    assert "令和4年3月10日（2022-03-10）現在" in page
    assert "東日本電信電話株式会社" in page


def test_export_agreements_to_standard_output(database_env: str) -> None:
    # when exporting the agreements as JSON to standard output
    result = run_cli("agreements", "--format", "json", "--on", ON, "--output", "-")
    # then standard output is the JSON document, nothing else
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout_bytes)
    assert document["asOf"] == ON
    assert document["count"] == 97
    ntt = next(a for a in document["agreements"] if a["externalId"] == "demo-agreement-ds-000")
    assert ntt["supportCategoryLabels"] == ["ライフライン復旧"]


def test_export_agreements_of_every_category(database_env: str) -> None:
    # when exporting every category of agreement
    result = run_cli("agreements", "--on", ON, "--category", "all", "--output", "-")
    # then the partnership and waste agreements are there too
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("utf-8-sig")
    assert "demo-agreement-rejibukuro" in text
    assert "demo-agreement-ds-000" in text


def test_export_logs_the_personal_data_it_wrote(database_env: str) -> None:
    # given the access log before
    before = len(personal_reads(database_env))
    # when exporting the disaster contacts as CSV
    result = run_cli("disaster-contacts", "--format", "csv", "--on", ON, "--output", "-")
    # then the emergency contacts it wrote out are logged under the CLI's name
    assert result.exit_code == 0, result.output
    events = personal_reads(database_env)
    assert len(events) > before
    assert {e.changes["fields"][0] for e in events[before:] if e.changes} == {"emergencyContacts"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("partners", "--format", "html"),
            "パートナー一覧は csv、xlsx、json 形式で書き出せます（html は使えません）。",
        ),
        (
            ("disaster-contacts", "--format", "pdf"),
            "形式「pdf」は使えません。csv、xlsx、json、html のどれかです。",
        ),
        (
            ("disaster-contacts", "--on", "2022/03/10"),
            "日付「2022/03/10」が正しくありません。YYYY-MM-DD の形で指定してください",
        ),
        (("agreements", "--category", "BOUSAI"), "協定の分類「BOUSAI」はありません。"),
        (
            ("disaster-contacts", "--on", "0001-01-01"),
            "一覧の日付（0001-01-01）は1873-01-01（明治6年1月1日）から2999-12-31までの日付",
        ),
        (
            ("partners", "--format", "xlsx", "--encoding", "cp932"),
            "文字コード（cp932）を選べるのは CSV だけです（xlsx は UTF-8 です）。",
        ),
        (
            ("partners", "--encoding", "euc-jp"),
            "文字コード「euc-jp」では書き出せません。utf-8（既定、BOM付き）か cp932（Shift_JIS）です。",
        ),
        (
            ("disaster-contacts", "--format", "xlsx"),
            "災害時連絡先は html、csv、json 形式で書き出せます（xlsx は使えません）。",
        ),
    ],
)
def test_export_refuses_wrong_options_in_plain_japanese(
    database_env: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    # when an option is wrong
    result = run_cli(*args)
    # then the command says what is wrong, exits 2 and writes no file
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_export_the_activation_log_and_the_calendar(database_env: str) -> None:
    # when exporting the support requests and the agreements due of 2022-03-10
    requests = run_cli("support-requests", "--on", ON, "--output", "-")
    due = run_cli("agreements-due", "--on", ON, "--output", "-")
    # then the winter exercise's six requests, and a calendar of the year's dates
    assert requests.exit_code == 0, requests.output
    rows = list(csv.DictReader(io.StringIO(requests.stdout_bytes.decode("utf-8-sig"))))
    assert len(rows) == 6
    assert {row["状態"] for row in rows} == {"完了", "取消し"}
    assert due.exit_code == 0, due.output
    calendar = due.stdout_bytes.decode("utf-8")
    assert calendar.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:【見直し】苫小牧市災害時応援協定" in calendar.replace("\r\n ", "")


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (("partners", "--format", "xlsx"), "kyodo-partners-2022-03-10.xlsx"),
        (("partners", "--format", "csv", "--encoding", "cp932"), "kyodo-partners-2022-03-10.csv"),
        (("agreements", "--format", "xlsx"), "kyodo-agreements-2022-03-10.xlsx"),
        (("agreements", "--format", "csv"), "kyodo-agreements-2022-03-10.csv"),
        (("disaster-contacts", "--format", "csv"), "kyodo-disaster-contacts-2022-03-10.csv"),
        (("disaster-contacts",), "kyodo-disaster-contacts-2022-03-10.html"),
    ],
)
def test_export_files_are_readable_by_their_owner_only(
    database_env: str, tmp_path: Path, args: tuple[str, ...], name: str
) -> None:
    # given a file of that name left readable by everyone
    target = tmp_path / name
    target.write_bytes(b"old")
    target.chmod(0o644)
    # when a list holding phone numbers is exported over it
    result = run_cli(*args, "--on", ON)
    # then the new file is owner-only (0600), like a dump, and nothing else is left behind
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_export_partners_as_a_workbook_opens_with_digit_strings_as_text(
    database_env: str, tmp_path: Path
) -> None:
    # when exporting the partners as a workbook
    result = run_cli("partners", "--format", "xlsx", "--on", ON, "-o", "partners.xlsx")
    # then it opens in openpyxl with the CSV's columns and text phone numbers
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "partners.xlsx").worksheets[0]
    assert tuple(c.value for c in sheet[1]) == PARTNER_HEADERS
    phones = [row[9] for row in sheet.iter_rows(min_row=2) if row[9].value is not None]
    assert phones
    assert {(type(c.value), c.data_type) for c in phones} == {(str, "s")}


def test_export_agreements_in_cp932(database_env: str) -> None:
    # when exporting the agreements as CP932 to standard output
    result = run_cli("agreements", "--on", ON, "--encoding", "cp932", "-o", "-")
    # then standard output decodes as CP932
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("cp932"), newline="")))
    assert rows[0][:4] == ["市町村名", "No", "協定の名称", "協定相手方"]
