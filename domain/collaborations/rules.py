"""The guideline's rules for collaborations (協働事業), as pure functions.

- 第3章: the seven forms and what each one fixes (:data:`FORM_INFO`, :func:`form_problems`).
- 第4章(1)(2): what must be clear before a collaboration starts (:func:`missing_readiness`).
- The status machine (:func:`check_transition`).
- 第4章(3): progress checks on long projects (:func:`progress_overdue`).
- 第4章(4): the closing evaluation (:func:`evaluation_problems`).

Nothing here touches the database; services pass in the values they loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from kyodo.domain.agreements.terms import add_months
from kyodo.domain.enums import CollaborationForm, CollaborationStatus, CommitteeKind, ReadinessItem
from kyodo.domain.errors import ErrorCode, Problem
from kyodo.domain.labels import LABELS, labels
from kyodo.domain.status import StatusMachine
from kyodo.domain.validation import is_blank

# ------------------------------------------------------------------ readiness, 第4章(1)(2)

READINESS_LABELS: dict[ReadinessItem, str] = labels(ReadinessItem)

# Where in CollaborationInput each item is filled in, so a front end can point at it.
READINESS_FIELDS: dict[ReadinessItem, str] = {
    ReadinessItem.PURPOSE: "purpose",
    ReadinessItem.PLAN: "plan",
    ReadinessItem.COST: "budget.total_yen",
    ReadinessItem.PERIOD: "starts_on",
    ReadinessItem.RESPONSIBILITY: "responsibility",
    ReadinessItem.ROLES: "participations",
    ReadinessItem.CITY_ROLE: "city_can_do",
    ReadinessItem.PARTNER_REASONS: "participations",
}

_READINESS_MESSAGES: dict[ReadinessItem, str] = {
    ReadinessItem.PURPOSE: "始める前に、事業の目的を書いてください。",
    ReadinessItem.PLAN: "始める前に、事業の計画を書いてください。",
    ReadinessItem.COST: "始める前に、経費（事業費の合計）を決めてください。",
    ReadinessItem.PERIOD: (
        "始める前に、期間（始まりの日と終わりの日）を決めてください。"
        "終わりの日は始まりの日より後にしてください。"
    ),
    ReadinessItem.RESPONSIBILITY: (
        "始める前に、責任の所在（誰が何に責任を持つか）を書いてください。"
    ),
    ReadinessItem.ROLES: ("始める前に、参加するパートナーを決め、全員の役割分担を書いてください。"),
    ReadinessItem.CITY_ROLE: (
        "始める前に、市にできること、できないことを書いて、相手方に伝えてください。"
    ),
    ReadinessItem.PARTNER_REASONS: (
        "始める前に、パートナーごとに、なぜその相手方と協働するのか（理由）と、"
        "事業をやり遂げる能力があるか（能力）を書いてください。"
    ),
}


_blank = is_blank


def missing_readiness(
    *,
    purpose: str | None,
    plan: str | None,
    budget_total_yen: int | None,
    starts_on: date | None,
    ends_on: date | None,
    responsibility: str | None,
    participation_roles: Sequence[str | None],
    city_can_do: str | None,
    city_cannot_do: str | None,
    participation_reasons: Sequence[tuple[str | None, str | None]],
) -> list[ReadinessItem]:
    """What 第4章(2) asks to be clear, and is not yet, before a collaboration starts.

    目的, 計画, 経費, 期間 and 責任の所在 (第4章(2)), plus every partner's role
    (役割分担, 第4章(1)). Returned in :class:`ReadinessItem` order; empty means ready.

    - Text that is empty or only spaces counts as missing: it states nothing.
    - A budget total of 0 yen is a stated cost (some collaborations cost nothing);
      only an absent total is missing.
    - A period needs both dates, and cannot end before it starts.
    - Roles are missing when no partner takes part yet, or any partner's role is blank.
    - 第4章(1) asks the city to say plainly what it can and cannot do: both texts.
    - 第2章1 asks why this partner and whether it can carry the work: every
      participation's ``(reason, capacity)`` pair, both non-blank.
    """
    missing: list[ReadinessItem] = []
    if _blank(purpose):
        missing.append(ReadinessItem.PURPOSE)
    if _blank(plan):
        missing.append(ReadinessItem.PLAN)
    if budget_total_yen is None:
        missing.append(ReadinessItem.COST)
    if starts_on is None or ends_on is None or ends_on < starts_on:
        missing.append(ReadinessItem.PERIOD)
    if _blank(responsibility):
        missing.append(ReadinessItem.RESPONSIBILITY)
    if not participation_roles or any(_blank(role) for role in participation_roles):
        missing.append(ReadinessItem.ROLES)
    missing.extend(
        missing_parts(
            city_can_do=city_can_do,
            city_cannot_do=city_cannot_do,
            participation_reasons=participation_reasons,
        )
    )
    return missing


def missing_parts(
    *,
    city_can_do: str | None,
    city_cannot_do: str | None,
    participation_reasons: Sequence[tuple[str | None, str | None]],
) -> list[ReadinessItem]:
    """The items of 第4章(1) and 第2章1 among :func:`missing_readiness`' (rule 17):
    CITY_ROLE and PARTNER_REASONS, the two checked since issue 11."""
    missing: list[ReadinessItem] = []
    if _blank(city_can_do) or _blank(city_cannot_do):
        missing.append(ReadinessItem.CITY_ROLE)
    if not participation_reasons or any(
        _blank(reason) or _blank(capacity) for reason, capacity in participation_reasons
    ):
        missing.append(ReadinessItem.PARTNER_REASONS)
    return missing


def readiness_problems(missing: Iterable[ReadinessItem]) -> list[Problem]:
    """One ``NOT_READY`` problem per missing item (第4章(2)), for refusing PLANNING→ACTIVE."""
    return [
        Problem(ErrorCode.NOT_READY, _READINESS_MESSAGES[item], READINESS_FIELDS[item])
        for item in sorted(set(missing), key=list(ReadinessItem).index)
    ]


# ------------------------------------------------------------------ the seven forms, 第3章


@dataclass(frozen=True, slots=True)
class FormInfo:
    """Label and fixed rules of one collaboration form (第3章), for front ends to show."""

    form: CollaborationForm
    label: str
    description: str
    city_bears_final_responsibility: bool
    financial_support_allowed: bool


def _form(
    form: CollaborationForm,
    description: str,
    *,
    city_bears_final_responsibility: bool = False,
    financial_support_allowed: bool = True,
) -> FormInfo:
    return FormInfo(
        form=form,
        label=LABELS[CollaborationForm][form].label,
        description=description,
        city_bears_final_responsibility=city_bears_final_responsibility,
        financial_support_allowed=financial_support_allowed,
    )


# Descriptions follow the wording of 第3章(1)–(7), lightly simplified.
FORM_INFO: Mapping[CollaborationForm, FormInfo] = MappingProxyType(
    {
        info.form: info
        for info in (
            _form(
                CollaborationForm.CO_HOSTING,
                "市民と市がともに主催者となって事業を企画・実施する形で、"
                "経費の負担や社会的な責任は双方にあります。",
            ),
            _form(
                CollaborationForm.COMMITTEE,
                "市民と市が資金や人手を出し合って新しい組織をつくり、"
                "その組織が主催者となって取り組む形です。",
            ),
            _form(
                CollaborationForm.AGREEMENT,
                "市民と市が共通の目的を果たすため、それぞれの役割などを話し合って決め、"
                "協力し合う形です。",
            ),
            _form(
                CollaborationForm.BUSINESS_COOPERATION,
                "市民と市が互いの持ち味を生かし、一定の期間続けて協力する形で、"
                "市民が中心となって行う事業を市が補います。",
            ),
            _form(
                CollaborationForm.CONSIGNMENT,
                "市が行うより効率的・効果的にできる事業の全部または一部を任せる形で、"
                "事業の最終的な責任は市にあります。",
                city_bears_final_responsibility=True,
            ),
            _form(
                CollaborationForm.SUBSIDY,
                "市民が行う事業を市が補助金などでお金の面から支える形で、"
                "相手の自主性を損なわないよう期限や使い道に決まりを設けます。",
            ),
            _form(
                CollaborationForm.ENDORSEMENT,
                "市民が主催する事業に市が後援者として名前を連ねる形で、"
                "お金の面での支援はありません。",
                financial_support_allowed=False,
            ),
        )
    }
)


def budget_share_problems(
    *,
    budget_total_yen: int | None,
    city_share_yen: int | None,
    partner_share_yen: int | None,
) -> list[Problem]:
    """The city's and the partner's shares add up to at most the budget total (rule 18).

    A share is part of the total, so 900,000 + 900,000 yen cannot be shares of 1,000
    yen (``INVALID`` on ``input.budget``). Unstated shares count as 0; without a total
    there is nothing to compare with. Negative amounts are refused elsewhere.
    """
    if budget_total_yen is None:
        return []
    city, partner = city_share_yen or 0, partner_share_yen or 0
    if min(budget_total_yen, city, partner) < 0:
        return []
    shares = city + partner
    if shares <= budget_total_yen:
        return []
    return [
        Problem(
            ErrorCode.INVALID,
            f"市の負担額（{city:,}円）とパートナーの負担額"
            f"（{partner:,}円）の合計（{shares:,}円）が、"
            f"経費の合計（{budget_total_yen:,}円）を超えています。",
            "budget",
        )
    ]


def form_problems_always(
    *,
    forms: Iterable[CollaborationForm],
    city_share_yen: int | None,
    budget_total_yen: int | None = None,
    partner_share_yen: int | None = None,
) -> list[Problem]:
    """Rules that hold at every moment: checked on create and update as well as on start.

    - A 後援 (ENDORSEMENT) lends the city's name and no money (第3章(7)), so the city's
      share must be absent or 0 (``FINANCIAL_SUPPORT_NOT_ALLOWED``). It is refused as
      soon as it is entered, because money promised and then withdrawn at start-up
      would mislead the partner.
    - The shares add up to at most the total (:func:`budget_share_problems`, rule 18).
    """
    problems: list[Problem] = []
    if CollaborationForm.ENDORSEMENT in set(forms) and city_share_yen not in (None, 0):
        problems.append(
            Problem(
                ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED,
                "後援では市からお金を出せません。市の負担額は0円にするか、空けておいてください。",
                "budget.city_share_yen",
            )
        )
    problems.extend(
        budget_share_problems(
            budget_total_yen=budget_total_yen,
            city_share_yen=city_share_yen,
            partner_share_yen=partner_share_yen,
        )
    )
    return problems


def form_problems(
    *,
    forms: Iterable[CollaborationForm],
    city_share_yen: int | None,
    partner_share_yen: int | None,
    budget_total_yen: int | None = None,
    committee_name: str | None,
    committee_kind: CommitteeKind | None,
    committee_dissolves_on: date | None,
    participations_is_lead: Sequence[bool],
    responsibility: str | None,
) -> list[Problem]:
    """Everything the chosen forms require before a collaboration starts (第3章, rule 3).

    Checked when moving PLANNING→ACTIVE, together with :func:`missing_readiness`. While
    planning, these may still be incomplete; only :func:`form_problems_always` (included
    here too) is refused earlier. Problems come in form order:

    - 共催 (第3章(1)): cost and responsibility are shared, so both the city's and the
      partner's share are stated (``NOT_READY``).
    - 実行委員会・協議会 (第3章(2)): the new body has a name; an 実行委員会 is a
      time-limited body, so it also has a dissolution date (``NOT_READY``).
    - 事業協力 (第3章(4)): citizens lead and the city complements, so at least one partner
      is marked lead (``NOT_READY``).
    - 委託 (第3章(5)): the city keeps final responsibility, so who is responsible for what
      is written down (``NOT_READY``).
    - 後援 (第3章(7)): no city money (``FINANCIAL_SUPPORT_NOT_ALLOWED``).
    - Every form: the shares add up to at most the total (``INVALID``, rule 18).
    """
    chosen = set(forms)
    problems: list[Problem] = []
    if CollaborationForm.CO_HOSTING in chosen:
        if city_share_yen is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "共催では経費を双方で負担します。市の負担額を入れてください（0円も可）。",
                    "budget.city_share_yen",
                )
            )
        if partner_share_yen is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "共催では経費を双方で負担します。"
                    "パートナーの負担額を入れてください（0円も可）。",
                    "budget.partner_share_yen",
                )
            )
    if CollaborationForm.COMMITTEE in chosen:
        if _blank(committee_name):
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "実行委員会・協議会の形で行うときは、その会の名前を入れてください。",
                    "committee.name",
                )
            )
        if committee_kind is CommitteeKind.EXECUTIVE_COMMITTEE and committee_dissolves_on is None:
            problems.append(
                Problem(
                    ErrorCode.NOT_READY,
                    "実行委員会は期間を限った会です。解散する日を入れてください。",
                    "committee.dissolves_on",
                )
            )
    if CollaborationForm.BUSINESS_COOPERATION in chosen and not any(participations_is_lead):
        problems.append(
            Problem(
                ErrorCode.NOT_READY,
                "事業協力では市民が中心になって進めます。"
                "中心となるパートナーを1つ以上選んでください。",
                "participations",
            )
        )
    if CollaborationForm.CONSIGNMENT in chosen and _blank(responsibility):
        problems.append(
            Problem(
                ErrorCode.NOT_READY,
                "委託では事業の最終的な責任は市にあります。責任の所在を書いてください。",
                "responsibility",
            )
        )
    problems.extend(
        form_problems_always(
            forms=chosen,
            city_share_yen=city_share_yen,
            budget_total_yen=budget_total_yen,
            partner_share_yen=partner_share_yen,
        )
    )
    return problems


# ------------------------------------------------------------------ status machine, rule 4

_C = CollaborationStatus
STATUSES: StatusMachine[CollaborationStatus] = StatusMachine(
    "協働事業",
    {
        _C.PLANNING: {_C.ACTIVE, _C.CANCELLED},
        _C.ACTIVE: {_C.COMPLETED, _C.CANCELLED},
        _C.COMPLETED: {_C.EVALUATED},
        # A finished or cancelled collaboration is history; its evaluation stays as
        # the lesson learned (第4章(4)), so nothing reopens it.
        _C.EVALUATED: (),
        _C.CANCELLED: (),
    },
    field="to",
)
STATUS_LABELS = STATUSES.labels
ALLOWED_TRANSITIONS = STATUSES.transitions


def check_transition(current: CollaborationStatus, to: CollaborationStatus) -> None:
    """Refuse a status change the status machine does not allow (rule 4).

    PLANNING→ACTIVE→COMPLETED→EVALUATED, and PLANNING or ACTIVE→CANCELLED. Anything
    else raises ``DomainError(INVALID_TRANSITION)`` on the field ``to``. The rules for
    *entering* a state (readiness, evaluation) are separate checks.
    """
    STATUSES.check(current, to)


# ------------------------------------------------------------------ evaluation, 第4章(4)

RATING_MIN, RATING_MAX = 1, 5


def evaluation_problems(
    *, outcomes: str | None, partner_feedback: str | None, rating: int | None
) -> list[Problem]:
    """What an evaluation lacks before COMPLETED→EVALUATED (第4章(4), rule 5).

    The guideline asks for the effects and results achieved (``outcomes``) and the
    partner's opinions (``partner_feedback``); both must say something
    (``EVALUATION_REQUIRED``). A rating, when given, is 1 to 5 (``INVALID``).
    """
    problems: list[Problem] = []
    if _blank(outcomes):
        problems.append(
            Problem(
                ErrorCode.EVALUATION_REQUIRED,
                "得られた効果や実績を具体的に書いてください。",
                "outcomes",
            )
        )
    if _blank(partner_feedback):
        problems.append(
            Problem(
                ErrorCode.EVALUATION_REQUIRED,
                "パートナーから聞いた意見や感想を書いてください。",
                "partner_feedback",
            )
        )
    if rating is not None and not RATING_MIN <= rating <= RATING_MAX:
        problems.append(
            Problem(
                ErrorCode.INVALID,
                f"評価は{RATING_MIN}から{RATING_MAX}までの数で入れてください。",
                "rating",
            )
        )
    return problems


# ------------------------------------------------------------------ progress, 第4章(3)

LONG_PROJECT_DAYS = 365
PROGRESS_INTERVAL_MONTHS = 6


def progress_overdue(
    *, starts_on: date | None, ends_on: date | None, last_report_on: date | None, as_of: date
) -> bool:
    """Whether a long project is due a progress check (第4章(3), rule 6).

    The guideline asks partners on long projects to check progress together from time
    to time. Here "long" is more than a year (``ends_on - starts_on`` over 365 days) and
    "overdue" is no report for six months: the last report — or the start, if there is
    none yet or the last one predates the start — is before ``as_of`` minus six months
    (month-end safe: 2024-08-31 looks back to 2024-02-29). Projects without both dates,
    or not yet started on ``as_of``, are never flagged. Callers decide which statuses
    report at all (normally only ACTIVE).
    """
    if starts_on is None or ends_on is None:
        return False
    if (ends_on - starts_on).days <= LONG_PROJECT_DAYS or as_of < starts_on:
        return False
    # A planning note filed before the start should not make a fresh project look late.
    last_check = starts_on if last_report_on is None else max(starts_on, last_report_on)
    return last_check < add_months(as_of, -PROGRESS_INTERVAL_MONTHS)
