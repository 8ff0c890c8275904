"""GraphQL inputs for reading agreements (協定)."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.agreements.service import AgreementFilterSpec
from schema.enums import AgreementCategory, AgreementStatus, SupportCategory
from schema.node import decode_optional_id


@strawberry.input(name="AgreementFilter")
class AgreementFilterInput:
    categories: list[AgreementCategory] | None = None
    statuses: list[AgreementStatus] | None = None
    support_categories: list[SupportCategory] | None = None
    partner_id: strawberry.ID | None = None
    department_codes: list[str] | None = None
    in_force_on: date | None = strawberry.field(default=None, description="In force on this date.")
    term_ends_by: date | None = strawberry.field(
        default=None, description="Current term ends on or before this date."
    )
    contacts_stale_as_of: date | None = None
    search: str | None = None

    def to_spec(self) -> AgreementFilterSpec:
        return AgreementFilterSpec(
            categories=self.categories,
            statuses=self.statuses,
            support_categories=self.support_categories,
            partner_id=decode_optional_id(self.partner_id, "Partner"),
            department_codes=self.department_codes,
            in_force_on=self.in_force_on,
            term_ends_by=self.term_ends_by,
            contacts_stale_as_of=self.contacts_stale_as_of,
            search=self.search,
        )
