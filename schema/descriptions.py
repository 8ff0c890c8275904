"""Descriptions used by many fields and arguments, written once.

Arguments as ``Annotated`` aliases (``expected_version: ExpectedVersion``), field texts as
constants (``version: int = strawberry.field(description=VERSION)``). The connection
arguments (First, After, Last, Before) are in ``schema.pagination``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypeVar

import strawberry

from kyodo.domain.pagination import MAX_PAGE_SIZE

# ---------------------------------------------------------------- list arguments

NestedFirst = Annotated[
    int | None,
    strawberry.argument(description=f"At most this many (default and maximum {MAX_PAGE_SIZE})."),
]

F = TypeVar("F")

ListFilter = Annotated[
    F | None, strawberry.argument(description="Narrow the list; all criteria must hold.")
]
"""``filter: ListFilter[AgreementFilterInput] = None``: a list's filter input."""

S = TypeVar("S")

ApplicationStatuses = Annotated[
    list[S] | None, strawberry.argument(description="Only applications in these statuses.")
]
"""``statuses: ApplicationStatuses[EndorsementStatus] = None``."""

DEPARTMENT_CODES = "Only these departments' (by code)."
DepartmentCodes = Annotated[list[str] | None, strawberry.argument(description=DEPARTMENT_CODES)]

# ---------------------------------------------------------------- date windows

WithinDays = Annotated[
    int, strawberry.argument(description="How many days ahead (default 90, at most 731).")
]
"""``as_of: AsOf = None, within_days: WithinDays = DEFAULT_WITHIN_DAYS`` (``AsOf`` below;
``domain.agreements.calendar.check_window`` checks the window)."""

# ---------------------------------------------------------------- mutation arguments

Id = Annotated[
    strawberry.ID,
    strawberry.argument(description="Global id of the record to act on (its id field)."),
]
ExpectedVersion = Annotated[
    int,
    strawberry.argument(
        description="The version the caller last read. When the record has changed since, "
        "nothing is written and the payload has a VERSION_CONFLICT error."
    ),
]

RefusalReason = Annotated[
    str | None,
    strawberry.argument(description="Why; required when refusing (REASON_REQUIRED)."),
]
DecidedOn = Annotated[
    date | None,
    strawberry.argument(description="The day of the decision; today when omitted."),
]

# ---------------------------------------------------------------- day arguments

AsOf = Annotated[
    date | None,
    strawberry.argument(description="The day to look from; today when omitted."),
]

# ---------------------------------------------------------------- fields

ID = "Global, opaque id (Relay); pass it to node(id:) or to mutations."
VERSION = "Incremented by every change; send it back as expectedVersion."
CREATED_AT = "When the record was created (Asia/Tokyo)."
UPDATED_AT = "When the record last changed (Asia/Tokyo)."
PAYLOAD_ERRORS = "What was wrong with the input, one per problem; empty on success."
DEPARTMENT = "The department (担当課) in charge."
DEPARTMENT_CODE = "Code of the department in charge (担当課), e.g. kikikanri; see departments."
FIELD_CODES = "Codes of the fields of collaboration (協働の分野), see collaborationFields."
"""Texts shared by the same field on several types."""
