"""The partner list (協働のパートナー): the headers ``kyodo import partners`` reads, so
that an export can be edited in a spreadsheet and loaded back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import PartnerKind, PartnerStatus
from kyodo.domain.exchange.exports.formats import (
    LIST_SEPARATOR,
    CsvEncoding,
    ExportFile,
    ExportFormat,
    ListExport,
    PersonalReads,
    note_read,
    write_json,
)
from kyodo.domain.exchange.exports.tables import write_table
from kyodo.domain.labels import labels
from kyodo.domain.partners.inputs import ADDRESS_FIELDS, SCALARS, input_name
from kyodo.domain.partners.models import Partner, PartnerField
from kyodo.domain.reference.models import CollaborationField

PARTNER_LIST = ListExport(
    "partners", "パートナー一覧", (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON)
)

PARTNER_KIND_LABELS: dict[PartnerKind, str] = labels(PartnerKind)
"""種別 as people write it; ``kyodo import partners`` reads these labels back."""

PARTNER_HEADERS: tuple[str, ...] = (
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
)
"""The partners CSV, column by column: the headers ``kyodo import partners`` accepts."""


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    partner: Partner
    fields: list[CollaborationField]


async def load_partners(session: AsyncSession) -> list[PartnerRecord]:
    """Active partners in 五十音 order with their fields of collaboration (Q8).

    Inactive and dissolved partners are left out: the CSV has no 状態 column, and a
    re-import must not bring them back as active. Two statements whatever the count.
    """
    active = col(Partner.status) == PartnerStatus.ACTIVE
    stmt = sa.select(Partner).where(active).order_by(col(Partner.sort_key), col(Partner.id))
    partners = list((await session.execute(stmt)).scalars())
    field_stmt = (
        sa.select(col(PartnerField.partner_id), CollaborationField)
        .join(CollaborationField, col(CollaborationField.id) == col(PartnerField.field_id))
        .where(col(PartnerField.partner_id).in_(sa.select(col(Partner.id)).where(active)))
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    fields: dict[int, list[CollaborationField]] = {}
    for partner_id, collaboration_field in (await session.execute(field_stmt)).all():
        fields.setdefault(partner_id, []).append(collaboration_field)
    return [PartnerRecord(p, fields.get(p.id or 0, [])) for p in partners]


def partner_personal_reads(records: Iterable[PartnerRecord]) -> PersonalReads:
    """The personal data a partners export shows, as the GraphQL API notes it: the
    representative of any partner; address, phone and mail of individuals."""
    reads: PersonalReads = {}
    for record in records:
        row = record.partner
        if row.representative:
            note_read(reads, "Partner", row.id, "representative")
        if row.kind is PartnerKind.INDIVIDUAL:
            if any((row.postal_code, row.prefecture, row.city, row.street)):
                note_read(reads, "Partner", row.id, "address")
            if row.phone:
                note_read(reads, "Partner", row.id, "phone")
            if row.email:
                note_read(reads, "Partner", row.id, "email")
    return reads


PARTNER_TEXT_COLUMNS = ("外部ID", "法人番号", "郵便番号", "電話番号")
"""Digit strings: text cells formatted 文字列 in the .xlsx, never numbers."""


def identify_partner(row: Sequence[Any]) -> str:
    """A partners row (外部ID, 名称, ...) named in a message."""
    external_id, name = row[0], row[1]
    return (
        f"パートナー「{name}」（外部ID {external_id}）" if external_id else f"パートナー「{name}」"
    )


def partner_csv_row(record: PartnerRecord) -> list[str | None]:
    row = record.partner
    return [
        row.external_id,
        row.name,
        row.name_kana,
        PARTNER_KIND_LABELS[row.kind],
        row.corporate_number,
        row.district,
        row.representative,
        row.postal_code,
        row.street,
        row.phone,
        row.email,
        LIST_SEPARATOR.join(f.name for f in record.fields) or None,
    ]


def partner_document(record: PartnerRecord) -> dict[str, Any]:
    """A partner in the field names of ``partnersUpsert`` (and ``kyodo import partners``):
    every scalar column of ``domain.partners.commands.SCALARS``, the address as one object."""
    row = record.partner
    document: dict[str, Any] = {
        input_name(name): _json_value(getattr(row, name))
        for name in SCALARS
        if name not in ADDRESS_FIELDS
    }
    document["address"] = {input_name(name): getattr(row, name) for name in ADDRESS_FIELDS}
    document["fieldCodes"] = [f.code for f in record.fields]
    return document


def _json_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


async def export_partners(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """The partner list (協働のパートナー) as CSV, XLSX or JSON, all readable by ``kyodo
    import partners``. The CSV's (and the sheet's) 住所 is the street part (番地):
    都道府県 and 市区町村 have no column of their own there, and an import leaves them as
    they are. Personal data: callers must be allowed to read partners (``READ_PARTNERS``)."""
    PARTNER_LIST.check(fmt, on, encoding)
    records = await load_partners(session)
    if fmt is ExportFormat.JSON:
        body = write_json([partner_document(r) for r in records])
    else:
        body = write_table(
            fmt,
            PARTNER_HEADERS,
            [partner_csv_row(r) for r in records],
            sheet=PARTNER_LIST.title,
            text_columns=PARTNER_TEXT_COLUMNS,
            encoding=encoding,
            identify=identify_partner,
        )
    return PARTNER_LIST.file(
        body,
        fmt=fmt,
        on=on,
        rows=len(records),
        encoding=encoding,
        personal_reads=partner_personal_reads(records),
    )
