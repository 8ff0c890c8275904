"""Read models: per entity, its columns, its relations and who may see its rows.

Columns come from the SQLModel table (every column may be selected; the schema decides
which fields a caller may read). Relations are the joins the batch getters of the list
services make, with the same order, so both read paths list related rows alike.
Row-level visibility (rule 13) is a SQL predicate on the row's alias
(:func:`domain.read.entity.partner_visible_conditions`, :func:`_collaboration_visible`).
What an entity and a relation are, and the link shapes most relations share, is in
:mod:`domain.read.entity`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kyodo.domain.agreements.documents import document_order, downloadable
from kyodo.domain.agreements.lookup import contact_order, own_emergency_contacts, speaks_for_party
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.collaborations.service import (
    collaboration_agreement_order,
    participation_order,
    progress_report_order,
    published_only,
)
from kyodo.domain.collaborations.service import list_conditions as collaboration_list_conditions
from kyodo.domain.collaborations.service import list_order as collaboration_list_order
from kyodo.domain.disasters import service as disasters
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import AgreementStatus, ExpenseKind
from kyodo.domain.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSupportCategory,
    CapacityReport,
    Collaboration,
    CollaborationCoDepartment,
    CollaborationField,
    CollaborationFieldLink,
    CollaborationFormLink,
    Contact,
    ContactVerification,
    Department,
    DisasterEvent,
    Evaluation,
    ExpenseLine,
    Participation,
    Partner,
    PartnerField,
    ProgressReport,
    Proposal,
    SubsidyApplication,
    SubsidyProgram,
    SupportRequest,
)
from kyodo.domain.partners import service as partners
from kyodo.domain.proposals.service import answered as answered_proposal
from kyodo.domain.read.entity import (
    Conditions,
    Entity,
    Link,
    LinkFn,
    Relation,
    Viewer,
    partner_visible_conditions,
    rows_of,
    through,
    to_one,
)
from kyodo.domain.reference.service import field_order
from kyodo.domain.subsidies import service as subsidy_service
from kyodo.domain.subsidies.service import granted, granted_amount

ENTITIES: dict[str, Entity] = {}


def entity(name: str) -> Entity:
    return ENTITIES[name]


def _register(entity: Entity, *relations: Relation) -> Entity:
    entity.relations = {relation.name: relation for relation in relations}
    ENTITIES[entity.name] = entity
    return entity


def _by_category(support: Any) -> Sequence[Any]:
    # The schema orders categories as the enum lists them (support_categories_by_agreement).
    return (support.category,)


# ------------------------------------------------------------------ partners


def _with_statuses(agreement: Any, statuses: Sequence[AgreementStatus] | None) -> Conditions:
    return [agreement.status.in_(list(statuses))] if statuses else []


def _newest_conclusion(agreement: Any) -> Sequence[Any]:
    """``domain.partners.service.agreements_by_partner``: newest conclusion first."""
    return (agreement.concluded_on.desc(), agreement.id)


def _own_contacts(partner: Any, contact: Any, _viewer: Viewer) -> Conditions:
    """A partner's own contacts (``contacts_by_partner``), not an agreement's."""
    return [contact.agreement_id.is_(None)]


PARTNER = Entity("Partner", Partner, visible=partner_visible_conditions)
CONTACT = Entity("Contact", Contact)
COLLABORATION_FIELD = _register(Entity("CollaborationField", CollaborationField))
DEPARTMENT = _register(Entity("Department", Department))
_OWNING_DEPARTMENT = Relation("department", "Department", False, to_one("department_id"))
"""The department a row belongs to (its ``department_id``): agreements, collaborations,
proposals and subsidy programs."""
_register(CONTACT)

# ------------------------------------------------------------------ agreements


def _agreement_parties(agreement: Any, partner: Any, _args: Any, viewer: Viewer) -> Link:
    """``parties_by_agreement`` in the agreement's order, without the partners the viewer
    may not see (``schema.permissions.visible_partners``)."""
    party = aliased(AgreementParty)
    select = (
        sa.select(partner.id)
        .select_from(partner)
        .join(party, party.partner_id == partner.id)
        .where(party.agreement_id == agreement.id, *partner_visible_conditions(partner, viewer))
    )
    return Link(select, (party.position, partner.id))


# The disaster lookup reads (agreement, party) pairs: domain.agreements.service's rules.


def _speaking_for_party(party: Any, contact: Any, _viewer: Viewer) -> Conditions:
    """The agreement's emergency contacts speaking for this party."""
    return [speaks_for_party(contact, party.partner_id)]


def _own_emergency(_party: Any, contact: Any, _viewer: Viewer) -> Conditions:
    """The party's own emergency contacts."""
    return own_emergency_contacts(contact)


