"""Exports (issue 5): partners as CSV and JSON."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import PartnerKind, PartnerStatus
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.domain.partners.models import Partner, PartnerField
from kyodo.domain.reference.models import CollaborationField
from tests.exchange.exports.support import (
    BOM,
    KIND_LABELS,
    ON,
    PARTNER_HEADERS,
    add_partner,
    as_dicts,
    read_csv,
)

# ------------------------------------------------------------------ CSV basics


async def test_csv_starts_with_a_bom_ends_lines_with_crlf_and_opens_with_the_csv_module(
    session: AsyncSession,
):
    # when exporting the partners as CSV
    export = await exports.export_partners(session, fmt=ExportFormat.CSV, on=ON)
    # then the bytes start with the UTF-8 BOM, every line ends in CRLF
    assert export.body.startswith(BOM)
    assert export.body.count(b"\n") == export.body.count(b"\r\n") > 1
    # and the csv module reads a header and rows of equal width
    rows = read_csv(export.body)
    assert len(rows) > 200
    assert {len(row) for row in rows} == {len(PARTNER_HEADERS)}
    assert export.media_type == "text/csv; charset=utf-8"
    assert export.filename == "kyodo-partners-2022-03-10.csv"


async def test_partners_csv_headers_are_exactly_the_importers(session: AsyncSession):
    # when exporting the partners as CSV
    export = await exports.export_partners(session, fmt=ExportFormat.CSV, on=ON)
    # then the header line is the one `kyodo import partners` reads
    assert read_csv(export.body)[0] == PARTNER_HEADERS


async def test_partners_csv_holds_the_same_rows_as_the_database(session: AsyncSession):
    # given a partner with every column filled, besides the demo data
    await add_partner(
        session,
        kind=PartnerKind.NPO,
        name="（デモ）NPO法人 全項目",
        name_kana="ゼンコウモク",
        corporate_number="7999999000101",
        external_id="test-full",
        district="中央",
        representative="デモ 代表",
        postal_code="053-0000",
        prefecture="北海道",
        city="苫小牧市",
        street="（デモ）旭町1丁目1-1",
        phone="000-0000-0994",
        email="full@example.jp",
    )
    # and the active partners as the database holds them, in 五十音 order
    partners = (
        (
            await session.execute(
                sa.select(Partner)
                .where(col(Partner.status) == PartnerStatus.ACTIVE)
                .order_by(col(Partner.sort_key), col(Partner.id))
            )
        )
        .scalars()
        .all()
    )
    field_rows = (
        await session.execute(
            sa.select(col(PartnerField.partner_id), col(CollaborationField.name))
            .join(CollaborationField, col(CollaborationField.id) == col(PartnerField.field_id))
            .order_by(col(CollaborationField.sort_order))
        )
    ).all()
    fields: dict[int, list[str]] = {}
    for partner_id, name in field_rows:
        fields.setdefault(partner_id, []).append(name)
    expected = [
        [
            p.external_id or "",
            p.name,
            p.name_kana or "",
            KIND_LABELS[p.kind.value],
            p.corporate_number or "",
            p.district or "",
            p.representative or "",
            p.postal_code or "",
            p.street or "",
            p.phone or "",
            p.email or "",
            "、".join(fields.get(p.id or 0, [])),
        ]
        for p in partners
    ]
    # when exporting them and parsing the file back
    export = await exports.export_partners(session, fmt=ExportFormat.CSV, on=ON)
    rows = read_csv(export.body)[1:]
    # then it is row for row the database
    assert rows == expected
    assert export.rows == len(expected)
    assert any(row[3] == "個人" for row in rows)
    assert any("、" in row[11] for row in rows)
    assert [
        "test-full",
        "（デモ）NPO法人 全項目",
        "ゼンコウモク",
        "NPO法人",
        "7999999000101",
        "中央",
        "デモ 代表",
        "053-0000",
        "（デモ）旭町1丁目1-1",
        "000-0000-0994",
        "full@example.jp",
        "",
    ] in rows


async def test_partners_export_leaves_out_inactive_partners(session: AsyncSession):
    # given a partner that is no longer active
    await add_partner(
        session,
        kind=PartnerKind.CITIZEN_GROUP,
        name="（デモ）解散した会",
        status=PartnerStatus.DISSOLVED,
        external_id="test-dissolved",
    )
    # when exporting the partners
    export = await exports.export_partners(session, fmt=ExportFormat.CSV, on=ON)
    # then it is not on the list (the CSV has no 状態; a re-import must not revive it)
    assert "test-dissolved" not in {row["外部ID"] for row in as_dicts(export.body)}


async def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    session: AsyncSession,
):
    # given a partner whose name is a spreadsheet formula
    await add_partner(
        session,
        kind=PartnerKind.CITIZEN_GROUP,
        name='=HYPERLINK("http://example.jp","x")',
        external_id="test-formula",
    )
    # when exporting the partners as CSV
    export = await exports.export_partners(session, fmt=ExportFormat.CSV, on=ON)
    # then the cell starts with an apostrophe, which Excel shows as plain text
    row = next(r for r in as_dicts(export.body) if r["外部ID"] == "test-formula")
    assert row["名称"] == '\'=HYPERLINK("http://example.jp","x")'


async def test_partners_export_notes_the_personal_data_it_shows(session: AsyncSession):
    # given an individual volunteer with a phone and a company with a representative
    person = await add_partner(
        session,
        kind=PartnerKind.INDIVIDUAL,
        name="デモ ボランティア",
        phone="000-0000-0991",
        external_id="test-person",
    )
    company = await add_partner(
        session,
        kind=PartnerKind.COMPANY,
        name="（デモ）代表者のいる会社",
        representative="デモ 代表",
        phone="000-0000-0992",
        external_id="test-company",
    )
    # when exporting the partners
    export = await exports.export_partners(session, fmt=ExportFormat.JSON, on=ON)
    # then the individual's phone and the representative are noted, a company phone is not
    assert export.personal_reads[("Partner", person.id)] == {"phone"}
    assert export.personal_reads[("Partner", company.id)] == {"representative"}


async def test_partners_json_is_sorted_utf8_with_the_documented_fields(session: AsyncSession):
    # when exporting the partners as JSON
    export = await exports.export_partners(session, fmt=ExportFormat.JSON, on=ON)
    # then it is UTF-8 with Japanese as it is written, keys sorted at every level
    text = export.body.decode("utf-8")
    assert "東日本電信電話株式会社" in text
    document = json.loads(text)
    assert text == json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    # and it is an array of partners in partnersUpsert's field names
    assert isinstance(document, list)
    assert len(document) == export.rows
    ntt = next(p for p in document if p["name"] == "東日本電信電話株式会社")
    assert ntt == {
        "address": {"city": "苫小牧市", "postalCode": None, "prefecture": "北海道", "street": None},
        "corporateNumber": None,
        "district": None,
        "email": "ds-000@example.jp",
        "externalId": "demo-partner-ds-000",
        "fieldCodes": ["safety"],
        "kind": "COMPANY",
        "name": "東日本電信電話株式会社",
        "nameKana": "ヒガシニホンデンシンデンワ",
        "phone": "000-0300-0000",
        "representative": None,
        "status": "ACTIVE",
        "website": None,
    }


async def test_partners_export_costs_two_statements(session: AsyncSession, count_queries):
    # when exporting every partner
    with count_queries() as counter:
        await exports.export_partners(session, fmt=ExportFormat.CSV, on=ON)
    # then partners and their fields are read in one statement each, whatever their number
    assert counter.count == 2, counter.statements
