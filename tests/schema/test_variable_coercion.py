"""The planned variable coercion (schema.variables, schema.variable_plans) is graphql-core's,
value for value.

For kyodo's real input types, and for a small schema with what kyodo does not use
(``@oneOf``, ``out_type``, Float, non-null fields with defaults, a scalar that raises),
Hypothesis draws variable values, valid and broken: wrong types, missing required
fields, nulls in non-null places, unknown keys, enum names and other strings, huge
ints, floats for ints, strings for lists. For each:

- the plan accepts exactly the values graphql-core accepts (every valid JSON value,
  and no invalid one), with the same coerced values (types, enum members, defaults
  and key order included) and the same sources;
- the executor that uses it (``PlannedVariables.build``, as every operation of the API
  runs) answers as graphql-core's own ``build``: the same errors, word for word, or an
  executor with the real operation and the same variables.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    is_input_type,
    is_required_input_field,
    parse,
    parse_type,
    print_ast,
    type_from_ast,
)
from graphql.execution import get_variable_values
from graphql.execution.values import VariableValues
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from kyodo.schema import schema as kyodo_schema
from kyodo.schema.variables import PlannedVariables, coerce_variables

KYODO = kyodo_schema._schema

MIXED = build_schema(
    """
    input Choice @oneOf { number: Int, word: String, inner: Inner }
    input Inner {
      count: Int! = 3
      ratios: [Float!]! = [1.5, 2]
      flag: Boolean
      key: ID!
      odd: Odd
      color: Color = RED
      words: [[String]] = [["a"], null]
    }
    input Point { x: Float, y: Float }
    input Tree { value: Int, children: [Tree!] }
    enum Color { RED GREEN }
    scalar Odd
    type Query { ping(a: Choice, b: Inner, c: Point, d: Tree): Int }
    """
)


class _Color(enum.Enum):
    RED = "red"
    GREEN = "green"


def _odd(value: Any) -> int:
    if type(value) is not int or value % 2 == 0:
        raise ValueError("not odd")
    return value


MIXED.type_map["Odd"].coerce_input_value = _odd  # type: ignore[union-attr]
MIXED.type_map["Point"].out_type = lambda value: ("point", tuple(value.items()))  # type: ignore[union-attr]
for _name, _value in MIXED.type_map["Color"].values.items():  # type: ignore[union-attr]
    _value.value = _Color[_name]


def _named(gql: GraphQLSchema) -> list[str]:
    """The schema's input types: input objects, enums and scalars."""
    return sorted(
        name
        for name, type_ in gql.type_map.items()
        if not name.startswith("__")
        and isinstance(type_, GraphQLInputObjectType | GraphQLEnumType | GraphQLScalarType)
    )


WRAPPED = ["{}", "{}!", "[{}!]!", "[{}]", "[{}!]", "[[{}]]"]
"""How a variable's type wraps the named type each run is about."""

OTHERS: list[tuple[str, str | None]] = [
    # (type, default literal): variables drawn next to it
    ("Int", "3"),
    ("Int!", "3"),
    ("Int", '"x"'),  # an invalid default: graphql-core reports it
    ("[String!]", '["a", "b"]'),
    ("String", "null"),
    ("ID!", None),
    ("Nope", None),  # not in the schema
    ("Query", None),  # not an input type
]
KYODO_OTHERS = [*OTHERS, ("PartnerFilter", "{kinds: [NPO]}"), ("PartnerKind", "NPO")]
MIXED_OTHERS = [*OTHERS, ("Color", "GREEN"), ("Inner", '{key: "k"}'), ("Choice!", '{word: "w"}')]

# ---------------------------------------------------------------- values


