"""GraphQL types of agreements (協定, 第3章(3)) and the disaster lookup (rule 9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.exceptions import StrawberryGraphQLError

from kyodo.domain.agreements import lookup, terms
from kyodo.domain.agreements import service as agreements
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.japanese import to_wareki
from kyodo.domain.validation import require_date
from kyodo.schema.agreements.documents import AgreementDocumentType, documents_of
from kyodo.schema.context import Info
from kyodo.schema.descriptions import AsOf
from kyodo.schema.enums import (
    AgreementCategory,
    AgreementStatus,
    SupportCategory,
    VerificationOutcome,
)
from kyodo.schema.node import Node, register_node
from kyodo.schema.partners.types import ContactType, PartnerType
from kyodo.schema.permissions import CanReadEmergencyContacts, partner_visibility
from kyodo.schema.reference.types import department_field
from kyodo.schema.rows import FromRow, from_row, load_optional, stamped

if TYPE_CHECKING:
    from kyodo.schema.collaborations.types import CollaborationType

L = TypeVar("L", bound="DisasterLookupEntry")


@strawberry.type(
    name="Agreement",
    description="An agreement (協定, 第3章(3)) between the city and one or more partners, "
    "e.g. a disaster-support agreement (災害時応援協定).",
)
@stamped
class AgreementType(Node):
    title: str = strawberry.field(description="協定名.")
    category: AgreementCategory = strawberry.field(description="What it is about.")
    status: AgreementStatus = strawberry.field(description="Where it stands.")
    support_details: str | None = strawberry.field(
        description="What the partners will do, in the agreement's words."
    )
    concluded_on: date | None = strawberry.field(description="締結日; null until concluded.")
    concluded_on_wareki: str | None = strawberry.field(
        description="concludedOn in the Japanese calendar, e.g. 令和4年3月10日."
    )
    effective_from: date | None = strawberry.field(description="First day it has effect.")
    effective_until: date | None = strawberry.field(description="Null means no fixed end.")
    auto_renewal: bool = strawberry.field(
        description="自動更新: renews itself at the end of each term unless ended."
    )
    renewal_term_months: int | None = strawberry.field(
        description="Length of each renewed term, in months."
    )
    notice_days: int | None = strawberry.field(
        description="Days before the end of a term at which the agreement should be reviewed."
    )
    contacts_verified_on: date | None = strawberry.field(
        description="Last date the counterparties' contacts were confirmed."
    )
    pk: strawberry.Private[int]
    row: strawberry.Private[Agreement]

    @classmethod
    def from_row(cls, row: Agreement) -> AgreementType:
        return from_row(
            cls, row, concluded_on_wareki=to_wareki(row.concluded_on) if row.concluded_on else None
        )

    @strawberry.field(description="The counterparties (one or many).")
    async def parties(self, info: Info) -> list[PartnerType]:
        rows = await info.context.loader(agreements.parties_by_agreement).load(self.pk)
        visibility = partner_visibility(info.context)
        return [PartnerType.from_row(p) for p in rows if visibility.allows(p)]

    department = department_field()

    @strawberry.field(
        description="The collaboration it belongs to, if any (null when not visible to the caller)."
    )
    async def collaboration(
        self, info: Info
    ) -> Annotated[CollaborationType, strawberry.lazy("kyodo.schema.collaborations.types")] | None:
        from kyodo.schema.collaborations.types import collaboration_of

        return await collaboration_of(info, self.row.collaboration_id)

    @strawberry.field(description="協定区分: what help the partners give (DISASTER_SUPPORT).")
    async def support_categories(self, info: Info) -> list[SupportCategory]:
        loader = info.context.loader(lookup.support_categories_by_agreement)
        return list(await loader.load(self.pk))

    @strawberry.field(
        description="End of the current term, renewals applied; null when open-ended."
    )
    def current_term_ends_on(
        self,
        info: Info,
        as_of: AsOf = None,
    ) -> date | None:
        return _on_term(terms.agreement_term_ends_on, self.row, term_day(as_of, info.context.today))

    @strawberry.field(
        description=(
            "Notice deadline of the current term (rule 20): currentTermEndsOn − noticeDays; "
            "null without noticeDays or an end."
        )
    )
    def notice_deadline_on(
        self,
        info: Info,
        as_of: AsOf = None,
    ) -> date | None:
        return _on_term(terms.notice_deadline_on, self.row, term_day(as_of, info.context.today))

    @strawberry.field(
        description="Concluded, not terminated, and the date within its term (renewals applied)."
    )
    def is_in_force(
        self,
        info: Info,
        on: Annotated[
            date | None, strawberry.argument(description="The day to check; today when omitted.")
        ] = None,
    ) -> bool:
        return terms.agreement_in_force_on(self.row, in_force_day(on, info.context.today))

    @strawberry.field(
        description="The emergency contacts the agreement itself lists, for all its parties.",
        permission_classes=[CanReadEmergencyContacts],
    )
    async def emergency_contacts(self, info: Info) -> list[ContactType]:
        rows = await info.context.loader(agreements.emergency_contacts_by_agreement).load(self.pk)
        if rows:
            info.context.note_personal_read("Agreement", self.pk, "emergencyContacts")
        return [ContactType.from_row(c) for c in rows]

    @strawberry.field(
        description="The contacts need confirming (rule 9): never confirmed, or last "
        "confirmed more than maxAgeDays before asOf."
    )
    def contacts_stale(
        self,
        info: Info,
        as_of: AsOf = None,
        max_age_days: Annotated[
            int | None,
            strawberry.argument(
                description=f"How old a confirmation may be, in days ({terms.CONTACTS_MAX_AGE_DAYS} "
                "when omitted)."
            ),
        ] = None,
    ) -> bool:
        day, max_age = stale_args(as_of, max_age_days, info.context.today)
        return terms.contacts_stale(
            verified_on=self.row.contacts_verified_on, as_of=day, max_age_days=max_age
        )

    @strawberry.field(
        description="協定書: its signed documents (PDF), oldest first. For the public, only "
        "those of a concluded agreement with no individual among its parties (else empty)."
    )
    async def documents(self, info: Info) -> list[AgreementDocumentType]:
        return await documents_of(info, self.pk)

    @strawberry.field(description="The agreement this one revises (改正), if any.")
    async def amends(self, info: Info) -> AgreementType | None:
        return await load_optional(
            info, agreements.get_many, self.row.amends_id, AgreementType.from_row
        )


def _on_term(
    compute: Callable[[Agreement, date], date | None], row: Agreement, day: date
) -> date | None:
    """A day of the agreement's current term; a term past 9999-12-31 is INVALID."""
    try:
        return compute(row, day)
    except terms.BeyondCalendar as error:
        raise beyond_calendar() from error


