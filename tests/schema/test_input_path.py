"""The one mapping from the domain's names of a problem's field to GraphQL input paths
(``schema.errors.input_path``)."""

from __future__ import annotations

import pytest

from kyodo.domain.errors import WHOLE, ErrorCode, Problem
from kyodo.schema.errors import input_path

UPDATE = frozenset({"id", "expectedVersion", "input"})
DECIDE = frozenset({"id", "expectedVersion", "decision", "grantedAmountYen", "reason"})


def problem(field: str | None, row: int | None = None) -> Problem:
    return Problem(ErrorCode.INVALID, "だめです。", field, row)


@pytest.mark.parametrize(
    ("field", "row", "arguments", "path"),
    [
        # a field of the input object, nested names camel-cased
        ("budget.city_share_yen", None, UPDATE, ["input", "budget", "cityShareYen"]),
        # list positions stay numbers
        ("contacts.2.phone", None, UPDATE, ["input", "contacts", "2", "phone"]),
        # an argument of the field itself
        ("expected_version", None, UPDATE, ["expectedVersion"]),
        ("granted_amount_yen", None, DECIDE, ["grantedAmountYen"]),
        # a batch: the row right after input
        ("corporate_number", 3, frozenset({"input"}), ["input", "3", "corporateNumber"]),
        # the batch as a whole
        (WHOLE, None, frozenset({"input"}), ["input"]),
        # a field of the entity a transition finds missing: where the input fills it in
        ("budget.total_yen", None, frozenset({"id", "to"}), ["input", "budget", "totalYen"]),
        # a query's problems name its arguments
        ("filter.in_force_on", None, None, ["filter", "inForceOn"]),
        ("first", None, None, ["first"]),
        # no field at all
        (None, None, UPDATE, None),
    ],
)
def test_a_domain_field_becomes_its_graphql_path(
    field: str | None, row: int | None, arguments: frozenset[str] | None, path: list[str] | None
) -> None:
    # given a problem named in the domain's words, when it is placed on a field's arguments
    # then it has the path the API has always reported
    assert input_path(problem(field, row), arguments) == path
