"""Writers: what turns fetched rows (or value objects) into the response.

A writer is ``(source, request) -> value``; leaves complete as graphql-core serialises
them, lists and non-null as execution completes them, and an :class:`ObjectShape` writes
one object of a selection (sealed into one generated function once its fields are known).
A null where the type forbids it is never answered: the request falls back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLScalarType, get_named_type

from kyodo.schema.compiled.request import Fallback, Request, Writer


def serializer(type_: Any) -> Callable[[Any], Any]:
    """How graphql-core would serialise a leaf value of ``type_``. Built-in scalars pass
    as they are (the columns already hold str, int and bool); enums and custom scalars
    (Date, DateTime) go through the type's own ``serialize``."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType) and named.name in ("String", "ID", "Int", "Boolean"):
        return _same
    if isinstance(named, GraphQLEnumType):
        return _enum_serializer(named)
    if isinstance(named, GraphQLScalarType):
        return named.serialize
    raise TypeError(f"{named} is not a leaf type")


def _enum_serializer(type_: GraphQLEnumType) -> Callable[[Any], Any]:
    """The enum's ``serialize``, with its members' names looked up in a dict first:
    Strawberry's enum type searches its values one by one for every value written. A
    value not in the dict goes to ``serialize`` itself (its answer or its error)."""
    members = getattr(type_, "wrapped_cls", None)
    by_value = {value.value: name for name, value in type_.values.items()}
    names = {
        member: by_value[member.value] for member in (members or ()) if member.value in by_value
    }
    if not names:
        return type_.serialize
    found, serialize = names.get, type_.serialize

    def enum_name(value: Any) -> Any:
        name = found(value)
        return name if name is not None else serialize(value)

    return enum_name


def _same(value: Any) -> Any:
    return value


def _not_null(value: Any) -> Any:
    """A non-null String, ID, Int or Boolean: as it is, once a null is ruled out."""
    if value is None:
        raise Fallback("null in a non-null position")
    return value


def leaf(type_: Any) -> Callable[[Any], Any]:
    """Complete a leaf value of ``type_`` (lists and non-null included) as execution
    would: the shortest function that does it, as it runs once per value written."""
    if isinstance(type_, GraphQLNonNull):
        inner = leaf(type_.of_type)
        if inner is _same:
            return _not_null
        # The inner leaf's own null check is not needed once this one has passed.
        serialize = getattr(inner, "not_null", inner)

        def non_null(value: Any) -> Any:
            if value is None:
                raise Fallback("null in a non-null position")
            return serialize(value)

        return non_null
    if isinstance(type_, GraphQLList):
        element = leaf(type_.of_type)
        return lambda value: None if value is None else [element(v) for v in value]
    serialize = serializer(type_)
    if serialize is _same:
        return _same

    def nullable(value: Any) -> Any:
        return None if value is None else serialize(value)

    nullable.not_null = serialize  # type: ignore[attr-defined]
    return nullable


def completer(type_: Any, item: Writer) -> Writer:
    """Complete a value of GraphQL type ``type_`` (lists, non-null) with ``item`` for
    each non-null element. A null where the type forbids it would be an error in
    execution: the compiled path never answers with one (Fallback)."""
    if isinstance(type_, GraphQLNonNull):
        # A non-null object or leaf: ``item`` itself once the null is ruled out (no
        # nullable layer between: one Python call less per value written).
        of = type_.of_type
        inner = completer(of, item) if isinstance(of, GraphQLList) else item

        def non_null(value: Any, request: Request) -> Any:
            if value is None:
                raise Fallback("null in a non-null position")
            return inner(value, request)

        non_null.non_null_of = inner  # type: ignore[attr-defined]
        return non_null
    if isinstance(type_, GraphQLList):
        of = type_.of_type
        if isinstance(of, GraphQLNonNull) and not isinstance(of.of_type, GraphQLList):

            def each_non_null(value: Any, request: Request) -> Any:
                if value is None:
                    return None
                if None in value:
                    raise Fallback("null in a non-null position")
                return [item(v, request) for v in value]

            return each_non_null
        element = completer(of, item)

        def each(value: Any, request: Request) -> Any:
            return None if value is None else [element(v, request) for v in value]

        return each

    def nullable(value: Any, request: Request) -> Any:
        return None if value is None else item(value, request)

    return nullable