@strawberry.type(
    name="CapacityReport",
    description="備蓄・能力: what a partner reported it can supply, as of reportedOn.",
)
class CapacityReportType(FromRow):
    item: str = strawberry.field(description="What, e.g. 飲料水（2リットル）, 毛布.")
    quantity: int = strawberry.field(description="How many, in unit.")
    unit: str = strawberry.field(description="Unit of quantity, e.g. 本, 枚, 台.")
    reported_on: date = strawberry.field(description="How old the figure is.")
    note: str | None = strawberry.field(description="The partner's remarks.")


class DisasterLookupEntry:
    """Base of a line of the disaster lookup (disasterSupport and its other half,
    disasterSupportNeedingReview): a partner, an agreement with it and the agreement's
    support categories, each read from the domain's line as its type."""

    @classmethod
    def from_row(cls: type[L], row: Any) -> L:
        return from_row(
            cls,
            row,
            partner=PartnerType.from_row(row.partner),
            agreement=AgreementType.from_row(row.agreement),
            support_categories=list(row.support_categories),
            **cls.computed(row),
        )

    @classmethod
    def computed(cls, row: Any) -> dict[str, Any]:
        """The fields a kind of line computes besides (``from_row`` reads the others)."""
        return {}


@strawberry.type(
    name="DisasterSupportEntry",
    description=(
        "One row of the disaster-management office's lookup: who can help with what, "
        "and how to reach them."
    ),
)
class DisasterSupportEntryType(DisasterLookupEntry):
    partner: PartnerType = strawberry.field(description="The partner who can help.")
    agreement: AgreementType = strawberry.field(description="The agreement in force with it.")
    support_categories: list[SupportCategory] = strawberry.field(
        description="What help the agreement provides."
    )
    contacts_verified_on: date | None = strawberry.field(
        description=(
            "Last day the contacts were confirmed: the agreement's check or the latest call "
            "of the partner's yearly contact check that reached someone, whichever is later."
        )
    )
    contacts_stale: bool = strawberry.field(
        description="The contacts need confirming (not confirmed within a year of the date asked)."
    )
    last_checked_on: date | None = strawberry.field(
        description="Day of the latest call of the partner's yearly contact check."
    )
    last_check_outcome: VerificationOutcome | None = strawberry.field(
        description="What the latest call of the partner's yearly contact check found."
    )
    reachable: bool = strawberry.field(
        description=(
            "False when the latest call to the partner went unanswered. Within a category, "
            "fresh, reachable, recently verified contacts come first."
        )
    )
    capacity: list[CapacityReportType] = strawberry.field(
        description=(
            "What the partner reported it can supply: its latest report per item by the day "
            "asked, with the day it reported."
        )
    )
    contacts: strawberry.Private[list[ContactType]]
    # (entity type, pk, field) of the record whose contacts these are, for the access log.
    contacts_read: strawberry.Private[tuple[str, int, str]]

    @strawberry.field(
        description="Whom to call: the agreement's own emergency contacts for this partner, "
        "else the partner's. STAFF, DISASTER_OFFICE and ADMIN.",
        permission_classes=[CanReadEmergencyContacts],
    )
    def emergency_contacts(self, info: Info) -> list[ContactType]:
        if self.contacts:
            info.context.note_personal_read(*self.contacts_read)
        return self.contacts

    @classmethod
    def computed(cls, row: lookup.DisasterSupportRow) -> dict[str, Any]:
        return {
            "contacts": [ContactType.from_row(c) for c in row.emergency_contacts],
            "contacts_read": contacts_read_of(row),
            "capacity": [CapacityReportType.from_row(c) for c in row.capacity],
        }


