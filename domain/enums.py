"""Enumerations of the collaboration domain.

Values equal their names so that the database, the GraphQL enums and the seeds
all spell them the same way.
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


SUPPORT_CATEGORY_LABELS: dict[SupportCategory, str] = {
    SupportCategory.STAFF_DISPATCH: "職員派遣",
    SupportCategory.SUPPLIES: "物資供給",
    SupportCategory.TRANSPORT: "物資運搬・輸送",
    SupportCategory.MEDICAL_AID: "医療救護",
    SupportCategory.PUBLIC_INFORMATION: "災害広報",
    SupportCategory.EVACUATION_SHELTER: "避難収容",
    SupportCategory.LIFELINE_RESTORATION: "ライフライン復旧",
    SupportCategory.OTHER: "その他",
}


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


ENDORSEMENT_DISQUALIFIER_LABELS: dict[EndorsementDisqualifier, str] = {
    EndorsementDisqualifier.FOR_PROFIT: "営利や私的な利益を目的としている",
    EndorsementDisqualifier.RESTRICTED_AUDIENCE: "特定の市民のみを対象としている",
    EndorsementDisqualifier.INADEQUATE_SAFETY: (
        "安全上及び公衆衛生上の適正な措置が講じられていない"
    ),
    EndorsementDisqualifier.RELIGIOUS_OR_POLITICAL: "宗教的又は政治的色彩を有している",
    EndorsementDisqualifier.AGAINST_PUBLIC_ORDER: "公序良俗に反する",
    EndorsementDisqualifier.RISK_OF_ILLEGALITY: "法令に違反するおそれがある",
    EndorsementDisqualifier.RISK_OF_PUBLIC_CRITICISM: "社会的な非難を受けるおそれがある",
}


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


DISASTER_KIND_LABELS: dict[DisasterKind, str] = {
    DisasterKind.EARTHQUAKE: "地震",
    DisasterKind.TSUNAMI: "津波",
    DisasterKind.FLOOD: "風水害",
    DisasterKind.STORM: "暴風",
    DisasterKind.SNOWSTORM: "大雪・暴風雪",
    DisasterKind.VOLCANO: "火山噴火",
    DisasterKind.FIRE: "大規模火災",
    DisasterKind.OTHER: "その他",
    DisasterKind.EXERCISE: "訓練",
}


class SupportRequestStatus(StrEnum):
    """応援要請: REQUESTED → ANSWERED → DELIVERED → CLOSED; CANCELLED while open.

    A request the partner declined or left unanswered goes from ANSWERED to CLOSED."""

    REQUESTED = "REQUESTED"
    ANSWERED = "ANSWERED"
    DELIVERED = "DELIVERED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


SUPPORT_REQUEST_STATUS_LABELS: dict[SupportRequestStatus, str] = {
    SupportRequestStatus.REQUESTED: "要請済み",
    SupportRequestStatus.ANSWERED: "回答あり",
    SupportRequestStatus.DELIVERED: "提供済み",
    SupportRequestStatus.CLOSED: "完了",
    SupportRequestStatus.CANCELLED: "取消し",
}


class SupportAnswer(StrEnum):
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    NO_ANSWER = "NO_ANSWER"


SUPPORT_ANSWER_LABELS: dict[SupportAnswer, str] = {
    SupportAnswer.ACCEPTED: "受諾",
    SupportAnswer.DECLINED: "辞退",
    SupportAnswer.NO_ANSWER: "応答なし",
}


class VerificationOutcome(StrEnum):
    """One call of the yearly contact check: reached as listed, no answer, or reached
    and the contacts had changed (the new ones are then entered on the partner)."""

    REACHED = "REACHED"
    NO_ANSWER = "NO_ANSWER"
    CHANGED = "CHANGED"


VERIFICATION_OUTCOME_LABELS: dict[VerificationOutcome, str] = {
    VerificationOutcome.REACHED: "連絡がついた",
    VerificationOutcome.NO_ANSWER: "応答なし",
    VerificationOutcome.CHANGED: "連絡先が変わっていた",
}


class AgreementDueKind(StrEnum):
    """What falls due in the notice and renewal calendar (rule 20)."""

    NOTICE_DEADLINE = "NOTICE_DEADLINE"
    TERM_END = "TERM_END"
    REVIEW = "REVIEW"


AGREEMENT_DUE_KIND_LABELS: dict[AgreementDueKind, str] = {
    AgreementDueKind.NOTICE_DEADLINE: "更新しない旨の申出期限",
    AgreementDueKind.TERM_END: "期間満了",
    AgreementDueKind.REVIEW: "見直し",
}