def _in_check_order(call: Any) -> Sequence[Any]:
    """The calls of a partner's yearly contact check, in the order made (all of them:
    ``domain.disasters.contacts.standing_on`` keeps those up to the day asked)."""
    return (call.verified_on, call.id)


def _oldest_report_first(report: Any) -> Sequence[Any]:
    """The party's capacity reports, oldest first (``domain.disasters.capacity.capacity_on``
    keeps the latest per item up to the day asked)."""
    return (report.reported_on, report.id)


_register(Entity("ContactVerification", ContactVerification))
_register(Entity("CapacityReport", CapacityReport))
_register(
    Entity("AgreementParty", AgreementParty),
    Relation("partner", "Partner", False, to_one("partner_id")),
    Relation("agreement", "Agreement", False, to_one("agreement_id")),
    Relation(
        "support_categories",
        "AgreementSupportCategory",
        True,
        rows_of("agreement_id", "agreement_id", _by_category),
        scalar="category",
    ),
    Relation(
        "listed_contacts",
        "Contact",
        True,
        rows_of("agreement_id", "agreement_id", contact_order, _speaking_for_party),
    ),
    Relation(
        "own_emergency_contacts",
        "Contact",
        True,
        rows_of("partner_id", "partner_id", contact_order, _own_emergency),
    ),
    Relation(
        "capacity_reports",
        "CapacityReport",
        True,
        rows_of("partner_id", "partner_id", _oldest_report_first),
    ),
)

AGREEMENT = Entity("Agreement", Agreement)
_register(Entity("AgreementDocument", AgreementDocument))


def _downloadable(agreement: Any, _document: Any, viewer: Viewer) -> Conditions:
    """Only the documents the viewer may download (``documents.downloadable``)."""
    return downloadable(agreement, viewer.partners)


SUPPORT_CATEGORY = _register(Entity("AgreementSupportCategory", AgreementSupportCategory))


def _collaborators(partner: Any, other: Any, _args: Any, _viewer: Viewer) -> Link:
    """``PartnerType.collaborators``: the partners it shared collaborations with
    (``partners.shared_counts``), in ``partners.collaborator_order``."""
    shared = partners.shared_counts(partner.id)
    select = sa.select(sa.true()).select_from(other).join(shared, shared.c.other_id == other.id)
    return Link(select, partners.collaborator_order(shared.c.shared, other))


def _shared_count(partner: Any, other: Any) -> Any:
    """How many collaborations ``other`` shared with ``partner`` (one of its collaborators)."""
    shared = partners.shared_counts(partner.id)
    return sa.select(shared.c.shared).where(shared.c.other_id == other.id).scalar_subquery()


_register(
    PARTNER,
    Relation(
        "fields",
        "CollaborationField",
        True,
        through(PartnerField, "partner_id", "field_id", field_order),
    ),
    Relation(
        "contacts", "Contact", True, rows_of("partner_id", "id", contact_order, _own_contacts)
    ),
    Relation(
        "agreements",
        "Agreement",
        True,
        through(AgreementParty, "partner_id", "agreement_id", _newest_conclusion, _with_statuses),
        limited=True,
    ),
    Relation(
        "contact_checks",
        "ContactVerification",
        True,
        rows_of("partner_id", "id", _in_check_order),
    ),
    Relation("collaborators", "Partner", True, _collaborators, limited=True),
    Relation(
        "collaborator_counts",
        "Partner",
        True,
        _collaborators,
        limited=True,
        value=_shared_count,
    ),
)
_register(
    AGREEMENT,
    Relation("parties", "Partner", True, _agreement_parties),
    _OWNING_DEPARTMENT,
    Relation(
        "support_categories",
        "AgreementSupportCategory",
        True,
        rows_of("agreement_id", order=_by_category),
        scalar="category",
    ),
    Relation("emergency_contacts", "Contact", True, rows_of("agreement_id", order=contact_order)),
    Relation("amends", "Agreement", False, to_one("amends_id")),
    Relation(
        "documents",
        "AgreementDocument",
        True,
        rows_of("agreement_id", order=document_order, where=_downloadable),
    ),
)


# ------------------------------------------------------------------ the activation log


def _exists_for(may_read: Callable[[Viewer], bool]) -> Callable[[Any, Viewer], Conditions]:
    """Rows that exist only for the callers ``may_read`` lets in: for anyone else none
    does, so a node id answers null, as ``schema`` registers the node."""

    def visible(_row: Any, viewer: Viewer) -> Conditions:
        return [] if may_read(viewer) else [sa.false()]

    return visible


_activation_log_readers = _exists_for(lambda viewer: viewer.reads_disaster)
"""The activation log (disaster events, support requests: ``schema.disasters.types``)."""


