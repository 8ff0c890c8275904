"""Input objects built from a per-type plan instead of Strawberry's generic conversion.

Strawberry turns each GraphQL input object into its dataclass through
``convert_argument``, which, for every field of every object, resolves the field's type
and its GraphQL name anew. For a bulk argument (``partnersUpsert``: 1,000 partners with
their contacts in one call) that is about half the call. :func:`planned_input` gives an
input type a ``from_input`` hook (Strawberry's documented hook for building an input
value) that works out once, per type and schema config, which GraphQL name feeds which
Python field and how its value converts, and then only copies values.

The result is the same instance ``convert_argument`` builds: the same class, fields
left out at their default (``None`` for fields without one), leaves (scalars, enums)
as graphql-core coerced them, lists copied, nested inputs built by their own plan.
A field whose type the plan does not cover (``Maybe``, ``GlobalID``, lazy types, a
nested input with its own hook) is
refused when the plan is made, so a type that needs them is not silently converted
differently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any, TypeVar

from strawberry.relay import GlobalID
from strawberry.types.arguments import InputContext, _is_leaf_type
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    get_object_definition,
    has_object_definition,
)

T = TypeVar("T")
Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _converter(type_: Any, context: InputContext) -> Convert:
    """How a value of ``type_`` (not None, not UNSET: callers check) converts."""
    if isinstance(type_, StrawberryMaybe):
        raise TypeError("planned_input does not cover Maybe fields")
    if isinstance(type_, StrawberryOptional):
        return _converter(type_.of_type, context)
    if isinstance(type_, StrawberryList):
        item_type = type_.of_type
        if isinstance(item_type, StrawberryOptional):
            item_type = item_type.of_type
        item = _converter(item_type, context)
        if item is _identity:
            # Copied: graphql-core hands the same default list to every request.
            return list
        return lambda values: [None if v is None else item(v) for v in values]
    if type_ is GlobalID:
        raise TypeError("planned_input does not cover GlobalID fields")
    if _is_leaf_type(type_, context.scalar_registry):
        return _identity
    if has_object_definition(type_):
        definition = get_object_definition(type_, strict=True)
        if definition.from_input is not None:
            # Its hook would need this value's own context (its path): not planned.
            raise TypeError(f"planned_input does not cover {type_!r}, which builds itself")
        return _plan(type_, context)
    raise TypeError(f"planned_input does not cover {type_!r}")


def _plan(cls: type[T], context: InputContext) -> Callable[[Mapping[str, Any]], T]:
    definition = get_object_definition(cls, strict=True)
    defaults: dict[str, Any] = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }
    # By GraphQL name: the Python field and how its value converts (None: as it is).
    steps: dict[str, tuple[str, Convert | None]] = {}
    for field in definition.fields:
        convert = _converter(field.resolve_type(type_definition=definition), context)
        steps[context.config.name_converter.from_field(field)] = (
            field.python_name,
            None if convert is _identity else convert,
        )

    def build(value: Mapping[str, Any]) -> T:
        kwargs = dict(defaults)
        # Only the fields sent (graphql-core leaves the others out or fills their
        # defaults in), not every field of the type.
        for graphql_name, item in value.items():
            step = steps.get(graphql_name)
            if step is not None:
                python_name, convert = step
                kwargs[python_name] = item if convert is None or item is None else convert(item)
        return cls(**kwargs)

    return build


def planned_input(cls: type[T]) -> type[T]:
    """Give the Strawberry input ``cls`` a planned ``from_input`` (see the module doc).

    Apply it above ``@strawberry.input``. The plan is made on the first value, once per
    class (subclasses get their own) and schema config.
    """
    definition = get_object_definition(cls, strict=True)
    if not definition.is_input:
        raise TypeError(f"{cls.__name__} is not an input type")
    # By class and config; the config is kept with its plan, so its id is not reused.
    plans: dict[tuple[type, int], tuple[Any, Callable[[Mapping[str, Any]], Any]]] = {}

    def from_input(type_: type, value: Mapping[str, Any], context: InputContext) -> Any:
        key = (type_, id(context.config))
        entry = plans.get(key)
        if entry is None or entry[0] is not context.config:
            entry = plans[key] = (context.config, _plan(type_, context))
        return entry[1](value)

    definition.from_input = from_input
    return cls
