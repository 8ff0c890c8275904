"""Which partners a caller may see (rule 13, 第2章2): one rule for every read path.

The city shares what it knows about collaboration (第2章2 情報共有は協働の前提):
organisations — citizen groups, neighbourhood associations, NPOs, companies and other
bodies — are public, with their public fields (name, reading, kind, 法人番号, status,
district, website, fields of activity, agreements). Their contact data (representative,
address, phone, e-mail, contact persons) and integration keys are not; the GraphQL
fields that carry them say so themselves (``schema.permissions.CanReadPartners``).

An individual volunteer (``PartnerKind.INDIVIDUAL``) is personal data altogether: for a
caller who may not read personal data the person does not exist — not in a list, not
as a node, not as an agreement party or a participant, not in a count, and not behind a
search or a filter that would match only because of them.

:class:`PartnerVisibility` is that rule, as a predicate (for rows already loaded) and as
SQL conditions (for lists, counts, searches and filters); both read the same
:data:`HIDDEN_KINDS`, and a test checks they agree for every kind.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.partners.models import Partner

PERSONAL_DATA_READERS: frozenset[Role] = frozenset(
    {Role.STAFF, Role.DISASTER_OFFICE, Role.INTEGRATION, Role.ADMIN}
)
"""Roles that may read personal data: individual volunteers, and every partner's contact
data. Everyone else (PUBLIC) sees organisations and their public fields only."""

HIDDEN_KINDS: frozenset[PartnerKind] = frozenset({PartnerKind.INDIVIDUAL})
"""Partner kinds that are personal data as a whole (invisible without the right)."""


class PartnerVisibility(StrEnum):
    """Which partners a caller may see."""

    ALL = "ALL"
    """Every partner (roles in :data:`PERSONAL_DATA_READERS`)."""
    ORGANISATIONS = "ORGANISATIONS"
    """Organisations only: no individual volunteers (PUBLIC)."""

    @classmethod
    def for_role(cls, role: Role) -> PartnerVisibility:
        return cls.ALL if role in PERSONAL_DATA_READERS else cls.ORGANISATIONS

    def allows(self, partner: Any) -> bool:
        """May the caller see ``partner`` (any row with a ``kind``)?"""
        return self.allows_kind(partner.kind)

    def allows_kind(self, kind: PartnerKind) -> bool:
        """May the caller see partners of this kind at all?"""
        return self is PartnerVisibility.ALL or kind not in HIDDEN_KINDS

    def conditions(self, partner: Any = Partner) -> list[sa.ColumnElement[bool]]:
        """The same rule as SQL, on ``partner`` (the Partner table or an alias of it):
        ``.where(*visibility.conditions())``; empty when every partner is visible."""
        if self is PartnerVisibility.ALL:
            return []
        kind: Any = partner.kind
        return [kind.not_in(sorted(HIDDEN_KINDS))]

    def visible_partner_ids(self) -> sa.Select[Any] | None:
        """``SELECT id FROM partner WHERE <visible>``, for ``partner_id IN (...)``; None
        when every partner is visible (no condition needed)."""
        if self is PartnerVisibility.ALL:
            return None
        return sa.select(col(Partner.id)).where(*self.conditions())

    def only_visible(self, partner_id: Any) -> list[sa.ColumnElement[bool]]:
        """Conditions keeping rows whose ``partner_id`` column points at a visible partner."""
        ids = self.visible_partner_ids()
        return [] if ids is None else [partner_id.in_(ids)]

    def owners_of(self, owner_id: Any, partner_id: Any, partner: int) -> sa.Select[Any]:
        """``SELECT owner_id`` of the link rows (agreement parties, participations) whose
        ``partner_id`` column is ``partner``, when that partner is visible: the list
        filter "with this partner" (nothing when the partner is hidden)."""
        return sa.select(owner_id).where(partner_id == partner, *self.only_visible(partner_id))


__all__ = ["HIDDEN_KINDS", "PERSONAL_DATA_READERS", "PartnerVisibility"]
