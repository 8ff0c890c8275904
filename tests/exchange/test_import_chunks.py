"""Partner files longer than a chunk: checked whole, then written, all or nothing.

The chunk size is the importer's ``chunk_rows`` (10,000 in use); here 3, so that a
seven-row file crosses two chunk boundaries. One test runs a real 10,001-partner export
back in at the real size.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import PartnerKind
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.domain.exchange.partners_import import CHUNK_ROWS, import_partners
from kyodo.domain.exchange.reading import read_table
from kyodo.domain.exchange.source import ImportRefused, SourceTable
from kyodo.domain.japanese import corporate_number_check_digit
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields

HEADER = ["外部ID", "名称", "種別", "法人番号"]
CHUNK = 3


def corporate_number(i: int) -> str:
    body = f"{9_000_000_000_00 + i:012d}"
    return f"{corporate_number_check_digit(body)}{body}"


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:8]


def rows(tag: str, count: int) -> list[list[str]]:
    return [
        [f"{tag}-{i}", f"（デモ）分割団体{tag}-{i}", "企業", corporate_number(i)]
        for i in range(count)
    ]


def table(lines: list[list[str]]) -> SourceTable:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *lines])
    return read_table(buffer.getvalue().encode("utf-8"), name="partners.csv")


async def count(session: AsyncSession, tag: str) -> int:
    stmt = sa.select(sa.func.count()).where(col(Partner.external_id).startswith(f"{tag}-"))
    return int((await session.execute(stmt)).scalar_one())


async def upsert_events(session: AsyncSession) -> int:
    stmt = sa.select(sa.func.count()).where(col(AuditEvent.action) == "partners.upsert")
    return int((await session.execute(stmt)).scalar_one())


class Steps:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, int]] = []

    def __call__(self, step: str, done: int, total: int) -> None:
        self.seen.append((step, done, total))

    def of(self, step: str) -> list[int]:
        return [done for name, done, _ in self.seen if name == step]


async def test_a_file_longer_than_a_chunk_is_checked_whole_then_written(
    session: AsyncSession, tag: str
) -> None:
    # given seven new partners and chunks of three
    events_before = await upsert_events(session)
    steps = Steps()
    # when the file is imported
    result = await import_partners(
        session,
        table=table(rows(tag, 7)),
        dry_run=False,
        actor="test",
        on_step=steps,
        chunk_rows=CHUNK,
    )
    # then all seven are created, one audit event per chunk
    assert (result.rows, result.created, result.updated, result.unchanged) == (7, 7, 0, 0)
    assert await count(session, tag) == 7
    assert await upsert_events(session) == events_before + 3
    # and progress has a known total at every step: every chunk checked before any write
    assert {total for _, _, total in steps.seen} == {7}
    assert steps.of("check") == [3, 6, 7]
    assert steps.of("write") == [3, 6, 7]
    names = [name for name, _, _ in steps.seen]
    assert names.index("write") > len(names) - 1 - names[::-1].index("check")
    # when the same file comes again, nothing changes
    again = await import_partners(
        session, table=table(rows(tag, 7)), dry_run=True, actor="test", chunk_rows=CHUNK
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


async def test_a_problem_in_the_last_chunk_writes_nothing_of_the_first(
    session: AsyncSession, tag: str
) -> None:
    # given seven partners of which the sixth (line 7) has a wrong 法人番号
    lines = rows(tag, 7)
    lines[5][3] = "1" + lines[5][3][1:] if lines[5][3][0] != "1" else "2" + lines[5][3][1:]
    steps = Steps()
    # when the file is imported
    with pytest.raises(ImportRefused) as refused:
        await import_partners(
            session,
            table=table(lines),
            dry_run=False,
            actor="test",
            on_step=steps,
            chunk_rows=CHUNK,
        )
    # then the problem is placed by the file's line, and nothing was written
    [problem] = refused.value.problems
    assert (problem.where, problem.column) == ("7行目", "法人番号")
    assert await count(session, tag) == 0
    assert steps.of("write") == []


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        # in different chunks: the importer's own check across the file
        (0, 4, "外部ID「{value}」が2行目と重複しています。"),
        # both in the second chunk: upsert_partners' check, its row number shifted
        (3, 4, "外部ID「{value}」が5行目と重複しています。"),
    ],
)
async def test_a_key_given_twice_is_refused_wherever_the_rows_are(
    session: AsyncSession, tag: str, first: int, second: int, message: str
) -> None:
    # given two rows with the same 外部ID
    lines = rows(tag, 7)
    lines[second][0] = lines[first][0]
    # when the file is imported
    with pytest.raises(ImportRefused) as refused:
        await import_partners(
            session, table=table(lines), dry_run=False, actor="test", chunk_rows=CHUNK
        )
    # then the second row is refused, pointing at the first, and nothing is written
    rendered = [p.render() for p in refused.value.problems]
    value = lines[first][0]
    assert rendered == [f"{second + 2}行目 「外部ID」: {message.format(value=value)}"]
    assert await count(session, tag) == 0


async def test_a_dry_run_of_several_chunks_counts_and_writes_nothing(
    session: AsyncSession, tag: str
) -> None:
    result = await import_partners(
        session, table=table(rows(tag, 5)), dry_run=True, actor="test", chunk_rows=CHUNK
    )
    assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
    assert await count(session, tag) == 0


async def test_an_export_of_more_than_10000_partners_imports_back(
    session: AsyncSession, tag: str
) -> None:
    # given more partners than one chunk holds
    partners = [
        Partner(
            kind=PartnerKind.COMPANY,
            name=f"（デモ）一万社{tag}-{i}",
            external_id=f"{tag}-{i:05d}",
            corporate_number=corporate_number(i),
            phone=f"0144-00-{i % 10000:04d}",
        )
        for i in range(CHUNK_ROWS + 1)
    ]
    for partner in partners:
        refresh_derived_fields(partner)
    # one INSERT of many rows: the ORM's flush of 10,001 objects would take longer
    await session.execute(sa.insert(Partner), [p.model_dump(exclude={"id"}) for p in partners])
    export = await exports.export_partners(session, fmt=ExportFormat.CSV, on=date.today())
    assert export.rows > CHUNK_ROWS
    # when the export is imported again, for real
    result = await import_partners(
        session, table=read_table(export.body, name=export.filename), dry_run=False, actor="t"
    )
    # then every partner is recognised and nothing changes
    assert (result.rows, result.created, result.updated) == (export.rows, 0, 0)
    assert result.unchanged == export.rows
