"""An agreement's lifecycle after its draft (協定, 第3章(3), rules 8, 9): conclude
(締結), terminate (解約), expire (期間満了) and the yearly check of emergency contacts.
Every move is asked of the status machine (``domain.agreements.rules.STATUSES``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.agreements import rules, terms
from kyodo.domain.agreements.contacts import (
    AgreementContactData,
    check_contacts,
    check_reachable,
)
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.stored import (
    AGREEMENTS,
    party_ids_of,
    refuse_status,
    replace_contacts,
    support_categories_of,
)
from kyodo.domain.agreements.validation import MAX_REASON
from kyodo.domain.collaborations.screening import unfit_problems_of_collaboration
from kyodo.domain.commanding import move
from kyodo.domain.enums import AgreementCategory, AgreementStatus
from kyodo.domain.errors import DomainError, ErrorCode, Problem


async def conclude_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    concluded_on: date,
    effective_from: date | None,
    today: date,
    actor: str,
) -> Agreement:
    """締結: DRAFT or NEGOTIATING → IN_FORCE (第3章(3), rule 8), recording ``concludedOn``.

    The agreement takes effect on ``effectiveFrom`` when given, else on the start date
    the draft already named, else on the day it was concluded. It needs at least one
    counterparty, and a disaster-support agreement at least one support category.
    ``concludedOn`` is the day it was signed: not after ``today`` (INVALID); a start of
    effect ahead is fine.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if agreement.status == AgreementStatus.IN_FORCE:
        raise rules.STATUSES.refuse("この協定はすでに締結されています。")
    if not rules.STATUSES.allows(agreement.status, AgreementStatus.IN_FORCE):
        refuse_status(
            agreement,
            "締結できません。改めて結ぶときは、amendsId でこの協定を指定した新しい協定を"
            "作ってください",
        )
    problems = conclusion_date_problems(
        concluded_on=concluded_on, effective_from=effective_from, today=today
    )
    problems.raise_if_any()
    has_parties = bool(await party_ids_of(session, agreement_id))
    has_support = agreement.category != AgreementCategory.DISASTER_SUPPORT or bool(
        await support_categories_of(session, agreement_id)
    )
    problems.extend(
        conclusion_problems(
            agreement,
            concluded_on=concluded_on,
            effective_from=effective_from,
            has_parties=has_parties,
            has_support=has_support,
            unfit=await unfit_problems_of_collaboration(
                session, agreement.collaboration_id, doing="締結できません。"
            ),
        )
    )
    problems.raise_if_any()

    return await move(
        change,
        rules.STATUSES,
        AgreementStatus.IN_FORCE,
        concluded_values(agreement, concluded_on=concluded_on, effective_from=effective_from),
        actor=actor,
        action="agreement.conclude",
    )


def conclusion_date_problems(
    *, concluded_on: date, effective_from: date | None, today: date
) -> v.Problems:
    """The dates of a conclusion: within range, ``concluded_on`` not after ``today``
    (checked first: the other checks of :func:`conclusion_problems` need them right)."""
    problems = v.Problems()
    v.check_date(problems, concluded_on, label="締結日", field="concluded_on")
    v.not_after_today(
        problems,
        concluded_on,
        today=today,
        label="締結日",
        field="concluded_on",
        message=(
            f"締結日（{concluded_on.isoformat()}）が今日（{today.isoformat()}）より後です。"
            "締結は署名した日に記録してください（効力の始まる日は先の日にできます）。"
        ),
    )
    v.check_date(problems, effective_from, label="効力の始まる日", field="effective_from")
    return problems


def _starts_on(agreement: Any, concluded_on: date, effective_from: date | None) -> date:
    """The day a concluded agreement takes effect: ``effectiveFrom`` when given, else
    the start the draft named, else the day it was concluded."""
    return effective_from or agreement.effective_from or concluded_on


