"""What each GraphQL field of an entity type is, for the compiled path: one
:class:`~schema.compiled.specs.TypeSpec` per type, the tables one module per area.

A field without a spec here is not compiled: a selection with it falls back.
"""

from __future__ import annotations

from kyodo.domain.agreements.lookup import in_category_order
from kyodo.schema.compiled.specs import TypeSpec
from kyodo.schema.compiled.types.agreements import AGREEMENT, AGREEMENT_DOCUMENT
from kyodo.schema.compiled.types.audit import AUDIT_EVENT
from kyodo.schema.compiled.types.collaborations import (
    COLLABORATION,
    EVALUATION,
    PARTICIPATION,
    PROGRESS_REPORT,
)
from kyodo.schema.compiled.types.disasters import DISASTER_EVENT, SUPPORT_REQUEST
from kyodo.schema.compiled.types.endorsements import ENDORSEMENT_APPLICATION
from kyodo.schema.compiled.types.partners import CONTACT, CONTACT_VERIFICATION, PARTNER
from kyodo.schema.compiled.types.proposals import PROPOSAL
from kyodo.schema.compiled.types.reference import COLLABORATION_FIELD, DEPARTMENT
from kyodo.schema.compiled.types.subsidies import (
    EXPENSE_LINE,
    SUBSIDY_APPLICATION,
    SUBSIDY_PROGRAM,
)

__all__ = ["AGREEMENT", "TYPES", "TypeSpec", "in_category_order"]

TYPES: dict[str, TypeSpec] = {
    spec.name: spec
    for spec in (
        PARTNER,
        CONTACT,
        CONTACT_VERIFICATION,
        COLLABORATION_FIELD,
        DEPARTMENT,
        AGREEMENT,
        AGREEMENT_DOCUMENT,
        COLLABORATION,
        PARTICIPATION,
        PROGRESS_REPORT,
        EVALUATION,
        PROPOSAL,
        SUBSIDY_PROGRAM,
        SUBSIDY_APPLICATION,
        EXPENSE_LINE,
        DISASTER_EVENT,
        SUPPORT_REQUEST,
        ENDORSEMENT_APPLICATION,
        AUDIT_EVENT,
    )
}
