"""Every table of the domain, imported in one place so metadata (and Alembic) sees them all."""

from domain.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSupportCategory,
)
from domain.audit.models import AuditEvent
from domain.auth.models import ApiToken
from domain.base import SQLModel
from domain.collaborations.models import (
    Collaboration,
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from domain.data_version import DataVersion
from domain.disasters.models import (
    CapacityReport,
    ContactVerification,
    DisasterEvent,
    SupportRequest,
)
from domain.documents.models import TrustedDocument
from domain.endorsements.models import EndorsementApplication
from domain.partners.models import Contact, Partner, PartnerField
from domain.proposals.models import Proposal
from domain.reference.models import CollaborationField, Department
from domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram

metadata = SQLModel.metadata

__all__ = [
    "Agreement",
    "AgreementDocument",
    "AgreementParty",
    "AgreementSupportCategory",
    "ApiToken",
    "AuditEvent",
    "CapacityReport",
    "Collaboration",
    "CollaborationCoDepartment",
    "CollaborationField",
    "CollaborationFieldLink",
    "CollaborationFormLink",
    "Contact",
    "ContactVerification",
    "DataVersion",
    "Department",
    "DisasterEvent",
    "EndorsementApplication",
    "Evaluation",
    "ExpenseLine",
    "Participation",
    "Partner",
    "PartnerField",
    "ProgressReport",
    "Proposal",
    "SubsidyApplication",
    "SubsidyProgram",
    "SupportRequest",
    "TrustedDocument",
    "metadata",
]
