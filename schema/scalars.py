"""The date scalars, described for code generators (Strawberry's own, with a spec).

``Date`` is a calendar date without time or zone, ``YYYY-MM-DD`` (RFC 3339 full-date,
the ISO 8601 profile): codegen maps it to a string or a local-date type, never to an
instant (a JavaScript ``Date`` would shift it across midnight). ``DateTime`` is an
instant with its offset (Asia/Tokyo, ``schema.common.aware``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY

DATE_SPEC = "https://scalars.graphql.org/andimarek/local-date.html"
DATE_TIME_SPEC = "https://scalars.graphql.org/andimarek/date-time.html"

DATE = dataclasses.replace(
    DateDefinition,
    # (The contract's words first: "ISO-8601 calendar date, e.g. 2022-03-10.")
    description=(
        "ISO-8601 calendar date, e.g. 2022-03-10: without time or time zone, RFC 3339 "
        "full-date `YYYY-MM-DD` (dates of agreements and terms are days in Japan). "
        "Map it to a string or a local-date type, not to an instant."
    ),
    specified_by_url=DATE_SPEC,
)
DATE_TIME = dataclasses.replace(
    DateTimeDefinition,
    description=(
        "ISO-8601 date-time with offset, e.g. 2022-03-10T09:00:00+09:00: an instant, "
        "RFC 3339 date-time (answers are in Asia/Tokyo)."
    ),
    specified_by_url=DATE_TIME_SPEC,
)

JSON_SCALAR = dataclasses.replace(
    DEFAULT_SCALAR_REGISTRY[JSON], description="Arbitrary JSON value (audit change sets)."
)
"""Strawberry's JSON, described as the contract has it (``AuditEvent.changes``)."""

SCALAR_OVERRIDES: dict[object, Any] = {date: DATE, datetime: DATE_TIME, JSON: JSON_SCALAR}
