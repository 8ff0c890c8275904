"""Read models: per entity, its columns, its relations and who may see its rows.

Columns come from the SQLModel table (every column may be selected; the schema decides
which fields a caller may read). Relations are the joins the batch getters of the list
services make, with the same order, so both read paths list related rows alike.
Row-level visibility (rule 13) is a SQL predicate on the row's alias
(:func:`partner_visible_conditions`, :func:`collaboration_visible_conditions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.agreements.service import contact_order, own_emergency_contacts, speaks_for_party
from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.collaborations.service import (
    collaboration_agreement_order,
    participation_order,
    progress_report_order,
    published_only,
)
from kyodo.domain.collaborations.service import list_conditions as collaboration_list_conditions
from kyodo.domain.collaborations.service import list_order as collaboration_list_order
from kyodo.domain.disasters.models import CapacityReport, ContactVerification
from kyodo.domain.enums import AgreementStatus
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.proposals.service import answered as answered_proposal
from kyodo.domain.read.values import Decoder, decoder_for
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.reference.service import field_order
from kyodo.domain.subsidies.models import SubsidyApplication, SubsidyProgram
from kyodo.domain.subsidies.service import granted, granted_amount
from kyodo.domain.visibility import PartnerVisibility

Conditions = list[sa.ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a caller may see of the rows themselves (the fields are the schema's business)."""

    partners: PartnerVisibility
    """Which partners exist for the caller (``domain.visibility``: no volunteers for PUBLIC)."""
    reads_internal: bool = False
    """What only the city's staff reads: unpublished collaborations, proposals
    (``schema.permissions.READ_INTERNAL``)."""


def partner_visible_conditions(partner: Any, viewer: Viewer) -> Conditions:
    """The one partner-visibility rule (``domain.visibility``), on ``partner``'s alias."""
    return viewer.partners.conditions(partner)


def no_conditions(_row: Any, _viewer: Viewer) -> Conditions:
    return []


@dataclass(frozen=True, slots=True)
class Link:
    """How a relation reaches its rows from one parent row: the FROM/WHERE of a select
    (its columns are replaced) and the order of the rows."""

    select: sa.Select[Any]
    order_by: Sequence[Any] = ()


LinkFn = Callable[[Any, Any, Any, Viewer], Link]
"""(parent alias, child alias, the relation's arguments, viewer) -> Link."""


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    target: str
    many: bool
    link: LinkFn
    scalar: str | None = None
    """A list (or one) of this target column's values instead of rows."""
    count: bool = False
    """How many rows the link reaches, instead of the rows."""
    aggregate: Callable[[Any], Any] | None = None
    """An aggregate over the rows the link reaches (on the child's alias) instead of the
    rows, e.g. a sum."""
    paged: bool = False
    """One page of the rows and their total; its arguments are ``(PageRequest, the link's
    own arguments)``."""
    limited: bool = False
    """At most some of the rows (a list no rule bounds): its arguments are ``(the most
    rows or None, the link's own arguments)``."""
    unaliased: bool = False
    """The rows are read from the model itself, not an alias, so that a list service's
    own conditions (written on the model) apply; the link must correlate explicitly."""

    @property
    def has_rows(self) -> bool:
        return self.scalar is None and not self.count and self.aggregate is None


@dataclass(eq=False)
class Entity:
    name: str
    model: Any
    relations: dict[str, Relation] = field(default_factory=dict)
    visible: Callable[[Any, Viewer], Conditions] = no_conditions
    decoders: Mapping[str, Decoder | None] = field(init=False)

    json_columns: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        table = self.model.__table__
        self.decoders = {column.name: decoder_for(column) for column in table.columns}
        self.json_columns = frozenset(c.name for c in table.columns if isinstance(c.type, sa.JSON))

    def alias(self) -> Any:
        """A fresh anonymous alias (SQLAlchemy names it when the statement compiles)."""
        return aliased(self.model)

    def column(self, source: Any, name: str) -> Any:
        return getattr(source, name)


ENTITIES: dict[str, Entity] = {}


def entity(name: str) -> Entity:
    return ENTITIES[name]


def _register(entity: Entity, *relations: Relation) -> Entity:
    entity.relations = {relation.name: relation for relation in relations}
    ENTITIES[entity.name] = entity
    return entity


# ------------------------------------------------------------------ partners


