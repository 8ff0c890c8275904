"""The agreement list (協定) in Hokkaido's open-data layout for disaster-support
agreements (市町村名, No, 協定の名称, 協定相手方, the eight 協定区分 marked ○), plus 締結日
and the keys this system needs at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.in_force import agreement_ids_in_force_on
from kyodo.domain.agreements.lookup import support_categories_by_agreement
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.service import get_many, parties_by_agreement
from kyodo.domain.enums import AgreementCategory, SupportCategory
from kyodo.domain.exchange.exports.formats import (
    LIST_SEPARATOR,
    MARK,
    CsvEncoding,
    ExportFile,
    ExportFormat,
    ListExport,
    write_json,
)
from kyodo.domain.exchange.exports.tables import write_table
from kyodo.domain.exchange.municipality import municipality
from kyodo.domain.japanese import to_wareki
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS, labels
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.service import departments_by_id
from kyodo.domain.visibility import PartnerVisibility

AGREEMENT_CATEGORY_LABELS: dict[AgreementCategory, str] = labels(AgreementCategory)

SUPPORT_CATEGORY_HEADERS: tuple[str, ...] = tuple(
    SUPPORT_CATEGORY_LABELS[c] for c in SupportCategory
)

AGREEMENT_HEADERS: tuple[str, ...] = (
    "市町村名",
    "No",
    "協定の名称",
    "協定相手方",
    *SUPPORT_CATEGORY_HEADERS,
    "締結日",
    "外部ID",
    "担当課",
    "協定の内容",
)
"""Hokkaido's open-data layout (市町村名 … その他), then 締結日 and what this system keeps
besides; every header is one ``kyodo import agreements`` reads."""

AGREEMENT_LIST = ListExport(
    "agreements", "協定一覧", (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON)
)


@dataclass(frozen=True, slots=True)
class AgreementRecord:
    number: int
    agreement: Agreement
    parties: list[Partner]
    support_categories: list[SupportCategory]
    department_code: str
    department_name: str


async def load_agreements(
    session: AsyncSession,
    *,
    on: date,
    category: AgreementCategory | None,
    visibility: PartnerVisibility,
) -> list[AgreementRecord]:
    """Agreements in force on ``on`` (rule 8), of ``category`` (all when None), numbered
    in order of conclusion as Hokkaido's list does.

    Parties are those ``visibility`` shows (rule 13: no individual volunteers for the
    public). The agreement itself stays, as on the GraphQL API.
    """
    conditions = [col(Agreement.category) == category] if category is not None else []
    ids = await agreement_ids_in_force_on(session, on=on, conditions=conditions)
    if not ids:
        return []
    agreements = [a for a in await get_many(session, ids) if a is not None]
    agreements.sort(key=lambda a: (a.concluded_on or a.effective_from or on, a.id or 0))
    ordered = [a.id or 0 for a in agreements]
    parties = await parties_by_agreement(session, ordered)
    categories = await support_categories_by_agreement(session, ordered)
    department_ids = sorted({a.department_id for a in agreements})
    departments = {
        d.id: d for d in await departments_by_id(session, department_ids) if d is not None
    }
    records = []
    for number, (agreement, its_parties, its_categories) in enumerate(
        zip(agreements, parties, categories, strict=True), start=1
    ):
        its_parties = [p for p in its_parties if visibility.allows(p)]
        department = departments.get(agreement.department_id)
        records.append(
            AgreementRecord(
                number=number,
                agreement=agreement,
                parties=its_parties,
                support_categories=its_categories,
                department_code=department.code if department else "",
                department_name=department.name if department else "",
            )
        )
    return records


def identify_agreement(row: Sequence[Any]) -> str:
    """An agreements row (市町村名, No, 協定の名称, ...) named in a message."""
    return f"No {row[1]} の協定「{row[2]}」"


def agreement_csv_row(record: AgreementRecord) -> list[str | int | date | None]:
    row = record.agreement
    return [
        municipality(),
        record.number,
        row.title,
        LIST_SEPARATOR.join(p.name for p in record.parties),
        *(MARK if c in record.support_categories else None for c in SupportCategory),
        row.concluded_on,  # ISO in the CSV, a date cell in the sheet
        row.external_id,
        record.department_name,
        row.support_details,
    ]


def agreement_document(
    record: AgreementRecord, *, on: date, visibility: PartnerVisibility
) -> dict[str, Any]:
    """One agreement of the JSON list; parties' integration keys only for callers who may
    read them (the roles that see every partner)."""
    row = record.agreement
    term_ends = terms.agreement_term_ends_on(row, on)
    return {
        "no": record.number,
        "municipality": municipality(),
        "externalId": row.external_id,
        "title": row.title,
        "category": row.category.value,
        "categoryLabel": AGREEMENT_CATEGORY_LABELS[row.category],
        "status": row.status.value,
        "department": {"code": record.department_code, "name": record.department_name},
        "parties": [
            {"name": p.name, "kind": p.kind.value, "externalId": p.external_id}
            if visibility is PartnerVisibility.ALL
            else {"name": p.name, "kind": p.kind.value}
            for p in record.parties
        ],
        "supportCategories": [c.value for c in record.support_categories],
        "supportCategoryLabels": [SUPPORT_CATEGORY_LABELS[c] for c in record.support_categories],
        "supportDetails": row.support_details,
        "concludedOn": row.concluded_on.isoformat() if row.concluded_on else None,
        "concludedOnWareki": to_wareki(row.concluded_on) if row.concluded_on else None,
        "effectiveFrom": row.effective_from.isoformat() if row.effective_from else None,
        "currentTermEndsOn": term_ends.isoformat() if term_ends else None,
        "autoRenewal": row.auto_renewal,
    }


async def export_agreements(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    category: AgreementCategory | None = AgreementCategory.DISASTER_SUPPORT,
    visibility: PartnerVisibility = PartnerVisibility.ALL,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """Agreements in force on ``on`` in Hokkaido's open-data layout (CSV, XLSX) or as JSON.

    By default the disaster-support agreements (災害時応援協定), which is what the
    prefecture's list holds; ``category=None`` exports every category. Contains no
    personal data (no contacts; with ``visibility`` ORGANISATIONS, for the public, no
    individuals either).
    """
    AGREEMENT_LIST.check(fmt, on, encoding)
    records = await load_agreements(session, on=on, category=category, visibility=visibility)
    if fmt is not ExportFormat.JSON:
        body = write_table(
            fmt,
            AGREEMENT_HEADERS,
            [agreement_csv_row(r) for r in records],
            sheet=AGREEMENT_LIST.title,
            text_columns=("外部ID",),
            encoding=encoding,
            identify=identify_agreement,
        )
    else:
        body = write_json(
            {
                "asOf": on.isoformat(),
                "municipality": municipality(),
                "category": category.value if category else None,
                "count": len(records),
                "agreements": [
                    agreement_document(r, on=on, visibility=visibility) for r in records
                ],
            }
        )
    return AGREEMENT_LIST.file(body, fmt=fmt, on=on, rows=len(records), encoding=encoding)
