"""The analyses of 第4章(5) and (7) over collaborations: partners a department keeps
working with, partners to suggest for a need, and who worked with whom."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from kyodo.domain.collaborations import analyses, network
from kyodo.domain.collaborations.reviews import reviews_by_pair
from kyodo.schema.context import Info
from kyodo.schema.node import to_global_id
from kyodo.schema.rows import from_row

if TYPE_CHECKING:
    from kyodo.schema.partners.types import PartnerType
    from kyodo.schema.reference.types import CollaborationFieldType, DepartmentType

_PARTNERS = "kyodo.schema.partners.types"
_REFERENCE = "kyodo.schema.reference.types"


@strawberry.type(
    name="ConcentrationFinding",
    description="A department that has worked with the same partner year after year (第4章(5)).",
)
class ConcentrationFindingType:
    department: Annotated[DepartmentType, strawberry.lazy(_REFERENCE)] = strawberry.field(
        description="The department."
    )
    partner: Annotated[PartnerType, strawberry.lazy(_PARTNERS)] = strawberry.field(
        description="The partner it keeps working with."
    )
    fiscal_years: list[int] = strawberry.field(
        description="Every fiscal year of the range in which they worked together."
    )
    consecutive_years: int = strawberry.field(
        description="The longest run of consecutive fiscal years among fiscalYears."
    )
    collaboration_count: int = strawberry.field(
        description="Their collaborations in the range (cancelled ones not counted)."
    )
    pair: strawberry.Private[tuple[int, int]]

    @strawberry.field(
        description="When the department last reviewed working with this partner: the "
        "latest reviewedOn of their collaborations (any year); null when never reviewed."
    )
    async def last_reviewed_on(self, info: Info) -> date | None:
        return (await info.context.loader(reviews_by_pair).load(self.pair)).last_reviewed_on

    @strawberry.field(
        description="The earliest review still pending (reviewDueOn not yet followed by a "
        "review) among their collaborations; before today when overdue, null when none."
    )
    async def next_review_due_on(self, info: Info) -> date | None:
        return (await info.context.loader(reviews_by_pair).load(self.pair)).next_review_due_on

    @classmethod
    def from_domain(cls, finding: analyses.ConcentrationFinding) -> ConcentrationFindingType:
        from kyodo.schema.partners.types import PartnerType
        from kyodo.schema.reference.types import DepartmentType

        assert finding.department.id is not None and finding.partner.id is not None
        return from_row(
            cls,
            finding,
            department=DepartmentType.from_row(finding.department),
            partner=PartnerType.from_row(finding.partner),
            pair=(finding.department.id, finding.partner.id),
        )


@strawberry.type(
    name="PartnerSuggestion",
    description="A partner the city could connect for a need (中間支援, 第4章(7)).",
)
class PartnerSuggestionType:
    partner: Annotated[PartnerType, strawberry.lazy(_PARTNERS)] = strawberry.field(
        description="The partner suggested."
    )
    matching_fields: list[Annotated[CollaborationFieldType, strawberry.lazy(_REFERENCE)]] = (
        strawberry.field(description="Which of the requested fields it is active in.")
    )
    last_fiscal_year_with_department: int | None = strawberry.field(
        description="Last fiscal year this partner worked with the given department, if ever."
    )
    score: float = strawberry.field(
        description="0 to 2, higher first: (matching fields / requested fields) + freshness, "
        "where freshness is 1 for partners the department never worked with (or worked with "
        "5+ fiscal years ago), falling by 0.2 per year to 0 for this year's partners, "
        "and 0 when no department is given."
    )

    @classmethod
    def from_domain(cls, suggestion: analyses.PartnerSuggestion) -> PartnerSuggestionType:
        from kyodo.schema.partners.types import PartnerType
        from kyodo.schema.reference.types import CollaborationFieldType

        return from_row(
            cls,
            suggestion,
            partner=PartnerType.from_row(suggestion.partner),
            matching_fields=[
                CollaborationFieldType.from_row(f) for f in suggestion.matching_fields
            ],
        )


@strawberry.type(
    name="PartnerLink", description="Two partners that took part in the same collaborations."
)
class PartnerLinkType:
    source_id: strawberry.ID = strawberry.field(
        description="Of the two partners, the one with the smaller internal key "
        "(each pair appears once)."
    )
    target_id: strawberry.ID = strawberry.field(description="The other partner's global id.")
    shared_collaboration_count: int = strawberry.field(
        description="Collaborations both took part in (cancelled ones not counted)."
    )


@strawberry.type(
    name="PartnerNetwork",
    description="Partners and who worked with whom, for network views (STAFF and ADMIN).",
)
class PartnerNetworkType:
    nodes: list[Annotated[PartnerType, strawberry.lazy(_PARTNERS)]] = strawberry.field(
        description=f"Partners with at least one link, most connected first; at most "
        f"{network.MAX_NETWORK_NODES}."
    )
    links: list[PartnerLinkType] = strawberry.field(
        description=f"Links among the returned nodes, strongest first; drawn from at most "
        f"{network.MAX_NETWORK_LINKS} strongest links."
    )

    @classmethod
    def from_domain(cls, found: network.PartnerNetwork) -> PartnerNetworkType:
        from kyodo.schema.partners.types import PartnerType

        return cls(
            nodes=[PartnerType.from_row(p) for p in found.nodes],
            links=[
                from_row(
                    PartnerLinkType,
                    link,
                    source_id=to_global_id("Partner", link.source_id),
                    target_id=to_global_id("Partner", link.target_id),
                )
                for link in found.links
            ],
        )
