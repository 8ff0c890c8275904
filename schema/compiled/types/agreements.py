"""The compiled path's Agreement (``schema/agreements/types.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.documents import MEDIA_TYPE
from kyodo.domain.agreements.lookup import in_category_order
from kyodo.domain.japanese import to_wareki
from kyodo.schema.agreements.documents import AgreementDocumentType, download_path
from kyodo.schema.agreements.types import AgreementType, in_force_day, stale_args, term_day
from kyodo.schema.compiled.specs import Computed, Related, TypeSpec, Value, column, columns
from kyodo.schema.context import Context

TERM_COLUMNS = (
    "status",
    "concluded_on",
    "effective_from",
    "effective_until",
    "auto_renewal",
    "renewal_term_months",
    "terminated_on",
)


def _wareki(row: Any) -> str | None:
    return to_wareki(row.concluded_on) if row.concluded_on else None


def _as_of(kwargs: dict[str, Any], context: Context) -> date:
    return term_day(kwargs.get("as_of"), context.today)


def _on(kwargs: dict[str, Any], context: Context) -> date:
    return in_force_day(kwargs.get("on"), context.today)


def _stale_args(kwargs: dict[str, Any], context: Context) -> tuple[date, int]:
    return stale_args(kwargs.get("as_of"), kwargs.get("max_age_days"), context.today)


def _stale(row: Any, args: tuple[date, int]) -> bool:
    return terms.contacts_stale(
        verified_on=row.contacts_verified_on, as_of=args[0], max_age_days=args[1]
    )


AGREEMENT = TypeSpec(
    "Agreement",
    "Agreement",
    personal="Agreement",
    fields={
        **columns(AgreementType, "Agreement"),
        "concludedOnWareki": Value(("concluded_on",), _wareki),
        "parties": Related("parties"),
        "department": Related("department"),
        "supportCategories": Related("support_categories", order=in_category_order),
        # BeyondCalendar (a term past 9999-12-31) is Strawberry's INVALID error: the
        # exception makes the request fall back.
        "currentTermEndsOn": Computed(TERM_COLUMNS, _as_of, terms.agreement_term_ends_on),
        "noticeDeadlineOn": Computed(
            (*TERM_COLUMNS, "notice_days"), _as_of, terms.notice_deadline_on
        ),
        "isInForce": Computed(TERM_COLUMNS, _on, terms.agreement_in_force_on),
        "emergencyContacts": Related("emergency_contacts", note="emergencyContacts"),
        "contactsStale": Computed(("contacts_verified_on",), _stale_args, _stale),
        "amends": Related("amends"),
        "collaboration": Related("collaboration"),
        "documents": Related("documents"),
    },
)

AGREEMENT_DOCUMENT = TypeSpec(
    "AgreementDocument",
    "AgreementDocument",
    fields={
        **columns(AgreementDocumentType, "AgreementDocument"),
        "mediaType": Value((), lambda _row: MEDIA_TYPE),
        "downloadUrl": Value(("id",), lambda row: download_path(row.id)),
        "uploadedBy": column("uploaded_by"),
    },
)
"""A signed 協定書 as listed (never its bytes): ``AgreementDocumentType.from_row``."""
