"""Exports (issue 5): agreements as CSV and JSON, in Hokkaido's layout."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.enums import PartnerKind
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.exports import ExportFormat, UnsupportedFormat
from kyodo.domain.visibility import PartnerVisibility
from tests.exchange.exports.support import (
    HOKKAIDO_HEADERS,
    ON,
    add_partner,
    agreement_by_external_id,
    as_dicts,
    read_csv,
)

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