def _partner_fields(partner: Any, field_: Any, _args: Any, _viewer: Viewer) -> Link:
    link = aliased(PartnerField)
    select = (
        sa.select(field_.id)
        .select_from(field_)
        .join(link, link.field_id == field_.id)
        .where(link.partner_id == partner.id)
    )
    return Link(select, field_order(field_))


def _partner_contacts(partner: Any, contact: Any, _args: Any, _viewer: Viewer) -> Link:
    """A partner's own contacts (``contacts_by_partner``)."""
    select = (
        sa.select(contact.id)
        .select_from(contact)
        .where(contact.partner_id == partner.id, contact.agreement_id.is_(None))
    )
    return Link(select, contact_order(contact))


def _partner_agreements(
    partner: Any, agreement: Any, statuses: Sequence[AgreementStatus] | None, _viewer: Viewer
) -> Link:
    """``domain.partners.service.agreements_by_partner``: newest conclusion first."""
    party = aliased(AgreementParty)
    select = (
        sa.select(agreement.id)
        .select_from(agreement)
        .join(party, party.agreement_id == agreement.id)
        .where(party.partner_id == partner.id)
    )
    if statuses:
        select = select.where(agreement.status.in_(list(statuses)))
    return Link(select, (agreement.concluded_on.desc(), agreement.id))


PARTNER = Entity("Partner", Partner, visible=partner_visible_conditions)
CONTACT = Entity("Contact", Contact)
COLLABORATION_FIELD = _register(Entity("CollaborationField", CollaborationField))
DEPARTMENT = _register(Entity("Department", Department))
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


