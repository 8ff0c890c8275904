"""UserError: an expected failure of a mutation, returned in its payload."""

from __future__ import annotations

from collections.abc import Collection

import strawberry
from strawberry.utils.str_converters import to_camel_case

from kyodo.domain.errors import DomainError, Problem
from kyodo.schema.enums import ErrorCode


@strawberry.type(
    name="UserError",
    description="An expected failure of a mutation, returned in its payload, never as a top-level error.",
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "3", "corporateNumber"].'
    )
    code: ErrorCode = strawberry.field(description="Why, as a code a front end can act on.")
    message: str = strawberry.field(description="Why, in Japanese, to show as it is.")

    @classmethod
    def from_problem(cls, problem: Problem, arguments: Collection[str] | None) -> UserError:
        return cls(field=input_path(problem, arguments), code=problem.code, message=problem.message)


def user_errors(error: DomainError, arguments: Collection[str] | None) -> list[UserError]:
    return [UserError.from_problem(p, arguments) for p in error.problems]


def input_path(problem: Problem, arguments: Collection[str] | None = None) -> list[str] | None:
    """The GraphQL path of the field a domain problem names: the one place where the
    domain's names (``domain.errors.Problem``) become the API's.

    For a mutation, ``arguments`` are the GraphQL names of the mutation field's
    arguments. A problem's field that is one of them names that argument
    (``"expected_version"`` → ``["expectedVersion"]``); any other names a field of the
    entity's input (``"budget.city_share_yen"`` → ``["input", "budget", "cityShareYen"]``,
    also when a transition finds it missing), a batch's row right after ``input`` (row 3,
    ``"corporate_number"`` → ``["input", "3", "corporateNumber"]``). For a query
    (``arguments`` None) the field names the query's arguments: ``"filter.search"`` →
    ``["filter", "search"]``.
    """
    if problem.field is None and problem.row is None:
        return None
    names = [to_camel_case(part) for part in problem.field.split(".")] if problem.field else []
    if arguments is None or (problem.row is None and names and names[0] in arguments):
        return names or None
    row = [] if problem.row is None else [str(problem.row)]
    return ["input", *row, *names]
