"""GraphQL inputs for reading collaborations."""

from __future__ import annotations

import strawberry

from kyodo.domain.collaborations.service import CollaborationFilterSpec
from kyodo.schema.descriptions import DEPARTMENT_CODES
from kyodo.schema.enums import CollaborationForm, CollaborationStatus
from kyodo.schema.inputs import fields_of
from kyodo.schema.node import decode_optional_id


@strawberry.input(
    name="CollaborationFilter",
    description="Which collaborations to list; every criterion given must hold.",
)
class CollaborationFilterInput:
    forms: list[CollaborationForm] | None = strawberry.field(
        default=None, description="Collaborations combining any of these forms."
    )
    statuses: list[CollaborationStatus] | None = strawberry.field(
        default=None, description="Only collaborations in these statuses."
    )
    department_codes: list[str] | None = strawberry.field(
        default=None, description=DEPARTMENT_CODES
    )
    field_codes: list[str] | None = strawberry.field(
        default=None, description="Collaborations in any of these fields."
    )
    fiscal_year: int | None = strawberry.field(
        default=None, description="Only this fiscal year (2021 = 令和3年度)."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only collaborations this partner takes part in."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Partial match on title and summary, insensitive to width (全角/半角) "
        "and to hiragana/katakana.",
    )

    def to_spec(
        self, *, department_id: int | None = None, public_only: bool = False
    ) -> CollaborationFilterSpec:
        return CollaborationFilterSpec(
            **fields_of(self, partner_id=decode_optional_id(self.partner_id, "Partner")),
            department_id=department_id,
            public_only=public_only,
        )
