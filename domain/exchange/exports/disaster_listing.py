"""The disaster contact list (rule 9, 第3章(3)) as read from the database: for one day,
one section per 協定区分, each partner with its ways to be reached, stale contacts marked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.lookup import DisasterSupportRow, disaster_support
from kyodo.domain.disasters.review import DisasterReviewRow, agreements_needing_review
from kyodo.domain.enums import PartnerKind, SupportCategory
from kyodo.domain.exchange.exports.formats import PersonalReads, note_read
from kyodo.domain.japanese import to_wareki
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS
from kyodo.domain.partners.models import Contact

STALE_MARK = "⚠ 要確認"
STALE_MARK_CP932 = "※ 要確認"
"""The mark in a CP932 CSV, which has no ⚠."""
FRESH_MARK = "確認済"
NOT_VERIFIED = "未確認"


@dataclass(frozen=True, slots=True)
class ContactLine:
    """One way to reach a partner: an emergency contact, or its main number."""

    name: str
    role: str | None
    phone: str | None
    email: str | None
    around_the_clock: bool


@dataclass(frozen=True, slots=True)
class DisasterEntry:
    row: DisasterSupportRow
    contacts: list[ContactLine]

    @property
    def stale(self) -> bool:
        return self.row.contacts_stale or not self.row.emergency_contacts


@dataclass(frozen=True, slots=True)
class CategorySection:
    category: SupportCategory
    entries: list[DisasterEntry]

    @property
    def label(self) -> str:
        return SUPPORT_CATEGORY_LABELS[self.category]

    @property
    def stale_count(self) -> int:
        return sum(1 for e in self.entries if e.stale)


@dataclass(frozen=True, slots=True)
class DisasterContactList:
    on: date
    sections: list[CategorySection]
    agreement_count: int
    partner_count: int
    personal_reads: PersonalReads
    needing_review: list[DisasterReviewRow] = field(default_factory=list)
    """Agreements whose party is DISSOLVED or INACTIVE: listed apart, never as 確認済."""

    @property
    def date_label(self) -> str:
        return f"{to_wareki(self.on)}（{self.on.isoformat()}）現在"


def _contact_lines(row: DisasterSupportRow) -> list[ContactLine]:
    lines = [
        ContactLine(
            name=c.name,
            role=c.role,
            phone=c.phone,
            email=c.email,
            around_the_clock=c.available_around_the_clock,
        )
        for c in row.emergency_contacts
    ]
    if not lines and row.partner.phone:
        # No emergency contact on record: the partner's main number is still a way in.
        lines.append(
            ContactLine(
                name="（代表番号）",
                role=None,
                phone=row.partner.phone,
                email=row.partner.email,
                around_the_clock=False,
            )
        )
    return lines


def _disaster_reads(rows: Iterable[DisasterSupportRow]) -> PersonalReads:
    reads: PersonalReads = {}
    for row in rows:
        contacts: list[Contact] = row.emergency_contacts
        for contact in contacts:
            if contact.agreement_id is not None:
                note_read(reads, "Agreement", contact.agreement_id, "emergencyContacts")
            else:
                note_read(reads, "Partner", contact.partner_id, "contacts")
        if not contacts and row.partner.kind is PartnerKind.INDIVIDUAL and row.partner.phone:
            note_read(reads, "Partner", row.partner.id, "phone")
    return reads


async def load_disaster_contacts(session: AsyncSession, *, on: date) -> DisasterContactList:
    """The disaster lookup for ``on`` (rule 9), grouped by 協定区分 in Hokkaido's order.

    A partner whose agreement covers several categories appears under each: whoever
    handles transport reads only the transport table. Within a table, 五十音 order.
    Partners that are DISSOLVED or INACTIVE are not in the tables; their agreements are
    listed apart (``needing_review``, 「協定の見直しが必要」).
    """
    rows = await disaster_support(session, categories=None, on=on, district=None)
    needing_review = await agreements_needing_review(session, categories=None, on=on, district=None)
    entries = [DisasterEntry(row=r, contacts=_contact_lines(r)) for r in rows]
    sections = []
    for category in SupportCategory:
        members = [e for e in entries if category in e.row.support_categories]
        members.sort(
            key=lambda e: (e.row.partner.sort_key, e.row.agreement.id or 0, e.row.partner.id or 0)
        )
        sections.append(CategorySection(category=category, entries=members))
    return DisasterContactList(
        on=on,
        sections=sections,
        agreement_count=len({r.agreement.id for r in rows}),
        partner_count=len({r.partner.id for r in rows}),
        personal_reads=_disaster_reads(rows),
        needing_review=needing_review,
    )


def verified_on_label(entry: DisasterEntry) -> str:
    verified = entry.row.contacts_verified_on
    return verified.isoformat() if verified else NOT_VERIFIED


def status_label(entry: DisasterEntry, stale_mark: str = STALE_MARK) -> str:
    return stale_mark if entry.stale else FRESH_MARK
