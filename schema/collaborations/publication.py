"""What the city shares about collaborations (情報共有, 第2章2; Q1's track record):
the published conclusion and 経緯 of a collaboration, and collaborationStats."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kyodo.domain.collaborations import publication, stats
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import CollaborationForm as DomainForm
from kyodo.domain.enums import PartnerKind as DomainPartnerKind
from kyodo.domain.japanese import fiscal_year_label, to_wareki
from kyodo.domain.labels import labels
from kyodo.schema.collaborations.inputs import CollaborationFilterInput
from kyodo.schema.collaborations.mutations import CollaborationPayload
from kyodo.schema.collaborations.queries import _run_query
from kyodo.schema.collaborations.types import public_only
from kyodo.schema.context import Info
from kyodo.schema.enums import CollaborationForm, PartnerKind
from kyodo.schema.inputs import ToData
from kyodo.schema.payloads import argument
from kyodo.schema.permissions import ADMIN, STAFF, allow, partner_visibility
from kyodo.schema.reference.types import DepartmentType
from kyodo.schema.rows import from_row

FORM_LABELS = labels(DomainForm)
KIND_LABELS = labels(DomainPartnerKind)
NO_FISCAL_YEAR = "年度未定"


@strawberry.type(
    name="CollaborationPublication",
    description="What the city published about a collaboration (第2章2), in plain words: "
    "not only the conclusion but how it was reached.",
)
class CollaborationPublicationType:
    conclusion: str = strawberry.field(description="結論: what was decided or achieved.")
    process: str = strawberry.field(
        description="経緯: how the conclusion was reached (結論に至った流れ)."
    )
    published_on: date = strawberry.field(description="The day it was (last) published.")
    published_on_wareki: str = strawberry.field(description="publishedOn in 和暦.")


def publication_of(row: Collaboration) -> CollaborationPublicationType | None:
    if row.public_conclusion is None or row.public_process is None or row.published_on is None:
        return None
    return CollaborationPublicationType(
        conclusion=row.public_conclusion,
        process=row.public_process,
        published_on=row.published_on,
        published_on_wareki=to_wareki(row.published_on),
    )


@strawberry.input(
    name="CollaborationPublicationInput",
    description="What to publish (第2章2), in everyday words: お役所言葉 such as 当該 or "
    "鋭意 are refused (INVALID, with a plain alternative in the message).",
)
class CollaborationPublicationInput(ToData, data=publication.PublicationData):
    conclusion: str = strawberry.field(description="結論 (REQUIRED when blank).")
    process: str = strawberry.field(
        description="経緯: how the conclusion was reached (REQUIRED when blank)."
    )


# ------------------------------------------------------------------ the track record (Q1)


@strawberry.type(name="CollaborationFormCount", description="Collaborations of one form.")
class FormCountType:
    form: CollaborationForm = strawberry.field(description="The form.")
    label: str = strawberry.field(description="Its Japanese name, e.g. 共催.")
    count: int = strawberry.field(description="Collaborations combining this form.")


@strawberry.type(
    name="CollaborationFiscalYearCount", description="Collaborations of one fiscal year."
)
class FiscalYearCountType:
    fiscal_year: int | None = strawberry.field(
        description="The fiscal year (2021 = 令和3年度); null for collaborations without one."
    )
    label: str = strawberry.field(description=f"e.g. 令和3年度; {NO_FISCAL_YEAR} for null.")
    count: int = strawberry.field(description="Collaborations of that year.")


@strawberry.type(
    name="CollaborationDepartmentCount", description="Collaborations of one department."
)
class DepartmentCountType:
    department: DepartmentType = strawberry.field(description="The department (担当課).")
    count: int = strawberry.field(description="Collaborations it owns.")


@strawberry.type(
    name="CollaborationPartnerKindCount",
    description="Collaborations with partners of one kind (NPO, 町内会・自治会...).",
)
class PartnerKindCountType:
    kind: PartnerKind = strawberry.field(description="The kind of partner.")
    label: str = strawberry.field(description="Its Japanese name.")
    collaboration_count: int = strawberry.field(
        description="Collaborations with at least one partner of this kind."
    )
    partner_count: int = strawberry.field(
        description="Distinct partners of this kind taking part in them."
    )


@strawberry.type(
    name="CollaborationStats",
    description="The track record (実績, Q1): counts of collaborations. Without a token "
    "only published collaborations are counted, and no individuals.",
)
class CollaborationStatsType:
    total: int = strawberry.field(description="Collaborations counted.")
    by_form: list[FormCountType] = strawberry.field(
        description="Every form, in the guideline's order; a collaboration combining "
        "several forms counts under each."
    )
    by_fiscal_year: list[FiscalYearCountType] = strawberry.field(
        description="Oldest year first; collaborations without a fiscal year last."
    )
    by_department: list[DepartmentCountType] = strawberry.field(
        description="Departments with collaborations, most first."
    )
    by_partner_kind: list[PartnerKindCountType] = strawberry.field(
        description="Every kind of partner the caller may see, in PartnerKind's order."
    )

    @classmethod
    def from_domain(cls, found: stats.CollaborationStats) -> CollaborationStatsType:
        return cls(
            total=found.total,
            by_form=[
                FormCountType(form=f, label=FORM_LABELS[f], count=n) for f, n in found.by_form
            ],
            by_fiscal_year=[
                FiscalYearCountType(
                    fiscal_year=year,
                    label=NO_FISCAL_YEAR if year is None else fiscal_year_label(year),
                    count=n,
                )
                for year, n in found.by_fiscal_year
            ],
            by_department=[
                DepartmentCountType(department=DepartmentType.from_row(d), count=n)
                for d, n in found.by_department
            ],
            by_partner_kind=[
                from_row(PartnerKindCountType, k, label=KIND_LABELS[k.kind])
                for k in found.by_partner_kind
            ],
        )


@strawberry.type
class PublicationQueries:
    @strawberry.field(
        description="The track record (実績, Q1): how many collaborations by form, fiscal "
        "year, department and partner kind. Public: without a token only published "
        "collaborations count; the city's staff count every one. Cancelled ones are left "
        "out unless filter.statuses names CANCELLED."
    )
    async def collaboration_stats(
        self,
        info: Info,
        filter: Annotated[
            CollaborationFilterInput | None,
            strawberry.argument(description="Count only these (as in collaborations)."),
        ] = None,
        from_fiscal_year: Annotated[
            int | None, strawberry.argument(description="From this fiscal year on.")
        ] = None,
        to_fiscal_year: Annotated[
            int | None,
            strawberry.argument(description="Up to this fiscal year (INVALID before the first)."),
        ] = None,
    ) -> CollaborationStatsType:
        spec = (filter or CollaborationFilterInput()).to_spec(public_only=public_only(info.context))
        found = await _run_query(
            info,
            stats.collaboration_stats,
            spec=spec,
            visibility=partner_visibility(info.context),
            from_fiscal_year=from_fiscal_year,
            to_fiscal_year=to_fiscal_year,
        )
        return CollaborationStatsType.from_domain(found)


@strawberry.type
class PublicationMutations:
    collaboration_publish = CollaborationPayload.change_mutation(
        publication.publish_collaboration,
        description="Publish a collaboration (第2章2): it becomes readable by anyone, with "
        "its conclusion and how it was reached, in plain words. Publishing again replaces "
        "both; REQUIRED when one is blank, INVALID for お役所言葉.",
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        input=argument(CollaborationPublicationInput, "What to publish.", to_data=True),
    )
