"""The living contact list (issue 11 item 10): calls of the yearly check per partner, and
the reminders of what turns stale."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from kyodo.domain.disasters import contacts
from kyodo.domain.disasters.models import ContactVerification
from kyodo.domain.labels import VERIFICATION_OUTCOME_LABELS
from kyodo.schema.agreements.types import AgreementType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import CREATED_AT, AsOf
from kyodo.schema.enums import VerificationOutcome
from kyodo.schema.partners.types import PartnerType
from kyodo.schema.payloads import Payload, argument, payload, saved
from kyodo.schema.permissions import ADMIN, DISASTER_OFFICE, STAFF, CanReadDisaster, allow
from kyodo.schema.rows import from_row, read_rows, records_field


@strawberry.type(
    name="ContactVerification",
    description="連絡先確認: one call of a partner's yearly contact check (all its agreements).",
)
class ContactVerificationType:
    verified_on: date = strawberry.field(description="Day of the call.")
    outcome: VerificationOutcome = strawberry.field(description="What the call found.")
    outcome_label: str = strawberry.field(description="The outcome in Japanese, e.g. 連絡がついた.")
    verified_by: str = strawberry.field(description="Who called.")
    note: str | None = strawberry.field(description="What changed, or other notes of the call.")
    created_at: datetime = strawberry.field(description=CREATED_AT)

    @classmethod
    def from_row(cls, row: ContactVerification) -> ContactVerificationType:
        return from_row(cls, row, outcome_label=VERIFICATION_OUTCOME_LABELS[row.outcome])


@strawberry.type(
    name="ContactDue",
    description="A partner whose contacts are stale, or turn stale within the window asked.",
)
class ContactDueType:
    partner: PartnerType = strawberry.field(description="The partner to call.")
    agreements: list[AgreementType] = strawberry.field(
        description="Its disaster-support agreements in force: one call covers them all."
    )
    contacts_verified_on: date | None = strawberry.field(
        description="Last day its contacts were confirmed (agreement check or reached call)."
    )
    stale_on: date | None = strawberry.field(
        description="First day the contacts count as stale; null: never confirmed."
    )
    stale: bool = strawberry.field(description="Stale already on asOf.")
    last_checked_on: date | None = strawberry.field(
        description="Day of the latest call of the yearly check."
    )
    last_check_outcome: VerificationOutcome | None = strawberry.field(
        description="What the latest call found."
    )
    reachable: bool = strawberry.field(description="False when the latest call went unanswered.")
    pk: strawberry.Private[int]

    calls = records_field(
        contacts.calls_by_partner,
        "pk",
        ContactVerificationType,
        "The partner's calls of the yearly check, latest first.",
    )

    @classmethod
    def from_row(cls, row: contacts.ContactDue) -> ContactDueType:
        return from_row(
            cls,
            row,
            partner=PartnerType.from_row(row.partner),
            agreements=[AgreementType.from_row(a) for a in row.agreements],
            contacts_verified_on=row.verified_on,
            last_checked_on=row.standing.last_checked_on,
            last_check_outcome=row.standing.last_outcome,
            reachable=row.standing.reachable,
            pk=row.partner.id or 0,
        )


@strawberry.type
class ContactQueries:
    @strawberry.field(
        description=(
            "Reminders of the yearly contact check: partners of disaster-support agreements "
            "in force on asOf (default today) whose contacts are stale or turn stale within "
            "withinDays (default 30, at most 366). Never confirmed first, then by staleOn. "
            "DISSOLVED or INACTIVE partners are left out (no call is due: their agreements "
            "need reviewing, see disasterSupportNeedingReview)."
        ),
        permission_classes=[CanReadDisaster],
    )
    async def contacts_due(
        self,
        info: Info,
        as_of: AsOf = None,
        within_days: Annotated[
            int, strawberry.argument(description="Also those turning stale within this many days.")
        ] = 30,
    ) -> list[ContactDueType]:
        return await read_rows(
            info,
            ContactDueType.from_row,
            contacts.contacts_due,
            as_of=as_of or info.context.today,
            within_days=within_days,
        )


@payload("ContactVerificationPayload", "The outcome of recording a contact-check call.")
class ContactVerificationPayload(Payload):
    verification: ContactVerificationType | None = saved("call")


@strawberry.type
class ContactMutations:
    contact_verification_record = ContactVerificationPayload.mutation(
        contacts.record_verification,
        description=(
            "Record one call of a partner's yearly contact check (once per partner, for all "
            "its agreements). REACHED or CHANGED verifies its contacts as of verifiedOn (not "
            "in the future); CHANGED needs a note of what changed; NO_ANSWER ranks the "
            "partner after reachable ones in disasterSupport until a call gets through."
        ),
        extensions=allow(STAFF, DISASTER_OFFICE, ADMIN),
        partner_id=argument(strawberry.ID, "Global id of the partner called.", node="Partner"),
        verified_on=argument(date, "Day of the call; not in the future."),
        outcome=argument(VerificationOutcome, "What it found."),
        note=argument(str | None, "What changed (required for CHANGED).", default=None),
        verified_by=argument(str | None, "Who called; defaults to the caller.", default=None),
    )
