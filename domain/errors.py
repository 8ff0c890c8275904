"""Error codes owned by the business layer and the exception that carries them."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    NOT_READY = "NOT_READY"
    EVALUATION_REQUIRED = "EVALUATION_REQUIRED"
    REASON_REQUIRED = "REASON_REQUIRED"
    OVER_MAX_AMOUNT = "OVER_MAX_AMOUNT"
    OVER_BUDGET = "OVER_BUDGET"
    EXPENSE_NOT_ALLOWED = "EXPENSE_NOT_ALLOWED"
    CONSECUTIVE_YEARS_EXCEEDED = "CONSECUTIVE_YEARS_EXCEEDED"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    OVER_SUBSIDY_RATE = "OVER_SUBSIDY_RATE"
    ENDORSEMENT_DISQUALIFIED = "ENDORSEMENT_DISQUALIFIED"
    FINANCIAL_SUPPORT_NOT_ALLOWED = "FINANCIAL_SUPPORT_NOT_ALLOWED"
    INVALID_CORPORATE_NUMBER = "INVALID_CORPORATE_NUMBER"
    FORBIDDEN = "FORBIDDEN"
    UNFIT_FOR_COLLABORATION = "UNFIT_FOR_COLLABORATION"
    INVESTIGATION_REQUIRED = "INVESTIGATION_REQUIRED"


class Problem:
    """One expected failure: a code, a plain Japanese message and the input path at fault."""

    __slots__ = ("code", "field", "message")

    def __init__(self, code: ErrorCode, message: str, field: Sequence[str] | None = None):
        self.code = code
        self.message = message
        self.field = list(field) if field is not None else None

    def __repr__(self) -> str:
        return f"Problem({self.code}, {self.message!r}, field={self.field})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (self.code, self.message, self.field) == (
            other.code,
            other.message,
            other.field,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message, tuple(self.field or ())))


class DomainError(Exception):
    """An expected failure of a business operation; carries one or more problems."""

    def __init__(
        self,
        code: ErrorCode | None = None,
        message: str = "",
        field: Sequence[str] | None = None,
        *,
        problems: Sequence[Problem] | None = None,
    ):
        if problems:
            self.problems = list(problems)
        else:
            if code is None:
                raise ValueError("DomainError needs a code or problems")
            self.problems = [Problem(code, message, field)]
        super().__init__("; ".join(f"{p.code}: {p.message}" for p in self.problems))

    @property
    def code(self) -> ErrorCode:
        return self.problems[0].code
