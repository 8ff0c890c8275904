"""GraphQL types of the reference data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from kyodo.domain.reference.models import CollaborationField
from kyodo.domain.reference.service import departments_by_id, fields_by_id
from kyodo.schema.context import Info
from kyodo.schema.descriptions import DEPARTMENT, ListFilter
from kyodo.schema.enums import CollaborationForm
from kyodo.schema.node import Node, register_node
from kyodo.schema.pagination import Connection, PageRequest, paged
from kyodo.schema.rows import FromRow, from_row, record_field

if TYPE_CHECKING:
    from kyodo.schema.collaborations.inputs import CollaborationFilterInput
    from kyodo.schema.collaborations.types import CollaborationType


@strawberry.type(
    name="CollaborationFormInfo",
    description="Labels and fixed rules of one collaboration form, for front ends to display.",
)
class CollaborationFormInfoType:
    form: CollaborationForm = strawberry.field(description="The form.")
    label: str = strawberry.field(description="Japanese label, e.g. 共催.")
    description: str = strawberry.field(
        description="What the form is, in Japanese, after the wording of 第3章."
    )
    city_bears_final_responsibility: bool = strawberry.field(
        description="True for CONSIGNMENT: the city keeps final responsibility."
    )
    financial_support_allowed: bool = strawberry.field(
        description="False for ENDORSEMENT: no money may flow (FINANCIAL_SUPPORT_NOT_ALLOWED "
        "when a city share is set)."
    )


@strawberry.type(name="Department", description="A city department (担当課), e.g. 危機管理室.")
class DepartmentType(Node, FromRow):
    code: str = strawberry.field(
        description="Stable code, e.g. kikikanri: what departmentCode arguments take."
    )
    name: str = strawberry.field(description="Japanese name, e.g. 危機管理室.")
    pk: strawberry.Private[int]

    @strawberry.field(
        description="Collaborations the department is in charge of, newest first; "
        "without a token only published ones."
    )
    @paged
    async def collaborations(
        self,
        info: Info,
        page: PageRequest,
        filter: ListFilter[
            Annotated[
                CollaborationFilterInput, strawberry.lazy("kyodo.schema.collaborations.inputs")
            ]
        ] = None,
    ) -> Connection[
        Annotated[CollaborationType, strawberry.lazy("kyodo.schema.collaborations.types")]
    ]:
        from kyodo.schema.collaborations.queries import resolve_collaborations

        return await resolve_collaborations(info, page=page, filter=filter, department_id=self.pk)


def department_field(description: str = DEPARTMENT) -> Any:
    """The ``department`` field of a type that keeps its row: the department of its
    ``row.department_id``."""

    return record_field(departments_by_id, "row.department_id", DepartmentType, description)


@strawberry.type(
    name="CollaborationField",
    description="A field of collaboration (協働の分野, Q8), e.g. 防犯や防災.",
)
class CollaborationFieldType(Node):
    code: str = strawberry.field(description="Stable code: what fieldCodes arguments take.")
    name: str = strawberry.field(description="Japanese name, e.g. 防犯や防災.")
    group: str = strawberry.field(
        description="The Q8 group, e.g. 地域社会の主体的な取組が求められる分野."
    )

    @classmethod
    def from_row(cls, row: CollaborationField) -> CollaborationFieldType:
        return from_row(cls, row, group=row.group_name)


register_node("Department", batch=departments_by_id, convert=DepartmentType.from_row)
register_node("CollaborationField", batch=fields_by_id, convert=CollaborationFieldType.from_row)
