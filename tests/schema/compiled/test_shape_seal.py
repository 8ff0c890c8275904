"""ObjectShape.seal (schema/compiled/writers.py): the generated writer writes what the loop
writes — keys, values, order — and runs the writers as the loop does."""

from __future__ import annotations

from collections import namedtuple
from operator import attrgetter
from typing import Any

import pytest

from kyodo.schema.compiled.request import Fallback
from kyodo.schema.compiled.writers import ObjectShape, _constant, plain

Row = namedtuple("Row", "id name kana")


def _shape(log: list[str]) -> ObjectShape:
    shape = ObjectShape("Partner")

    def upper(row: Any, request: Any) -> Any:
        log.append("upper")
        request.append(row.id)  # a writer may note what it read
        return row.name.upper()

    shape.fields.extend(
        [
            ("__typename", _constant("Partner")),
            ("id", plain(attrgetter("id"))),
            ("shout", upper),
            ("kana", plain(attrgetter("kana"))),
            ("again", plain(attrgetter("id"))),
        ]
    )
    return shape


def test_a_sealed_shape_writes_what_the_loop_writes() -> None:
    row = Row(5, "kyodo", None)
    loop_log: list[str] = []
    loop_notes: list[int] = []
    expected = _shape(loop_log).write(row, loop_notes)
    sealed_log: list[str] = []
    sealed_notes: list[int] = []
    # when
    written = _shape(sealed_log).seal().write(row, sealed_notes)
    # then: same dict, same key order, same calls
    assert (
        written
        == expected
        == {
            "__typename": "Partner",
            "id": 5,
            "shout": "KYODO",
            "kana": None,
            "again": 5,
        }
    )
    assert list(written) == list(expected)
    assert sealed_log == loop_log == ["upper"]
    assert sealed_notes == loop_notes == [5]


def test_a_sealed_shape_lets_a_writers_fallback_through() -> None:
    shape = ObjectShape("T")

    def refuse(_row: Any, _request: Any) -> Any:
        raise Fallback("a row the compiled path does not answer")

    shape.fields.append(("x", refuse))
    with pytest.raises(Fallback):
        shape.seal().write(Row(-1, "x", None), [])


def test_keys_that_are_no_identifiers_are_written_as_given() -> None:
    shape = ObjectShape("T")
    shape.fields.append(("a-b c", _constant(1)))
    shape.fields.append(("def", plain(attrgetter("id"))))
    assert shape.seal().write(Row(2, "", ""), None) == {"a-b c": 1, "def": 2}


def _completing_shape() -> ObjectShape:
    """Every kind of writer a sealed shape inlines: leaves completed by a nullable
    serializer, a non-null check or another completion, and objects and lists read then
    written (non-null or not)."""
    from graphql import GraphQLFloat, GraphQLNonNull, GraphQLString

    from kyodo.schema.compiled.writers import completed, completer, leaf, read_then

    inner = ObjectShape("Inner")
    inner.fields.append(("id", plain(attrgetter("id"))))
    inner.seal()
    shape = ObjectShape("T")
    shape.fields.extend(
        [
            ("name", completed(attrgetter("name"), leaf(GraphQLNonNull(GraphQLString)))),
            ("score", completed(attrgetter("score"), leaf(GraphQLFloat))),  # serialised
            ("exact", completed(attrgetter("score"), leaf(GraphQLNonNull(GraphQLFloat)))),
            ("len", completed(attrgetter("name"), lambda v: None if v is None else len(v))),
            ("inner", read_then(attrgetter("inner"), completer(_non_null_object(), inner.write))),
            ("maybe", read_then(attrgetter("maybe"), completer(_object(), inner.write))),
        ]
    )
    return shape


def _object() -> Any:
    from graphql import GraphQLField, GraphQLInt, GraphQLObjectType

    return GraphQLObjectType("Inner", {"id": GraphQLField(GraphQLInt)})


def _non_null_object() -> Any:
    from graphql import GraphQLNonNull

    return GraphQLNonNull(_object())


Full = namedtuple("Full", "name score inner maybe")


@pytest.mark.parametrize(
    "row",
    [
        Full("kyodo", 2, Row(1, "", ""), Row(2, "", "")),
        Full("kyodo", 0.5, Row(1, "", ""), None),
    ],
)
def test_inlined_completions_write_what_the_writers_write(row: Any) -> None:
    expected = _completing_shape().write(row, None)
    written = _completing_shape().seal().write(row, None)
    assert written == expected
    assert list(written) == list(expected)


@pytest.mark.parametrize(
    "row",
    [
        Full(None, 1, Row(1, "", ""), None),  # a null name where String! is asked
        Full("kyodo", None, Row(1, "", ""), None),  # a null score where Float! is asked
        Full("kyodo", 1, None, None),  # a null object where Inner! is asked
    ],
)
def test_inlined_null_checks_fall_back_as_the_writers_do(row: Any) -> None:
    with pytest.raises(Fallback):
        _completing_shape().write(row, None)
    with pytest.raises(Fallback):
        _completing_shape().seal().write(row, None)
