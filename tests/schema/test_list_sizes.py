"""Every list of objects has a declared size, and a new one without cannot slip in."""

from __future__ import annotations

import pytest
import strawberry

from kyodo.schema import build_schema
from kyodo.schema import schema as default_schema
from kyodo.schema.list_sizes import (
    FILTER_COSTS,
    LIST_SIZES,
    Bound,
    FilterCost,
    FirstArgument,
    ListSizesError,
    check_list_sizes,
    list_size_problems,
)
from kyodo.schema.pagination import Connection


@strawberry.type
class Item:
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return []

    @strawberry.field
    def page(self) -> Connection[Item]:
        raise NotImplementedError  # never resolved: only the schema's shape is checked


def small_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


def test_every_list_of_the_api_has_a_declared_size() -> None:
    assert list_size_problems(default_schema._schema) == []


def test_the_schema_refuses_to_build_with_an_undeclared_list() -> None:
    # given
    schema = small_schema()
    # when
    with pytest.raises(ListSizesError) as raised:
        check_list_sizes(schema._schema)
    # then
    assert "Query.items: a list of Item without a declared size" in str(raised.value)


def test_a_connection_needs_first() -> None:
    problems = list_size_problems(
        small_schema()._schema, {("Query", "items"): Bound(3, "test")}, filter_costs={}
    )
    assert problems == ["Query.page: a connection without `first`"]


def test_a_size_from_first_needs_a_first_argument() -> None:
    problems = list_size_problems(
        small_schema()._schema, {("Query", "items"): FirstArgument(default=3)}, filter_costs={}
    )
    assert "Query.items: declared by `first`, has none" in problems


def test_a_declaration_of_no_list_is_reported() -> None:
    sizes = {**LIST_SIZES, ("Agreement", "title"): Bound(1, "not a list")}
    problems = list_size_problems(default_schema._schema, sizes)
    assert problems == ["Agreement.title: declared, but no such list field"]


def test_the_production_schema_is_checked_too() -> None:
    assert build_schema(production=True) is not None


def test_a_cost_of_a_filter_the_field_does_not_take_is_reported() -> None:
    costs = {**FILTER_COSTS, ("Query", "agreements", "colour"): FilterCost(1, "no such filter")}
    problems = list_size_problems(default_schema._schema, filter_costs=costs)
    assert problems == ["Query.agreements: no filter `colour` to cost"]
