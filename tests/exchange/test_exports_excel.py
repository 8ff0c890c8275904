"""The lists as Excel workbooks and CP932 CSV, and their way back in (issue 12 item 8)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import PartnerKind
from kyodo.domain.errors import DomainError
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.agreements_import import import_agreements
from kyodo.domain.exchange.exports import (
    AGREEMENT_HEADERS,
    PARTNER_HEADERS,
    CsvEncoding,
    ExportFormat,
    UnsupportedFormat,
)
from kyodo.domain.exchange.partners_import import import_partners
from kyodo.domain.exchange.reading import read_table
from kyodo.domain.exchange.source import ImportRefused
from kyodo.domain.japanese import corporate_number_check_digit
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields

ON = date(2022, 3, 10)
CORPORATE_NUMBER = f"{corporate_number_check_digit('000012050002')}000012050002"


async def add_partner(session: AsyncSession, **values: object) -> Partner:
    partner = Partner(**{"kind": PartnerKind.COMPANY, **values})
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    return partner


def sheet_of(body: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(body)).worksheets[0]


def row_of(sheet, external_id: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == external_id:
            return {h: cell for h, cell in zip(headers, row, strict=True)}
    raise AssertionError(f"{external_id} not in the sheet")


# ------------------------------------------------------------------ xlsx


async def test_the_partners_workbook_keeps_digit_strings_as_text(session: AsyncSession) -> None:
    # given a company whose 法人番号, phone and postal code Excel would turn into numbers,
    # and a name that looks like a formula
    await add_partner(
        session,
        name="=HYPERLINK(1)",
        external_id="0012345",
        corporate_number=CORPORATE_NUMBER,
        phone="0144326111",
        postal_code="0530011",
    )
    # when the partners are exported as a workbook
    export = await exports.export_partners(session, fmt=ExportFormat.XLSX, on=ON)
    # then the sheet has the CSV's columns, its header frozen, and text cells formatted 文字列
    assert export.filename == "kyodo-partners-2022-03-10.xlsx"
    assert export.media_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = sheet_of(export.body)
    assert sheet.title == "パートナー一覧"
    assert tuple(c.value for c in sheet[1]) == PARTNER_HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == export.rows + 1
    row = row_of(sheet, "0012345")
    for header, value in [
        ("外部ID", "0012345"),
        ("法人番号", CORPORATE_NUMBER),
        ("電話番号", "0144326111"),
        ("郵便番号", "0530011"),
    ]:
        cell = row[header]
        assert (type(cell.value), cell.value) == (str, value)  # type: ignore[attr-defined]
        assert cell.data_type == "s"  # type: ignore[attr-defined]
        assert cell.number_format == "@"  # type: ignore[attr-defined]
    # a text cell, never a formula
    assert (row["名称"].value, row["名称"].data_type) == ("=HYPERLINK(1)", "s")  # type: ignore[attr-defined]
    # columns as wide as their contents: 名称 is wider than 地区
    widths = sheet.column_dimensions
    assert widths["B"].width > widths["F"].width >= 6


async def test_the_agreements_workbook_has_numbers_and_dates_where_the_csv_has_them(
    session: AsyncSession,
) -> None:
    # when the agreements are exported as a workbook
    export = await exports.export_agreements(session, fmt=ExportFormat.XLSX, on=ON)
    # then the columns are the CSV's; No is a number and 締結日 a date
    sheet = sheet_of(export.body)
    assert tuple(c.value for c in sheet[1]) == AGREEMENT_HEADERS
    assert sheet.freeze_panes == "A2"
    ntt = row_of_by(sheet, "外部ID", "demo-agreement-ds-000")
    assert ntt["市町村名"] == "苫小牧市"
    assert isinstance(ntt["No"], int)
    assert ntt["締結日"] == datetime(2012, 6, 12)
    assert ntt["ライフライン復旧"] == "○"


def row_of_by(sheet, header: str, value: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    headers = [c.value for c in sheet[1]]
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(headers, values, strict=True))
        if row[header] == value:
            return row
    raise AssertionError(f"{value} not in the sheet")


async def test_an_exported_partners_workbook_imports_back_unchanged(
    session: AsyncSession,
) -> None:
    # given a partner with every column filled, digit strings included
    await add_partner(
        session,
        name="（デモ）表計算の会",
        name_kana="ヒョウケイサンノカイ",
        kind=PartnerKind.NPO,
        external_id="test-xlsx-roundtrip",
        corporate_number=CORPORATE_NUMBER,
        district="中央",
        representative="デモ 代表",
        postal_code="053-0000",
        street="（デモ）旭町1丁目1-1",
        phone="0144-00-0995",
        email="xlsx@example.jp",
    )
    export = await exports.export_partners(session, fmt=ExportFormat.XLSX, on=ON)
    # when the workbook is imported again, for real
    table = read_table(export.body, name=export.filename)
    result = await import_partners(session, table=table, dry_run=False, actor="test")
    # then every partner is recognised and nothing changed
    assert table.format.value == "XLSX"
    assert result.rows == export.rows > 200
    assert (result.created, result.updated, result.unchanged) == (0, 0, export.rows)


async def test_an_exported_agreements_workbook_imports_back_unchanged(
    session: AsyncSession,
) -> None:
    # given the agreements as a workbook (締結日 as date cells)
    export = await exports.export_agreements(session, fmt=ExportFormat.XLSX, on=ON)
    # when it is imported again
    result = await import_agreements(
        session,
        table=read_table(export.body, name=export.filename),
        dry_run=True,
        actor="test",
        today=ON,
    )
    # then every agreement is recognised as it is stored
    assert (result.rows, result.created, result.unchanged, result.differs) == (97, 0, 97, 0)


def workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(number, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_typed_by_hand_reads_like_its_csv() -> None:
    # given a sheet with numbers typed as numbers, a date cell and a blank row
    body = workbook_bytes(
        [
            ["名称", "法人番号", "郵便番号", "締結日", None],
            ["（デモ）手入力", int(CORPORATE_NUMBER), 530011, datetime(2022, 3, 10), None],
            [None, None, None, None, None],
            ["（デモ）二件目", float(CORPORATE_NUMBER), None, "令和4年3月10日", None],
        ]
    )
    # when it is read (the name need not say .xlsx)
    table = read_table(body, name="upload.bin")
    # then the values are the text a CSV would hold, rows numbered as in the sheet
    assert table.format.value == "XLSX"
    assert table.headers == ["名称", "法人番号", "郵便番号", "締結日"]
    assert [(r.number, r.values["法人番号"], r.values["締結日"]) for r in table.rows] == [
        (2, CORPORATE_NUMBER, "2022-03-10"),
        (4, CORPORATE_NUMBER, "令和4年3月10日"),
    ]
    assert table.rows[0].values["郵便番号"] == "530011"
    assert table.where(1) == "4行目"


def test_a_file_that_is_not_a_workbook_is_refused_in_japanese() -> None:
    with pytest.raises(ImportRefused, match=r"Excel のブック（\.xlsx）として読めません"):
        read_table(b"not a zip", name="partners.xlsx")


# ------------------------------------------------------------------ CP932


async def test_a_cp932_csv_writes_wave_dashes_as_cp932_holds_them(session: AsyncSession) -> None:
    # given a partner with a wave dash (as typed on a Mac) and a CP932-only character
    await add_partner(
        session, name="（デモ）髙橋〜商店①", external_id="test-cp932-wave", phone="0144−00−0001"
    )
    # when the partners are exported in CP932
    export = await exports.export_partners(
        session, fmt=ExportFormat.CSV, on=ON, encoding=CsvEncoding.CP932
    )
    # then the file is CP932 without a BOM, with ～ for 〜 and the rest as stored
    assert export.media_type == "text/csv; charset=Windows-31J"
    assert not export.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(export.body.decode("cp932"), newline="")))
    assert list(rows[0]) == list(PARTNER_HEADERS)
    row = next(r for r in rows if r["外部ID"] == "test-cp932-wave")
    assert row["名称"] == "（デモ）髙橋～商店①"
    # and the import reads it back (as CP932, detected)
    table = read_table(export.body, name=export.filename)
    assert table.encoding == "Shift_JIS（CP932）"
    assert len(table.rows) == export.rows


async def test_a_cp932_csv_refuses_text_cp932_cannot_hold_naming_record_and_column(
    session: AsyncSession,
) -> None:
    # given partners with characters outside CP932 in two columns
    await add_partner(session, name="𠮷田商店", external_id="test-cp932-yoshi")
    await add_partner(session, name="（デモ）絵文字の会", representative="デモ 太郎😀")
    # when the partners are exported in CP932
    with pytest.raises(DomainError) as refused:
        await exports.export_partners(
            session, fmt=ExportFormat.CSV, on=ON, encoding=CsvEncoding.CP932
        )
    # then nothing is written and every record is named, with its column
    messages = {p.message for p in refused.value.problems}
    assert messages == {
        "パートナー「𠮷田商店」（外部ID test-cp932-yoshi）の「名称」にある「𠮷」（U+20BB7）は"
        " CP932（Shift_JIS）で表せません。UTF-8 の CSV か XLSX で書き出すか、その文字を登録し直してください。",
        "パートナー「（デモ）絵文字の会」の「代表者」にある「😀」（U+1F600）は"
        " CP932（Shift_JIS）で表せません。UTF-8 の CSV か XLSX で書き出すか、その文字を登録し直してください。",
    }


async def test_the_disaster_contacts_in_cp932_mark_stale_contacts_with_a_cp932_sign(
    session: AsyncSession,
) -> None:
    # when the disaster contacts are exported in CP932
    export = await exports.export_disaster_contacts(
        session, fmt=ExportFormat.CSV, on=ON, encoding=CsvEncoding.CP932
    )
    # then the 要確認 mark is one CP932 has
    states = {r["状態"] for r in csv.DictReader(io.StringIO(export.body.decode("cp932")))}
    assert states == {"※ 要確認", "確認済"}


def test_an_encoding_is_named_as_people_write_it() -> None:
    assert exports.csv_encoding("Shift_JIS") is CsvEncoding.CP932
    assert exports.csv_encoding(" UTF-8 ") is CsvEncoding.UTF8
    with pytest.raises(UnsupportedFormat, match="文字コード「euc-jp」では書き出せません"):
        exports.csv_encoding("euc-jp")
