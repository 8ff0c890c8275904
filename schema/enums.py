"""The domain's enums, exposed to GraphQL under the contract's names.

Each value's description is its entry in ``domain.labels.LABELS`` (the Japanese label
first), so GraphiQL, codegen and the ``enumLabels`` query read the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

import strawberry

from kyodo.domain import enums, labels
from kyodo.domain.errors import ErrorCode as _ErrorCode

E = TypeVar("E", bound=type[StrEnum])


def describe_values(enum: E, descriptions: Mapping[str, str]) -> E:
    """Give the values of a strawberry enum their descriptions, by value name.

    (``strawberry.enum_value(description=...)`` does not fit a ``StrEnum``'s members,
    nor enums defined in ``domain/``, which knows nothing of strawberry.)
    """
    for value in enum.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = descriptions[value.name]
    return enum


def _described(domain_enum: E, description: str) -> E:
    """``domain_enum`` as a GraphQL enum of the same name, its values described from
    ``domain.labels.LABELS``."""
    strawberry.enum(domain_enum, name=domain_enum.__name__, description=description)
    table = labels.LABELS[domain_enum]
    return describe_values(domain_enum, {v.name: table[v].description for v in domain_enum})


CollaborationForm = _described(
    enums.CollaborationForm, "The seven forms of collaboration in the guideline (第3章)."
)
PartnerKind = _described(
    enums.PartnerKind,
    "Who a partner is (第2章1): individuals, groups, neighbourhood associations, NPOs, companies.",
)
PartnerStatus = _described(enums.PartnerStatus, "Whether a partner is active (活動状況).")
CollaborationStatus = _described(
    enums.CollaborationStatus,
    "Where a collaboration stands: planned, under way, completed, evaluated (第4章), or cancelled.",
)
ReadinessItem = _described(
    enums.ReadinessItem, "What 第4章(2) asks to be clear before a collaboration starts."
)
CommitteeKind = _described(enums.CommitteeKind, "Kind of body a COMMITTEE collaboration sets up.")
AgreementStatus = _described(
    enums.AgreementStatus, "Where an agreement (協定) stands, from draft to its end."
)
AgreementCategory = _described(enums.AgreementCategory, "What an agreement (協定) is about.")
SupportCategory = _described(
    enums.SupportCategory,
    "協定区分 of disaster-support agreements, as Hokkaido's open data classifies them.",
)
SubsidyApplicationStatus = _described(
    enums.SubsidyApplicationStatus,
    "Where a subsidy application stands, from submission to settlement (精算).",
)
EndorsementDisqualifier = _described(
    enums.EndorsementDisqualifier,
    "The seven grounds on which the city's name may not be lent (第3章(7)).",
)
UnfitGround = _described(
    enums.UnfitGround,
    "What is not collaboration (第5章 Q8): grounds that make a project unfit in every form.",
)
EndorsementStatus = _described(
    enums.EndorsementStatus, "Where an application for the city's endorsement (後援) stands."
)
ProposalKind = _described(enums.ProposalKind, "What a citizen's proposal (提案) offers.")
ProposalChannel = _described(enums.ProposalChannel, "How a proposal reached the city.")
ProposalStatus = _described(enums.ProposalStatus, "Where a proposal stands.")
Role = _described(enums.Role, "What a caller may read and write, set by their token.")
ErrorCode = _described(
    _ErrorCode,
    "Why a mutation refused its input (UserError.code), or a query its arguments "
    "(extensions.code).",
)
DisasterKind = _described(
    enums.DisasterKind, "What happened (or is practised): a disaster event's kind."
)
SupportRequestStatus = _described(
    enums.SupportRequestStatus,
    "Where a support request (応援要請) stands: REQUESTED → ANSWERED → DELIVERED → CLOSED, "
    "or CANCELLED while open.",
)
SupportAnswer = _described(enums.SupportAnswer, "How a partner answered a support request.")
VerificationOutcome = _described(
    enums.VerificationOutcome, "What one call of the yearly contact check (連絡先確認) found."
)
AgreementDueKind = _described(
    enums.AgreementDueKind, "What falls due in the notice and renewal calendar."
)


@strawberry.enum(name="OrderDirection", description="Sort order.")
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


describe_values(
    OrderDirection,
    {"ASC": "Ascending: あ to ん, oldest first.", "DESC": "Descending: ん to あ, newest first."},
)
