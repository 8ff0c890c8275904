"""The disaster contacts export: :func:`domain.agreements.lookup.disaster_support` for
one day as CSV, JSON or the printable page (:mod:`.disaster_page`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.exchange.exports.disaster_listing import (
    STALE_MARK,
    STALE_MARK_CP932,
    DisasterContactList,
    load_disaster_contacts,
    status_label,
    verified_on_label,
)
from kyodo.domain.exchange.exports.disaster_page import render_disaster_contacts_html
from kyodo.domain.exchange.exports.formats import (
    MARK,
    CsvEncoding,
    ExportFile,
    ExportFormat,
    ListExport,
    write_json,
)
from kyodo.domain.exchange.exports.tables import write_csv
from kyodo.domain.exchange.review_sections import review_csv_rows, review_document
from kyodo.domain.japanese import to_wareki

DISASTER_CONTACT_HEADERS: tuple[str, ...] = (
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
)

DISASTER_CONTACT_LIST = ListExport(
    "disaster-contacts", "災害時連絡先", (ExportFormat.HTML, ExportFormat.CSV, ExportFormat.JSON)
)


def disaster_csv_rows(
    listing: DisasterContactList, stale_mark: str = STALE_MARK
) -> Iterable[list[str | None]]:
    """One line per (category, partner, contact); a partner without any contact still
    gets a line, so that nobody drops off the list."""
    for section in listing.sections:
        for entry in section.entries:
            row = entry.row
            head = [section.label, row.partner.name, row.partner.district, row.agreement.title]
            tail = [verified_on_label(entry), status_label(entry, stale_mark)]
            if not entry.contacts:
                yield [*head, None, None, None, None, *tail]
            for contact in entry.contacts:
                clock = MARK if contact.around_the_clock else None
                yield [*head, contact.name, contact.role, contact.phone, clock, *tail]
    yield from review_csv_rows(listing.needing_review)


def disaster_document(listing: DisasterContactList) -> dict[str, Any]:
    return {
        "asOf": listing.on.isoformat(),
        "asOfWareki": to_wareki(listing.on),
        "agreementCount": listing.agreement_count,
        "partnerCount": listing.partner_count,
        "categories": [
            {
                "category": section.category.value,
                "label": section.label,
                "count": len(section.entries),
                "staleCount": section.stale_count,
                "entries": [
                    {
                        "partner": {
                            "name": e.row.partner.name,
                            "district": e.row.partner.district,
                            "externalId": e.row.partner.external_id,
                        },
                        "agreement": {
                            "title": e.row.agreement.title,
                            "externalId": e.row.agreement.external_id,
                        },
                        "supportCategories": [c.value for c in e.row.support_categories],
                        "contacts": [
                            {
                                "name": c.name,
                                "role": c.role,
                                "phone": c.phone,
                                "email": c.email,
                                "availableAroundTheClock": c.around_the_clock,
                            }
                            for c in e.contacts
                        ],
                        "contactsVerifiedOn": (
                            e.row.contacts_verified_on.isoformat()
                            if e.row.contacts_verified_on
                            else None
                        ),
                        "contactsStale": e.stale,
                    }
                    for e in section.entries
                ],
            }
            for section in listing.sections
        ],
        "needingReview": review_document(listing.needing_review),
    }


def identify_disaster_contact(row: Sequence[Any]) -> str:
    """A disaster-contacts row (協定区分, 協定相手方, ...) named in a message."""
    return f"{row[0]}の「{row[1]}」"


async def export_disaster_contacts(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """The disaster-management office's contact list for ``on`` (rule 9): printable
    HTML, CSV or JSON. Personal data: callers need ``READ_EMERGENCY_CONTACTS``."""
    DISASTER_CONTACT_LIST.check(fmt, on, encoding)
    listing = await load_disaster_contacts(session, on=on)
    if fmt is ExportFormat.CSV:
        body = write_csv(
            DISASTER_CONTACT_HEADERS,
            disaster_csv_rows(
                listing, STALE_MARK_CP932 if encoding is CsvEncoding.CP932 else STALE_MARK
            ),
            encoding=encoding,
            identify=identify_disaster_contact,
        )
    elif fmt is ExportFormat.JSON:
        body = write_json(disaster_document(listing))
    else:
        body = render_disaster_contacts_html(listing).encode("utf-8")
    return DISASTER_CONTACT_LIST.file(
        body,
        fmt=fmt,
        on=on,
        rows=sum(len(s.entries) for s in listing.sections) + len(listing.needing_review),
        encoding=encoding,
        personal_reads=listing.personal_reads,
    )
