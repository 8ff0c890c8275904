"""The domain's enums, exposed to GraphQL under the contract's names."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from domain import enums as e
from domain.errors import ErrorCode as _ErrorCode

CollaborationForm = strawberry.enum(e.CollaborationForm, name="CollaborationForm")
PartnerKind = strawberry.enum(e.PartnerKind, name="PartnerKind")
PartnerStatus = strawberry.enum(e.PartnerStatus, name="PartnerStatus")
CollaborationStatus = strawberry.enum(e.CollaborationStatus, name="CollaborationStatus")
ReadinessItem = strawberry.enum(e.ReadinessItem, name="ReadinessItem")
CommitteeKind = strawberry.enum(e.CommitteeKind, name="CommitteeKind")
AgreementStatus = strawberry.enum(e.AgreementStatus, name="AgreementStatus")
AgreementCategory = strawberry.enum(e.AgreementCategory, name="AgreementCategory")
SupportCategory = strawberry.enum(e.SupportCategory, name="SupportCategory")
SubsidyApplicationStatus = strawberry.enum(
    e.SubsidyApplicationStatus, name="SubsidyApplicationStatus"
)
EndorsementDisqualifier = strawberry.enum(e.EndorsementDisqualifier, name="EndorsementDisqualifier")
EndorsementStatus = strawberry.enum(e.EndorsementStatus, name="EndorsementStatus")
ProposalKind = strawberry.enum(e.ProposalKind, name="ProposalKind")
ProposalChannel = strawberry.enum(e.ProposalChannel, name="ProposalChannel")
ProposalStatus = strawberry.enum(e.ProposalStatus, name="ProposalStatus")
Role = strawberry.enum(e.Role, name="Role")
DisasterKind = strawberry.enum(e.DisasterKind, name="DisasterKind")
SupportRequestStatus = strawberry.enum(e.SupportRequestStatus, name="SupportRequestStatus")
SupportAnswer = strawberry.enum(e.SupportAnswer, name="SupportAnswer")
VerificationOutcome = strawberry.enum(e.VerificationOutcome, name="VerificationOutcome")
AgreementDueKind = strawberry.enum(e.AgreementDueKind, name="AgreementDueKind")
ErrorCode = strawberry.enum(_ErrorCode, name="ErrorCode")


@strawberry.enum(name="OrderDirection")
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"
