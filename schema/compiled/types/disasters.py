"""The compiled path's activation log: DisasterEvent and SupportRequest
(``schema/disasters/types.py``). ``DisasterEvent.requests`` and ``openRequestCount``
are left to Strawberry."""

from __future__ import annotations

from kyodo.domain.labels import (
    DISASTER_KIND_LABELS,
    SUPPORT_ANSWER_LABELS,
    SUPPORT_REQUEST_STATUS_LABELS,
)
from kyodo.schema.compiled.specs import Related, TypeSpec, Value, columns
from kyodo.schema.disasters.types import DisasterEventType, SupportRequestType

DISASTER_EVENT = TypeSpec(
    "DisasterEvent",
    "DisasterEvent",
    fields={
        **columns(DisasterEventType, "DisasterEvent"),
        "kindLabel": Value(("kind",), lambda row: DISASTER_KIND_LABELS[row.kind]),
        "districts": Value(("districts",), lambda row: list(row.districts or [])),
    },
)

SUPPORT_REQUEST = TypeSpec(
    "SupportRequest",
    "SupportRequest",
    fields={
        **columns(SupportRequestType, "SupportRequest"),
        "statusLabel": Value(("status",), lambda row: SUPPORT_REQUEST_STATUS_LABELS[row.status]),
        "answerLabel": Value(
            ("answer",), lambda row: SUPPORT_ANSWER_LABELS[row.answer] if row.answer else None
        ),
        "event": Related("event"),
        "agreement": Related("agreement"),
        "partner": Related("partner"),
    },
)
