"""Collaborations by their fields of collaboration (Q8): one condition, for the list's
filter (:func:`domain.collaborations.service.list_conditions`) and the partner network
(:func:`domain.collaborations.network.network_graph`)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col

from kyodo.domain.collaborations.models import Collaboration, CollaborationFieldLink
from kyodo.domain.reference.models import CollaborationField


def in_fields(field_codes: Sequence[str]) -> sa.ColumnElement[bool]:
    """Collaborations in any of the fields ``field_codes`` (on the ``Collaboration`` table)."""
    return col(Collaboration.id).in_(
        sa.select(col(CollaborationFieldLink.collaboration_id))
        .join(
            CollaborationField, col(CollaborationField.id) == col(CollaborationFieldLink.field_id)
        )
        .where(col(CollaborationField.code).in_(list(field_codes)))
    )
