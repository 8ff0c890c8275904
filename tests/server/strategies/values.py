"""Values for a GraphQL input type: of that type (hostile in content) or of another.

Well-known argument names (ids, cursors, department codes, …) get plausible values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from hypothesis import strategies as st

from tests.server.strategies.ids import cursors, global_ids
from tests.server.strategies.scalars import dates, datetimes, floats, ints, texts

# ---------------------------------------------------------------- domain-flavoured strings

DEPARTMENT_CODES = ["kyodo", "machizukuri", "kikikanri", "shimin-seikatsu", "zero-gomi"]
FIELD_CODES = ["elderly", "childcare", "safety", "environment", "cleanup", "festival", "arts"]


def _named_string(name: str) -> st.SearchStrategy[str] | None:
    """Plausible values for well-known argument and input field names, mixed with junk."""
    lowered = name.lower()
    if lowered in ("id", "ids") or (lowered.endswith(("id", "ids")) and lowered != "externalid"):
        return global_ids()
    if lowered in ("after", "before"):
        return cursors()
    if "departmentcode" in lowered:
        return st.one_of(st.sampled_from(DEPARTMENT_CODES), texts(20))
    if "fieldcode" in lowered or lowered == "categories":
        return st.one_of(st.sampled_from(FIELD_CODES), texts(20))
    if lowered == "email":
        return st.one_of(st.sampled_from(["demo@example.jp", "ｄｅｍｏ＠example.jp"]), texts(30))
    if lowered == "phone":
        return st.one_of(st.sampled_from(["000-0000-0001", "０００ー０００ー０００１"]), texts(20))
    if lowered == "corporatenumber":
        return st.one_of(
            st.sampled_from(["8700110005901", "1234567890123"]),
            st.text(alphabet="0123456789０１２３", min_size=12, max_size=14),
            texts(20),
        )
    return None


# ---------------------------------------------------------------- values for a GraphQL type


@dataclass(frozen=True)
class EnumName:
    """An enum value: written bare in a document, as a string in variables."""

    name: str


def any_value(depth: int = 2) -> st.SearchStrategy[Any]:
    """A value of no particular type (for the wrong-type cases)."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        ints(),
        floats(),
        texts(20),
        st.sampled_from([EnumName("ACTIVE"), EnumName("NOPE"), EnumName("true")]),
    )
    if depth <= 0:
        return leaves
    return st.one_of(
        leaves,
        st.lists(any_value(depth - 1), max_size=3),
        st.dictionaries(
            st.sampled_from(["a", "name", "kind", "id", "x_y", "first"]),
            any_value(depth - 1),
            max_size=3,
        ),
    )


@st.composite
def input_value(draw: st.DrawFn, type_: GraphQLInputType, name: str = "", depth: int = 0) -> Any:
    """A value for an input of ``type_``: usually of that type, hostile in content, and
    now and then null where null is not allowed, or of another type altogether."""
    if draw(st.integers(0, 19)) == 0:
        return draw(any_value())
    if isinstance(type_, GraphQLNonNull):
        if draw(st.integers(0, 29)) == 0:
            return None
        return draw(input_value(type_.of_type, name, depth))
    if draw(st.integers(0, 9)) == 0:
        return None
    if isinstance(type_, GraphQLList):
        size = draw(st.sampled_from([0, 1, 1, 2, 3, 101]) if depth < 2 else st.just(1))
        item = input_value(type_.of_type, name, depth + 1)
        if size > 3:  # over the 100-item cap: repeat one value instead of drawing 101
            return [draw(item)] * size
        return [draw(item) for _ in range(size)]
    if isinstance(type_, GraphQLEnumType):
        names = sorted(type_.values)
        return EnumName(draw(st.one_of(st.sampled_from(names), st.sampled_from(["NOPE", "x"]))))
    if isinstance(type_, GraphQLInputObjectType):
        value: dict[str, Any] = {}
        for field_name, input_field in sorted(type_.fields.items()):
            required = isinstance(input_field.type, GraphQLNonNull)
            if required or draw(st.booleans()):
                value[field_name] = draw(input_value(input_field.type, field_name, depth + 1))
        if draw(st.integers(0, 14)) == 0:
            value["unknownField"] = draw(any_value(0))
        return value
    assert isinstance(type_, GraphQLScalarType), type_
    return draw(scalar_value(type_.name, name))


def scalar_value(scalar: str, name: str) -> st.SearchStrategy[Any]:
    if scalar == "Int":
        return ints()
    if scalar == "Float":
        return floats()
    if scalar == "Boolean":
        return st.booleans()
    if scalar == "Date":
        return dates()
    if scalar == "DateTime":
        return datetimes()
    if scalar == "JSON":
        return any_value()
    named = _named_string(name)
    return texts() if named is None else named


def literal(value: Any) -> str:
    """``value`` written as a GraphQL literal (JSON escapes are valid GraphQL escapes)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, EnumName):
        return value.name
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # nan and inf are no GraphQL: a syntax error, also fine
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def jsonable(value: Any) -> Any:
    """``value`` for the variables object."""
    if isinstance(value, EnumName):
        return value.name
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value
