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

from domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from domain.agreements.service import contact_order, own_emergency_contacts, speaks_for_party
from domain.enums import AgreementStatus
from domain.partners.models import Contact, Partner, PartnerField
from domain.read.values import Decoder, decoder_for
from domain.reference.models import CollaborationField, Department
from domain.reference.service import field_order
from domain.visibility import PartnerVisibility

Conditions = list[sa.ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a caller may see of the rows themselves (the fields are the schema's business)."""

    partners: PartnerVisibility
    """Which partners exist for the caller (``domain.visibility``: no volunteers for PUBLIC)."""
    sees_unpublished: bool = False
    """Collaborations the city has not published."""


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


@dataclass(eq=False)
class Entity:
    name: str
    model: Any
    relations: dict[str, Relation] = field(default_factory=dict)
    visible: Callable[[Any, Viewer], Conditions] = no_conditions
    decoders: Mapping[str, Decoder | None] = field(init=False)

    def __post_init__(self) -> None:
        table = self.model.__table__
        self.decoders = {column.name: decoder_for(column) for column in table.columns}

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


_register(
    Entity("AgreementParty", AgreementParty),
    Relation("partner", "Partner", False, _party_partner),
    Relation("agreement", "Agreement", False, _party_agreement),
    Relation(
        "support_categories", "AgreementSupportCategory", True, _party_support, scalar="category"
    ),
    Relation("listed_contacts", "Contact", True, _party_listed_contacts),
    Relation("own_emergency_contacts", "Contact", True, _party_own_contacts),
)

AGREEMENT = Entity("Agreement", Agreement)
SUPPORT_CATEGORY = _register(Entity("AgreementSupportCategory", AgreementSupportCategory))

_register(
    PARTNER,
    Relation("fields", "CollaborationField", True, _partner_fields),
    Relation("contacts", "Contact", True, _partner_contacts),
    Relation("agreements", "Agreement", True, _partner_agreements),
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
