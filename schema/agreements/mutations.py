"""Agreement mutations (協定, 第3章(3)): create, update, conclude, terminate, the plain
status changes, and the yearly check of emergency contacts (rules 8, 9).

Global ids are decoded inside the mutation's work function, so a malformed id comes
back as a payload error (INVALID at its input path), never as a top-level error.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

import strawberry

from kyodo.domain.agreements import commands
from kyodo.domain.agreements import validation as limits
from kyodo.domain.agreements.commands import AgreementContactData, AgreementData
from kyodo.domain.base import UNSET
from kyodo.domain.errors import at
from kyodo.schema.agreements.types import AgreementType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import DEPARTMENT_CODE, ExpectedVersion, Id
from kyodo.schema.enums import AgreementCategory, AgreementStatus, SupportCategory
from kyodo.schema.inputs import Ids, kept, value_of
from kyodo.schema.partners.inputs import ContactInput
from kyodo.schema.payloads import Payload, argument, later, payload, saved
from kyodo.schema.permissions import ADMIN, DISASTER_OFFICE, STAFF, WRITE_AGREEMENTS, allow


class _Ids(Ids):
    """``Ids``, and an agreement's contacts with their partners' ids decoded."""

    def contacts(self, contacts: Sequence[ContactInput], prefix: str) -> list[AgreementContactData]:
        result: list[AgreementContactData] = []
        for i, contact in enumerate(contacts):
            partner_id = (
                self.pk(contact.partner_id, "Partner", at(prefix, i, "partner_id"))
                if contact.partner_id is not None
                else None
            )
            result.append(
                AgreementContactData(
                    **vars(contact.to_data()),
                    partner_id=partner_id,
                )
            )
            # An agreement's contact is there for emergencies unless the caller says not.
            if contact.is_emergency_contact is None:
                result[-1].is_emergency_contact = True
        return result

    @classmethod
    def decoded(cls, contacts: Sequence[ContactInput], prefix: str) -> list[AgreementContactData]:
        """``contacts`` alone: every malformed partner id reported at once."""
        ids = cls()
        result = ids.contacts(contacts, prefix)
        ids.raise_if_any()
        return result


@strawberry.input(
    name="AgreementInput",
    description=(
        "An agreement. On update, optional fields left out keep their value; null clears "
        "them. Once IN_FORCE, parties, category, support categories, term and amendsId "
        "change only by an amendment (a new agreement with amendsId)."
    ),
)
class AgreementInput:
    title: str = strawberry.field(description="協定名 (required).")
    category: AgreementCategory = strawberry.field(description="What it is about.")
    party_ids: list[strawberry.ID] = strawberry.field(
        description="The counterparties, 1 to 100, in the order the agreement lists them."
    )
    department_code: str = strawberry.field(
        description=DEPARTMENT_CODE + " A STAFF caller may only use their own."
    )
    collaboration_id: strawberry.ID | None = kept("The collaboration it belongs to, if any.")
    support_categories: list[SupportCategory] | None = kept(
        "協定区分; only for DISASTER_SUPPORT agreements."
    )
    support_details: str | None = kept(
        f"What the partners will do (at most {limits.MAX_SUPPORT_DETAILS} characters)."
    )
    effective_from: date | None = kept("First day it has effect.")
    effective_until: date | None = kept(
        "End of the (first) term, after effectiveFrom; null for no fixed end. "
        "Required with autoRenewal."
    )
    auto_renewal: bool | None = kept("自動更新 at the end of each term (false when omitted).")
    renewal_term_months: int | None = kept(
        f"Length of a renewed term: 1 to {limits.MAX_RENEWAL_TERM_MONTHS} months."
    )
    notice_days: int | None = kept("Days before a term ends at which to review it (0 or more).")
    emergency_contacts: list[ContactInput] | None = kept(
        "Replaces the agreement's emergency contacts. partnerId must be one of the "
        "parties (defaults to the only party); isEmergencyContact defaults to true."
    )
    amends_id: strawberry.ID | None = kept("The agreement this one revises (改正).")

    def to_data(self) -> AgreementData:
        ids = _Ids()
        party_ids = [
            ids.pk(gid, "Partner", at("party_ids", i)) for i, gid in enumerate(self.party_ids)
        ]
        contacts: Any = UNSET
        if self.emergency_contacts is not strawberry.UNSET:
            contacts = ids.contacts(self.emergency_contacts or [], "emergency_contacts")
        data = AgreementData(
            title=self.title,
            category=self.category,
            party_ids=[pid for pid in party_ids if pid is not None],
            department_code=self.department_code,
            collaboration_id=ids.optional_pk(
                self.collaboration_id, "Collaboration", "collaboration_id"
            ),
            support_categories=value_of(self.support_categories),
            support_details=value_of(self.support_details),
            effective_from=value_of(self.effective_from),
            effective_until=value_of(self.effective_until),
            auto_renewal=value_of(self.auto_renewal),
            renewal_term_months=value_of(self.renewal_term_months),
            notice_days=value_of(self.notice_days),
            emergency_contacts=contacts,
            amends_id=ids.optional_pk(self.amends_id, "Agreement", "amends_id"),
        )
        ids.raise_if_any()
        return data


@payload("AgreementPayload", "The outcome of a change to an agreement.")
class AgreementPayload(Payload):
    agreement: AgreementType | None = saved("agreement")


@strawberry.type
class AgreementMutations:
    agreement_create = AgreementPayload.mutation(
        commands.create_agreement,
        description="Register an agreement as a DRAFT.",
        extensions=allow(*WRITE_AGREEMENTS, own_department=True),
        input=argument(AgreementInput, "The new agreement.", to_data=True),
    )
    agreement_update = AgreementPayload.change_mutation(
        commands.update_agreement,
        description=(
            "Change an agreement. DRAFT and NEGOTIATING change freely; IN_FORCE only in "
            "title, supportDetails, noticeDays, department, collaboration and emergency "
            "contacts; EXPIRED and TERMINATED not at all."
        ),
        extensions=allow(*WRITE_AGREEMENTS, department_of="Agreement"),
        input=argument(AgreementInput, "The fields to change.", to_data=True),
    )
    agreement_conclude = AgreementPayload.change_mutation(
        commands.conclude_agreement,
        description=(
            "締結: DRAFT or NEGOTIATING → IN_FORCE. effectiveFrom defaults to the draft's "
            "effectiveFrom, else concludedOn."
        ),
        extensions=allow(*WRITE_AGREEMENTS, department_of="Agreement"),
        concluded_on=argument(date, "締結日: the day it was signed; not after today (INVALID)."),
        effective_from=argument(
            date | None, "First day of effect, if not the draft's.", default=None
        ),
    )
    agreement_terminate = AgreementPayload.change_mutation(
        commands.terminate_agreement,
        description="解約: IN_FORCE → TERMINATED, effective on terminatedOn; a reason is required.",
        extensions=allow(*WRITE_AGREEMENTS, department_of="Agreement"),
        terminated_on=argument(date, "解約日: the last day it has effect."),
        reason=argument(str, f"Why it ends (required, at most {limits.MAX_REASON} characters)."),
    )

    @strawberry.mutation(
        extensions=allow(STAFF, DISASTER_OFFICE, ADMIN, department_of="Agreement"),
        description=(
            "The yearly check of emergency contacts (rule 9): replaces them with the "
            "confirmed list and sets contactsVerifiedOn (not in the future). Not for "
            "EXPIRED or TERMINATED agreements."
        ),
    )
    async def agreement_verify_contacts(
        self,
        info: Info,
        id: Id,
        expected_version: ExpectedVersion,
        verified_on: Annotated[
            date, strawberry.argument(description="The day the contacts were confirmed.")
        ],
        emergency_contacts: Annotated[
            list[ContactInput],
            strawberry.argument(description="The confirmed contacts; they replace the old ones."),
        ],
    ) -> AgreementPayload:
        return await AgreementPayload.change(
            info,
            commands.verify_contacts,
            id,
            expected_version,
            verified_on=verified_on,
            emergency_contacts=later(
                lambda: _Ids.decoded(emergency_contacts, "emergency_contacts")
            ),
        )

    agreement_transition = AgreementPayload.change_mutation(
        commands.transition_agreement,
        description=(
            "Status changes needing no other input: DRAFT → NEGOTIATING, and IN_FORCE → "
            "EXPIRED once the current term has ended (as of today) without renewal. "
            "Use agreementConclude and agreementTerminate for the others."
        ),
        extensions=allow(*WRITE_AGREEMENTS, department_of="Agreement"),
        to=argument(AgreementStatus, "NEGOTIATING or EXPIRED (INVALID_TRANSITION otherwise)."),
    )
