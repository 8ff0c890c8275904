"""Every part of the live schema is described, and keeps every description the contract has.

Front ends build on the descriptions (GraphiQL's docs, codegen comments, the labels of
enum values), so a type, field, argument, input field or enum value without one fails
here, listed by its schema coordinate (``Type.field(argument:)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from kyodo.schema import schema

CONTRACT = Path(__file__).resolve().parents[2].parent / "shared" / "contract" / "schema.graphql"
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def descriptions(graphql_schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """(schema coordinate, description) of every type, field, argument, input field and
    enum value, built-in scalars and introspection types left out."""
    for name, named in sorted(graphql_schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN:
            continue
        yield name, named.description
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg.description
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"{name}.{field_name}", input_field.description
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                yield f"{name}.{value_name}", value.description


def test_everything_in_the_live_schema_is_described():
    # given the live schema
    # when looking for parts without a description (blank counts as none)
    missing = [
        coordinate
        for coordinate, text in descriptions(schema._schema)
        if not (text and text.strip())
    ]
    # then there are none: describe each one listed with description=
    assert missing == [], f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_contracts_descriptions_are_kept():
    # given the public contract (when the shared folder is present)
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    live = dict(descriptions(schema._schema))
    # when comparing each description the contract gives with the live one
    differing = [
        f"{coordinate}: contract {text!r}, live {live.get(coordinate)!r}"
        for coordinate, text in descriptions(contract)
        if text and not keeps(live.get(coordinate) or "", text)
    ]
    # then every one is there, word for word (the live one may go on to say more)
    assert differing == [], "\n".join(differing)


def keeps(live: str, contract: str) -> bool:
    """The live description says what the contract's does, maybe followed by more:
    ``... lately.`` is kept by ``... lately (中間支援, 第4章(7)). Individuals ...``."""
    return live == contract or live.startswith(contract.removesuffix("."))
