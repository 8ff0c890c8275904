"""The compiled path's activation log: DisasterEvent and SupportRequest
(``schema/disasters/types.py``); an event's requests and its open count are read in the
same statement (``domain.disasters.service.event_requests``)."""

from __future__ import annotations

from typing import Any

from kyodo.domain.labels import (
    DISASTER_KIND_LABELS,
    SUPPORT_ANSWER_LABELS,
    SUPPORT_REQUEST_STATUS_LABELS,
)
from kyodo.schema.compiled.specs import Related, TypeSpec, Value, columns
from kyodo.schema.context import Context
from kyodo.schema.disasters.types import DisasterEventType, SupportRequestType


def _open_only(kwargs: dict[str, Any], _context: Context) -> bool:
    """``DisasterEventType.requests``' ``openOnly``."""
    return bool(kwargs.get("open_only"))


DISASTER_EVENT = TypeSpec(
    "DisasterEvent",
    "DisasterEvent",
    fields={
        **columns(DisasterEventType, "DisasterEvent"),
        "kindLabel": Value(("kind",), lambda row: DISASTER_KIND_LABELS[row.kind]),
        "districts": Value(("districts",), lambda row: list(row.districts or [])),
        "requests": Related("requests", prepare=_open_only),
        "openRequestCount": Related("open_request_count"),
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
