"""UserError: an expected failure of a mutation, returned in its payload."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError, Problem
from schema.enums import ErrorCode


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
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(field=problem.field, code=problem.code, message=problem.message)


def user_errors(error: DomainError) -> list[UserError]:
    return [UserError.from_problem(p) for p in error.problems]
