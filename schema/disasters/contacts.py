"""The living contact list (issue 11 item 10): calls of the yearly check per partner, and
the reminders of what turns stale."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from domain.disasters import contacts
from domain.disasters.models import ContactVerification
from domain.enums import VERIFICATION_OUTCOME_LABELS
from schema.agreements.types import AgreementType
from schema.common import aware
from schema.context import Info
from schema.enums import VerificationOutcome
from schema.errors import UserError
from schema.mutation import Outcome, run_mutation
from schema.node import pk_of
from schema.partners.types import PartnerType
from schema.permissions import ADMIN, DISASTER_OFFICE, STAFF, CanReadDisaster, allow


@strawberry.type(
    name="ContactVerification",
    description="連絡先確認: one call of a partner's yearly contact check (all its agreements).",
)
class ContactVerificationType:
    verified_on: date
    outcome: VerificationOutcome
    outcome_label: str
    verified_by: str = strawberry.field(description="Who called.")
    note: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: ContactVerification) -> ContactVerificationType:
        return cls(
            verified_on=row.verified_on,
            outcome=row.outcome,
            outcome_label=VERIFICATION_OUTCOME_LABELS[row.outcome],
            verified_by=row.verified_by,
            note=row.note,
            created_at=aware(row.created_at),
        )


@strawberry.type(
    name="ContactDue",
    description="A partner whose contacts are stale, or turn stale within the window asked.",
)
class ContactDueType:
    partner: PartnerType
    agreements: list[AgreementType] = strawberry.field(
        description="Its disaster-support agreements in force: one call covers them all."
    )
    contacts_verified_on: date | None
    stale_on: date | None = strawberry.field(
        description="First day the contacts count as stale; null: never confirmed."
    )
    stale: bool = strawberry.field(description="Stale already on asOf.")
    last_checked_on: date | None
    last_check_outcome: VerificationOutcome | None
    reachable: bool
    pk: strawberry.Private[int]

    @strawberry.field(description="The partner's calls of the yearly check, latest first.")
    async def calls(self, info: Info) -> list[ContactVerificationType]:
        rows = await info.context.loader(contacts.calls_by_partner).load(self.pk)
        return [ContactVerificationType.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: contacts.ContactDue) -> ContactDueType:
        return cls(
            partner=PartnerType.from_row(row.partner),
            agreements=[AgreementType.from_row(a) for a in row.agreements],
            contacts_verified_on=row.verified_on,
            stale_on=row.stale_on,
            stale=row.stale,
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
            "withinDays (default 30, at most 366). Never confirmed first, then by staleOn."
        ),
        permission_classes=[CanReadDisaster],
    )
    async def contacts_due(
        self, info: Info, as_of: date | None = None, within_days: int = 30
    ) -> list[ContactDueType]:
        rows = await info.context.run(
            contacts.contacts_due, as_of=as_of or info.context.today, within_days=within_days
        )
        return [ContactDueType.from_row(r) for r in rows]


@strawberry.type(name="ContactVerificationPayload")
class ContactVerificationPayload:
    verification: ContactVerificationType | None
    errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[ContactVerification]) -> ContactVerificationPayload:
        value = outcome.value
        return cls(
            verification=ContactVerificationType.from_row(value) if value else None,
            errors=outcome.errors,
        )


@strawberry.type
class ContactMutations:
    @strawberry.mutation(
        extensions=allow(STAFF, DISASTER_OFFICE, ADMIN),
        description=(
            "Record one call of a partner's yearly contact check (once per partner, for all "
            "its agreements). REACHED or CHANGED verifies its contacts as of verifiedOn (not "
            "in the future); CHANGED needs a note of what changed; NO_ANSWER ranks the "
            "partner after reachable ones in disasterSupport until a call gets through."
        ),
    )
    async def contact_verification_record(
        self,
        info: Info,
        partner_id: strawberry.ID,
        verified_on: date,
        outcome: VerificationOutcome,
        note: str | None = None,
        verified_by: str | None = None,
    ) -> ContactVerificationPayload:
        context = info.context

        async def work(s: AsyncSession) -> ContactVerification:
            return await contacts.record_verification(
                s,
                partner_id=pk_of(partner_id, "Partner", ["partnerId"]),
                verified_on=verified_on,
                outcome=outcome,
                note=note,
                verified_by=verified_by,
                today=context.today,
                actor=context.actor,
            )

        return ContactVerificationPayload.of(await run_mutation(context, work))
