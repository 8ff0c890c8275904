"""The disaster lookup's other half: agreements needing review (「協定の見直しが必要」).

A partner that is DISSOLVED or INACTIVE is left out of ``disasterSupport``; its
disaster-support agreements are listed here instead (rule 9,
``domain.disasters.review``).
"""

from __future__ import annotations

import strawberry

from kyodo.domain.disasters.review import agreements_needing_review
from kyodo.schema.agreements.queries import disaster_lookup
from kyodo.schema.agreements.types import AgreementType, DisasterLookupEntry
from kyodo.schema.enums import PartnerStatus, SupportCategory
from kyodo.schema.partners.types import PartnerType


@strawberry.type(
    name="DisasterReviewEntry",
    description=(
        "A disaster-support agreement in force whose partner is DISSOLVED or INACTIVE: left "
        "out of disasterSupport, the agreement needs reviewing (協定の見直しが必要)."
    ),
)
class DisasterReviewEntryType(DisasterLookupEntry):
    partner: PartnerType = strawberry.field(description="The party that can no longer help.")
    agreement: AgreementType = strawberry.field(description="The agreement to review.")
    support_categories: list[SupportCategory] = strawberry.field(
        description="What help the agreement was to provide."
    )
    partner_status: PartnerStatus = strawberry.field(
        description="The party's status (DISSOLVED or INACTIVE)."
    )
    reason: str = strawberry.field(
        description="Why, in Japanese: 「協定の見直しが必要（相手方が解散）」."
    )


@strawberry.type
class DisasterReviewQueries:
    disaster_support_needing_review = disaster_lookup(
        DisasterReviewEntryType,
        agreements_needing_review,
        "協定の見直しが必要: disaster-support agreements in force on a date whose partner "
        "is DISSOLVED or INACTIVE, left out of disasterSupport; same arguments, 五十音 "
        "order of the partner.",
    )
