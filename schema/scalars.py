"""The API's scalars as strawberry builds them, described in the contract's words."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

_DESCRIPTIONS: dict[object, str] = {
    date: "ISO-8601 calendar date, e.g. 2022-03-10.",
    datetime: "ISO-8601 date-time with offset, e.g. 2022-03-10T09:00:00+09:00. Instants "
    "leave the API in Asia/Tokyo (+09:00).",
    JSON: "Arbitrary JSON value (audit change sets).",
}

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    python_type: dataclasses.replace(DEFAULT_SCALAR_REGISTRY[python_type], description=text)
    for python_type, text in _DESCRIPTIONS.items()
}
"""``strawberry.Schema(scalar_overrides=...)``: strawberry's own Date, DateTime and JSON
(same parsing and serialising), with these descriptions."""
