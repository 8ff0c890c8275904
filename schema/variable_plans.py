"""The plans that coerce GraphQL variables, one per input type (``schema.variables``).

graphql-core's ``get_variable_values`` walks every value generically: it asks what kind
of type each value has, looks up each field's default anew and first walks the whole
value once more to measure its depth. A plan does the same work from what is known once
per input type, cached on the GraphQL type (:func:`_strict`): for an input object its
fields' names, whether each is required, its default (graphql-core's own memoised one),
its out name, its ``out_type`` and ``@oneOf``; for a list the single-value-to-list rule;
for a leaf its own ``coerce_input_value`` (graphql-core's for Int, Float, String, ID,
Boolean; Strawberry's for Date, DateTime, JSON), except that a ``str`` for String and
ID, a ``bool`` for Boolean and an ``int`` in 32 bits for Int are kept as they are (what
those return for them) and an enum's names are looked up in a table of what its
``coerce_input_value`` returns for each.

A plan only ever succeeds: anything it is not sure of (every invalid value, an object
or list of another class than ``dict`` and ``list``, an unknown key, a missing required
field, a recursive input type, a default that does not coerce) raises :class:`Unsure`,
and graphql-core then decides, so errors are graphql-core's, word for word.
:func:`variable_coercer` gives the plan of a variable's type.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    is_required_input_field,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.pyutils import Undefined
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    coerce_boolean,
    coerce_id,
    coerce_int,
    coerce_string,
)
from graphql.utilities.coerce_input_value import coerce_default_value
from strawberry.schema.schema_converter import CustomGraphQLEnumType

Coerce = Callable[[Any], Any]
"""Coerces a value that is neither None nor Undefined, or raises ``Unsure``."""


class Unsure(Exception):
    """The plan cannot vouch for this value: graphql-core decides."""


_UNSURE = Unsure()
_CACHE = "_kyodo_variable_plan"
"""The attribute of a named input type that holds its plan."""


def _unsure(_value: Any = None) -> Any:
    raise _UNSURE


# Leaves -------------------------------------------------------------------------------


def _parsing(parse: Callable[[Any], Any], passes: type | None) -> Coerce:
    """A leaf's own coercion (graphql-core's rule: any exception refuses the value),
    a value of type ``passes`` kept as it is without asking (what ``parse`` returns
    for it)."""

    def coerce(value: Any) -> Any:
        if type(value) is passes:
            return value
        try:
            return parse(value)
        except Exception:
            raise _UNSURE from None

    return coerce


def _int(value: Any) -> Any:
    # coerce_int returns int(value): the same int for an int in 32 bits.
    if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
        return value
    try:
        return coerce_int(value)
    except Exception:
        raise _UNSURE from None


_PASSES: dict[Any, type] = {
    # graphql-core's leaf coercer → the Python type it returns unchanged
    coerce_string: str,
    coerce_id: str,
    coerce_boolean: bool,
}


def _scalar(type_: GraphQLScalarType) -> tuple[Coerce, type | None]:
    parse = type_.coerce_input_value
    if parse is coerce_int:
        return _int, None
    passes = _PASSES.get(parse)
    return _parsing(parse, passes), passes


def _enum(type_: GraphQLEnumType) -> Coerce:
    """An enum's names → what its ``coerce_input_value`` returns for them, when that is
    known to be the same object each time (graphql-core's: the value's ``value``;
    Strawberry's: the member of a Python enum)."""
    if type(type_) is GraphQLEnumType:
        table = {name: value.value for name, value in type_.values.items()}
    elif type(type_) is CustomGraphQLEnumType and issubclass(type_.wrapped_cls, enum.Enum):
        table = {}
        for name in type_.values:
            try:
                table[name] = type_.coerce_input_value(name)
            except Exception:  # left to graphql-core
                continue
    else:
        return _unsure
    missing = object()

    def coerce(value: Any) -> Any:
        if type(value) is str:
            found = table.get(value, missing)
            if found is not missing:
                return found
        raise _UNSURE

    return coerce


# Wrappers and input objects --------------------------------------------------------------


def _nullable(type_: GraphQLInputType) -> tuple[Coerce, bool, type | None]:
    """(the coercer of a non-null value, whether None is allowed, the Python type
    that passes unchanged) for a field, item or variable of ``type_``."""
    if isinstance(type_, GraphQLNonNull):
        coerce, passes = _strict(type_.of_type)
        return coerce, False, passes
    coerce, passes = _strict(type_)
    return coerce, True, passes


def _with_null(type_: GraphQLInputType) -> Coerce:
    """The coercer of any value of ``type_``, None and Undefined included."""
    coerce, nullable, _passes = _nullable(type_)

    def with_null(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise _UNSURE
        return coerce(value)

    return with_null


_SINGLE = frozenset({str, int, float, bool, dict})
"""JSON values that graphql-core's ``is_iterable`` refuses: a list takes them as one item."""


def _list(type_: GraphQLList[Any]) -> Coerce:
    item = _with_null(type_.of_type)

    def coerce(value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return [item(each) for each in value]
        if kind in _SINGLE:
            return [item(value)]
        raise _UNSURE

    return coerce


_REQUIRED, _SKIP, _DEFAULT = 0, 1, 2


def _object(type_: GraphQLInputObjectType) -> Coerce:
    fields = type_.fields
    names = frozenset(fields)
    steps: list[tuple[str, str, Coerce, bool, type | None, int, Any]] = []
    for name, field in fields.items():
        coerce, nullable, passes = _nullable(field.type)
        missing, default = _REQUIRED, None
        if not is_required_input_field(field):
            try:
                default = coerce_default_value(field)
            except Exception:
                missing = _REQUIRED  # graphql-core raises or reports it: not the plan's
            else:
                missing = _SKIP if default is Undefined else _DEFAULT
        steps.append((name, field.out_name or name, coerce, nullable, passes, missing, default))
    out_type = None if type_.out_type is GraphQLInputObjectType.out_type else type_.out_type
    one_of = type_.is_one_of

    def coerce_object(value: Any) -> Any:
        if type(value) is not dict or not names.issuperset(value):
            raise _UNSURE
        get = value.get
        coerced: dict[str, Any] = {}
        for name, out_name, coerce, nullable, passes, missing, default in steps:
            field_value = get(name, Undefined)
            if field_value is Undefined:
                if missing == _DEFAULT:
                    coerced[out_name] = default
                elif missing == _REQUIRED:
                    raise _UNSURE
            elif field_value is None:
                if not nullable:
                    raise _UNSURE
                coerced[out_name] = None
            elif type(field_value) is passes:
                coerced[out_name] = field_value
            else:
                coerced[out_name] = coerce(field_value)
        if one_of:
            defined = sum(1 for each in value.values() if each is not Undefined)
            if defined != 1 or len(coerced) != 1 or next(iter(coerced.values())) is None:
                raise _UNSURE
        if out_type is None:
            return coerced
        try:
            return out_type(coerced)
        except Exception:
            raise _UNSURE from None

    return coerce_object


def _depth(type_: Any, seen: frozenset[int] = frozenset()) -> float:
    """How deep graphql-core's ``input_is_nested_too_deeply`` can go in a value of
    ``type_`` (infinite for a recursive input type)."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return 1 + _depth(type_.of_type, seen)
    if isinstance(type_, GraphQLInputObjectType):
        if id(type_) in seen:
            return math.inf
        inner = seen | {id(type_)}
        return 1 + max((_depth(f.type, inner) for f in type_.fields.values()), default=-1)
    return 0


def _strict(type_: Any) -> tuple[Coerce, type | None]:
    """The plan of a nullable type for a value that is neither None nor Undefined:
    (its coercer, the Python type that passes unchanged or None)."""
    if isinstance(type_, GraphQLList):
        return _list(type_), None
    plan = type_.__dict__.get(_CACHE)
    if plan is not None:
        return plan
    if isinstance(type_, GraphQLScalarType):
        plan = _scalar(type_)
    elif isinstance(type_, GraphQLEnumType):
        plan = (_enum(type_), None)
    elif isinstance(type_, GraphQLInputObjectType):
        plan = (_object(type_), None)
    else:
        return _unsure, None
    setattr(type_, _CACHE, plan)
    return plan


_VARIABLE_CACHE = "_kyodo_variable_coercers"
"""The attribute of a named input type that holds the coercers of variables of it, by
how they wrap it (``[T!]!``: non-null, list, non-null)."""


def variable_coercer(type_: GraphQLInputType) -> Coerce | None:
    """The coercer of a variable of ``type_`` (None for a type without a plan)."""
    shape = []
    named: Any = type_
    while isinstance(named, GraphQLNonNull | GraphQLList):
        shape.append(isinstance(named, GraphQLNonNull))
        named = named.of_type
    known = named.__dict__.get(_VARIABLE_CACHE)
    if known is None:
        known = {}
        setattr(named, _VARIABLE_CACHE, known)
    key = tuple(shape)
    if key not in known:
        # Deeper (or recursive) types are not planned: graphql-core refuses values
        # that deep, and the plans of a recursive type would never end.
        known[key] = _with_null(type_) if _depth(type_) <= MAX_NESTING_DEPTH else None
    return known[key]


__all__ = ["Coerce", "Unsure", "variable_coercer"]
