"""The compiled path's reference data: CollaborationField and Department
(``schema/reference/types.py``)."""

from __future__ import annotations

from typing import Any

from kyodo.domain.collaborations import service as collaborations
from kyodo.schema.compiled.specs import Paged, TypeSpec, column, columns
from kyodo.schema.context import Context
from kyodo.schema.reference.types import CollaborationFieldType, DepartmentType

COLLABORATION_FIELD = TypeSpec(
    "CollaborationField",
    "CollaborationField",
    fields={
        **columns(CollaborationFieldType, "CollaborationField"),
        "group": column("group_name"),
    },
)


def _department_filter(kwargs: dict[str, Any], context: Context) -> Any:
    """``resolve_collaborations``' spec; the department itself is the link's condition."""
    from kyodo.schema.collaborations.inputs import CollaborationFilterInput
    from kyodo.schema.collaborations.types import public_only

    return (kwargs.get("filter") or CollaborationFilterInput()).to_spec(
        department_id=None, public_only=public_only(context)
    )


DEPARTMENT = TypeSpec(
    "Department",
    "Department",
    fields={
        **columns(DepartmentType, "Department"),
        "collaborations": Paged(
            "collaborations", _department_filter, collaborations.list_ordering()
        ),
    },
)
