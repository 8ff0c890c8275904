"""GraphQL types of collaborations (協働事業): the collaboration and its participations.

Its value parts are in ``parts``, the 第4章 analyses in ``analyses``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from kyodo.domain.collaborations import service as collaborations
from kyodo.domain.collaborations.departments import co_departments_by_collaboration
from kyodo.domain.collaborations.models import Collaboration, Participation
from kyodo.domain.enums import CollaborationStatus as DomainCollaborationStatus
from kyodo.domain.japanese import fiscal_year_label
from kyodo.domain.partners import service as partners
from kyodo.domain.visibility import PartnerVisibility
from kyodo.schema.collaborations.parts import (
    BudgetType,
    CollaborationScreeningType,
    CommitteeType,
    EvaluationType,
    ProgressReportType,
    ReadinessType,
    budget_of,
    committee_of,
    readiness_of,
)
from kyodo.schema.context import Context, Info
from kyodo.schema.descriptions import NestedFirst
from kyodo.schema.enums import (
    CollaborationForm,
    CollaborationStatus,
)
from kyodo.schema.list_sizes import NESTED_LIST_MAX, nested_list_limit
from kyodo.schema.node import Node, register_node
from kyodo.schema.permissions import CanReadInternal, can_read_internal, partner_visibility
from kyodo.schema.reference.types import department_field
from kyodo.schema.rows import from_row, load_optional, record_field, records_field, stamped

if TYPE_CHECKING:
    from kyodo.schema.agreements.types import AgreementType
    from kyodo.schema.collaborations.publication import CollaborationPublicationType
    from kyodo.schema.partners.types import PartnerType
    from kyodo.schema.reference.types import CollaborationFieldType, DepartmentType
    from kyodo.schema.subsidies.types import SubsidyProgramType

_PARTNERS = "kyodo.schema.partners.types"
_PUBLICATION = "kyodo.schema.collaborations.publication"
_REFERENCE = "kyodo.schema.reference.types"


@strawberry.type(
    name="Collaboration",
    description="A collaboration project (協働事業) between the city and partners. Without "
    "a token only published ones (isPublic) are readable.",
)
@stamped
class CollaborationType(Node):
    title: str = strawberry.field(description="事業名.")
    summary: str | None = strawberry.field(description="概要.")
    status: CollaborationStatus = strawberry.field(description="Where it stands.")
    fiscal_year: int | None = strawberry.field(
        description="Japanese fiscal year by its starting calendar year: "
        "2021 means 令和3年度 (April 2021 to March 2022)."
    )
    fiscal_year_label: str | None = strawberry.field(description="e.g. 令和3年度.")
    starts_on: date | None = strawberry.field(description="First day (readiness: 期間).")
    ends_on: date | None = strawberry.field(description="Last day; after startsOn.")
    purpose: str | None = strawberry.field(description="目的 (readiness).")
    plan: str | None = strawberry.field(description="計画 (readiness).")
    budget: BudgetType | None = strawberry.field(description="経費; null when none is recorded.")
    responsibility: str | None = strawberry.field(description="責任の所在.")
    committee: CommitteeType | None = strawberry.field(
        description="The body it set up (COMMITTEE form), if any."
    )
    review_due_on: date | None = strawberry.field(
        description="When the choice of partners is next to be reviewed (第4章(5))."
    )
    is_public: bool = strawberry.field(description="Published: readable by anyone (第2章2).")
    city_can_do: str | None = strawberry.field(
        description="市にできること (第4章(1)): what the city can do in it."
    )
    city_cannot_do: str | None = strawberry.field(
        description="市にできないこと (第4章(1)): what the city cannot do, told plainly."
    )
    pk: strawberry.Private[int]
    row: strawberry.Private[Collaboration]

    @classmethod
    def from_row(cls, row: Collaboration) -> CollaborationType:
        return from_row(
            cls,
            row,
            fiscal_year_label=fiscal_year_label(row.fiscal_year)
            if row.fiscal_year is not None
            else None,
            budget=budget_of(row),
            committee=committee_of(row),
        )

    @strawberry.field(
        description="When the choice of partners was last reviewed (第4章(5)); set by "
        "collaborationRecordReview."
    )
    def reviewed_on(self) -> date | None:
        return self.row.reviewed_on

    @strawberry.field(
        description="What the last review of the partners found. STAFF and ADMIN "
        "(FORBIDDEN, and null, for everyone else).",
        permission_classes=[CanReadInternal],
    )
    def review_note(self) -> str | None:
        return self.row.review_note

    @strawberry.field(
        description="What the city has published about it (第2章2): the conclusion and how "
        "it was reached, in plain words; null until collaborationPublish."
    )
    def publication(
        self,
    ) -> Annotated[CollaborationPublicationType, strawberry.lazy(_PUBLICATION)] | None:
        from kyodo.schema.collaborations.publication import publication_of

        return publication_of(self.row)

    @strawberry.field(description="One or more forms (a project may combine several).")
    async def forms(self, info: Info) -> list[CollaborationForm]:
        return await info.context.loader(collaborations.forms_by_collaboration).load(self.pk)

    department = department_field()

    co_departments = records_field(
        co_departments_by_collaboration,
        "pk",
        Annotated["DepartmentType", strawberry.lazy(_REFERENCE)],
        "Departments sharing it with the owning department (共同の担当課, 第3章(5)); "
        "their STAFF run it as their own, and departmentCodes filters find it under them.",
    )

    @strawberry.field(
        description="The screening of 第5章 Q8 (what is not collaboration); city staff only.",
        permission_classes=[CanReadInternal],
    )
    def screening(self) -> CollaborationScreeningType:
        return CollaborationScreeningType.from_row(self.row)

    fields = records_field(
        collaborations.fields_by_collaboration,
        "pk",
        Annotated["CollaborationFieldType", strawberry.lazy(_REFERENCE)],
        "Fields of collaboration (協働の分野) it belongs to.",
    )

    @strawberry.field(
        description="Who takes part and in what role (役割分担); lead partners first."
    )
    async def participations(self, info: Info) -> list[ParticipationType]:
        # Volunteers taking part as individuals are personal data (rule 13).
        key = collaborations.PartnersOfCollaborationKey(self.pk, partner_visibility(info.context))
        loader = info.context.loader(collaborations.participations_by_collaboration)
        return [ParticipationType.from_row(p) for p in await loader.load(key)]

    @strawberry.field(description="How many partners take part (those the caller may see).")
    async def partner_count(self, info: Info) -> int:
        key = collaborations.PartnersOfCollaborationKey(self.pk, partner_visibility(info.context))
        return await info.context.loader(collaborations.partner_count_by_collaboration).load(key)

    @strawberry.field(
        description=f"Agreements (協定) made for this collaboration, the first {NESTED_LIST_MAX} "
        "unless first asks for fewer."
    )
    async def agreements(
        self, info: Info, first: NestedFirst = None
    ) -> list[Annotated[AgreementType, strawberry.lazy("kyodo.schema.agreements.types")]]:
        from kyodo.schema.agreements.types import AgreementType

        limit = nested_list_limit(first)
        rows = await info.context.loader(collaborations.agreements_by_collaboration).load(self.pk)
        return [AgreementType.from_row(a) for a in rows[:limit]]

    @strawberry.field(description="The subsidy program (補助・助成) funding it, if any (public).")
    async def subsidy_program(
        self, info: Info
    ) -> Annotated[SubsidyProgramType, strawberry.lazy("kyodo.schema.subsidies.types")] | None:
        from kyodo.domain.subsidies.service import programs_by_id
        from kyodo.schema.subsidies.types import SubsidyProgramType

        return await load_optional(
            info, programs_by_id, self.row.subsidy_program_id, SubsidyProgramType.from_row
        )

    @strawberry.field(
        description=f"進捗確認 (第4章(3)), latest first: the latest {NESTED_LIST_MAX} unless "
        "first asks for fewer."
    )
    async def progress_reports(
        self, info: Info, first: NestedFirst = None
    ) -> list[ProgressReportType]:
        limit = nested_list_limit(first)
        rows = await info.context.loader(collaborations.progress_reports_by_collaboration).load(
            self.pk
        )
        return [ProgressReportType.from_row(r) for r in rows[:limit]]

    @strawberry.field(
        description="True when a running project longer than a year has had no progress "
        "report for six months (第4章(3))."
    )
    async def progress_overdue(self, info: Info) -> bool:
        if self.row.status is not DomainCollaborationStatus.ACTIVE:
            return False
        rows = await info.context.loader(collaborations.progress_reports_by_collaboration).load(
            self.pk
        )
        return collaborations.progress_overdue(self.row, rows, as_of=info.context.today)

    @strawberry.field(description="結果の評価 (第4章(4)); null until one is recorded.")
    async def evaluation(self, info: Info) -> EvaluationType | None:
        return await load_optional(
            info, collaborations.evaluation_by_collaboration, self.pk, EvaluationType.from_row
        )

    @strawberry.field(
        description="What 第4章(1)(2) asks to be clear before starting, checked live."
    )
    async def readiness(self, info: Info) -> ReadinessType:
        # Readiness is about everyone taking part, whoever may see them.
        key = collaborations.PartnersOfCollaborationKey(self.pk, PartnerVisibility.ALL)
        rows = await info.context.loader(collaborations.participations_by_collaboration).load(key)
        return readiness_of(self.row, rows)


@strawberry.type(name="Participation", description="A partner taking part in a collaboration.")
class ParticipationType:
    role: str | None = strawberry.field(description="役割分担: what this partner does.")
    is_lead: bool = strawberry.field(
        description="Leads the project (中心); BUSINESS_COOPERATION needs at least one."
    )
    cost_share_yen: int | None = strawberry.field(description="What this partner bears, in yen.")
    reason: str | None = strawberry.field(
        description="理由 (第2章1): why the city works with this partner; city staff only.",
        permission_classes=[CanReadInternal],
    )
    capacity: str | None = strawberry.field(
        description="能力 (第2章1): what shows it can carry the work; city staff only.",
        permission_classes=[CanReadInternal],
    )
    partner_pk: strawberry.Private[int]
    collaboration_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Participation) -> ParticipationType:
        return from_row(cls, row, partner_pk=row.partner_id, collaboration_pk=row.collaboration_id)

    partner = record_field(
        partners.get_many,
        "partner_pk",
        Annotated["PartnerType", strawberry.lazy(_PARTNERS)],
        "The partner.",
    )
    collaboration = record_field(
        collaborations.get_many, "collaboration_pk", CollaborationType, "The collaboration."
    )


def public_only(context: Context) -> bool:
    """Rule 13 (第2章2): outside the city's staff, only published collaborations are read."""
    return not can_read_internal(context)


def collaboration_visible(context: Context, row: Collaboration) -> bool:
    """May the caller see this collaboration (published, or the city's staff)?"""
    return row.is_public or not public_only(context)


async def collaboration_of(info: Info, collaboration_id: int | None) -> CollaborationType | None:
    """The collaboration a record belongs to; null when none, or when the caller may not
    see it."""
    return await load_optional(
        info,
        collaborations.get_many,
        collaboration_id,
        CollaborationType.from_row,
        collaboration_visible,
    )


register_node(
    "Collaboration",
    batch=collaborations.get_many,
    convert=CollaborationType.from_row,
    visible=collaboration_visible,
)
