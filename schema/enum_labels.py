"""``enumLabels``: the Japanese label and description of every enum value, at run time.

A dashboard shows 職員派遣 for ``STAFF_DISPATCH`` without a table of its own: one query
returns every value of every enum of the domain, read from ``domain.labels.LABELS``, the
same source as the values' descriptions in the schema.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.exceptions import StrawberryGraphQLError

from kyodo.domain.labels import LABELS


@strawberry.type(
    name="EnumLabel",
    description="How one enum value reads to people, e.g. SupportCategory.STAFF_DISPATCH "
    "is 職員派遣.",
)
class EnumLabelType:
    enum: str = strawberry.field(description="Name of the enum, e.g. SupportCategory.")
    value: str = strawberry.field(
        description="The value as the API spells it, e.g. STAFF_DISPATCH."
    )
    label: str = strawberry.field(description="Japanese label to display, e.g. 職員派遣.")
    description: str = strawberry.field(
        description="What the value means: its description in the schema."
    )


ENUM_LABELS: tuple[EnumLabelType, ...] = tuple(
    EnumLabelType(
        enum=enum.__name__, value=value.name, label=text.label, description=text.description
    )
    for enum, table in LABELS.items()
    for value, text in table.items()
)
"""Every value of every enum in ``domain.labels.LABELS``, in declaration order."""

ENUM_NAMES: tuple[str, ...] = tuple(enum.__name__ for enum in LABELS)


@strawberry.type
class EnumLabelQueries:
    @strawberry.field(
        description="Japanese label and description of every value of the domain's enums "
        "(SupportCategory, CollaborationForm, Role, ErrorCode, ...), enum by enum in "
        "declaration order. Public: no token needed."
    )
    def enum_labels(
        self,
        enums: Annotated[
            list[str] | None,
            strawberry.argument(
                description='Only these enums, by name, e.g. ["SupportCategory"]; all when omitted.'
            ),
        ] = None,
    ) -> list[EnumLabelType]:
        return enum_labels_of(enums)


def enum_labels_of(enums: list[str] | None) -> list[EnumLabelType]:
    """The labels of ``enums`` (every enum's when None); INVALID for a name that is not
    an enum with labels."""
    if enums is None:
        return list(ENUM_LABELS)
    unknown = [name for name in enums if name not in ENUM_NAMES]
    if unknown:
        raise StrawberryGraphQLError(
            f"ラベルのある列挙型ではありません: {'、'.join(unknown)}"
            f"（指定できるもの: {'、'.join(ENUM_NAMES)}）。",
            extensions={"code": "INVALID"},
        )
    wanted = set(enums)
    return [entry for entry in ENUM_LABELS if entry.enum in wanted]
