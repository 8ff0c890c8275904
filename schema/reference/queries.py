"""Reference data queries."""

from __future__ import annotations

import strawberry

from kyodo.domain.collaborations.forms import FORM_INFO
from kyodo.domain.reference.service import list_departments, list_fields
from kyodo.schema.context import Info
from kyodo.schema.reference.types import (
    CollaborationFieldType,
    CollaborationFormInfoType,
    DepartmentType,
)
from kyodo.schema.rows import read_rows


@strawberry.type
class ReferenceQueries:
    @strawberry.field(description="The seven forms with Japanese labels and their fixed rules.")
    def collaboration_forms(self) -> list[CollaborationFormInfoType]:
        return collaboration_form_infos()

    @strawberry.field(description="The city's departments (担当課), by code.")
    async def departments(self, info: Info) -> list[DepartmentType]:
        return await read_rows(info, DepartmentType.from_row, list_departments)

    @strawberry.field(description="The fields of collaboration (協働の分野, Q8), by code.")
    async def collaboration_fields(self, info: Info) -> list[CollaborationFieldType]:
        return await read_rows(info, CollaborationFieldType.from_row, list_fields)


def collaboration_form_infos() -> list[CollaborationFormInfoType]:
    return [
        CollaborationFormInfoType(
            form=form,
            label=info.label,
            description=info.description,
            city_bears_final_responsibility=info.city_bears_final_responsibility,
            financial_support_allowed=info.financial_support_allowed,
        )
        for form, info in FORM_INFO.items()
    ]