def concluded_values(
    agreement: Any, *, concluded_on: date, effective_from: date | None
) -> dict[str, Any]:
    """The columns a conclusion sets besides the status (``agreement``: the draft, or
    anything with its term fields)."""
    return {
        "concluded_on": concluded_on,
        "effective_from": _starts_on(agreement, concluded_on, effective_from),
    }


def conclusion_problems(
    agreement: Any,
    *,
    concluded_on: date,
    effective_from: date | None,
    has_parties: bool,
    has_support: bool,
    unfit: Sequence[Problem],
) -> list[Problem]:
    """What keeps a draft (``agreement``: the stored one, or anything with its category
    and term fields) from being concluded, its dates being right: no counterparty, a
    disaster-support agreement without support categories (``has_support``: it has
    some, or needs none), a screened-out collaboration (``unfit``), a term ending
    before the agreement starts."""
    problems = v.Problems()
    if not has_parties:
        problems.extend(
            [
                Problem(
                    ErrorCode.REQUIRED,
                    "相手方が決まっていません。相手方を登録してから締結してください。",
                )
            ]
        )
    if not has_support:
        problems.extend(
            [
                Problem(
                    ErrorCode.REQUIRED,
                    "災害時応援協定には、支援の内容（協定区分）を1つ以上登録してから"
                    "締結してください。",
                )
            ]
        )
    problems.extend(unfit)
    starts_on = _starts_on(agreement, concluded_on, effective_from)
    for problem in terms.term_problems(
        effective_from=starts_on,
        effective_until=agreement.effective_until,
        auto_renewal=agreement.auto_renewal,
        renewal_term_months=agreement.renewal_term_months,
    ):
        if problem.field == "effective_until" and problem.code == ErrorCode.INVALID:
            problems.add(
                ErrorCode.INVALID,
                f"効力の始まる日（{starts_on.isoformat()}）が、期間の終わりの日"
                f"（{agreement.effective_until}）より後になっています。",
                "effective_from" if effective_from else "concluded_on",
            )
        else:
            # Stored term settings at fault: not one of this mutation's arguments.
            problems.extend([Problem(problem.code, problem.message)])
    return problems.items


async def terminate_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    terminated_on: date,
    reason: str | None,
    actor: str,
) -> Agreement:
    """解約: IN_FORCE → TERMINATED with a reason (第3章(3), rule 8).

    The termination takes effect on ``terminatedOn`` (the agreement's last day is the
    day before), which may lie ahead (notice given now). It cannot precede the start of
    the agreement, nor come after its term already ran out — that agreement expired.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if not rules.STATUSES.allows(agreement.status, AgreementStatus.TERMINATED):
        refuse_status(agreement, "解約できません。解約できるのは締結済みの協定だけです")
    problems = v.Problems()
    text = v.clean_text(reason)
    if text is None:
        problems.add(
            ErrorCode.REASON_REQUIRED,
            "解約の理由を、相手方にもわかる言葉で書いてください。",
            "reason",
        )
    else:
        v.optional_text(problems, text, label="解約の理由", field="reason", max_length=MAX_REASON)
    starts_on = agreement.effective_from or agreement.concluded_on
    out_of_range = v.date_problem(terminated_on, label="解約日", field="terminated_on")
    if out_of_range is not None:
        problems.extend([out_of_range])
    elif starts_on is not None and terminated_on < starts_on:
        problems.add(
            ErrorCode.INVALID,
            f"解約日は、協定の効力が始まった日（{starts_on.isoformat()}）以降にしてください。",
            "terminated_on",
        )
    else:
        try:
            ends_on = terms.agreement_term_ends_on(agreement, terminated_on)
        except ValueError:  # renewals run past the calendar's end (year 9999)
            ends_on = None
            problems.add(
                ErrorCode.INVALID, "解約日が遠すぎます。日付を確かめてください。", "terminated_on"
            )
        if (
            ends_on is not None
            and ends_on < date.max
            and terminated_on > ends_on + timedelta(days=1)
        ):
            problems.add(
                ErrorCode.INVALID,
                f"協定の期間は{ends_on.isoformat()}に終わっています。解約ではなく、"
                "期間満了にしてください。",
                "terminated_on",
            )
    problems.raise_if_any()

    return await move(
        change,
        rules.STATUSES,
        AgreementStatus.TERMINATED,
        {"terminated_on": terminated_on, "termination_reason": text},
        actor=actor,
        action="agreement.terminate",
    )


async def transition_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    to: AgreementStatus,
    today: date,
    actor: str,
) -> Agreement:
    """The status changes that need no other input (第3章(3), rule 8).

    DRAFT → NEGOTIATING (talks with the counterparties have begun), and IN_FORCE →
    EXPIRED once the current term has ended by ``today`` without renewal. Expiring
    stores the last term's end as ``effectiveUntil``, so ``isInForce`` and
    ``currentTermEndsOn`` keep answering for the days it was in force. Concluding and
    terminating have their own mutations, as they need dates and a reason.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    current = agreement.status
    values: dict[str, Any] = {}
    if to not in rules.PLAIN_MOVES or not rules.STATUSES.allows(current, to):
        raise rules.STATUSES.refuse(_transition_message(current, to), "to")
    if to == AgreementStatus.EXPIRED:
        ends_on = terms.agreement_term_ends_on(agreement, today)
        if ends_on is None:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                "この協定には期間の終わりがないため、期間満了にはできません。"
                "やめるときは解約してください。",
                "to",
            )
        if ends_on >= today:
            raise DomainError(
                ErrorCode.INVALID_TRANSITION,
                f"協定の期間は{ends_on.isoformat()}まで続いています。期間満了にできるのは、"
                "期間が終わった次の日からです。",
                "to",
            )
        values["effective_until"] = ends_on

    return await move(
        change, rules.STATUSES, to, values, actor=actor, action="agreement.transition"
    )


