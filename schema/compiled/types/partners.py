"""The compiled path's Partner and Contact (``schema/partners/types.py``)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from kyodo.domain.enums import AgreementStatus as DomainAgreementStatus
from kyodo.domain.enums import PartnerKind
from kyodo.domain.labels import VERIFICATION_OUTCOME_LABELS
from kyodo.domain.partners import service as partners
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import FieldAt
from kyodo.schema.compiled.request import ArgSite, FetchBuilder, Request, Writer
from kyodo.schema.compiled.specs import Embedded, Paged, Related, TypeSpec, Value, column, columns
from kyodo.schema.context import Context
from kyodo.schema.disasters.contacts import ContactVerificationType
from kyodo.schema.list_sizes import nested_list_limit
from kyodo.schema.pagination import page_request
from kyodo.schema.partners.types import AddressType, ContactType, PartnerType


def _individual(row: Any, _value: Any = None) -> bool:
    return row.kind is PartnerKind.INDIVIDUAL


def _individual_and_set(row: Any, value: Any) -> bool:
    return row.kind is PartnerKind.INDIVIDUAL and bool(value)


def _address(row: Any) -> AddressType | None:
    """``PartnerType.address``: no address at all is null."""
    if not any((row.postal_code, row.prefecture, row.city, row.street)):
        return None
    return AddressType(
        postal_code=row.postal_code, prefecture=row.prefecture, city=row.city, street=row.street
    )


def _agreements_of_partner(kwargs: dict[str, Any], _context: Context) -> Any:
    """``PartnerType.agreements``: (at most how many, which statuses)."""
    limit = nested_list_limit(kwargs.get("first"))
    return limit, tuple(DomainAgreementStatus(s) for s in kwargs.get("status") or ())


def _collaborator_limit(kwargs: dict[str, Any], _context: Context) -> Any:
    """``PartnerType.collaborators``' ``first`` as its resolver reads it (20 when omitted,
    at most 100), for both limited relations."""
    return page_request(kwargs.get("first"), None).limit, None


class _Collaborators:
    """``PartnerType.collaborators``: the partners (relation ``collaborators``) and how
    many collaborations each shared (``collaborator_counts``, a value per row of the
    same link, order and limit), paired as the domain pairs them
    (``partners.Collaborator``)."""

    def writer(self, at: FieldAt) -> Writer:
        from kyodo.schema.compiled.roots.entries import entries, entry_fields

        others = FetchBuilder(entity("Partner"))
        rows_key, rows = at.builder.relation("collaborators", others)
        counts_key, counts = at.builder.relation("collaborator_counts", None)
        for nested in (rows, counts):
            ArgSite(at.planner, at.details, at.definition, _collaborator_limit, nested)
        fields = entry_fields(
            at.planner,
            at.planner.object_type("Collaborator"),
            at.details,
            {"partner": others},
            {"sharedCollaborationCount": "shared_collaboration_count"},
        )
        complete = entries(at.definition, fields)
        rows_of, counts_of = attrgetter(rows_key), attrgetter(counts_key)

        def write(row: Any, request: Request) -> Any:
            paired = map(partners.Collaborator, rows_of(row), counts_of(row))
            return complete(list(paired), request)

        return write


PARTNER = TypeSpec(
    "Partner",
    "Partner",
    personal="Partner",
    fields={
        **columns(PartnerType, "Partner"),
        "name": Value(("name", "kind"), note="name", noted_if=_individual),
        "externalId": column("external_id"),
        "representative": Value(
            ("representative",), note="representative", noted_if=lambda _row, value: bool(value)
        ),
        "address": Embedded(
            ("postal_code", "prefecture", "city", "street", "kind"),
            _address,
            note="address",
            noted_if=_individual,
        ),
        "phone": Value(("phone", "kind"), note="phone", noted_if=_individual_and_set),
        "email": Value(("email", "kind"), note="email", noted_if=_individual_and_set),
        "fields": Related("fields"),
        "contacts": Related("contacts", note="contacts"),
        "agreements": Related("agreements", prepare=_agreements_of_partner),
        "participations": Paged("participations"),
        "collaborators": _Collaborators(),
    },
)

CONTACT = TypeSpec(
    "Contact",
    "Contact",
    fields={
        **columns(ContactType, "Contact"),
    },
)


CONTACT_VERIFICATION = TypeSpec(
    "ContactVerification",
    "ContactVerification",
    fields={
        **columns(ContactVerificationType, "ContactVerification"),
        "outcomeLabel": Value(("outcome",), lambda row: VERIFICATION_OUTCOME_LABELS[row.outcome]),
    },
)
"""One call of the yearly contact check (``ContactVerificationType.from_row``)."""
