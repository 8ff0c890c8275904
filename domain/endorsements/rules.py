"""The guideline's rules for endorsements (後援, 第3章(7)), as pure functions.

An endorsement lends the city's name to an event citizens organise; no money flows. The
name may be lent only when the event is judged to advance the city's policies, and not
when any of the seven grounds listed in 第3章(7) applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kyodo.domain.enums import EndorsementDisqualifier, EndorsementStatus
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.labels import ENDORSEMENT_DISQUALIFIER_LABELS
from kyodo.domain.status import StatusMachine

POLICY_NOT_JUDGED = "市の施策の推進に役立つかどうか、まだ判断されていません。"
POLICY_NOT_CONTRIBUTING = "市の施策の推進に役立つとは認められないため、後援できません。"

_ORDER = {d: i for i, d in enumerate(EndorsementDisqualifier)}

_E = EndorsementStatus
STATUSES: StatusMachine[EndorsementStatus] = StatusMachine(
    "申請",
    {
        _E.SUBMITTED: {_E.APPROVED, _E.REJECTED, _E.WITHDRAWN},
        # An organiser may withdraw while waiting for the answer, and also after approval
        # (the event is called off): the city's name must not stay attached to an event
        # that will not take place.
        _E.APPROVED: {_E.WITHDRAWN},
        _E.REJECTED: (),
        _E.WITHDRAWN: (),
    },
)
ENDORSEMENT_STATUS_LABELS = STATUSES.labels


@dataclass(frozen=True, slots=True)
class Screening:
    """The outcome of checking an application against 第3章(7).

    ``reasons`` are plain Japanese sentences, one per disqualifier (in enum order) and
    one more when the contribution to city policy is not (yet) affirmed.
    """

    eligible: bool
    disqualifiers: tuple[EndorsementDisqualifier, ...]
    reasons: tuple[str, ...]


def disqualifier_reason(disqualifier: EndorsementDisqualifier) -> str:
    """'営利や私的な利益を目的としているため、後援できません。' and so on."""
    return f"{ENDORSEMENT_DISQUALIFIER_LABELS[disqualifier]}ため、後援できません。"


def screen(
    *,
    disqualifiers: Iterable[EndorsementDisqualifier | str],
    contributes_to_city_policy: bool | None,
) -> Screening:
    """Screen an endorsement application (第3章(7), rule 11).

    Eligible only when none of the seven grounds applies and staff have judged that the
    event advances city policy (``contributes_to_city_policy is True``). Not judged yet
    (None) is not eligible: the name is lent on a positive judgement, not by default.
    Disqualifiers may be given as names (as stored in JSON); unknown names raise
    ``ValueError``. Duplicates are dropped and the order is the guideline's.
    """
    found = sorted({EndorsementDisqualifier(d) for d in disqualifiers}, key=_ORDER.__getitem__)
    reasons = [disqualifier_reason(d) for d in found]
    if contributes_to_city_policy is None:
        reasons.append(POLICY_NOT_JUDGED)
    elif not contributes_to_city_policy:
        reasons.append(POLICY_NOT_CONTRIBUTING)
    return Screening(
        eligible=not found and contributes_to_city_policy is True,
        disqualifiers=tuple(found),
        reasons=tuple(reasons),
    )


def funding_problem(requested_funding_yen: int | None) -> Problem | None:
    """An endorsement comes without money (第3章(7): 財政的な支援等はありません).

    Any amount above 0 is ``FINANCIAL_SUPPORT_NOT_ALLOWED``; a negative amount is
    meaningless (``INVALID``). Absent or 0 is fine.
    """
    field = "requested_funding_yen"
    if requested_funding_yen is None or requested_funding_yen == 0:
        return None
    if requested_funding_yen < 0:
        return Problem(ErrorCode.INVALID, "金額は0円以上で入れてください。", field)
    return Problem(
        ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED,
        "後援では市からお金を出せません。補助金が必要な場合は、補助・助成の制度を"
        "担当課に相談してください。",
        field,
    )


def check_endorsement_decision(
    *,
    status: EndorsementStatus,
    approve: bool,
    screening: Screening,
    reason: str | None,
) -> None:
    """Refuse a decision on an endorsement application that breaks rule 11 (第3章(7)).

    - Only a SUBMITTED application can be decided (``INVALID_TRANSITION``).
    - Approving needs an eligible screening (``ENDORSEMENT_DISQUALIFIED``, one problem
      per reason, so the screen can show them all).
    - Rejecting needs a reason the organiser can read (``REASON_REQUIRED``).

    ``screening`` should be made with the contribution judgement given in the decision.
    """
    decided = EndorsementStatus.APPROVED if approve else EndorsementStatus.REJECTED
    if not STATUSES.allows(status, decided):
        (deciding,) = STATUSES.sources(decided)
        raise STATUSES.refuse(
            f"「{STATUSES.label(status)}」の申請は決定できません。"
            f"決定できるのは「{STATUSES.label(deciding)}」の申請だけです。"
        )
    if approve:
        if not screening.eligible:
            raise DomainError(problems=_disqualified_problems(screening))
        return
    if reason is None or not reason.strip():
        raise DomainError(
            ErrorCode.REASON_REQUIRED,
            "後援しない理由を、主催者にわかる言葉で書いてください。",
            "reason",
        )


def _disqualified_problems(screening: Screening) -> list[Problem]:
    problems = [
        Problem(
            ErrorCode.ENDORSEMENT_DISQUALIFIED,
            text,
            # The policy judgement is an argument of the decision; the seven grounds
            # come from the application itself, so they point at no argument.
            "contributes_to_city_policy"
            if text in (POLICY_NOT_JUDGED, POLICY_NOT_CONTRIBUTING)
            else None,
        )
        for text in screening.reasons
    ]
    # A screening made by screen() always has a reason when ineligible; a hand-built one
    # might not, and the refusal must still say something.
    return problems or [
        Problem(
            ErrorCode.ENDORSEMENT_DISQUALIFIED,
            "後援の条件を満たしていないため、承認できません。",
        )
    ]