def read_then(get: Callable[[Any], Any], complete: Writer) -> Writer:
    """The writer of ``complete(get(source), request)`` (a relation's rows, an object
    attribute): a sealed :class:`ObjectShape` calls both itself, and checks a non-null
    value for null inline."""

    def write(source: Any, request: Request) -> Any:
        return complete(get(source), request)

    write.read_then = (get, complete)  # type: ignore[attr-defined]
    return write


def plain(get: Callable[[Any], Any]) -> Writer:
    """The writer of a value written as read (``get(source)``, no completion): a sealed
    :class:`ObjectShape` calls ``get`` itself, one Python call less per value."""

    def write(source: Any, _request: Request) -> Any:
        return get(source)

    write.plain_get = get  # type: ignore[attr-defined]
    return write


def completed(get: Callable[[Any], Any], complete: Callable[[Any], Any]) -> Writer:
    """The writer of a leaf read as ``get(source)`` and completed by ``complete``: a
    sealed :class:`ObjectShape` calls both itself, one Python call less per value."""

    def write(source: Any, _request: Request) -> Any:
        return complete(get(source))

    write.completed_get = (get, complete)  # type: ignore[attr-defined]
    return write


class ObjectShape:
    """Writes one object of a GraphQL type from a source (a row, or a value object)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.fields: list[tuple[str, Writer]] = []

    def write(self, source: Any, request: Request) -> dict[str, Any]:
        return {key: writer(source, request) for key, writer in self.fields}

    def seal(self) -> ObjectShape:
        """Once every field is known: ``write`` becomes one generated function that
        builds the dict as a literal (the same keys, values and order), which writes a
        row about twice as fast as the loop above. The writers run in field order, as
        before (the personal-data notes they make included). Writers that say what they
        do are inlined: a constant, a getter (``plain``), a getter and a leaf's
        completion (``completed``; a null check written out for a non-null or nullable
        leaf), a getter and an object's or list's completion (``read_then``; the null
        check of a non-null one written out). ``tests/schema/compiled/test_shape_seal.py``
        compares each with the writer itself."""
        names: dict[str, Any] = {}
        lines = ["def write(source, request):"]
        items = []
        for i, (key, writer) in enumerate(self.fields):
            names[f"k{i}"] = key
            get = getattr(writer, "plain_get", None)
            get_complete = getattr(writer, "completed_get", None)
            then = getattr(writer, "read_then", None)
            constant = getattr(writer, "constant", _NO_CONSTANT)
            if constant is not _NO_CONSTANT:
                names[f"v{i}"] = constant
                items.append(f"k{i}: v{i}")
            elif get is not None:
                names[f"g{i}"] = get
                items.append(f"k{i}: g{i}(source)")
            elif then is not None:
                names[f"g{i}"], complete_value = then
                inner = getattr(complete_value, "non_null_of", None)
                if inner is not None:  # non-null: the null check inline, then the value
                    names[f"c{i}"], names[f"w{i}"] = complete_value, inner
                    items.append(
                        f"k{i}: (c{i}(x{i}, request) if (x{i} := g{i}(source)) is None "
                        f"else w{i}(x{i}, request))"
                    )
                else:
                    names[f"c{i}"] = complete_value
                    items.append(f"k{i}: c{i}(g{i}(source), request)")
            elif get_complete is not None:
                names[f"g{i}"], complete = get_complete
                not_null = getattr(complete, "not_null", None)
                if not_null is not None:  # a nullable leaf: its null check inline
                    names[f"c{i}"] = not_null
                    items.append(f"k{i}: (None if (x{i} := g{i}(source)) is None else c{i}(x{i}))")
                elif complete is _not_null:  # a non-null plain leaf: checked inline
                    names[f"c{i}"] = complete
                    items.append(f"k{i}: (c{i}(x{i}) if (x{i} := g{i}(source)) is None else x{i})")
                else:
                    names[f"c{i}"] = complete
                    items.append(f"k{i}: c{i}(g{i}(source))")
            else:
                names[f"w{i}"] = writer
                items.append(f"k{i}: w{i}(source, request)")
        lines.append("    return {" + ", ".join(items) + "}")
        exec("\n".join(lines), names)
        self.write = names["write"]  # type: ignore[method-assign]
        return self


_NO_CONSTANT = object()


def _constant(value: Any) -> Writer:
    def write(_source: Any, _request: Request) -> Any:
        return value

    write.constant = value  # type: ignore[attr-defined]
    return write


def _read(get: Callable[[Any], Any], complete: Callable[[Any], Any]) -> Writer:
    if complete is _same:
        return plain(get)
    return completed(get, complete)
