"""GET /exports/...: who may download which list, in which form, and the access log."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth import service as tokens
from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.exchange.exports import AGREEMENT_HEADERS, PARTNER_HEADERS
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.server.app import create_app
from kyodo.server.settings import Settings

DEPARTMENTS = {Role.STAFF: "machizukuri", Role.DISASTER_OFFICE: "kikikanri"}
ON = "2022-03-10"

# Who may read what (schema.permissions): partners READ_PARTNERS, agreements everyone,
# disaster contacts READ_EMERGENCY_CONTACTS. Anonymous callers are PUBLIC.
ALLOWED = {
    "partners": {Role.STAFF, Role.DISASTER_OFFICE, Role.INTEGRATION, Role.ADMIN},
    "agreements": set(Role),
    "disaster-contacts": {Role.STAFF, Role.DISASTER_OFFICE, Role.ADMIN},
    "support-requests": {Role.STAFF, Role.DISASTER_OFFICE, Role.ADMIN},
    "agreements-due": {Role.STAFF, Role.DISASTER_OFFICE, Role.ADMIN},
}
PATHS = {
    "partners": ("csv", "xlsx", "json"),
    "agreements": ("csv", "xlsx", "json"),
    "disaster-contacts": ("html", "csv", "json"),
    "support-requests": ("csv",),
    "agreements-due": ("ics",),
}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Each list in its first format, and the workbooks: by role like the CSV.
BY_ROLE = [(name, fmts[0]) for name, fmts in PATHS.items()] + [
    ("partners", "xlsx"),
    ("agreements", "xlsx"),
]


@pytest.fixture
async def client(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    app = create_app(Settings(), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def headers_for(
    sessionmaker: async_sessionmaker[AsyncSession], role: Role, name: str | None = None
) -> dict[str, str]:
    """No header for PUBLIC (anonymous), else a freshly issued token of the role."""
    if role is Role.PUBLIC:
        return {}
    async with sessionmaker() as session:
        _, token = await tokens.create_token(
            session,
            name=name or f"{role} のテスト端末",
            role=role,
            department_code=DEPARTMENTS.get(role),
        )
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


def read_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def read_events(
    sessionmaker: async_sessionmaker[AsyncSession], actor: str
) -> list[AuditEvent]:
    async with sessionmaker() as session:
        stmt = sa.select(AuditEvent).where(
            col(AuditEvent.actor) == actor, col(AuditEvent.action) == PERSONAL_DATA_READ
        )
        return list((await session.execute(stmt)).scalars())


# ------------------------------------------------------------------ who may read what


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "fmt"), BY_ROLE)
async def test_each_list_is_served_to_the_roles_allowed_to_read_it(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    fmt: str,
    role: Role,
) -> None:
    # given a caller of the role
    headers = await headers_for(sessionmaker, role)
    # when asking for the list
    response = await client.get(f"/exports/{name}.{fmt}?on={ON}", headers=headers)
    # then allowed roles get it; anonymous callers 401, other roles 403 (JSON errors)
    if role in ALLOWED[name]:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == MEDIA_TYPES[fmt]
    elif role is Role.PUBLIC:
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {
            "errors": [
                {
                    "message": "この一覧を見るには認証が必要です。"
                    "Authorization: Bearer <トークン> を付けてください。",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        }
    else:
        assert response.status_code == 403
        assert response.json() == {
            "errors": [
                {
                    "message": "この情報を見る権限がありません。",
                    "extensions": {"code": "FORBIDDEN"},
                }
            ]
        }


async def test_a_refused_export_reads_nothing(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], count_queries: Any
) -> None:
    # given an integration script, which may not read emergency contacts
    headers = await headers_for(sessionmaker, Role.INTEGRATION)
    # when it asks for the disaster contacts
    with count_queries() as counter:
        response = await client.get("/exports/disaster-contacts.csv", headers=headers)
    # then it is refused before any list is read
    assert response.status_code == 403
    assert [s for s in counter.statements if "api_token" not in s] == []


# ------------------------------------------------------------------ the files


@pytest.mark.parametrize(
    ("name", "fmt"), [(name, fmt) for name, fmts in PATHS.items() for fmt in fmts]
)
async def test_each_file_has_its_type_and_a_dated_file_name(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    fmt: str,
) -> None:
    # given the disaster-management office
    headers = await headers_for(sessionmaker, Role.DISASTER_OFFICE)
    # when downloading a list for 2022-03-10
    response = await client.get(f"/exports/{name}.{fmt}?on={ON}", headers=headers)
    # then it comes with its media type and a file name carrying the date
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPES[fmt]
    disposition = "inline" if fmt == "html" else "attachment"
    assert response.headers["content-disposition"] == (
        f'{disposition}; filename="kyodo-{name}-2022-03-10.{fmt}"'
    )
    assert response.headers["cache-control"] == "no-store"
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        assert read_csv(response.content)
    elif fmt == "xlsx":
        # the CSV's columns, on a sheet that opens in Excel as it is
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        csv_headers = {"partners": PARTNER_HEADERS, "agreements": AGREEMENT_HEADERS}[name]
        assert tuple(c.value for c in sheet[1]) == csv_headers
        assert sheet.max_row > 1
    elif fmt == "json":
        document = json.loads(response.content)
        # partners are an array (the import format); the other lists name their date
        assert document if name == "partners" else document["asOf"] == ON
    elif fmt == "ics":
        assert response.text.startswith("BEGIN:VCALENDAR\r\n")
        assert "BEGIN:VEVENT" in response.text
    else:
        assert "令和4年3月10日（2022-03-10）現在" in response.text
        assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_the_agreements_csv_over_http_is_hokkaidos_layout(
    client: httpx.AsyncClient,
) -> None:
    # when anyone downloads the agreements for 2022-03-10
    response = await client.get(f"/exports/agreements.csv?on={ON}")
    # then NTT East's agreement is marked under ライフライン復旧
    rows = read_csv(response.content)
    ntt = next(r for r in rows if r["外部ID"] == "demo-agreement-ds-000")
    assert ntt["市町村名"] == "苫小牧市"
    assert ntt["協定相手方"] == "東日本電信電話株式会社"
    assert ntt["ライフライン復旧"] == "○"


async def test_the_public_agreements_list_leaves_individuals_out(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given an individual volunteer who is a party to NTT East's agreement
    async with sessionmaker() as session:
        person = Partner(kind=PartnerKind.INDIVIDUAL, name="デモ 個人協力者")
        refresh_derived_fields(person)
        session.add(person)
        await session.flush()
        agreement = (
            await session.execute(
                sa.select(Agreement).where(col(Agreement.external_id) == "demo-agreement-ds-000")
            )
        ).scalar_one()
        session.add(AgreementParty(agreement_id=agreement.id, partner_id=person.id, position=9))
        await session.commit()
    staff = await headers_for(sessionmaker, Role.STAFF)
    # when the public and staff download the agreements
    public_csv = await client.get(f"/exports/agreements.csv?on={ON}")
    public_json = await client.get(f"/exports/agreements.json?on={ON}")
    staff_csv = await client.get(f"/exports/agreements.csv?on={ON}", headers=staff)
    # then the public sees the organisation only, staff see both
    public_row = next(
        r for r in read_csv(public_csv.content) if r["外部ID"] == "demo-agreement-ds-000"
    )
    staff_row = next(
        r for r in read_csv(staff_csv.content) if r["外部ID"] == "demo-agreement-ds-000"
    )
    assert public_row["協定相手方"] == "東日本電信電話株式会社"
    assert staff_row["協定相手方"] == "東日本電信電話株式会社、デモ 個人協力者"
    assert "デモ 個人協力者" not in public_json.text
    assert "externalId" not in json.dumps([a["parties"] for a in public_json.json()["agreements"]])


async def test_a_wrong_date_is_refused_in_plain_japanese(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given the disaster-management office
    headers = await headers_for(sessionmaker, Role.DISASTER_OFFICE)
    # when asking for the list of a day that does not exist
    response = await client.get("/exports/disaster-contacts.html?on=2022-02-30", headers=headers)
    # then the answer says what is wrong and how to write it
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "日付「2022-02-30」が正しくありません。"
                "on=YYYY-MM-DD の形で指定してください（例: on=2022-03-10）。",
                "extensions": {"code": "INVALID"},
            }
        ]
    }


@pytest.mark.parametrize(
    "path",
    [f"/exports/{name}.{fmt}" for name, formats in PATHS.items() for fmt in formats],
)
@pytest.mark.parametrize("on", ["0001-01-01", "1872-12-31", "3000-01-01"])
async def test_a_date_outside_the_range_the_data_holds_is_refused(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], path: str, on: str
) -> None:
    # given the administrator (who may read every list)
    headers = await headers_for(sessionmaker, Role.ADMIN)
    # when asking for a list of a day before 明治6年 or after 2999 (year 1 reached
    # PostgreSQL as -infinity and the page failed with a 500)
    response = await client.get(f"{path}?on={on}", headers=headers)
    # then 400 with the range, in the JSON error shape of the edge
    assert response.status_code == 400, response.text
    assert response.json() == {
        "errors": [
            {
                "message": f"一覧の日付（{on}）は1873-01-01（明治6年1月1日）から"
                "2999-12-31までの日付にしてください。",
                "extensions": {"code": "INVALID"},
            }
        ]
    }


async def test_without_a_date_the_list_is_for_today(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given the disaster-management office and today's date in Japan
    from kyodo.schema.context import today_in_tokyo

    headers = await headers_for(sessionmaker, Role.DISASTER_OFFICE)
    today = today_in_tokyo().isoformat()
    # when asking for the list without ?on=
    response = await client.get("/exports/disaster-contacts.json", headers=headers)
    # then it is today's, in content and file name
    assert response.json()["asOf"] == today
    assert f"kyodo-disaster-contacts-{today}.json" in response.headers["content-disposition"]


async def test_a_list_that_has_no_such_format_is_not_found(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    headers = await headers_for(sessionmaker, Role.ADMIN)
    response = await client.get("/exports/partners.html", headers=headers)
    assert response.status_code == 404


# ------------------------------------------------------------------ the access log


async def test_downloading_the_disaster_contacts_is_logged_as_a_personal_data_read(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # given a terminal of the disaster-management office
    name = "危機管理室 端末 エクスポート"
    headers = await headers_for(sessionmaker, Role.DISASTER_OFFICE, name=name)
    async with sessionmaker() as session:
        ntt = (
            await session.execute(
                sa.select(Agreement).where(col(Agreement.external_id) == "demo-agreement-ds-000")
            )
        ).scalar_one()
    # when it downloads the printable list
    response = await client.get(f"/exports/disaster-contacts.html?on={ON}", headers=headers)
    # then each agreement whose contacts it showed is logged under its name and request id
    assert response.status_code == 200
    events = await read_events(sessionmaker, name)
    by_entity = {(e.entity_type, e.entity_id): e for e in events}
    event = by_entity[("Agreement", str(ntt.id))]
    assert event.changes == {
        "fields": ["emergencyContacts"],
        "requestId": response.headers["x-request-id"],
    }
    assert len(events) > 90


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_downloading_the_partners_logs_the_personal_data_in_it(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], fmt: str
) -> None:
    # given an individual volunteer with a phone number, and a staff terminal
    async with sessionmaker() as session:
        person = Partner(
            kind=PartnerKind.INDIVIDUAL, name="デモ 記録される人", phone="000-0000-0993"
        )
        refresh_derived_fields(person)
        session.add(person)
        await session.commit()
    name = "まちづくり推進課 端末 エクスポート"
    headers = await headers_for(sessionmaker, Role.STAFF, name=name)
    # when the partner list is downloaded
    response = await client.get(f"/exports/partners.{fmt}", headers=headers)
    # then the volunteer's phone is in it (in a workbook as text) and its reading is logged
    assert response.status_code == 200
    if fmt == "csv":
        assert "000-0000-0993" in response.content.decode("utf-8-sig")
    else:
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        phone = next(row[9] for row in sheet.iter_rows(min_row=2) if row[1].value == person.name)
        assert (phone.value, phone.data_type) == ("000-0000-0993", "s")
    events = {(e.entity_type, e.entity_id): e for e in await read_events(sessionmaker, name)}
    assert events[("Partner", str(person.id))].changes == {
        "fields": ["phone"],
        "requestId": response.headers["x-request-id"],
    }


async def test_the_public_agreements_list_logs_nothing(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # when anyone downloads the agreements
    response = await client.get(f"/exports/agreements.json?on={ON}")
    # then no personal data was shown, so nothing is logged
    assert response.status_code == 200
    assert await read_events(sessionmaker, "anonymous") == []


# ------------------------------------------------------------------ CP932


@pytest.mark.parametrize(
    "name", ["partners", "agreements", "disaster-contacts", "support-requests"]
)
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
    assert rows[0][0] in {"外部ID", "市町村名", "協定区分", "災害"}


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