def _junk() -> st.SearchStrategy[Any]:
    """Values of any JSON type, the odd ones graphql-core treats specially included."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-5, max_value=5),
        st.sampled_from([2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 10**30]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([1.0, -3.0, 2.5, 1e300]),
        st.text(max_size=3),
        st.lists(st.integers(-3, 3), max_size=2),
        st.dictionaries(st.text(max_size=2), st.integers(-3, 3), max_size=2),
    )


def _valid_leaf(type_: GraphQLScalarType | GraphQLEnumType) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from(sorted(type_.values))
    return {
        "String": st.text(max_size=4),
        "ID": st.one_of(st.text(max_size=4), st.integers(-3, 3)),
        "Int": st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([1.0, -7.0])),
        "Float": st.one_of(
            st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**60), 2**60)
        ),
        "Boolean": st.booleans(),
        "Date": st.dates().map(lambda d: d.isoformat()),
        "DateTime": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        "JSON": st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=3),
            lambda inner: (
                st.lists(inner, max_size=2)
                | st.dictionaries(st.text(max_size=2), inner, max_size=2)
            ),
            max_leaves=4,
        ),
        "Odd": st.integers(-5, 5).map(lambda n: 2 * n + 1),
    }[type_.name]


def _broken_leaf(type_: GraphQLScalarType | GraphQLEnumType) -> st.SearchStrategy[Any]:
    """Mostly wrong values of a leaf type: other strings, numbers just out of range."""
    if isinstance(type_, GraphQLEnumType):
        names = sorted(type_.values)
        return st.one_of(
            st.sampled_from(["", "red", *(name.lower() for name in names[:3])]), _junk()
        )
    special = {
        "Int": [2**31, -(2**31) - 1, 10**30, 2.5, float("inf"), float("nan"), True, "1"],
        "Float": [10**400, 2**53 + 1, float("inf"), float("nan"), "1.5", False],
        "Date": ["2024-02-30", "令和6年3月1日", "2024-03-01T00:00:00", 20240301],
        "DateTime": ["2024-03-01T25:00:00", "2024-03-01", "now"],
        "ID": [1.5, True, 10**30],
        "Odd": [2, 0, "3"],
    }.get(type_.name, [])
    return st.one_of(_valid_leaf(type_), _junk(), *([st.sampled_from(special)] if special else []))


@st.composite
def values(draw: st.DrawFn, type_: GraphQLInputType, noisy: bool, depth: int = 0) -> Any:
    """A value for ``type_``: when not ``noisy`` a valid one (as far as the types
    tell); when ``noisy`` one broken here and there."""
    if noisy and draw(st.integers(0, 11)) == 0:
        return draw(_junk())
    if isinstance(type_, GraphQLNonNull):
        if noisy and draw(st.integers(0, 9)) == 0:
            return None
        type_ = type_.of_type
    elif draw(st.integers(0, 9)) == 0:
        return None
    if isinstance(type_, GraphQLList):
        item = values(type_.of_type, noisy, depth + 1)
        if draw(st.integers(0, 4)) == 0:
            return draw(item)  # a single value for a list
        return draw(st.lists(item, max_size=3 if depth == 0 else 2))
    if isinstance(type_, GraphQLInputObjectType):
        drawn: dict[str, Any] = {}
        for name, field in type_.fields.items():
            required = is_required_input_field(field)
            if (required and not noisy) or draw(st.integers(0, 19 if required else 2)) != 0:
                drawn[name] = draw(values(field.type, noisy, depth + 1))
        if noisy and draw(st.integers(0, 7)) == 0:
            drawn[draw(st.sampled_from(["unknown", "Name", "kind_"]))] = 1
        if type_.is_one_of and (not noisy or draw(st.booleans())):
            kept = draw(st.sampled_from(sorted(type_.fields)))
            kept_type = type_.fields[kept].type
            if noisy and draw(st.integers(0, 3)) == 0:
                drawn = {kept: None}
            else:
                kept_type = kept_type if noisy else GraphQLNonNull(kept_type)
                drawn = {kept: draw(values(kept_type, noisy))}
        return drawn
    return draw(_broken_leaf(type_) if noisy else _valid_leaf(type_))


@dataclass
class Case:
    document: str
    inputs: dict[str, Any]


@st.composite
def cases(
    draw: st.DrawFn, gql: GraphQLSchema, named: str, others: list[tuple[str, str | None]]
) -> Case:
    """A document whose first variable is of type ``named`` (wrapped), with up to two
    other variables, and the values sent for them."""
    chosen = [
        (draw(st.sampled_from(WRAPPED)).format(named), None),
        *draw(st.lists(st.sampled_from(others), max_size=2)),
    ]
    noisy = draw(st.booleans())
    definitions, inputs = [], {}
    for index, (type_text, default) in enumerate(chosen):
        name = f"v{index}"
        definitions.append(f"${name}: {type_text}" + (f" = {default}" if default else ""))
        type_ = type_from_ast(gql, parse_type(type_text))
        required = isinstance(type_, GraphQLNonNull) and default is None
        if (required and not noisy) or draw(st.integers(0, 5)) != 0:
            inputs[name] = draw(values(type_, noisy) if is_input_type(type_) else _junk())
    if draw(st.integers(0, 19)) == 0:
        inputs["stray"] = 1  # a value for no variable: ignored
    return Case(f"query Q({', '.join(definitions)}) {{ __typename }}", inputs)


# ---------------------------------------------------------------- comparison


def _same(planned: Any, core: Any) -> bool:
    """Equal, of the same types all the way down, dict keys in the same order."""
    if type(planned) is not type(core):
        return False
    if isinstance(core, dict):
        return list(planned) == list(core) and all(_same(planned[k], core[k]) for k in core)
    if isinstance(core, list | tuple):
        return len(planned) == len(core) and all(map(_same, planned, core))
    if isinstance(core, float) and core != core:
        return planned != planned
    return bool(planned == core)


def _same_values(planned: VariableValues, core: VariableValues) -> None:
    assert _same(planned.coerced, core.coerced), (planned.coerced, core.coerced)
    assert list(planned.sources) == list(core.sources)
    for name, source in core.sources.items():
        mine = planned.sources[name]
        assert mine.value is source.value
        assert mine.signature.name == source.signature.name
        assert str(mine.signature.type) == str(source.signature.type)
        printed = [
            None if s.default is None else print_ast(s.default.literal)
            for s in (mine.signature, source.signature)
        ]
        assert printed[0] == printed[1]


def _formatted(errors: list[GraphQLError]) -> list[Any]:
    return [(error.formatted, str(error)) for error in errors]


def _check(gql: GraphQLSchema, case: Case, planned_type: bool = True) -> str:
    document = parse(case.document)
    definitions = document.definitions[0].variable_definitions  # type: ignore[attr-defined]
    core = get_variable_values(gql, definitions, case.inputs)
    planned = coerce_variables(gql, definitions, case.inputs)
    if isinstance(core, list):
        assert planned is None, (case, planned)
    elif planned_type:
        assert planned is not None, (case, core.coerced)
        _same_values(planned, core)
    else:
        assert planned is None

    built = PlannedVariables.build(gql, document, raw_variable_values=case.inputs)
    expected = StrawberryGraphQLCoreExecutionContext.build(
        gql, document, raw_variable_values=case.inputs
    )
    if isinstance(expected, list):
        assert isinstance(built, list)
        assert _formatted(built) == _formatted(expected)
        return "refused"
    assert not isinstance(built, list)
    assert built.operation is expected.operation
    _same_values(built.variable_values, expected.variable_values)
    assert sorted(vars(built)) == sorted(vars(expected))
    for same in ("fragment_definitions", "fragments", "error_propagation", "hide_suggestions"):
        assert getattr(built, same) == getattr(expected, same)
    return "coerced"


SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize(
    ("gql", "named", "others"),
    [
        *[pytest.param(KYODO, name, KYODO_OTHERS, id=name) for name in _named(KYODO)],
        *[
            pytest.param(MIXED, name, MIXED_OTHERS, id=f"mixed-{name}")
            for name in _named(MIXED)
            if name != "Tree"
        ],
    ],
)
def test_planned_coercion_is_graphql_cores(
    gql: GraphQLSchema, named: str, others: list[tuple[str, str | None]]
) -> None:
    outcomes: dict[str, int] = {"coerced": 0, "refused": 0}
    objects = isinstance(gql.type_map[named], GraphQLInputObjectType)

    @settings(SETTINGS, max_examples=25 if objects else 10)
    @given(case=cases(gql, named, others))
    def compare(case: Case) -> None:
        outcomes[_check(gql, case)] += 1

    compare()
    assert min(outcomes.values()) >= 1, outcomes  # both ways were exercised


@pytest.mark.parametrize(
    ("type_text", "value"),
    [
        ("Choice", {"number": 1}),
        ("Choice", {"number": None}),  # @oneOf: its one field must not be null
        ("Choice", {"number": 1, "word": "a"}),
        ("Choice", {}),
        ("Choice", {"inner": {"key": 1}}),
        ("Point", {"x": 1, "y": 2.5}),  # out_type
        ("[Point]", {"x": 1}),
        ("Point", {"x": float("nan")}),
        ("Point", {"x": 10**400}),
        ("Inner", {"key": "k"}),  # defaults, nested lists in them
        ("Inner", {"key": "k", "count": 2**31}),
        ("Inner", {"key": "k", "count": 3.0, "ratios": 1}),
        ("Inner", {"key": "k", "ratios": "1.5"}),
        ("Inner", {"key": "k", "odd": 4}),
        ("Inner", {"key": "k", "odd": 5, "color": "GREEN", "words": "w"}),
        ("Inner", {"key": "k", "words": [None, ["a", None]]}),
        ("Inner", {"key": None}),
        ("Inner", {"count": 1}),
        ("[[Int]]", [[1], 2, None]),
        ("[[Int]]", [[1, "2"]]),
    ],
)
def test_what_kyodo_does_not_use(type_text: str, value: Any) -> None:
    """Rules of graphql-core's that no kyodo input has, each once (Hypothesis may not
    come upon them in its few examples)."""
    assert _check(MIXED, Case(f"query ($v: {type_text}) {{ ping }}", {"v": value}))


@pytest.mark.parametrize(
    "value",
    [{}, {"value": 1, "children": [{"children": [{"value": 2}]}]}, {"children": {"value": "x"}}],
)
def test_a_recursive_input_type_is_left_to_graphql_core(value: Any) -> None:
    assert _check(MIXED, Case("query ($v: Tree) { ping }", {"v": value}), planned_type=False)


BULK_ROW = {
    "kind": "NEIGHBORHOOD_ASSOCIATION",
    "name": "（デモ）一括町内会1",
    "externalId": "bulk-00001",
    "fieldCodes": ["safety", "elderly"],
    "contacts": [{"name": "デモ 会長1", "role": "会長", "phone": "000-0000-0001"}],
}
UPSERT = "mutation ($rows: [PartnerUpsertInput!]!) { partnersUpsert(input: $rows) { created } }"


@pytest.mark.parametrize(
    "rows",
    [
        [BULK_ROW] * 3,
        BULK_ROW,  # one row for a list of rows
        [BULK_ROW, {**BULK_ROW, "kind": "NOPE"}],
        [BULK_ROW, {**BULK_ROW, "name": None}],
        [BULK_ROW, {k: v for k, v in BULK_ROW.items() if k != "name"}],
        [{**BULK_ROW, "Name": "x"}],
        [{**BULK_ROW, "fieldCodes": "safety"}],
        [{**BULK_ROW, "contacts": [{"name": 1}]}],
        "rows",
    ],
)
def test_bulk_rows(rows: Any) -> None:
    """The bulk benchmark's shapes, and each kind of mistake in one of its rows."""
    assert _check(KYODO, Case(UPSERT, {"rows": rows})) in ("coerced", "refused")


def test_the_api_runs_its_variables_through_the_plan() -> None:
    from kyodo.schema.mutation import MutationExecutor

    assert issubclass(MutationExecutor, PlannedVariables)
    assert kyodo_schema.execution_context_class is MutationExecutor