def _agreement_department(agreement: Any, department: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(
        sa.select(department.id)
        .select_from(department)
        .where(department.id == agreement.department_id)
    )


def _agreement_support(agreement: Any, support: Any, _args: Any, _viewer: Viewer) -> Link:
    # The schema orders categories as the enum lists them (support_categories_by_agreement).
    return Link(
        sa.select(support.agreement_id)
        .select_from(support)
        .where(support.agreement_id == agreement.id),
        (support.category,),
    )


def _agreement_emergency_contacts(
    agreement: Any, contact: Any, _args: Any, _viewer: Viewer
) -> Link:
    return Link(
        sa.select(contact.id).select_from(contact).where(contact.agreement_id == agreement.id),
        contact_order(contact),
    )


def _agreement_amends(agreement: Any, amended: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(sa.select(amended.id).select_from(amended).where(amended.id == agreement.amends_id))


# The disaster lookup reads (agreement, party) pairs: domain.agreements.service's rules.


def _party_partner(party: Any, partner: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(sa.select(partner.id).select_from(partner).where(partner.id == party.partner_id))


def _party_agreement(party: Any, agreement: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(
        sa.select(agreement.id).select_from(agreement).where(agreement.id == party.agreement_id)
    )


def _party_support(party: Any, support: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(
        sa.select(support.agreement_id)
        .select_from(support)
        .where(support.agreement_id == party.agreement_id),
        (support.category,),
    )


def _party_listed_contacts(party: Any, contact: Any, _args: Any, _viewer: Viewer) -> Link:
    """The agreement's emergency contacts speaking for this party."""
    return Link(
        sa.select(contact.id)
        .select_from(contact)
        .where(
            contact.agreement_id == party.agreement_id,
            speaks_for_party(contact, party.partner_id),
        ),
        contact_order(contact),
    )


def _party_own_contacts(party: Any, contact: Any, _args: Any, _viewer: Viewer) -> Link:
    """The party's own emergency contacts."""
    return Link(
        sa.select(contact.id)
        .select_from(contact)
        .where(contact.partner_id == party.partner_id, *own_emergency_contacts(contact)),
        contact_order(contact),
    )


def _party_contact_checks(party: Any, call: Any, _args: Any, _viewer: Viewer) -> Link:
    """The calls of the party's yearly contact check, in the order made (all of them:
    ``domain.disasters.contacts.standing_on`` keeps those up to the day asked)."""
    return Link(
        sa.select(call.id).select_from(call).where(call.partner_id == party.partner_id),
        (call.verified_on, call.id),
    )


def _party_capacity_reports(party: Any, report: Any, _args: Any, _viewer: Viewer) -> Link:
    """The party's capacity reports, oldest first (``domain.disasters.capacity.capacity_on``
    keeps the latest per item up to the day asked)."""
    return Link(
        sa.select(report.id).select_from(report).where(report.partner_id == party.partner_id),
        (report.reported_on, report.id),
    )


_register(Entity("ContactVerification", ContactVerification))
_register(Entity("CapacityReport", CapacityReport))
_register(
    Entity("AgreementParty", AgreementParty),
    Relation("partner", "Partner", False, _party_partner),
    Relation("agreement", "Agreement", False, _party_agreement),
    Relation(
        "support_categories", "AgreementSupportCategory", True, _party_support, scalar="category"
    ),
    Relation("listed_contacts", "Contact", True, _party_listed_contacts),
    Relation("own_emergency_contacts", "Contact", True, _party_own_contacts),
    Relation("contact_checks", "ContactVerification", True, _party_contact_checks),
    Relation("capacity_reports", "CapacityReport", True, _party_capacity_reports),
)

AGREEMENT = Entity("Agreement", Agreement)
SUPPORT_CATEGORY = _register(Entity("AgreementSupportCategory", AgreementSupportCategory))

_register(
    PARTNER,
    Relation("fields", "CollaborationField", True, _partner_fields),
    Relation("contacts", "Contact", True, _partner_contacts),
    Relation("agreements", "Agreement", True, _partner_agreements, limited=True),
)
_register(
    AGREEMENT,
    Relation("parties", "Partner", True, _agreement_parties),
    Relation("department", "Department", False, _agreement_department),
    Relation(
        "support_categories",
        "AgreementSupportCategory",
        True,
        _agreement_support,
        scalar="category",
    ),
    Relation("emergency_contacts", "Contact", True, _agreement_emergency_contacts),
    Relation("amends", "Agreement", False, _agreement_amends),
)


# ------------------------------------------------------------------ collaborations


def _collaboration_visible(collaboration: Any, viewer: Viewer) -> Conditions:
    """Unpublished collaborations exist only for the city's staff (rule 13)."""
    return [] if viewer.reads_internal else [published_only(collaboration)]


def _collaboration_forms(collaboration: Any, form: Any, _args: Any, _viewer: Viewer) -> Link:
    # The schema orders them as the guideline does (in_form_order).
    return Link(
        sa.select(form.form).select_from(form).where(form.collaboration_id == collaboration.id),
        (form.form,),
    )


def _collaboration_department(
    collaboration: Any, department: Any, _args: Any, _viewer: Viewer
) -> Link:
    return Link(
        sa.select(department.id)
        .select_from(department)
        .where(department.id == collaboration.department_id)
    )


def _collaboration_fields(collaboration: Any, field_: Any, _args: Any, _viewer: Viewer) -> Link:
    link = aliased(CollaborationFieldLink)
    select = (
        sa.select(field_.id)
        .select_from(field_)
        .join(link, link.field_id == field_.id)
        .where(link.collaboration_id == collaboration.id)
    )
    return Link(select, field_order(field_))


def _collaboration_co_departments(
    collaboration: Any, department: Any, _args: Any, _viewer: Viewer
) -> Link:
    """``co_departments_by_collaboration``: in the departments' order (by id)."""
    link = aliased(CollaborationCoDepartment)
    select = (
        sa.select(department.id)
        .select_from(department)
        .join(link, link.department_id == department.id)
        .where(link.collaboration_id == collaboration.id)
    )
    return Link(select, (department.id,))


def _participations_of(visible: bool) -> LinkFn:
    def link(collaboration: Any, participation: Any, _args: Any, viewer: Viewer) -> Link:
        """``participations_by_collaboration``; without ``visible``, everyone taking part
        (what the guideline's checks read)."""
        select = (
            sa.select(participation.id)
            .select_from(participation)
            .where(participation.collaboration_id == collaboration.id)
        )
        if visible:
            select = select.where(*viewer.partners.only_visible(participation.partner_id))
        return Link(select, participation_order(participation))

    return link


def _collaboration_agreements(
    collaboration: Any, agreement: Any, _args: Any, _viewer: Viewer
) -> Link:
    return Link(
        sa.select(agreement.id)
        .select_from(agreement)
        .where(agreement.collaboration_id == collaboration.id),
        collaboration_agreement_order(agreement),
    )


def _collaboration_reports(collaboration: Any, report: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(
        sa.select(report.id).select_from(report).where(report.collaboration_id == collaboration.id),
        progress_report_order(report),
    )


def _collaboration_evaluation(
    collaboration: Any, evaluation: Any, _args: Any, _viewer: Viewer
) -> Link:
    return Link(
        sa.select(evaluation.id)
        .select_from(evaluation)
        .where(evaluation.collaboration_id == collaboration.id)
    )


def _participation_partner(participation: Any, partner: Any, _args: Any, _viewer: Viewer) -> Link:
    return Link(
        sa.select(partner.id).select_from(partner).where(partner.id == participation.partner_id)
    )


def _participation_collaboration(
    participation: Any, collaboration: Any, _args: Any, _viewer: Viewer
) -> Link:
    return Link(
        sa.select(collaboration.id)
        .select_from(collaboration)
        .where(collaboration.id == participation.collaboration_id)
    )


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


def _collaboration_of(parent: Any, collaboration: Any, _args: Any, viewer: Viewer) -> Link:
    """The collaboration ``parent.collaboration_id`` names (an agreement's, a proposal's),
    when the viewer may see it."""
    return Link(
        sa.select(collaboration.id)
        .select_from(collaboration)
        .where(
            collaboration.id == parent.collaboration_id,
            *_collaboration_visible(collaboration, viewer),
        )
    )


_register(Entity("CollaborationFormLink", CollaborationFormLink))
_register(Entity("ProgressReport", ProgressReport))
_register(Entity("Evaluation", Evaluation))
_register(
    Entity("Collaboration", Collaboration, visible=_collaboration_visible),
    Relation("forms", "CollaborationFormLink", True, _collaboration_forms, scalar="form"),
    Relation("department", "Department", False, _collaboration_department),
    Relation("co_departments", "Department", True, _collaboration_co_departments),
    Relation("fields", "CollaborationField", True, _collaboration_fields),
    Relation("participations", "Participation", True, _participations_of(visible=True)),
    Relation("all_participations", "Participation", True, _participations_of(visible=False)),
    Relation("partner_count", "Participation", False, _participations_of(visible=True), count=True),
    Relation("agreements", "Agreement", True, _collaboration_agreements, limited=True),
    Relation("progress_reports", "ProgressReport", True, _collaboration_reports, limited=True),
    Relation("evaluation", "Evaluation", False, _collaboration_evaluation),
)
_register(
    Entity("Participation", Participation),
    Relation("partner", "Partner", False, _participation_partner),
    Relation("collaboration", "Collaboration", False, _participation_collaboration),
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


def _internal_only(_row: Any, viewer: Viewer) -> Conditions:
    """Rows only the city's staff reads exist for no one else (``node`` included)."""
    return [] if viewer.reads_internal else [sa.false()]


def _answered_unless_internal(proposal: Any, viewer: Viewer) -> Conditions:
    """Outside the city's staff only answered proposals exist (第2章2)."""
    return [] if viewer.reads_internal else [answered_proposal(proposal)]


def _to_one(target_key: str) -> LinkFn:
    """A to-one relation through the parent's foreign key ``target_key``."""

    def link(parent: Any, target: Any, _args: Any, _viewer: Viewer) -> Link:
        return Link(
            sa.select(target.id).select_from(target).where(target.id == getattr(parent, target_key))
        )

    return link


_register(
    Entity("Proposal", Proposal, visible=_answered_unless_internal),
    Relation("proposer", "Partner", False, _to_one("proposer_id")),
    Relation("department", "Department", False, _to_one("department_id")),
    Relation("collaboration", "Collaboration", False, _collaboration_of),
)


# ------------------------------------------------------------------ subsidies


def _program_granted(program: Any, application: Any, _args: Any, _viewer: Viewer) -> Link:
    """``granted_total_by_program``: the granted applications of the program."""
    return Link(
        sa.select(application.id)
        .select_from(application)
        .where(application.program_id == program.id, granted(application))
    )


def _granted_total(application: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(granted_amount(application)), 0)


_register(Entity("SubsidyApplication", SubsidyApplication))
_register(
    Entity("SubsidyProgram", SubsidyProgram),
    Relation("department", "Department", False, _to_one("department_id")),
    Relation(
        "granted_total", "SubsidyApplication", False, _program_granted, aggregate=_granted_total
    ),
)
ENTITIES["Collaboration"].relations["subsidy_program"] = Relation(
    "subsidy_program", "SubsidyProgram", False, _to_one("subsidy_program_id")
)
