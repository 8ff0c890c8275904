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


WHOLE = ""
"""The ``field`` of a problem with the data as a whole (too many rows, say), not one of
its fields."""


def at(*parts: str | int | None) -> str:
    """A field's name in the domain's words: the attribute path of the data, list
    positions as numbers, ``at("contacts", 2, "phone")`` → ``"contacts.2.phone"``
    (empty and None parts are left out)."""
    return ".".join(str(part) for part in parts if part is not None and part != "")


class Problem:
    """One expected failure: a code, a plain Japanese message and the field at fault, in
    the domain's own words.

    ``field`` names the attribute of the operation's data or the operation's parameter
    (``"budget.city_share_yen"``, ``"contacts.0.phone"``, ``"expected_version"``;
    :data:`WHOLE`: the data as a whole; None: no one field); ``row`` is the index of the
    record in a batch. Each surface maps them once: ``schema.errors.input_path`` to a
    GraphQL input path, the importers to a line and column of the file.
    """

    __slots__ = ("code", "field", "message", "row")

    def __init__(
        self, code: ErrorCode, message: str, field: str | None = None, row: int | None = None
    ):
        self.code = code
        self.message = message
        self.field = field
        self.row = row

    def __repr__(self) -> str:
        row = f", row={self.row}" if self.row is not None else ""
        return f"Problem({self.code}, {self.message!r}, field={self.field!r}{row})"

    def _key(self) -> tuple[object, ...]:
        return (self.code, self.message, self.field, self.row)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def in_row(self, row: int | None) -> Problem:
        """This problem as the ``row``-th record of a batch reports it."""
        return Problem(self.code, self.message, self.field, row)


class DomainError(Exception):
    """An expected failure of a business operation; carries one or more problems."""

    def __init__(
        self,
        code: ErrorCode | None = None,
        message: str = "",
        field: str | None = None,
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
