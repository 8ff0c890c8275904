"""What the seed files hold: the entity lists, loaded in order, with the table and
natural key of each (``_TARGETS``, ``_ENTITY_ORDER``), the tables whose created rows are
counted (``_TABLES``), the fields that name other records (``_REFS``) and the fields
that describe child rows (``_CHILDREN``, ``_child_references``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import SQLModel

from kyodo.domain.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSupportCategory,
)
from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.disasters.models import (
    CapacityReport,
    ContactVerification,
    DisasterEvent,
    SupportRequest,
)
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram


@dataclass(frozen=True)
class _Target:
    """A table whose rows seeds refer to by natural key."""

    model: type[SQLModel]
    key: str  # column holding the natural key


_TARGETS: dict[str, _Target] = {
    "department": _Target(Department, "code"),
    "field": _Target(CollaborationField, "code"),
    "partner": _Target(Partner, "external_id"),
    "subsidy_program": _Target(SubsidyProgram, "external_id"),
    "collaboration": _Target(Collaboration, "external_id"),
    "agreement": _Target(Agreement, "external_id"),
    "subsidy_application": _Target(SubsidyApplication, "external_id"),
    "endorsement_application": _Target(EndorsementApplication, "external_id"),
    "proposal": _Target(Proposal, "external_id"),
    "disaster_event": _Target(DisasterEvent, "external_id"),
    "support_request": _Target(SupportRequest, "external_id"),
    "contact_verification": _Target(ContactVerification, "external_id"),
    "capacity_report": _Target(CapacityReport, "external_id"),
}

# Entity list name in the files → target; loaded in this order (references point back).
_ENTITY_ORDER: dict[str, str] = {
    "departments": "department",
    "collaboration_fields": "field",
    "partners": "partner",
    "subsidy_programs": "subsidy_program",
    "collaborations": "collaboration",
    "agreements": "agreement",
    "subsidy_applications": "subsidy_application",
    "endorsement_applications": "endorsement_application",
    "proposals": "proposal",
    "disaster_events": "disaster_event",
    "support_requests": "support_request",
    "contact_verifications": "contact_verification",
    "capacity_reports": "capacity_report",
}

_TABLES: tuple[type[SQLModel], ...] = (
    Department,
    CollaborationField,
    Partner,
    PartnerField,
    Contact,
    SubsidyProgram,
    Collaboration,
    CollaborationFormLink,
    CollaborationFieldLink,
    CollaborationCoDepartment,
    Participation,
    ProgressReport,
    Evaluation,
    Agreement,
    AgreementParty,
    AgreementSupportCategory,
    SubsidyApplication,
    ExpenseLine,
    EndorsementApplication,
    Proposal,
    DisasterEvent,
    SupportRequest,
    ContactVerification,
    CapacityReport,
    AgreementDocument,
)


def table_name(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


@dataclass(frozen=True)
class _Ref:
    """A record field naming another record: ``"department": "kikikanri"`` → department_id."""

    field: str
    column: str
    target: str
    required: bool = True


_REFS: dict[str, tuple[_Ref, ...]] = {
    "department": (),
    "field": (),
    "partner": (),
    "subsidy_program": (_Ref("department", "department_id", "department"),),
    "collaboration": (
        _Ref("department", "department_id", "department"),
        _Ref("subsidy_program", "subsidy_program_id", "subsidy_program", required=False),
    ),
    # ``amends`` is resolved after the flush, as it may name an agreement of the same batch.
    "agreement": (
        _Ref("department", "department_id", "department"),
        _Ref("collaboration", "collaboration_id", "collaboration", required=False),
    ),
    "subsidy_application": (
        _Ref("program", "program_id", "subsidy_program"),
        _Ref("applicant", "applicant_id", "partner"),
    ),
    "endorsement_application": (
        _Ref("organizer", "organizer_id", "partner"),
        _Ref("department", "department_id", "department"),
    ),
    "proposal": (
        _Ref("proposer", "proposer_id", "partner", required=False),
        _Ref("department", "department_id", "department"),
        _Ref("collaboration", "collaboration_id", "collaboration", required=False),
    ),
    "disaster_event": (),
    "support_request": (
        _Ref("event", "event_id", "disaster_event"),
        _Ref("agreement", "agreement_id", "agreement"),
        _Ref("partner", "partner_id", "partner"),
    ),
    "contact_verification": (_Ref("partner", "partner_id", "partner"),),
    "capacity_report": (_Ref("partner", "partner_id", "partner"),),
}

# Record fields that describe child rows (handled per entity, not copied to columns).
_CHILDREN: dict[str, frozenset[str]] = {
    "partner": frozenset({"fields", "contacts"}),
    "collaboration": frozenset(
        {"forms", "fields", "co_departments", "participations", "progress_reports", "evaluation"}
    ),
    "agreement": frozenset({"amends", "parties", "support_categories", "emergency_contacts"}),
    "subsidy_application": frozenset({"expenses"}),
}


def _child_references(target: str, record: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(target, key) of every record a child row of this record refers to."""
    if target in {"partner", "collaboration"}:
        for code in record.get("fields", []):
            yield "field", code
    if target == "collaboration":
        for code in record.get("co_departments", []):
            yield "department", code
        for item in record.get("participations", []):
            yield "partner", item.get("partner")
    if target == "agreement":
        for key in record.get("parties", []):
            yield "partner", key
