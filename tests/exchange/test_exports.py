"""Exports (issue 5): partners and agreements as CSV/JSON, the disaster contact list."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.agreements.models import Agreement, AgreementParty
from domain.agreements.service import disaster_support
from domain.enums import PartnerKind, PartnerStatus, SupportCategory
from domain.exchange import exports
from domain.exchange.exports import ExportFormat, UnsupportedFormat
from domain.partners.models import Partner, PartnerField
from domain.partners.service import refresh_derived_fields
from domain.reference.models import CollaborationField
from domain.visibility import PartnerVisibility

ON = date(2022, 3, 10)
BOM = b"\xef\xbb\xbf"
PARTNER_HEADERS = [
    "外部ID",
    "名称",
    "フリガナ",
    "種別",
    "法人番号",
    "地区",
    "代表者",
    "郵便番号",
    "住所",
    "電話番号",
    "メールアドレス",
    "分野",
]
HOKKAIDO_HEADERS = [
    "市町村名",
    "No",
    "協定の名称",
    "協定相手方",
    "職員派遣",
    "物資供給",
    "物資運搬・輸送",
    "医療救護",
    "災害広報",
    "避難収容",
    "ライフライン復旧",
    "その他",
    "締結日",
    "外部ID",
]
KIND_LABELS = {
    "INDIVIDUAL": "個人",
    "CITIZEN_GROUP": "市民活動団体",
    "NEIGHBORHOOD_ASSOCIATION": "町内会・自治会",
    "NPO": "NPO法人",
    "COMPANY": "企業",
    "OTHER_ORGANIZATION": "その他の団体",
}


def read_csv(body: bytes) -> list[list[str]]:
    """What Excel (or any program) reads: the BOM stripped, CRLF records."""
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def as_dicts(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def add_partner(session: AsyncSession, **values: Any) -> Partner:
    partner = Partner(**values)
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    return partner


async def agreement_by_external_id(session: AsyncSession, external_id: str) -> Agreement:
    stmt = sa.select(Agreement).where(col(Agreement.external_id) == external_id)
    return (await session.execute(stmt)).scalar_one()


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


# ------------------------------------------------------------------ agreements


async def test_agreements_csv_follows_hokkaidos_layout(session: AsyncSession):
    # when exporting the agreements in force on 2022-03-10
    export = await exports.export_agreements(session, fmt=ExportFormat.CSV, on=ON)
    rows = read_csv(export.body)
    # then the header is Hokkaido's open-data layout, this system's columns after it
    assert rows[0][: len(HOKKAIDO_HEADERS)] == HOKKAIDO_HEADERS
    assert rows[0][len(HOKKAIDO_HEADERS) :] == ["担当課", "協定の内容"]
    # and the rows are numbered 1..n, each for 苫小牧市
    assert [row[1] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]
    assert {row[0] for row in rows[1:]} == {"苫小牧市"}


async def test_agreements_csv_marks_the_ntt_east_agreement_under_lifeline_restoration_only(
    session: AsyncSession,
):
    # when exporting the agreements in force on 2022-03-10
    export = await exports.export_agreements(session, fmt=ExportFormat.CSV, on=ON)
    # then NTT East's agreement on communication lines is marked ○ under ライフライン復旧 alone
    row = next(r for r in as_dicts(export.body) if r["外部ID"] == "demo-agreement-ds-000")
    assert row["協定相手方"] == "東日本電信電話株式会社"
    assert row["協定の名称"] == "災害時における通信設備の応急復旧等に関する協定"
    assert row["締結日"] == "2012-06-12"
    marks = {header: row[header] for header in HOKKAIDO_HEADERS[4:12]}
    assert marks == {
        "職員派遣": "",
        "物資供給": "",
        "物資運搬・輸送": "",
        "医療救護": "",
        "災害広報": "",
        "避難収容": "",
        "ライフライン復旧": "○",
        "その他": "",
    }


async def test_agreements_csv_marks_every_category_of_an_agreement(session: AsyncSession):
    # given an agreement that covers three categories (相互応援 with あおぞら町)
    # when exporting
    export = await exports.export_agreements(session, fmt=ExportFormat.CSV, on=ON)
    # then each of its three categories carries ○ and no other
    row = next(r for r in as_dicts(export.body) if r["外部ID"] == "demo-agreement-ds-088")
    marked = [h for h in HOKKAIDO_HEADERS[4:12] if row[h] == "○"]
    assert marked == ["職員派遣", "物資供給", "避難収容"]
    assert {row[h] for h in HOKKAIDO_HEADERS[4:12]} == {"○", ""}


async def test_agreements_export_holds_those_in_force_on_the_date(session: AsyncSession):
    # when exporting the disaster-support agreements on 2022-03-10
    export = await exports.export_agreements(session, fmt=ExportFormat.CSV, on=ON)
    ids = {r["外部ID"] for r in as_dicts(export.body)}
    # then those in force are there; expired, terminated, draft and other kinds are not
    assert "demo-agreement-ds-000" in ids
    assert "demo-agreement-ds-037" not in ids  # expired 2019-03-31
    assert "demo-agreement-ds-101" not in ids  # terminated 2020-09-30
    assert "demo-agreement-rejibukuro" not in ids  # not a disaster-support agreement
    assert export.rows == len(ids) == 97


async def test_agreements_export_of_every_category(session: AsyncSession):
    # when exporting agreements of every category
    export = await exports.export_agreements(session, fmt=ExportFormat.CSV, on=ON, category=None)
    # then the other kinds are there too, without 協定区分
    row = next(r for r in as_dicts(export.body) if r["外部ID"] == "demo-agreement-rejibukuro")
    assert row["担当課"] == "ゼロごみ推進課"
    assert row["協定の内容"] == "レジ袋の削減、食品トレー・紙パックの店頭回収、市の啓発への協力。"
    assert {row[h] for h in HOKKAIDO_HEADERS[4:12]} == {""}


async def test_public_agreements_export_leaves_individuals_out(session: AsyncSession):
    # given an individual volunteer who is a party to NTT East's agreement
    agreement = await agreement_by_external_id(session, "demo-agreement-ds-000")
    person = await add_partner(session, kind=PartnerKind.INDIVIDUAL, name="デモ 個人協力者")
    session.add(AgreementParty(agreement_id=agreement.id, partner_id=person.id, position=9))
    await session.flush()
    # when exporting for the public and for staff
    public = await exports.export_agreements(
        session, fmt=ExportFormat.JSON, on=ON, visibility=PartnerVisibility.ORGANISATIONS
    )
    staff = await exports.export_agreements(session, fmt=ExportFormat.JSON, on=ON)

    # then the public sees the agreement with its organisations only, staff see everyone
    def parties(export: exports.ExportFile) -> list[dict[str, Any]]:
        document = json.loads(export.body)
        entry = next(a for a in document["agreements"] if a["externalId"] == agreement.external_id)
        return entry["parties"]

    assert parties(public) == [{"kind": "COMPANY", "name": "東日本電信電話株式会社"}]
    assert [p["name"] for p in parties(staff)] == ["東日本電信電話株式会社", "デモ 個人協力者"]
    assert "デモ 個人協力者" not in public.body.decode("utf-8")


async def test_agreements_json_structure(session: AsyncSession):
    # when exporting the agreements as JSON
    export = await exports.export_agreements(session, fmt=ExportFormat.JSON, on=ON)
    document = json.loads(export.body)
    # then it names the date, the municipality and each agreement's terms
    assert document["asOf"] == "2022-03-10"
    assert document["municipality"] == "苫小牧市"
    assert document["category"] == "DISASTER_SUPPORT"
    assert document["count"] == len(document["agreements"]) == 97
    ntt = next(a for a in document["agreements"] if a["externalId"] == "demo-agreement-ds-000")
    assert ntt["supportCategories"] == ["LIFELINE_RESTORATION"]
    assert ntt["supportCategoryLabels"] == ["ライフライン復旧"]
    assert ntt["concludedOn"] == "2012-06-12"
    assert ntt["concludedOnWareki"] == "平成24年6月12日"
    assert ntt["department"] == {"code": "kikikanri", "name": "危機管理室"}
    assert ntt["parties"] == [
        {"externalId": "demo-partner-ds-000", "kind": "COMPANY", "name": "東日本電信電話株式会社"}
    ]
    assert export.personal_reads == {}


async def test_partners_and_agreements_are_not_printable_pages(session: AsyncSession):
    # when asking for the partner list as HTML
    # then the export says which formats it has
    with pytest.raises(UnsupportedFormat, match="csv、xlsx、json"):
        await exports.export_partners(session, fmt=ExportFormat.HTML, on=ON)
    with pytest.raises(UnsupportedFormat):
        await exports.export_agreements(session, fmt=ExportFormat.HTML, on=ON)


# ------------------------------------------------------------------ disaster contacts


async def test_disaster_contacts_csv_lists_each_contact_under_each_category(
    session: AsyncSession,
):
    # when exporting the disaster contacts for 2022-03-10 as CSV
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.CSV, on=ON)
    rows = read_csv(export.body)
    # then the headers are exact and NTT East is listed with its contact
    assert export.body.startswith(BOM)
    assert rows[0] == [
        "協定区分",
        "協定相手方",
        "地区",
        "協定の名称",
        "連絡先氏名",
        "役職",
        "電話番号",
        "24時間",
        "最終確認日",
        "状態",
    ]
    assert [
        "ライフライン復旧",
        "東日本電信電話株式会社",
        "",
        "災害時における通信設備の応急復旧等に関する協定",
        "デモ 花子",
        "防災担当",
        "000-0900-0001",
        "",
        "2021-05-08",
        "確認済",
    ] in rows
    # and the categories come in Hokkaido's 協定区分 order
    seen = list(dict.fromkeys(row[0] for row in rows[1:]))
    assert seen == [label for label in HOKKAIDO_HEADERS[4:12] if label in seen]


async def test_disaster_contacts_mark_contacts_not_confirmed_within_a_year(
    session: AsyncSession,
):
    # given contacts confirmed 366 days before (樽前温泉旅館), long ago (錦岡運輸), never (みなと通運)
    # when exporting the list for 2022-03-10
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.CSV, on=ON)
    status = {(r["協定相手方"], r["最終確認日"], r["状態"]) for r in as_dicts(export.body)}
    # then each is marked to be checked, while a contact confirmed in 2021-05 is not
    assert ("（デモ）樽前温泉旅館株式会社", "2021-03-09", "⚠ 要確認") in status
    assert ("（デモ）錦岡運輸株式会社", "2019-05-15", "⚠ 要確認") in status
    assert ("（デモ）みなと通運株式会社", "未確認", "⚠ 要確認") in status
    assert ("東日本電信電話株式会社", "2021-05-08", "確認済") in status


async def test_disaster_contacts_json_follows_the_lookup(session: AsyncSession):
    # given the disaster lookup for supplies on 2022-03-10
    lookup = await disaster_support(
        session, categories=[SupportCategory.SUPPLIES], on=ON, district=None
    )
    # when exporting the list as JSON
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.JSON, on=ON)
    document = json.loads(export.body)
    # then its supplies section holds the same partners, with every category present
    assert document["asOf"] == "2022-03-10"
    assert document["asOfWareki"] == "令和4年3月10日"
    assert [c["category"] for c in document["categories"]] == [c.value for c in SupportCategory]
    supplies = document["categories"][1]
    assert supplies["label"] == "物資供給"
    assert sorted(e["partner"]["name"] for e in supplies["entries"]) == sorted(
        row.partner.name for row in lookup
    )
    assert supplies["count"] == len(lookup)


async def test_disaster_contacts_note_every_agreement_whose_contacts_they_show(
    session: AsyncSession,
):
    # given NTT East's agreement, which lists its own emergency contact
    ntt = await agreement_by_external_id(session, "demo-agreement-ds-000")
    # when exporting the disaster contacts
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)
    # then the access log will name that agreement's emergency contacts
    assert export.personal_reads[("Agreement", ntt.id)] == {"emergencyContacts"}


async def test_disaster_contacts_page_escapes_everything(session: AsyncSession):
    # given a counterparty whose name is markup
    ntt = await session.execute(
        sa.select(Partner).where(col(Partner.external_id) == "demo-partner-ds-000")
    )
    partner = ntt.scalar_one()
    partner.name = '<script>alert("x")</script>&<b>'
    await session.flush()
    # when rendering the printable page
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)
    page = export.body.decode("utf-8")
    # then the name is shown as text, never as markup
    assert "<script>" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&lt;b&gt;" in page


async def test_disaster_contacts_page_is_self_contained(session: AsyncSession):
    # when rendering the printable page
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)
    page = export.body.decode("utf-8")
    # then it fetches nothing: no scripts, links, images, imports or remote URLs
    for needle in ("<script", "<link", "<img", "src=", "@import", "url(", "http:", "https:"):
        assert needle not in page, needle
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="ja">' in page
    assert export.media_type == "text/html; charset=utf-8"


async def test_disaster_contacts_page_has_the_date_on_every_sheet(session: AsyncSession):
    # when rendering the page for 2022-03-10
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)
    page = export.body.decode("utf-8")
    date_label = "令和4年3月10日（2022-03-10）現在"
    # then the date is in the page margin of every printed page (A4)
    assert f'@top-right {{ content: "{date_label}"' in page
    assert "size: A4" in page
    # and in the head of every category table, which repeats on each page it runs over
    tables = page.count('<table class="contacts">')
    assert tables == 8  # every category has partners on 2022-03-10
    assert page.count(f'<span class="as-of-cell">{date_label}</span>') == tables
    assert page.count("<thead>") == tables + 1  # plus the summary table


async def test_disaster_contacts_page_marks_stale_rows_with_a_class_and_a_sign(
    session: AsyncSession,
):
    # when rendering the page for 2022-03-10
    export = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)
    page = export.body.decode("utf-8")
    # then the stale partner's rows carry the class and the visible sign
    start = page.index("（デモ）錦岡運輸株式会社")
    body_start = page.rindex("<tbody", 0, start)
    body_end = page.index("</tbody>", start)
    entry = page[body_start:body_end]
    assert entry.startswith('<tbody class="entry stale">')
    assert "⚠ 要確認" in entry
    assert "令和元年<br>5月15日" in entry
    # and a fresh one carries neither
    start = page.index("東日本電信電話株式会社")
    entry = page[page.rindex("<tbody", 0, start) : page.index("</tbody>", start)]
    assert entry.startswith('<tbody class="entry">')
    assert "要確認" not in entry


async def test_disaster_contacts_on_a_day_without_agreements(session: AsyncSession):
    # when exporting the list for a day before any agreement was concluded
    export = await exports.export_disaster_contacts(
        session, fmt=ExportFormat.HTML, on=date(1990, 1, 1)
    )
    page = export.body.decode("utf-8")
    # then the page says so instead of failing
    assert export.rows == 0
    assert "平成2年1月1日（1990-01-01）現在" in page
    assert page.count("該当なし") == 8
    assert '<table class="contacts">' not in page
