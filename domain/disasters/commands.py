"""The activation log (応援要請, rule 21): the support requested under agreements during a
disaster event (the events themselves: ``domain.disasters.events``).

A request names an agreement in force on the day it was made, a party of that agreement
that is still active, and one of the agreement's support categories. Its status machine
(``domain.disasters.rules.REQUEST_STATUSES``; moves through ``domain.commanding.move``):

    REQUESTED → ANSWERED → DELIVERED → CLOSED
    REQUESTED / ANSWERED → CANCELLED (with a reason)

The partner's answer is ACCEPTED, DECLINED or NO_ANSWER; only an accepted request is
delivered, and a declined or unanswered one is closed from ANSWERED. Every step records
its time and who recorded it (:data:`STEPS`); closed and cancelled requests are read-only.

Like every command: flushes, never commits; one audit event per call; a refused call
raises ``DomainError`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.base import utcnow
from kyodo.domain.commanding import move
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.disasters.moments import check_moment, in_utc, tokyo_day
from kyodo.domain.disasters.rules import MAX_NOTE, REQUEST_STATUSES
from kyodo.domain.disasters.targets import check_request_target
from kyodo.domain.enums import (
    SupportAnswer,
    SupportCategory,
    SupportRequestStatus,
)
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.versioning import get_or_raise
from kyodo.domain.writes import Audited, Change, fields_snapshot

REQUEST = "SupportRequest"
REQUEST_LABEL = "応援要請"

REQUEST_FIELDS = (
    "event_id",
    "agreement_id",
    "partner_id",
    "category",
    "what",
    "quantity",
    "unit",
    "status",
    "requested_by",
    "requested_at",
    "answer",
    "answered_at",
    "answered_by",
    "answer_note",
    "delivered_at",
    "delivered_by",
    "delivery_note",
    "closed_at",
    "closed_by",
    "close_note",
)

REQUESTS = Audited(
    SupportRequest,
    entity_type=REQUEST,
    label=REQUEST_LABEL,
    snapshot=fields_snapshot(REQUEST_FIELDS),
)


@dataclass
class SupportRequestData:
    event_id: int
    agreement_id: int
    partner_id: int
    category: SupportCategory
    what: str | None
    quantity: int | None = None
    unit: str | None = None
    requested_by: str | None = None
    requested_at: datetime | None = None
    external_id: str | None = None


async def create_request(
    session: AsyncSession, *, data: SupportRequestData, today: date, actor: str
) -> SupportRequest:
    """応援要請: ask a party for support under an agreement during an open event."""
    event = await get_or_raise(
        session, DisasterEvent, data.event_id, label="災害", field="event_id"
    )
    if event.closed_on is not None:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "終了した災害には応援要請を追加できません。",
            "event_id",
        )
    problems = v.Problems()
    requested_at = in_utc(data.requested_at or utcnow())
    check_moment(problems, requested_at, label="要請日時", field="requested_at", today=today)
    day = tokyo_day(requested_at)
    if not problems and day < event.started_on:
        problems.add(
            ErrorCode.INVALID,
            f"要請日時は災害の発生日（{event.started_on.isoformat()}）以降にしてください。",
            "requested_at",
        )
    what = v.column_text(
        problems, data.what, SupportRequest.what, label="要請の内容", required=True
    )
    if data.quantity is not None and data.quantity <= 0:
        problems.add(ErrorCode.INVALID, "数量は1以上で入力してください。", "quantity")
    unit = v.column_text(problems, data.unit, SupportRequest.unit, label="単位")
    requested_by = v.column_text(
        problems, data.requested_by, SupportRequest.requested_by, label="要請した人"
    )
    external_id = v.column_text(
        problems, data.external_id, SupportRequest.external_id, label="外部ID"
    )
    if all(p.field != "requested_at" for p in problems.items):
        # (the agreement is judged on the request's day, once that day is right)
        await check_request_target(session, data, day, problems)
    problems.raise_if_any()
    assert what is not None
    request = SupportRequest(
        event_id=data.event_id,
        agreement_id=data.agreement_id,
        partner_id=data.partner_id,
        category=data.category,
        what=what,
        quantity=data.quantity,
        unit=unit,
        requested_by=v.fit(requested_by or actor, SupportRequest.requested_by),
        requested_at=requested_at,
        external_id=external_id,
    )
    return await REQUESTS.insert(session, request, actor=actor, action="support_request.create")


# ------------------------------------------------------------------ the steps of a request


class Step(NamedTuple):
    """What one step of a request records: when it happened (``{done}_at``, the argument
    ``field``), who recorded it (``{done}_by``) and its note (``note``, checked as
    ``note_label`` unless the command checks it itself); and what the refusal says when
    the request is in a status the step cannot start from (「…の応援要請は{refused}。」)."""

    verb: str
    label: str
    done: str
    note: str
    note_label: str | None
    refused: str
    field: str = ""


_S = SupportRequestStatus
STEPS: dict[SupportRequestStatus, Step] = {
    _S.ANSWERED: Step(
        "answer",
        "回答日時",
        "answered",
        "answer_note",
        "回答のメモ",
        "回答を記録できません（回答を記録できるのは要請済みの要請だけです）",
    ),
    _S.DELIVERED: Step(
        "deliver",
        "提供日時",
        "delivered",
        "delivery_note",
        "提供のメモ",
        "提供済みにできません（受諾の回答が先です）",
    ),
    _S.CLOSED: Step("close", "完了日時", "closed", "close_note", "完了のメモ", "完了にできません"),
    _S.CANCELLED: Step(
        "cancel", "取消し日時", "closed", "close_note", None, "取り消せません", "cancelled_at"
    ),
}


def _note(problems: v.Problems, value: str | None, *, label: str, field: str) -> str | None:
    return v.optional_text(problems, value, label=label, field=field, max_length=MAX_NOTE)


def _since(request: SupportRequest) -> tuple[datetime | None, str]:
    """When the step the request is in happened, and its label: the next step cannot
    come before it."""
    if request.status == _S.REQUESTED:
        return request.requested_at, "要請日時"
    step = STEPS[request.status]
    return getattr(request, f"{step.done}_at"), step.label


async def _begin(
    session: AsyncSession,
    request_id: int,
    expected_version: int,
    to: SupportRequestStatus,
) -> Change[SupportRequest]:
    """The request to move to ``to``; refused (the step's ``refused``, :data:`STEPS`)
    unless its status machine allows the move from where it is."""
    change = await REQUESTS.begin(session, request_id, expected_version)
    if not REQUEST_STATUSES.allows(change.row.status, to):
        label = REQUEST_STATUSES.label(change.row.status)
        raise REQUEST_STATUSES.refuse(f"「{label}」の応援要請は{STEPS[to].refused}。")
    return change


async def _take_step(
    change: Change[SupportRequest],
    to: SupportRequestStatus,
    at: datetime | None,
    note: str | None,
    *,
    today: date,
    actor: str,
    problems: v.Problems | None = None,
    values: Mapping[str, Any] | None = None,
) -> SupportRequest:
    """The step of a request to ``to`` (:data:`STEPS`): when it happened (``at``, now when
    omitted; never in the future, never before the step the request is in), who recorded
    it and its note, refused with every problem at once (after those the command found,
    ``problems``) or moved through the request's status machine and recorded."""
    step = STEPS[to]
    after, after_label = _since(change.row)
    problems = problems if problems is not None else v.Problems()
    moment = in_utc(at or utcnow())
    check_moment(
        problems,
        moment,
        label=step.label,
        field=step.field or f"{step.done}_at",
        today=today,
        not_before=after,
        not_before_label=after_label,
    )
    if step.note_label is not None:
        note = _note(problems, note, label=step.note_label, field="note")
    problems.raise_if_any()
    done = {
        f"{step.done}_at": moment,
        f"{step.done}_by": v.fit(actor, getattr(SupportRequest, f"{step.done}_by")),
        step.note: note,
    }
    action = f"support_request.{step.verb}"
    return await move(
        change, REQUEST_STATUSES, to, {**(values or {}), **done}, actor=actor, action=action
    )


async def answer_request(
    session: AsyncSession,
    *,
    request_id: int,
    expected_version: int,
    answer: SupportAnswer,
    answered_at: datetime | None,
    note: str | None,
    today: date,
    actor: str,
) -> SupportRequest:
    """The partner's answer: REQUESTED → ANSWERED (accepted, declined or no answer)."""
    change = await _begin(session, request_id, expected_version, _S.ANSWERED)
    return await _take_step(
        change, _S.ANSWERED, answered_at, note, today=today, actor=actor, values={"answer": answer}
    )


async def deliver_request(
    session: AsyncSession,
    *,
    request_id: int,
    expected_version: int,
    delivered_at: datetime | None,
    note: str | None,
    today: date,
    actor: str,
) -> SupportRequest:
    """The support arrived: ANSWERED (accepted) → DELIVERED."""
    change = await _begin(session, request_id, expected_version, _S.DELIVERED)
    request = change.row
    if request.answer != SupportAnswer.ACCEPTED:
        raise REQUEST_STATUSES.refuse(
            "受諾されていない応援要請は提供済みにできません。完了にするか、取り消してください。",
        )
    return await _take_step(change, _S.DELIVERED, delivered_at, note, today=today, actor=actor)


async def close_request(
    session: AsyncSession,
    *,
    request_id: int,
    expected_version: int,
    closed_at: datetime | None,
    note: str | None,
    today: date,
    actor: str,
) -> SupportRequest:
    """完了: DELIVERED → CLOSED, or ANSWERED → CLOSED when the partner declined or did not
    answer. A closed request is read-only."""
    change = await _begin(session, request_id, expected_version, _S.CLOSED)
    request = change.row
    if request.status == _S.ANSWERED and request.answer == SupportAnswer.ACCEPTED:
        raise REQUEST_STATUSES.refuse(
            "受諾された応援要請は、提供を記録してから完了にしてください。"
        )
    return await _take_step(change, _S.CLOSED, closed_at, note, today=today, actor=actor)


async def cancel_request(
    session: AsyncSession,
    *,
    request_id: int,
    expected_version: int,
    reason: str | None,
    cancelled_at: datetime | None,
    today: date,
    actor: str,
) -> SupportRequest:
    """取消し: REQUESTED or ANSWERED → CANCELLED, with a reason for the after-action report."""
    change = await _begin(session, request_id, expected_version, _S.CANCELLED)
    problems = v.Problems()
    text = v.clean_text(reason)
    if text is None:
        problems.add(ErrorCode.REASON_REQUIRED, "取り消す理由を書いてください。", "reason")
    else:
        _note(problems, text, label="取り消す理由", field="reason")
    return await _take_step(
        change, _S.CANCELLED, cancelled_at, text, today=today, actor=actor, problems=problems
    )


__all__ = [
    "SupportRequestData",
    "answer_request",
    "cancel_request",
    "close_request",
    "create_request",
    "deliver_request",
]