def beyond_calendar() -> StrawberryGraphQLError:
    """A term that ends after 9999-12-31 (renewals of the asOf day asked about)."""
    return StrawberryGraphQLError(
        "この日の期間は 9999-12-31 より後に終わるため、日付で表せません。asOf を確かめてください。",
        extensions={"code": "INVALID"},
    )


# The arguments of the computed agreement fields, checked and defaulted as one function
# each for every read path (dates outside what the database holds are INVALID).


def term_day(as_of: date | None, today: date) -> date:
    require_date(as_of, label="期間を見る日", field="as_of")
    return as_of or today


def in_force_day(on: date | None, today: date) -> date:
    require_date(on, label="効力を見る日", field="on")
    return on or today


def stale_args(as_of: date | None, max_age_days: int | None, today: date) -> tuple[date, int]:
    require_date(as_of, label="連絡先の確認を見る日", field="as_of")
    max_age = terms.CONTACTS_MAX_AGE_DAYS if max_age_days is None else max_age_days
    return as_of or today, max_age


def contacts_read_of(row: lookup.DisasterSupportRow) -> tuple[str, int, str]:
    """The agreement's list, or (when it names no one for the party) the party's own
    emergency contacts: the read is logged on the record the contacts belong to. (A row's
    contacts are one list or the other, never a mix: ``lookup.disaster_rows``; so the
    first tells.)"""
    contacts = row.emergency_contacts
    if contacts and contacts[0].agreement_id is None:
        return ("Partner", row.partner.id or 0, "contacts")
    return ("Agreement", row.agreement.id or 0, "emergencyContacts")


register_node("Agreement", batch=agreements.get_many, convert=AgreementType.from_row)
