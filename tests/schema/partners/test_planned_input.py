"""PartnerUpsertInput built from its plan (schema.input_builders) is the instance
Strawberry's own conversion builds, for every shape a caller can send."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
import strawberry
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from kyodo.schema import schema
from kyodo.schema.input_builders import planned_input
from kyodo.schema.partners.inputs import PartnerUpsertInput

SHAPES: list[dict[str, Any]] = [
    {"kind": "NPO", "name": "a"},
    {
        "kind": "COMPANY",
        "name": "b",
        "nameKana": None,
        "externalId": "x",
        "status": "ACTIVE",
        "address": {"postalCode": "053-8722", "city": None},
        "fieldCodes": ["safety", "elderly"],
        "contacts": [
            {"name": "c", "role": None, "availableAroundTheClock": True},
            {"name": "d", "partnerId": "UGFydG5lcjox"},
        ],
    },
    {"kind": "NPO", "name": "e", "address": None, "contacts": None, "fieldCodes": None},
    {"kind": "NPO", "name": "f", "contacts": [], "fieldCodes": []},
]


def _coerced(raw: dict[str, Any]) -> Any:
    """The value graphql-core hands to the resolver for ``raw``."""
    from graphql import coerce_input_value

    return coerce_input_value(raw, schema._schema.type_map["PartnerUpsertInput"])


def _as_tree(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return (type(value), {f.name: _as_tree(getattr(value, f.name)) for f in fields(value)})
    if isinstance(value, list):
        return [_as_tree(v) for v in value]
    return value


@pytest.mark.parametrize("raw", SHAPES)
def test_planned_equals_strawberry(raw: dict[str, Any]) -> None:
    value = _coerced(raw)
    definition = get_object_definition(PartnerUpsertInput, strict=True)
    hook = definition.from_input
    assert hook is not None
    planned = convert_argument(
        value, PartnerUpsertInput, schema.schema_converter.scalar_registry, schema.config
    )
    definition.from_input = None
    try:
        generic = convert_argument(
            value, PartnerUpsertInput, schema.schema_converter.scalar_registry, schema.config
        )
    finally:
        definition.from_input = hook
    assert isinstance(planned, PartnerUpsertInput)
    assert _as_tree(planned) == _as_tree(generic)
    if value.get("fieldCodes") is not None:  # a copy: graphql-core may share defaults
        assert planned.field_codes is not value["fieldCodes"]


def test_uncovered_field_types_are_refused() -> None:
    @strawberry.input
    class WithId:
        id: strawberry.relay.GlobalID

    planned_input(WithId)
    with pytest.raises(TypeError, match="GlobalID"):
        convert_argument(
            {"id": "x"}, WithId, schema.schema_converter.scalar_registry, schema.config
        )
