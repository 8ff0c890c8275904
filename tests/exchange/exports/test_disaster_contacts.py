"""Exports (issue 5): the disaster contact list as CSV, JSON and a printable page."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.lookup import disaster_support
from kyodo.domain.enums import SupportCategory
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.domain.partners.models import Partner
from tests.exchange.exports.support import (
    BOM,
    HOKKAIDO_HEADERS,
    ON,
    agreement_by_external_id,
    as_dicts,
    read_csv,
)

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
