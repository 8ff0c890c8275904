"""How the values of the domain's enumerations read to people.

:data:`LABELS` is the one place each value's Japanese label (what a person reads:
職員派遣) and description (what it means, the GraphQL description of the value) are
written; messages, exports, imports and the API's ``enumLabels`` query all read them
from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from kyodo.domain.enums import (
    AgreementCategory,
    AgreementDueKind,
    AgreementStatus,
    CollaborationForm,
    CollaborationStatus,
    CommitteeKind,
    DisasterKind,
    EndorsementDisqualifier,
    EndorsementStatus,
    PartnerKind,
    PartnerStatus,
    ProposalChannel,
    ProposalKind,
    ProposalStatus,
    ReadinessItem,
    Role,
    SubsidyApplicationStatus,
    SupportAnswer,
    SupportCategory,
    SupportRequestStatus,
    UnfitGround,
    VerificationOutcome,
)
from kyodo.domain.errors import ErrorCode


@dataclass(frozen=True, slots=True)
class Label:
    """How one enum value reads to people."""

    label: str
    """Japanese label a front end shows, e.g. 職員派遣."""
    description: str
    """What the value means: its GraphQL description (label, then an English note)."""


E = TypeVar("E", bound=StrEnum)

LABELS: Mapping[type[StrEnum], Mapping[Any, Label]] = MappingProxyType(
    {
        CollaborationForm: {
            CollaborationForm.CO_HOSTING: Label(
                "共催",
                "共催: the city and citizens co-organise; cost and responsibility are shared.",
            ),
            CollaborationForm.COMMITTEE: Label(
                "実行委員会・協議会",
                "実行委員会・協議会: a new body funded and staffed by both sides.",
            ),
            CollaborationForm.AGREEMENT: Label(
                "協定",
                "協定: roles agreed in writing for a common purpose (e.g. disaster support).",
            ),
            CollaborationForm.BUSINESS_COOPERATION: Label(
                "事業協力", "事業協力: citizens lead, the city complements, over a set period."
            ),
            CollaborationForm.CONSIGNMENT: Label(
                "委託", "委託: the city contracts out; final responsibility stays with the city."
            ),
            CollaborationForm.SUBSIDY: Label(
                "補助・助成",
                "補助・助成: the city funds a citizen project under time and use limits.",
            ),
            CollaborationForm.ENDORSEMENT: Label(
                "後援", "後援: the city lends its name; no financial support."
            ),
        },
        PartnerKind: {
            PartnerKind.INDIVIDUAL: Label(
                "個人", "個人: an individual volunteer; their name and contacts are personal data."
            ),
            PartnerKind.CITIZEN_GROUP: Label(
                "市民活動団体", "市民活動団体: a citizens' group or volunteer group."
            ),
            PartnerKind.NEIGHBORHOOD_ASSOCIATION: Label(
                "町内会・自治会", "町内会・自治会: a neighbourhood association."
            ),
            PartnerKind.NPO: Label("NPO法人", "NPO法人: a specified non-profit corporation."),
            PartnerKind.COMPANY: Label("企業", "企業: a company or other business."),
            PartnerKind.OTHER_ORGANIZATION: Label(
                "その他の団体", "その他の団体: any other organisation (schools, foundations…)."
            ),
        },
        PartnerStatus: {
            PartnerStatus.ACTIVE: Label("活動中", "活動中: active; can join collaborations."),
            PartnerStatus.INACTIVE: Label(
                "休止中", "休止中: dormant; cannot become party to a new agreement."
            ),
            PartnerStatus.DISSOLVED: Label(
                "解散", "解散: dissolved; kept for the record, cannot join anything new."
            ),
        },
        CollaborationStatus: {
            CollaborationStatus.PLANNING: Label(
                "計画中", "計画中: being planned; may start once ready (第4章(2))."
            ),
            CollaborationStatus.ACTIVE: Label("実施中", "実施中: under way."),
            CollaborationStatus.COMPLETED: Label(
                "完了", "完了: finished; waits for its evaluation (第4章(4))."
            ),
            CollaborationStatus.EVALUATED: Label(
                "評価済み", "評価済み: finished and evaluated with the partners."
            ),
            CollaborationStatus.CANCELLED: Label("中止", "中止: cancelled before completion."),
        },
        ReadinessItem: {
            ReadinessItem.PURPOSE: Label("目的", "目的: what the collaboration is for."),
            ReadinessItem.PLAN: Label("計画", "計画: how it will be carried out."),
            ReadinessItem.COST: Label("経費", "経費: its total cost and who bears what."),
            ReadinessItem.PERIOD: Label("期間", "期間: when it starts and ends."),
            ReadinessItem.RESPONSIBILITY: Label(
                "責任の所在", "責任の所在: who is responsible for what."
            ),
            ReadinessItem.ROLES: Label(
                "役割分担", "役割分担: the partners taking part, each with a role."
            ),
            ReadinessItem.CITY_ROLE: Label(
                "市にできること・できないこと",
                "市にできること・できないこと (第4章(1)): what the city can and cannot do.",
            ),
            ReadinessItem.PARTNER_REASONS: Label(
                "パートナーを選んだ理由と能力",
                "パートナーを選んだ理由と能力 (第2章1): why each partner, and its capacity.",
            ),
        },
        UnfitGround: {
            UnfitGround.RELIGIOUS_ACTIVITY: Label(
                "宗教活動を目的としている", "宗教活動を目的としている (第5章 Q8)."
            ),
            UnfitGround.POLITICAL_ACTIVITY: Label(
                "政治活動を目的としている", "政治活動を目的としている (第5章 Q8)."
            ),
            UnfitGround.HARMS_PUBLIC_INTEREST: Label(
                "公益を害するおそれがある", "公益を害するおそれがある (第5章 Q8)."
            ),
        },
        CommitteeKind: {
            CommitteeKind.EXECUTIVE_COMMITTEE: Label(
                "実行委員会", "実行委員会: time-limited, e.g. for an event."
            ),
            CommitteeKind.COUNCIL: Label("協議会", "協議会: standing body."),
        },
        AgreementStatus: {
            AgreementStatus.DRAFT: Label("下書き", "下書き: being drafted by the city."),
            AgreementStatus.NEGOTIATING: Label(
                "協議中", "協議中: under discussion with the counterparties."
            ),
            AgreementStatus.IN_FORCE: Label("締結済み", "締結済み: concluded and in force."),
            AgreementStatus.EXPIRED: Label("期間満了", "期間満了: its term ended without renewal."),
            AgreementStatus.TERMINATED: Label("解約済み", "解約済み: ended early, with a reason."),
        },
        AgreementCategory: {
            AgreementCategory.DISASTER_SUPPORT: Label(
                "災害時応援協定", "災害時応援協定: help the partner gives in a disaster."
            ),
            AgreementCategory.FACILITY_USE: Label(
                "施設利用", "施設利用: use of the partner's or the city's facilities."
            ),
            AgreementCategory.WASTE_REDUCTION: Label(
                "ごみ減量化", "ごみ減量化: waste reduction and recycling."
            ),
            AgreementCategory.PARTNERSHIP: Label(
                "パートナーシップ協定", "パートナーシップ協定: a general partnership."
            ),
            AgreementCategory.OTHER: Label("その他", "その他: any other purpose."),
        },
        SupportCategory: {
            SupportCategory.STAFF_DISPATCH: Label("職員派遣", "職員派遣"),
            SupportCategory.SUPPLIES: Label("物資供給", "物資供給"),
            SupportCategory.TRANSPORT: Label("物資運搬・輸送", "物資運搬・輸送"),
            SupportCategory.MEDICAL_AID: Label("医療救護", "医療救護"),
            SupportCategory.PUBLIC_INFORMATION: Label("災害広報", "災害広報"),
            SupportCategory.EVACUATION_SHELTER: Label("避難収容", "避難収容"),
            SupportCategory.LIFELINE_RESTORATION: Label("ライフライン復旧", "ライフライン復旧"),
            SupportCategory.OTHER: Label("その他", "その他"),
        },
        SubsidyApplicationStatus: {
            SubsidyApplicationStatus.SUBMITTED: Label("申請済み", "申請済み: received."),
            SubsidyApplicationStatus.UNDER_REVIEW: Label("審査中", "審査中: being reviewed."),
            SubsidyApplicationStatus.APPROVED: Label(
                "交付決定", "交付決定: granted; the grant is counted against the budget."
            ),
            SubsidyApplicationStatus.REJECTED: Label("不交付", "不交付: refused, with a reason."),
            SubsidyApplicationStatus.REPORTED: Label(
                "実績報告済み", "実績報告済み: the actual expenses have been reported."
            ),
            SubsidyApplicationStatus.SETTLED: Label(
                "精算済み", "精算済み: the final amount has been settled."
            ),
            SubsidyApplicationStatus.WITHDRAWN: Label(
                "取り下げ", "取り下げ: withdrawn by the applicant."
            ),
        },
        EndorsementDisqualifier: {
            value: Label(text, text)
            for value, text in (
                (EndorsementDisqualifier.FOR_PROFIT, "営利や私的な利益を目的としている"),
                (EndorsementDisqualifier.RESTRICTED_AUDIENCE, "特定の市民のみを対象としている"),
                (
                    EndorsementDisqualifier.INADEQUATE_SAFETY,
                    "安全上及び公衆衛生上の適正な措置が講じられていない",
                ),
                (
                    EndorsementDisqualifier.RELIGIOUS_OR_POLITICAL,
                    "宗教的又は政治的色彩を有している",
                ),
                (EndorsementDisqualifier.AGAINST_PUBLIC_ORDER, "公序良俗に反する"),
                (EndorsementDisqualifier.RISK_OF_ILLEGALITY, "法令に違反するおそれがある"),
                (
                    EndorsementDisqualifier.RISK_OF_PUBLIC_CRITICISM,
                    "社会的な非難を受けるおそれがある",
                ),
            )
        },
        EndorsementStatus: {
            EndorsementStatus.SUBMITTED: Label("申請中", "申請中: waiting for a decision."),
            EndorsementStatus.APPROVED: Label("承認", "承認: the city lends its name."),
            EndorsementStatus.REJECTED: Label("不承認", "不承認: refused, with a reason."),
            EndorsementStatus.WITHDRAWN: Label("取り下げ", "取り下げ: withdrawn by the organiser."),
        },
        ProposalKind: {
            ProposalKind.PLAN: Label("企画の提案", "企画の提案"),
            ProposalKind.ALTERNATIVE: Label("代替の提案", "代替の提案"),
        },
        ProposalChannel: {
            ProposalChannel.DIRECT: Label("担当部署へ直接", "担当部署へ直接"),
            ProposalChannel.EMAIL: Label("メール", "メール: by e-mail."),
            ProposalChannel.LETTER: Label("投書", "投書"),
            ProposalChannel.PUBLIC_HEARING: Label("広聴事業", "広聴事業"),
            ProposalChannel.OTHER: Label("その他", "その他: any other way."),
        },
        ProposalStatus: {
            ProposalStatus.RECEIVED: Label("受付", "受付: received, not yet answered."),
            ProposalStatus.UNDER_CONSIDERATION: Label(
                "検討中", "検討中: the department is considering it."
            ),
            ProposalStatus.ADOPTED: Label("採用", "採用: adopted; may become a collaboration."),
            ProposalStatus.NOT_ADOPTED: Label(
                "不採用", "不採用: not adopted; the response gives the reason."
            ),
        },
        Role: {
            Role.PUBLIC: Label(
                "一般（トークンなし）", "Anonymous: published information only, no personal data."
            ),
            Role.STAFF: Label("職員", "City staff: read all, write within their department."),
            Role.DISASTER_OFFICE: Label(
                "危機管理室", "危機管理室: reads agreements and emergency contacts."
            ),
            Role.INTEGRATION: Label(
                "連携スクリプト", "Machine client that seeds and syncs partner data."
            ),
            Role.ADMIN: Label("管理者", "Administrator: everything, audit events included."),
        },
        DisasterKind: {
            DisasterKind.EARTHQUAKE: Label("地震", "地震: earthquake."),
            DisasterKind.TSUNAMI: Label("津波", "津波: tsunami."),
            DisasterKind.FLOOD: Label("風水害", "風水害: heavy rain, flood or landslide."),
            DisasterKind.STORM: Label("暴風", "暴風: storm or typhoon."),
            DisasterKind.SNOWSTORM: Label("大雪・暴風雪", "大雪・暴風雪: heavy snow or blizzard."),
            DisasterKind.VOLCANO: Label("火山噴火", "火山噴火: volcanic eruption."),
            DisasterKind.FIRE: Label("大規模火災", "大規模火災: large fire."),
            DisasterKind.OTHER: Label("その他", "その他: any other disaster."),
            DisasterKind.EXERCISE: Label("訓練", "訓練: an exercise, not a real disaster."),
        },
        SupportRequestStatus: {
            SupportRequestStatus.REQUESTED: Label(
                "要請済み", "要請済み: asked under the agreement; no answer recorded yet."
            ),
            SupportRequestStatus.ANSWERED: Label(
                "回答あり", "回答あり: the partner accepted, declined or did not answer."
            ),
            SupportRequestStatus.DELIVERED: Label(
                "提供済み", "提供済み: the accepted help has been delivered."
            ),
            SupportRequestStatus.CLOSED: Label("完了", "完了: finished; read-only."),
            SupportRequestStatus.CANCELLED: Label(
                "取消し", "取消し: cancelled by the city while open, with a reason."
            ),
        },
        SupportAnswer: {
            SupportAnswer.ACCEPTED: Label("受諾", "受諾: the partner will help."),
            SupportAnswer.DECLINED: Label("辞退", "辞退: the partner cannot help."),
            SupportAnswer.NO_ANSWER: Label(
                "応答なし", "応答なし: the partner could not be reached."
            ),
        },
        VerificationOutcome: {
            VerificationOutcome.REACHED: Label(
                "連絡がついた", "連絡がついた: reached; the contacts are as listed."
            ),
            VerificationOutcome.NO_ANSWER: Label("応答なし", "応答なし: nobody answered."),
            VerificationOutcome.CHANGED: Label(
                "連絡先が変わっていた",
                "連絡先が変わっていた: reached, but the contacts had changed (enter the new ones).",
            ),
        },
        AgreementDueKind: {
            AgreementDueKind.NOTICE_DEADLINE: Label(
                "更新しない旨の申出期限",
                "更新しない旨の申出期限: last day to give notice of not renewing.",
            ),
            AgreementDueKind.TERM_END: Label("期間満了", "期間満了: the current term ends."),
            AgreementDueKind.REVIEW: Label(
                "見直し", "見直し: the collaboration the agreement is made for is due for review."
            ),
        },
        ErrorCode: {
            ErrorCode.INVALID: Label(
                "入力の誤り", "入力の誤り: a value is malformed or out of range."
            ),
            ErrorCode.REQUIRED: Label("必須", "必須: a required value is missing."),
            ErrorCode.NOT_FOUND: Label(
                "見つからない", "見つからない: no such record, or not visible to the caller."
            ),
            ErrorCode.DUPLICATE: Label(
                "重複", "重複: a unique value (法人番号, externalId…) is already used."
            ),
            ErrorCode.VERSION_CONFLICT: Label(
                "更新の競合",
                "The record changed since the client read it (expectedVersion mismatch).",
            ),
            ErrorCode.INVALID_TRANSITION: Label(
                "状態を変えられない", "状態を変えられない: the status cannot move that way."
            ),
            ErrorCode.NOT_READY: Label(
                "準備不足",
                "第4章(2): purpose, plan, cost, period, responsibility or roles missing.",
            ),
            ErrorCode.EVALUATION_REQUIRED: Label(
                "評価が必要", "An evaluation must be recorded first."
            ),
            ErrorCode.REASON_REQUIRED: Label(
                "理由が必要", "A reason must be given (e.g. a proposal not adopted)."
            ),
            ErrorCode.OVER_MAX_AMOUNT: Label(
                "上限額超過", "上限額超過: more than the program's maximum per grant."
            ),
            ErrorCode.OVER_BUDGET: Label(
                "予算超過", "予算超過: more than the program's remaining budget."
            ),
            ErrorCode.EXPENSE_NOT_ALLOWED: Label(
                "対象外の経費", "対象外の経費: an expense category the program does not pay for."
            ),
            ErrorCode.CONSECUTIVE_YEARS_EXCEEDED: Label(
                "連続年数超過",
                "連続年数超過: granted more consecutive fiscal years than the program allows.",
            ),
            ErrorCode.DEADLINE_PASSED: Label(
                "期限切れ", "期限切れ: the application deadline has passed."
            ),
            ErrorCode.OVER_SUBSIDY_RATE: Label(
                "補助率超過", "補助率超過: more than the program's 補助率 of the total cost."
            ),
            ErrorCode.ENDORSEMENT_DISQUALIFIED: Label(
                "後援できない", "後援できない: one of the seven grounds of 第3章(7) applies."
            ),
            ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED: Label(
                "財政支援なし", "財政支援なし: an endorsement (後援) carries no money."
            ),
            ErrorCode.INVALID_CORPORATE_NUMBER: Label(
                "法人番号の誤り", "法人番号の誤り: not 13 digits with a valid check digit."
            ),
            ErrorCode.FORBIDDEN: Label("権限なし", "権限なし: the caller's role may not do this."),
            ErrorCode.UNFIT_FOR_COLLABORATION: Label(
                "協働に適さない",
                "協働に適さない (第5章 Q8): religious or political activity, or harm to the "
                "public interest.",
            ),
            ErrorCode.INVESTIGATION_REQUIRED: Label(
                "検討が必要",
                "検討が必要 (第2章3): investigate the background and consider support first.",
            ),
        },
    }
)
"""Label and description of every value of every enum the API shows."""


def label_of(value: StrEnum) -> str:
    """The Japanese label of one enum value."""
    return LABELS[type(value)][value].label


def labels(enum: type[E]) -> dict[E, str]:
    """The Japanese label of each value of ``enum``, in declaration order."""
    table = LABELS[enum]
    return {value: table[value].label for value in enum}


SUPPORT_CATEGORY_LABELS: dict[SupportCategory, str] = labels(SupportCategory)
UNFIT_GROUND_LABELS: dict[UnfitGround, str] = labels(UnfitGround)
ENDORSEMENT_DISQUALIFIER_LABELS: dict[EndorsementDisqualifier, str] = labels(
    EndorsementDisqualifier
)
DISASTER_KIND_LABELS: dict[DisasterKind, str] = labels(DisasterKind)
SUPPORT_REQUEST_STATUS_LABELS: dict[SupportRequestStatus, str] = labels(SupportRequestStatus)
SUPPORT_ANSWER_LABELS: dict[SupportAnswer, str] = labels(SupportAnswer)
VERIFICATION_OUTCOME_LABELS: dict[VerificationOutcome, str] = labels(VerificationOutcome)
AGREEMENT_DUE_KIND_LABELS: dict[AgreementDueKind, str] = labels(AgreementDueKind)
