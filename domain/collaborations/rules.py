"""The guideline's rules for collaborations (協働事業), as pure functions.

- 第3章: the seven forms and what each one fixes are in :mod:`domain.collaborations.forms`.
- 第4章(1)(2): what must be clear before a collaboration starts (:func:`missing_readiness`).
- The status machine (:func:`check_transition`).
- 第4章(3): progress checks on long projects (:func:`progress_overdue`).
- 第4章(4): the closing evaluation (:func:`evaluation_problems`).

Nothing here touches the database; services pass in the values they loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from kyodo.domain.agreements.terms import add_months
from kyodo.domain.enums import CollaborationStatus, ReadinessItem
from kyodo.domain.errors import ErrorCode, Problem
from kyodo.domain.labels import labels
from kyodo.domain.status import StatusMachine
from kyodo.domain.validation import blank_problems, is_blank

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

READINESS_COLUMNS = (
    "purpose",
    "plan",
    "budget_total_yen",
    "starts_on",
    "ends_on",
    "responsibility",
    "city_can_do",
    "city_cannot_do",
)
"""The collaboration's columns :func:`missing_readiness` reads, as keywords of the same
names (the participations' roles and reasons come from its child rows)."""


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
    problems = blank_problems(
        ErrorCode.EVALUATION_REQUIRED,
        [
            (outcomes, "得られた効果や実績を具体的に書いてください。", "outcomes"),
            (
                partner_feedback,
                "パートナーから聞いた意見や感想を書いてください。",
                "partner_feedback",
            ),
        ],
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
