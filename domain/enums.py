"""Enumerations of the collaboration domain.

Values equal their names so that the database, the GraphQL enums and the seeds
all spell them the same way. How each value reads to people is
:data:`domain.labels.LABELS`.
"""

from __future__ import annotations

from enum import StrEnum


class CollaborationForm(StrEnum):
    """The seven forms of collaboration (第3章)."""

    CO_HOSTING = "CO_HOSTING"
    COMMITTEE = "COMMITTEE"
    AGREEMENT = "AGREEMENT"
    BUSINESS_COOPERATION = "BUSINESS_COOPERATION"
    CONSIGNMENT = "CONSIGNMENT"
    SUBSIDY = "SUBSIDY"
    ENDORSEMENT = "ENDORSEMENT"


class PartnerKind(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    CITIZEN_GROUP = "CITIZEN_GROUP"
    NEIGHBORHOOD_ASSOCIATION = "NEIGHBORHOOD_ASSOCIATION"
    NPO = "NPO"
    COMPANY = "COMPANY"
    OTHER_ORGANIZATION = "OTHER_ORGANIZATION"


class PartnerStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DISSOLVED = "DISSOLVED"


class CollaborationStatus(StrEnum):
    PLANNING = "PLANNING"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    EVALUATED = "EVALUATED"
    CANCELLED = "CANCELLED"


class ReadinessItem(StrEnum):
    """What 第4章(2) asks to be clear before a collaboration starts."""

    PURPOSE = "PURPOSE"
    PLAN = "PLAN"
    COST = "COST"
    PERIOD = "PERIOD"
    RESPONSIBILITY = "RESPONSIBILITY"
    ROLES = "ROLES"
    # 第4章(1): 市にできること、できないこと.
    CITY_ROLE = "CITY_ROLE"
    # 第2章1: why this partner, and can it carry the work.
    PARTNER_REASONS = "PARTNER_REASONS"


class UnfitGround(StrEnum):
    """What is not collaboration (第5章 Q8): grounds that make a project unfit in any form."""

    RELIGIOUS_ACTIVITY = "RELIGIOUS_ACTIVITY"
    POLITICAL_ACTIVITY = "POLITICAL_ACTIVITY"
    HARMS_PUBLIC_INTEREST = "HARMS_PUBLIC_INTEREST"


class CommitteeKind(StrEnum):
    EXECUTIVE_COMMITTEE = "EXECUTIVE_COMMITTEE"
    COUNCIL = "COUNCIL"


class AgreementStatus(StrEnum):
    DRAFT = "DRAFT"
    NEGOTIATING = "NEGOTIATING"
    IN_FORCE = "IN_FORCE"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class AgreementCategory(StrEnum):
    DISASTER_SUPPORT = "DISASTER_SUPPORT"
    FACILITY_USE = "FACILITY_USE"
    WASTE_REDUCTION = "WASTE_REDUCTION"
    PARTNERSHIP = "PARTNERSHIP"
    OTHER = "OTHER"


class SupportCategory(StrEnum):
    """協定区分 of Hokkaido's open data on disaster-support agreements."""

    STAFF_DISPATCH = "STAFF_DISPATCH"
    SUPPLIES = "SUPPLIES"
    TRANSPORT = "TRANSPORT"
    MEDICAL_AID = "MEDICAL_AID"
    PUBLIC_INFORMATION = "PUBLIC_INFORMATION"
    EVACUATION_SHELTER = "EVACUATION_SHELTER"
    LIFELINE_RESTORATION = "LIFELINE_RESTORATION"
    OTHER = "OTHER"


class SubsidyApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    REPORTED = "REPORTED"
    SETTLED = "SETTLED"
    WITHDRAWN = "WITHDRAWN"


class ExpenseKind(StrEnum):
    """Whether an expense line was planned in the application or reported after."""

    PLANNED = "PLANNED"
    ACTUAL = "ACTUAL"


class EndorsementDisqualifier(StrEnum):
    """The seven grounds on which the city's name may not be lent (第3章(7))."""

    FOR_PROFIT = "FOR_PROFIT"
    RESTRICTED_AUDIENCE = "RESTRICTED_AUDIENCE"
    INADEQUATE_SAFETY = "INADEQUATE_SAFETY"
    RELIGIOUS_OR_POLITICAL = "RELIGIOUS_OR_POLITICAL"
    AGAINST_PUBLIC_ORDER = "AGAINST_PUBLIC_ORDER"
    RISK_OF_ILLEGALITY = "RISK_OF_ILLEGALITY"
    RISK_OF_PUBLIC_CRITICISM = "RISK_OF_PUBLIC_CRITICISM"


class EndorsementStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class ProposalKind(StrEnum):
    PLAN = "PLAN"
    ALTERNATIVE = "ALTERNATIVE"


class ProposalChannel(StrEnum):
    DIRECT = "DIRECT"
    EMAIL = "EMAIL"
    LETTER = "LETTER"
    PUBLIC_HEARING = "PUBLIC_HEARING"
    OTHER = "OTHER"


class ProposalStatus(StrEnum):
    RECEIVED = "RECEIVED"
    UNDER_CONSIDERATION = "UNDER_CONSIDERATION"
    ADOPTED = "ADOPTED"
    NOT_ADOPTED = "NOT_ADOPTED"


class Role(StrEnum):
    PUBLIC = "PUBLIC"
    STAFF = "STAFF"
    DISASTER_OFFICE = "DISASTER_OFFICE"
    INTEGRATION = "INTEGRATION"
    ADMIN = "ADMIN"


class DisasterKind(StrEnum):
    """What happened (or is practised): a DisasterEvent's kind."""

    EARTHQUAKE = "EARTHQUAKE"
    TSUNAMI = "TSUNAMI"
    FLOOD = "FLOOD"
    STORM = "STORM"
    SNOWSTORM = "SNOWSTORM"
    VOLCANO = "VOLCANO"
    FIRE = "FIRE"
    OTHER = "OTHER"
    EXERCISE = "EXERCISE"


class SupportRequestStatus(StrEnum):
    """応援要請: REQUESTED → ANSWERED → DELIVERED → CLOSED; CANCELLED while open.

    A request the partner declined or left unanswered goes from ANSWERED to CLOSED."""

    REQUESTED = "REQUESTED"
    ANSWERED = "ANSWERED"
    DELIVERED = "DELIVERED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class SupportAnswer(StrEnum):
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    NO_ANSWER = "NO_ANSWER"


class VerificationOutcome(StrEnum):
    """One call of the yearly contact check: reached as listed, no answer, or reached
    and the contacts had changed (the new ones are then entered on the partner)."""

    REACHED = "REACHED"
    NO_ANSWER = "NO_ANSWER"
    CHANGED = "CHANGED"


class AgreementDueKind(StrEnum):
    """What falls due in the notice and renewal calendar (rule 20)."""

    NOTICE_DEADLINE = "NOTICE_DEADLINE"
    TERM_END = "TERM_END"
    REVIEW = "REVIEW"
