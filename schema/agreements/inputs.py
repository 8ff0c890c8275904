"""GraphQL inputs for reading agreements (協定)."""

from __future__ import annotations

from datetime import date

import strawberry

from kyodo.domain.agreements.service import AgreementFilterSpec
from kyodo.schema.descriptions import DEPARTMENT_CODES
from kyodo.schema.enums import AgreementCategory, AgreementStatus, SupportCategory
from kyodo.schema.inputs import fields_of
from kyodo.schema.node import decode_optional_id


@strawberry.input(
    name="AgreementFilter", description="Which agreements to list; every criterion given must hold."
)
class AgreementFilterInput:
    categories: list[AgreementCategory] | None = strawberry.field(
        default=None, description="Only agreements of these categories."
    )
    statuses: list[AgreementStatus] | None = strawberry.field(
        default=None, description="Only agreements in these statuses."
    )
    support_categories: list[SupportCategory] | None = strawberry.field(
        default=None, description="Only agreements offering any of these kinds of support."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only agreements this partner is party to."
    )
    department_codes: list[str] | None = strawberry.field(
        default=None, description=DEPARTMENT_CODES
    )
    in_force_on: date | None = strawberry.field(default=None, description="In force on this date.")
    term_ends_by: date | None = strawberry.field(
        default=None, description="Current term ends on or before this date."
    )
    contacts_stale_as_of: date | None = strawberry.field(
        default=None,
        description="Only agreements whose contacts were last confirmed more than a year "
        "before this date, or never (rule 9).",
    )
    search: str | None = strawberry.field(
        default=None,
        description="Partial match on the title, supportDetails or a party's name, insensitive to width "
        "(全角/半角) and to hiragana/katakana.",
    )

    def to_spec(self) -> AgreementFilterSpec:
        return AgreementFilterSpec(
            **fields_of(self, partner_id=decode_optional_id(self.partner_id, "Partner"))
        )
