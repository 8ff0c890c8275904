"""Operation variables coerced by per-type plans, graphql-core's own coercion otherwise.

graphql-core coerces every variable value before execution (``get_variable_values``):
a generic walk that asks, for every value, what kind of type it has, looks up each
field's default anew and first walks the whole value once more to measure its depth.
For a bulk argument (``partnersUpsert``: 1,000 partners with their contacts, some
30,000 input values per call) that was about 30 % of a call's CPU.

:func:`coerce_variables` does the same from a plan made once per input type and cached
on the GraphQL type (:func:`_strict`): for an input object its fields' names, whether
each is required, its default (graphql-core's own memoised one), its out name, its
``out_type`` and ``@oneOf``; for a list the single-value-to-list rule; for a leaf its
own ``coerce_input_value`` (graphql-core's for Int, Float, String, ID, Boolean;
Strawberry's for Date, DateTime, JSON), except that a ``str`` for String and ID, a
``bool`` for Boolean and an ``int`` in 32 bits for Int are kept as they are (what those
return for them) and an enum's names are looked up in a table of what its
``coerce_input_value`` returns for each. It only ever succeeds: anything it is not sure
of (every invalid value, an object or list of another class than ``dict`` and
``list``, an unknown key, a missing required field or variable, a recursive input type,
a default that does not coerce) gives ``None``, and the executor then runs
graphql-core's ``get_variable_values`` on the original input, so errors are
graphql-core's, word for word. ``tests/schema/test_variable_coercion.py`` checks with
Hypothesis, on kyodo's input types, that the plan accepts exactly the values
graphql-core accepts and coerces them alike.

:class:`PlannedVariables` hooks this into execution: graphql-core coerces the variables
inside ``Executor.build``, so the executor is built for a copy of the operation
without variable definitions (nothing left to coerce) and then given the real
operation and the coerced values.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Collection
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    assert_valid_schema,
    is_required_input_field,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    maybe_use_default_value,
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
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType

Coerce = Callable[[Any], Any]
"""Coerces a value that is neither None nor Undefined, or raises ``_Unsure``."""


class _Unsure(Exception):
    """The plan cannot vouch for this value: graphql-core decides."""


_UNSURE = _Unsure()
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


# Variables ------------------------------------------------------------------------------


def coerce_variables(
    schema: GraphQLSchema,
    var_def_nodes: Collection[VariableDefinitionNode],
    inputs: dict[str, Any],
) -> VariableValues | None:
    """What graphql-core's ``get_variable_values`` returns for these variables when it
    returns values, else None (it would report errors, or the plan is not sure)."""
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    refused: list[GraphQLError] = []
    for node in var_def_nodes:
        signature = get_variable_signature(schema, node)
        if isinstance(signature, GraphQLError):
            return None
        name, type_ = signature.name, signature.type
        value = inputs.get(name, Undefined)
        if value is Undefined:
            sources[name] = VariableValueSource(signature)
            if node.default_value:
                maybe_use_default_value(
                    coerced, name, signature, lambda error, _path: refused.append(error)
                )
                if refused:
                    return None
                continue
            if not isinstance(type_, GraphQLNonNull):
                continue  # a nullable variable left out is left out
            return None
        sources[name] = VariableValueSource(signature, value)
        coerce = variable_coercer(type_)
        if coerce is None:
            return None
        try:
            coerced[name] = coerce(value)
        except (_Unsure, RecursionError):
            return None
    return VariableValues(sources, coerced)


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation ``Executor.build`` runs (None where it reports an error)."""
    operation = None
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None:
                if operation is not None:
                    return None
                operation = definition
            elif definition.name and definition.name.value == operation_name:
                operation = definition
    return operation


class PlannedVariables(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, its variables coerced by :func:`coerce_variables`."""

    @classmethod
    def build(  # type: ignore[override]
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        # As Executor.build does first: the plans are only made for a valid schema.
        assert_valid_schema(schema)
        operation = _operation(document, operation_name)
        values = None
        if operation is not None and operation.variable_definitions:
            values = coerce_variables(
                schema, operation.variable_definitions, raw_variable_values or {}
            )
        if values is None:
            return super().build(
                schema,
                document,
                root_value,
                context_value,
                raw_variable_values,
                operation_name,
                *args,
                **kwargs,
            )
        assert operation is not None
        bare = dataclasses.replace(operation, variable_definitions=())
        built = super().build(
            schema,
            DocumentNode(
                definitions=tuple(
                    bare if definition is operation else definition
                    for definition in document.definitions
                ),
                loc=document.loc,
            ),
            root_value,
            context_value,
            None,
            operation_name,
            *args,
            **kwargs,
        )
        if isinstance(built, list):  # errors before the variables (fragments'): as is
            return built
        built.operation = operation
        built.variable_values = values
        return built


__all__ = ["PlannedVariables", "coerce_variables", "variable_coercer"]
