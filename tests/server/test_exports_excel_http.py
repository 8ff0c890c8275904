"""GET /exports/*.xlsx and ?encoding=cp932: by role like the CSV, logged like the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.enums import PartnerKind, Role
from domain.exchange.exports import AGREEMENT_HEADERS, PARTNER_HEADERS
from domain.partners.models import Partner
from domain.partners.service import refresh_derived_fields
from tests.server.test_exports_http import ALLOWED, ON, client, headers_for, read_events

__all__ = ["client"]  # the fixture, shared with the CSV routes' tests

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = {"partners": PARTNER_HEADERS, "agreements": AGREEMENT_HEADERS}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", ["partners", "agreements"])
async def test_the_workbooks_are_served_to_the_roles_allowed_to_read_the_list(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    role: Role,
) -> None:
    # given a caller of the role
    headers = await headers_for(sessionmaker, role)
    # when asking for the list as a workbook
    response = await client.get(f"/exports/{name}.xlsx?on={ON}", headers=headers)
    # then allowed roles get a workbook with the CSV's columns; others 401 / 403
    if role in ALLOWED[name]:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == XLSX
        assert response.headers["content-disposition"] == (
            f'attachment; filename="kyodo-{name}-2022-03-10.xlsx"'
        )
        assert response.headers["cache-control"] == "no-store"
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert tuple(c.value for c in sheet[1]) == HEADERS[name]
        assert sheet.max_row > 1
    elif role is Role.PUBLIC:
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    else:
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_downloading_the_partners_workbook_logs_the_personal_data_in_it(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given an individual volunteer with a phone number, and a staff terminal
    async with sessionmaker() as session:
        person = Partner(
            kind=PartnerKind.INDIVIDUAL, name="デモ 表で記録される人", phone="000-0000-0992"
        )
        refresh_derived_fields(person)
        session.add(person)
        await session.commit()
    name = "まちづくり推進課 端末 エクセル"
    headers = await headers_for(sessionmaker, Role.STAFF, name=name)
    # when the partner workbook is downloaded
    response = await client.get("/exports/partners.xlsx", headers=headers)
    # then the phone is in it, as text, and its reading is logged as for the CSV
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    phone = next(row[9] for row in sheet.iter_rows(min_row=2) if row[1].value == person.name)
    assert (phone.value, phone.data_type) == ("000-0000-0992", "s")
    events = {(e.entity_type, e.entity_id): e for e in await read_events(sessionmaker, name)}
    assert events[("Partner", str(person.id))].changes == {
        "fields": ["phone"],
        "requestId": response.headers["x-request-id"],
    }


@pytest.mark.parametrize("name", ["partners", "agreements", "disaster-contacts"])
async def test_a_csv_comes_in_cp932_when_asked(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], name: str
) -> None:
    # given the disaster-management office
    headers = await headers_for(sessionmaker, Role.DISASTER_OFFICE)
    # when asking for a CSV in CP932
    response = await client.get(f"/exports/{name}.csv?on={ON}&encoding=cp932", headers=headers)
    # then it is CP932 (no BOM), said so in its type, and reads as Japanese
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=Windows-31J"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("cp932"), newline="")))
    assert len(rows) > 1
    assert rows[0][0] in {"外部ID", "市町村名", "協定区分"}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/exports/agreements.csv?encoding=euc-jp", "文字コード「euc-jp」では書き出せません。"),
        ("/exports/agreements.xlsx?encoding=cp932", "文字コード（cp932）を選べるのは CSV だけです"),
        ("/exports/agreements.json?encoding=sjis", "文字コード（cp932）を選べるのは CSV だけです"),
    ],
)
async def test_an_encoding_a_list_is_not_written_in_is_refused(
    client: httpx.AsyncClient, path: str, message: str
) -> None:
    # when asking for an encoding that does not apply
    response = await client.get(path)
    # then the answer says why, in Japanese
    assert response.status_code == 400
    error: dict[str, Any] = response.json()["errors"][0]
    assert message in error["message"]
    assert error["extensions"]["code"] == "INVALID"


async def test_text_cp932_cannot_hold_is_refused_naming_the_record(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given two partners whose names CP932 has no character for
    async with sessionmaker() as session:
        for name, external_id in (("𠮷田商店", "test-cp932-1"), ("🍙おにぎり会", "test-cp932-2")):
            partner = Partner(kind=PartnerKind.COMPANY, name=name, external_id=external_id)
            refresh_derived_fields(partner)
            session.add(partner)
        await session.commit()
    headers = await headers_for(sessionmaker, Role.STAFF)
    # when the partners are asked for in CP932
    response = await client.get("/exports/partners.csv?encoding=cp932", headers=headers)
    # then the export is refused with the first record named and a count of the rest
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert message.startswith("パートナー「")
    assert "（外部ID test-cp932-" in message
    assert "の「名称」にある" in message
    assert "は CP932（Shift_JIS）で表せません" in message
    assert message.endswith("（ほか 1 件）")
