"""Valid query documents drawn from the live schema, for the differential test.

Unlike the fuzzer's hostile strategies (tests/server/strategies/), every document here
passes validation and almost every argument is a value the demo data makes meaningful:
real global ids (organisations, volunteers, agreements, unpublished collaborations...),
enum values, dates, search strings, district and field codes, small pages and real
cursors, now and then a value Strawberry refuses (``first: 101``, a broken cursor).
Selections are random subsets of each type's fields, nested a few levels, with aliases,
the same field twice (merged), named fragments, inline fragments with and without type
conditions, ``__typename`` and ``@skip``/``@include`` (literal or variable). Arguments
go into the document as literals or as variables.

The generator knows the schema, not the compiled path: which roots and fields the
compiled path covers decides only how often it answers, which the test reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
)
from hypothesis import strategies as st

MAX_DEPTH = 4

# Roots by weight: the lists front ends and the disaster office use, node lookups, the
# reference data; the rest of the schema now and then.
ROOT_WEIGHTS = {
    "partners": 6,
    "agreements": 6,
    "node": 5,
    "nodes": 3,
    "disasterSupport": 3,
    "disasterSupportNeedingReview": 1,
    "endorsementApplications": 1,
    "auditEvents": 1,
    "subsidyApplications": 1,
    "contactsDue": 2,
    "agreementsDue": 2,
    "partnerConcentration": 1,
    "partnerNetwork": 1,
    "partnerSuggestions": 1,
    "collaborations": 3,
    "departments": 1,
    "collaborationFields": 1,
    "collaborationForms": 1,
    "enumLabels": 1,
    "viewer": 1,
}
OTHER_ROOT_WEIGHT = 0.3
# Analyses the compiled path leaves to Strawberry on purpose (grouped counts, worklists).
ROOT_WEIGHTS |= {"collaborationStats": 0.1, "collaborationReviewsDue": 0.1}


@dataclass
class Pools:
    """Argument values taken from the demo data (see ``load_pools``)."""

    ids: dict[str, list[str]]
    """Global ids by kind: Partner, Individual, Agreement, Collaboration, ...; Unknown."""
    districts: list[str]
    department_codes: list[str]
    field_codes: list[str]
    corporate_numbers: list[str]
    searches: list[str] = field(
        default_factory=lambda: ["デモ", "ﾃﾞﾓ", "とまこまい", "株式会社", "協定", "町内会", "zzz"]
    )
    dates: list[str] = field(
        default_factory=lambda: [
            "2022-03-10",
            "2020-04-01",
            "2019-05-01",
            "2024-12-31",
            "2031-01-01",
        ]
    )
    cursors: dict[str, list[str]] = field(default_factory=dict)
    """Cursors by connection type (``PartnerConnection``...); ``*``: refused by every list."""


@dataclass
class Document:
    query: str
    variables: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.query}\nvariables: {json.dumps(self.variables, ensure_ascii=False)}"


class _Builder:
    """Holds what one document accumulates while it is drawn: fragments, variables."""

    def __init__(self, draw: st.DrawFn, schema: GraphQLSchema, pools: Pools) -> None:
        self.draw = draw
        self.schema = schema
        self.pools = pools
        self.fragments: list[str] = []
        self.variable_defs: list[str] = []
        self.variables: dict[str, Any] = {}
        self.aliases = 0
        self.connection = ""
        """The type of the field whose arguments are being drawn (for its cursors)."""

    # ------------------------------------------------------------ values

    def variable(self, type_: GraphQLInputType, value: Any) -> str:
        name = f"v{len(self.variable_defs)}"
        self.variable_defs.append(f"${name}: {type_}")
        self.variables[name] = value
        return f"${name}"

    def value(self, name: str, type_: GraphQLInputType, depth: int = 0) -> tuple[str, Any]:
        """(literal, JSON value) of an argument or input field called ``name``."""
        nullable = not isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(inner, GraphQLList):
            count = self.draw(st.integers(0 if nullable else 1, 3))
            items = [self.value(name, inner.of_type, depth + 1) for _ in range(count)]
            return "[" + ", ".join(i[0] for i in items) + "]", [i[1] for i in items]
        named = get_named_type(inner)
        if isinstance(named, GraphQLEnumType):
            member = self.draw(st.sampled_from(sorted(named.values)))
            return member, member
        if isinstance(named, GraphQLInputObjectType):
            fields = sorted(named.fields.items())
            chosen = [
                (n, f)
                for n, f in fields
                if isinstance(f.type, GraphQLNonNull) or self.draw(st.integers(0, 3)) == 0
            ]
            parts = [(n, self.value(n, f.type, depth + 1)) for n, f in chosen]
            literal = "{" + ", ".join(f"{n}: {v[0]}" for n, v in parts) + "}"
            return literal, {n: v[1] for n, v in parts}
        assert isinstance(named, GraphQLScalarType)
        raw = self.scalar(name, named.name)
        return json.dumps(raw, ensure_ascii=False), raw

    def scalar(self, name: str, type_name: str) -> Any:
        draw, pools = self.draw, self.pools
        lowered = name.lower()
        if type_name == "ID" or lowered in ("id", "ids", "partnerid"):
            kinds = sorted(pools.ids)
            if lowered == "partnerid":
                kinds = ["Partner", "Individual", "Unknown", "Agreement"]
            return draw(st.sampled_from(pools.ids[draw(st.sampled_from(kinds))]))
        if type_name == "Int":
            if lowered in ("first", "last"):
                return draw(st.sampled_from([0, 1, 2, 3, 5, 10, 20, 101]))
            if lowered == "maxagedays":
                return draw(st.sampled_from([0, 30, 365, 10_000]))
            if "fiscalyear" in lowered:
                return draw(st.integers(2018, 2025))
            return draw(st.integers(0, 5))
        if type_name == "Boolean":
            return draw(st.booleans())
        if type_name == "Date":
            return draw(st.sampled_from(pools.dates))
        if type_name == "Float":
            return draw(st.sampled_from([0.0, 0.5, 1.0]))
        # String
        if lowered in ("after", "before"):
            found = pools.cursors.get(self.connection, []) + pools.cursors.get("*", [])
            return draw(st.sampled_from(found))
        if lowered == "search":
            return draw(st.sampled_from(pools.searches))
        if lowered == "district":
            return draw(st.sampled_from(pools.districts))
        if "departmentcode" in lowered:
            return draw(st.sampled_from(pools.department_codes))
        if "fieldcode" in lowered:
            return draw(st.sampled_from(pools.field_codes))
        if lowered == "corporatenumber":
            return draw(st.sampled_from(pools.corporate_numbers))
        return draw(st.sampled_from(["demo", "デモ", "x"]))

    def arguments(self, definition: GraphQLField) -> str:
        self.connection = get_named_type(definition.type).name
        parts = []
        chosen: set[str] = set()
        for name, argument in sorted(definition.args.items()):
            required = isinstance(argument.type, GraphQLNonNull)
            if not required and self.draw(st.integers(0, 2)) != 0:
                continue
            # Front ends page one way: both first and last (which Strawberry refuses)
            # only now and then, so the refusals do not crowd out the documents.
            if name == "last" and "first" in chosen and self.draw(st.integers(0, 7)) != 0:
                continue
            chosen.add(name)
            literal, value = self.value(name, argument.type)
            if self.draw(st.integers(0, 3)) == 0:
                literal = self.variable(argument.type, value)
            parts.append(f"{name}: {literal}")
        return "(" + ", ".join(parts) + ")" if parts else ""

    # ------------------------------------------------------------ selections

    def directive(self) -> str:
        roll = self.draw(st.integers(0, 9))
        if roll > 1:
            return ""
        name = self.draw(st.sampled_from(["skip", "include"]))
        if self.draw(st.booleans()):
            flag = self.draw(st.booleans())
            return f" @{name}(if: {json.dumps(flag)})"
        return f" @{name}(if: {self.variable(GraphQLNonNull(self.schema.get_type('Boolean')), self.draw(st.booleans()))})"  # type: ignore[arg-type]

    def selection(
        self, type_: GraphQLObjectType | GraphQLInterfaceType, depth: int, *, top: bool = False
    ) -> str:
        """A selection set on ``type_``: some fields, maybe fragments."""
        items: list[str] = []
        fields = sorted(type_.fields.items())
        count = self.draw(st.integers(1, 4 if depth < 2 else 3))
        seen: set[str] = set()
        for _ in range(count):
            name, definition = self.draw(st.sampled_from(fields))
            named = get_named_type(definition.type)
            if not is_leaf_type(named) and depth >= MAX_DEPTH:
                continue
            text = self.field(name, definition, depth, self.directive())
            if text is None:
                continue
            # An alias now and then, and always for a field with arguments drawn twice
            # (the same response key with other arguments would not validate). Aliases
            # are unique in the document: fragments on different types still have to
            # agree on the shape of a shared response key.
            if (name in seen and definition.args) or self.draw(st.integers(0, 5)) == 0:
                self.aliases += 1
                text = f"a{self.aliases}: {text}"
            seen.add(name)
            items.append(text)
        if self.draw(st.integers(0, 5)) == 0:
            items.append("__typename")
        if isinstance(type_, GraphQLInterfaceType):
            items.extend(self.interface_fragments(type_, depth))
        elif self.draw(st.integers(0, 6)) == 0:
            items.append(self.fragment(type_, depth))
        if not items:
            items.append("__typename")
        return "{ " + " ".join(items) + " }"

    def interface_fragments(self, type_: GraphQLInterfaceType, depth: int) -> list[str]:
        possible = sorted(self.schema.get_possible_types(type_), key=lambda t: t.name)
        weights = {"Partner": 4, "Agreement": 4, "Collaboration": 2, "Department": 1}
        chosen = self.draw(
            st.lists(
                st.sampled_from([t for t in possible for _ in range(weights.get(t.name, 1))]),
                min_size=1,
                max_size=3,
                unique_by=lambda t: t.name,
            )
        )
        parts = []
        for object_type in chosen:
            if self.draw(st.integers(0, 2)) == 0:
                parts.append(self.fragment(object_type, depth))
            else:
                parts.append(f"... on {object_type.name} {self.selection(object_type, depth)}")
        return parts

    def fragment(self, type_: GraphQLObjectType, depth: int) -> str:
        if self.draw(st.booleans()):
            return f"... {self.selection(type_, depth)}"  # inline, no type condition
        name = f"F{len(self.fragments)}"
        self.fragments.append("")  # reserve the name before drawing nested fragments
        self.fragments[int(name[1:])] = (
            f"fragment {name} on {type_.name} {self.selection(type_, depth)}"
        )
        return f"...{name}{self.directive()}"

    def field(
        self, name: str, definition: GraphQLField, depth: int, directive: str = ""
    ) -> str | None:
        named = get_named_type(definition.type)
        arguments = self.arguments(definition)
        if is_leaf_type(named):
            return f"{name}{arguments}{directive}"
        assert isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        return f"{name}{arguments}{directive} {self.selection(named, depth + 1)}"

    def document(self) -> Document:
        query_type = self.schema.query_type
        assert query_type is not None
        names = sorted(query_type.fields)
        weighted = [
            n for n in names for _ in range(int(ROOT_WEIGHTS.get(n, OTHER_ROOT_WEIGHT) * 10))
        ]
        roots = self.draw(st.lists(st.sampled_from(weighted), min_size=1, max_size=2, unique=True))
        parts = []
        for i, name in enumerate(roots):
            text = self.field(name, query_type.fields[name], 0, self.directive())
            assert text is not None
            if i and self.draw(st.booleans()):
                text = f"r{i}: {text}"
            parts.append(text)
        head = "query Q" + (f"({', '.join(self.variable_defs)})" if self.variable_defs else "")
        body = head + " { " + " ".join(parts) + " }"
        query = "\n".join([body, *self.fragments])
        return Document(query, dict(self.variables))


def documents(schema: GraphQLSchema, pools: Pools) -> st.SearchStrategy[Document]:
    @st.composite
    def draw_document(draw: st.DrawFn) -> Document:
        return _Builder(draw, schema, pools).document()

    return draw_document()
