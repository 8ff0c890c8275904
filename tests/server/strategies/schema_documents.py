"""Operations built from the live schema: any root field, nested past the depth limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import strategies as st

from tests.server.strategies.values import input_value, jsonable, literal

# ---------------------------------------------------------------- documents


@dataclass
class _Build:
    use_variables: bool
    definitions: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)

    def argument(self, draw: st.DrawFn, name: str, type_: GraphQLInputType) -> str:
        value = draw(input_value(type_, name))
        if not self.use_variables:
            return f"{name}: {literal(value)}"
        variable = f"v{len(self.definitions)}"
        declared = str(type_)
        if draw(st.integers(0, 19)) == 0:
            declared = draw(st.sampled_from(["String", "Int!", "[ID!]", "Boolean", "Nope"]))
        self.definitions.append(f"${variable}: {declared}")
        if value is not None or draw(st.booleans()):
            self.variables[variable] = jsonable(value)
        return f"{name}: ${variable}"


@dataclass(frozen=True)
class Operation:
    """A generated operation: the document, its variables, and its root fields."""

    query: str
    variables: dict[str, Any]
    root_fields: tuple[str, ...]
    is_mutation: bool

    def body(self) -> dict[str, Any]:
        return {"query": self.query, "variables": self.variables or None}


def _arguments(draw: st.DrawFn, build: _Build, definition: GraphQLField) -> str:
    parts: list[str] = []
    for name, argument in sorted(definition.args.items()):
        required = isinstance(argument.type, GraphQLNonNull)
        if (required and draw(st.integers(0, 29)) != 0) or (not required and draw(st.booleans())):
            parts.append(build.argument(draw, name, argument.type))
    if draw(st.integers(0, 29)) == 0:
        parts.append("nope: 1")
    return f"({', '.join(parts)})" if parts else ""


def _is_composite(type_: GraphQLNamedType) -> bool:
    return isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)


def _selection(
    draw: st.DrawFn,
    schema: GraphQLSchema,
    build: _Build,
    parent: GraphQLNamedType,
    depth: int,
    target: int,
) -> str:
    """A selection set on ``parent`` whose deepest path is about ``target`` levels down."""
    if isinstance(parent, GraphQLInterfaceType | GraphQLUnionType):
        possible = sorted(schema.get_possible_types(parent), key=lambda t: t.name)
        chosen = draw(st.sampled_from(possible))
        inner = _selection(draw, schema, build, chosen, depth, target)
        return f"{{ __typename ... on {chosen.name} {inner} }}"
    assert isinstance(parent, GraphQLObjectType)
    names = sorted(parent.fields)
    composite = [n for n in names if _is_composite(get_named_type(parent.fields[n].type))]
    leaves = [n for n in names if n not in composite]
    picked: list[str] = []
    if composite and depth < target:
        picked.append(draw(st.sampled_from(composite)))
    if leaves and (not picked or draw(st.booleans())):
        picked.append(draw(st.sampled_from(leaves)))
    if parent.name.endswith("Payload") and "errors" in names and "errors" not in picked:
        picked.append("errors")  # mutations must tell whether they changed anything
    parts: list[str] = []
    for name in picked or ["__typename"]:
        if name == "__typename":
            parts.append(name)
            continue
        definition = parent.fields[name]
        text = name + _arguments(draw, build, definition)
        named = get_named_type(definition.type)
        if _is_composite(named):
            text += " " + _selection(draw, schema, build, named, depth + 1, target)
        parts.append(text)
    return "{ " + " ".join(parts) + " }"


@st.composite
def operations(draw: st.DrawFn, schema: GraphQLSchema, *, mutation: bool) -> Operation:
    """One operation on random root fields of the live schema, arguments inline or as
    variables, nested up to 14 levels (the limit is 10)."""
    root = schema.mutation_type if mutation else schema.query_type
    assert root is not None
    build = _Build(use_variables=draw(st.booleans()))
    target = draw(st.integers(1, 14))
    names = sorted(root.fields)
    # One root field per mutation, so that its payload alone says whether it wrote.
    count = 1 if mutation else draw(st.integers(1, 3))
    chosen = draw(st.lists(st.sampled_from(names), min_size=count, max_size=count, unique=True))
    parts: list[str] = []
    for name in chosen:
        definition = root.fields[name]
        text = name + _arguments(draw, build, definition)
        named = get_named_type(definition.type)
        if _is_composite(named):
            text += " " + _selection(draw, schema, build, named, 1, target)
        parts.append(text)
    keyword = "mutation" if mutation else "query"
    header = f"{keyword} ({', '.join(build.definitions)})" if build.definitions else keyword
    return Operation(
        query=f"{header} {{ {' '.join(parts)} }}",
        variables=build.variables,
        root_fields=tuple(chosen),
        is_mutation=mutation,
    )