def _event_requests(event: Any, request: Any, open_only: bool | None, _viewer: Viewer) -> Link:
    """``DisasterEventType.requests``: in the order made; ``open_only`` as asked."""
    conditions = disasters.event_requests(event, request, open_only=bool(open_only))
    select = sa.select(sa.true()).select_from(request).where(*conditions)
    return Link(select, disasters.request_order(request))


def _open_requests(event: Any, request: Any, _args: Any, viewer: Viewer) -> Link:
    return _event_requests(event, request, True, viewer)


_register(
    Entity("DisasterEvent", DisasterEvent, visible=_activation_log_readers),
    Relation("requests", "SupportRequest", True, _event_requests),
    Relation("open_request_count", "SupportRequest", False, _open_requests, count=True),
)
_register(
    Entity("SupportRequest", SupportRequest, visible=_activation_log_readers),
    Relation("event", "DisasterEvent", False, to_one("event_id")),
    Relation("agreement", "Agreement", False, to_one("agreement_id")),
    Relation("partner", "Partner", False, to_one("partner_id")),
)


# ------------------------------------------------------------------ collaborations


def _collaboration_visible(collaboration: Any, viewer: Viewer) -> Conditions:
    """Unpublished collaborations exist only for the city's staff (rule 13)."""
    return [] if viewer.reads_internal else [published_only(collaboration)]


def _in_form_column_order(form: Any) -> Sequence[Any]:
    # The schema orders them as the guideline does (in_form_order).
    return (form.form,)


def _by_department_id(department: Any) -> Sequence[Any]:
    """``co_departments_by_collaboration``: in the departments' order (by id)."""
    return (department.id,)


def _visible_partners(_collaboration: Any, participation: Any, viewer: Viewer) -> Conditions:
    """``participations_by_collaboration``: the participations of the partners the viewer
    may see; without this, everyone taking part (what the guideline's checks read)."""
    return viewer.partners.only_visible(participation.partner_id)


def _partner_participations(partner: Any, participation: Any, _args: Any, _viewer: Viewer) -> Link:
    """``participations_page_by_partner``: newest collaboration first."""
    collaboration = aliased(Collaboration)
    select = (
        sa.select(participation.id)
        .select_from(participation)
        .join(collaboration, collaboration.id == participation.collaboration_id)
        .where(participation.partner_id == partner.id)
    )
    return Link(select, collaboration_list_order(collaboration))


def _visible_collaboration(_parent: Any, collaboration: Any, viewer: Viewer) -> Conditions:
    return _collaboration_visible(collaboration, viewer)


_collaboration_of: LinkFn = rows_of("id", "collaboration_id", where=_visible_collaboration)
"""The collaboration ``parent.collaboration_id`` names (an agreement's, a proposal's),
when the viewer may see it."""

_visible_participations = rows_of(
    "collaboration_id", order=participation_order, where=_visible_partners
)

_register(Entity("CollaborationFormLink", CollaborationFormLink))
_register(Entity("ProgressReport", ProgressReport))
_register(Entity("Evaluation", Evaluation))
_register(
    Entity("Collaboration", Collaboration, visible=_collaboration_visible),
    Relation(
        "forms",
        "CollaborationFormLink",
        True,
        rows_of("collaboration_id", order=_in_form_column_order),
        scalar="form",
    ),
    _OWNING_DEPARTMENT,
    Relation(
        "co_departments",
        "Department",
        True,
        through(CollaborationCoDepartment, "collaboration_id", "department_id", _by_department_id),
    ),
    Relation(
        "fields",
        "CollaborationField",
        True,
        through(CollaborationFieldLink, "collaboration_id", "field_id", field_order),
    ),
    Relation("participations", "Participation", True, _visible_participations),
    Relation(
        "all_participations",
        "Participation",
        True,
        rows_of("collaboration_id", order=participation_order),
    ),
    Relation("partner_count", "Participation", False, _visible_participations, count=True),
    Relation(
        "agreements",
        "Agreement",
        True,
        rows_of("collaboration_id", order=collaboration_agreement_order),
        limited=True,
    ),
    Relation(
        "progress_reports",
        "ProgressReport",
        True,
        rows_of("collaboration_id", order=progress_report_order),
        limited=True,
    ),
    Relation("evaluation", "Evaluation", False, rows_of("collaboration_id")),
)
_register(
    Entity("Participation", Participation),
    Relation("partner", "Partner", False, to_one("partner_id")),
    Relation("collaboration", "Collaboration", False, to_one("collaboration_id")),
)


