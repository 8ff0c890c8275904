"""Every table of the domain, imported in one place so metadata (and Alembic) sees them all."""

from kyodo.domain.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSupportCategory,
)
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth.models import ApiToken
from kyodo.domain.base import SQLModel
from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.data_version import DataVersion
from kyodo.domain.disasters.models import (
    CapacityReport,
    ContactVerification,
    DisasterEvent,
    SupportRequest,
)
from kyodo.domain.documents.models import TrustedDocument
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram

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
