"""Export → import: what `kyodo export` writes, `kyodo import` reads back unchanged."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import PartnerKind
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.agreements_import import import_agreements
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.domain.exchange.partners_import import import_partners
from kyodo.domain.exchange.reading import read_table
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields

ON = date(2022, 3, 10)


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.JSON])
async def test_exported_partners_import_back_unchanged(
    session: AsyncSession, fmt: ExportFormat
) -> None:
    # given a partner with a full address and every column, besides the demo data
    partner = Partner(
        kind=PartnerKind.NPO,
        name="（デモ）往復する会",
        name_kana="オウフクスルカイ",
        external_id="test-roundtrip",
        district="中央",
        representative="デモ 代表",
        postal_code="053-0000",
        prefecture="北海道",
        city="苫小牧市",
        street="（デモ）旭町1丁目1-1",
        phone="000-0000-0995",
        email="roundtrip@example.jp",
    )
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    export = await exports.export_partners(session, fmt=fmt, on=ON)
    # when the file is imported again
    result = await import_partners(
        session,
        table=read_table(export.body, name=export.filename),
        dry_run=True,
        actor="test",
    )
    # then every partner is recognised and nothing would change
    assert result.rows == export.rows > 200
    assert (result.created, result.updated, result.unchanged) == (0, 0, export.rows)


async def test_exported_agreements_import_back_unchanged(session: AsyncSession) -> None:
    # given the agreements in Hokkaido's layout
    export = await exports.export_agreements(session, fmt=ExportFormat.CSV, on=ON)
    # when the file is imported again
    result = await import_agreements(
        session,
        table=read_table(export.body, name=export.filename),
        dry_run=True,
        actor="test",
        today=ON,
    )
    # then every agreement is recognised as it is stored
    assert (result.rows, result.created, result.unchanged) == (97, 0, 97)
    assert result.differs == 0
    assert result.partners_created == 0