def _department_collaborations(
    department: Any, collaboration: Any, spec: Any, viewer: Viewer
) -> Link:
    """``Department.collaborations``: ``resolve_collaborations`` with the department's
    id, the list service's conditions on the Collaboration table itself."""
    select = (
        sa.select(collaboration.id)
        .select_from(collaboration)
        .where(
            *collaboration_list_conditions(spec, viewer.partners),
            collaboration.department_id == department.id,
        )
    )
    return Link(select, collaboration_list_order(collaboration))


DEPARTMENT.relations["collaborations"] = Relation(
    "collaborations",
    "Collaboration",
    True,
    _department_collaborations,
    paged=True,
    unaliased=True,
)
PARTNER.relations["participations"] = Relation(
    "participations", "Participation", True, _partner_participations, paged=True
)
AGREEMENT.relations["collaboration"] = Relation(
    "collaboration", "Collaboration", False, _collaboration_of
)


# ------------------------------------------------------------------ proposals


def _answered_unless_internal(proposal: Any, viewer: Viewer) -> Conditions:
    """Outside the city's staff only answered proposals exist (第2章2)."""
    return [] if viewer.reads_internal else [answered_proposal(proposal)]


_internal_readers = _exists_for(lambda viewer: viewer.reads_internal)
"""What only the city's staff reads: endorsement and subsidy applications."""
_audit_readers = _exists_for(lambda viewer: viewer.reads_audit)
"""The audit log (``schema.audit.types``)."""


_register(
    Entity("EndorsementApplication", EndorsementApplication, visible=_internal_readers),
    Relation("organizer", "Partner", False, to_one("organizer_id")),
    _OWNING_DEPARTMENT,
)
_register(Entity("AuditEvent", AuditEvent, visible=_audit_readers))

_register(
    Entity("Proposal", Proposal, visible=_answered_unless_internal),
    Relation("proposer", "Partner", False, to_one("proposer_id")),
    _OWNING_DEPARTMENT,
    Relation("collaboration", "Collaboration", False, _collaboration_of),
)


# ------------------------------------------------------------------ subsidies


def _granted(_program: Any, application: Any, _viewer: Viewer) -> Conditions:
    """``granted_total_by_program``: the granted applications of the program."""
    return [granted(application)]


def _granted_total(application: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(granted_amount(application)), 0)


def _expenses_of(kind: ExpenseKind) -> LinkFn:
    """An application's expense lines of ``kind`` (planned or actual), in their order."""

    def of_kind(_application: Any, line: Any, _viewer: Viewer) -> Conditions:
        return [line.kind == kind]

    return rows_of("application_id", order=subsidy_service.expense_order, where=of_kind)


def _program_applications(program: Any, application: Any, statuses: Any, _viewer: Viewer) -> Link:
    """``applications_page_by_program``: the program's applications in ``statuses`` (the
    list service's conditions, on the model itself), newest submission first."""
    select = (
        sa.select(application.id)
        .select_from(application)
        .where(*subsidy_service.status_conditions(statuses), application.program_id == program.id)
    )
    return Link(select, subsidy_service.APPLICATION_ORDERING.order_by())


def _earlier_grants(application: Any, program: Any, _args: Any, _viewer: Viewer) -> Link:
    """The earlier programs of the application's series granted to its applicant
    (``subsidies.earlier_grants``): their fiscal years count its consecutive year."""
    conditions = subsidy_service.earlier_grants(
        application.applicant_id, application.program_id, program
    )
    return Link(sa.select(sa.true()).select_from(program).where(*conditions))


_register(Entity("ExpenseLine", ExpenseLine))
_register(
    Entity("SubsidyApplication", SubsidyApplication, visible=_internal_readers),
    Relation("program", "SubsidyProgram", False, to_one("program_id")),
    Relation("applicant", "Partner", False, to_one("applicant_id")),
    Relation("expenses", "ExpenseLine", True, _expenses_of(ExpenseKind.PLANNED)),
    Relation("actual_expenses", "ExpenseLine", True, _expenses_of(ExpenseKind.ACTUAL)),
    Relation("earlier_grant_years", "SubsidyProgram", True, _earlier_grants, scalar="fiscal_year"),
    Relation(
        "program_granted_total",
        "SubsidyApplication",
        False,
        rows_of("program_id", "program_id", where=_granted),
        aggregate=_granted_total,
    ),
)
_register(
    Entity("SubsidyProgram", SubsidyProgram),
    _OWNING_DEPARTMENT,
    Relation(
        "applications",
        "SubsidyApplication",
        True,
        _program_applications,
        paged=True,
        unaliased=True,
    ),
    Relation(
        "granted_total",
        "SubsidyApplication",
        False,
        rows_of("program_id", where=_granted),
        aggregate=_granted_total,
    ),
)
ENTITIES["Collaboration"].relations["subsidy_program"] = Relation(
    "subsidy_program", "SubsidyProgram", False, to_one("subsidy_program_id")
)