def _transition_message(current: AgreementStatus, to: AgreementStatus) -> str:
    here, there = rules.STATUSES.label(current), rules.STATUSES.label(to)
    if current == to:
        return f"この協定はすでに「{here}」です。"
    if to == AgreementStatus.IN_FORCE:
        return "締結は agreementConclude で行ってください（締結日が必要です）。"
    if to == AgreementStatus.TERMINATED:
        return "解約は agreementTerminate で行ってください（解約日と理由が必要です）。"
    return (
        f"「{here}」から「{there}」には変えられません。"
        "「下書き」から「協議中」、「締結済み」から「期間満了」にだけ変えられます。"
    )


async def verify_contacts(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    verified_on: date,
    emergency_contacts: Sequence[AgreementContactData],
    today: date,
    actor: str,
) -> Agreement:
    """The yearly check of an agreement's emergency contacts (rule 9).

    Stale contacts are the disaster-management office's main real-world problem: the
    list confirmed with the counterparties replaces the stored one, and
    ``contactsVerifiedOn`` records the day, so ``contactsStale`` is false for a year
    from then. Allowed in any status but EXPIRED and TERMINATED (nobody is bound then).
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if agreement.status in rules.CLOSED:
        refuse_status(agreement, "連絡先を確認する必要はありません")
    party_ids = await party_ids_of(session, agreement_id)
    problems = v.Problems()
    v.check_date(problems, verified_on, label="連絡先を確認した日", field="verified_on")
    v.not_after_today(problems, verified_on, today=today, label="確認した日", field="verified_on")
    if not emergency_contacts:
        problems.add(
            ErrorCode.REQUIRED,
            "確認した緊急連絡先を1件以上入れてください。",
            "emergency_contacts",
        )
    contacts = check_contacts(problems, emergency_contacts, party_ids, prefix="emergency_contacts")
    check_reachable(problems, emergency_contacts, prefix="emergency_contacts")
    problems.raise_if_any()

    await change.write({"contacts_verified_on": verified_on})
    await replace_contacts(session, agreement_id, contacts)
    await change.record(actor=actor, action="agreement.verify_contacts")
    return agreement
