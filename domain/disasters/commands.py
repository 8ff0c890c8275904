"""The activation log (応援要請, rule 21): disaster events and the support requested under
agreements during them.

A request names an agreement in force on the day it was made, a party of that agreement
that is still active, and one of the agreement's support categories. Its status machine
(``domain.disasters.rules.REQUEST_STATUSES``; writes through ``domain.writes``):

    REQUESTED → ANSWERED → DELIVERED → CLOSED
    REQUESTED / ANSWERED → CANCELLED (with a reason)

The partner's answer is ACCEPTED, DECLINED or NO_ANSWER; only an accepted request is
delivered, and a declined or unanswered one is closed from ANSWERED. Every step records
its time and who recorded it; closed and cancelled requests are read-only, and an event
closes only once none of its requests is open.

Like every command: flushes, never commits; one audit event per call; a refused call
raises ``DomainError`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements import terms
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.base import utcnow
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.disasters.rules import OPEN_STATUSES, REQUEST_STATUSES
from kyodo.domain.enums import (
    AgreementCategory,
    DisasterKind,
    PartnerStatus,
    SupportAnswer,
    SupportCategory,
    SupportRequestStatus,
)
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.japanese import TOKYO
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS
from kyodo.domain.partners.models import Partner
from kyodo.domain.versioning import get_or_raise
from kyodo.domain.writes import Audited, Change, fields_snapshot

EVENT = "DisasterEvent"
REQUEST = "SupportRequest"
EVENT_LABEL = "災害"
REQUEST_LABEL = "応援要請"
MAX_NOTE = 2000
MAX_DISTRICTS = v.MAX_LIST

EVENT_FIELDS = ("name", "kind", "started_on", "districts", "note", "closed_on")
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

EVENTS = Audited(
    DisasterEvent, entity_type=EVENT, label=EVENT_LABEL, snapshot=fields_snapshot(EVENT_FIELDS)
)
REQUESTS = Audited(
    SupportRequest,
    entity_type=REQUEST,
    label=REQUEST_LABEL,
    snapshot=fields_snapshot(REQUEST_FIELDS),
)


def tokyo_day(moment: datetime) -> date:
    """The calendar day in Japan of an instant (naive instants are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO).date()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def in_utc(moment: datetime) -> datetime:
    """Instants are stored in UTC (SQLite keeps no offset and hands back naive UTC)."""
    return _aware(moment).astimezone(UTC)


def check_moment(
    problems: v.Problems,
    moment: datetime,
    *,
    label: str,
    field: str,
    today: date,
    not_before: datetime | None = None,
    not_before_label: str = "",
) -> None:
    """An instant's day is in the dates the database holds (``check_date``), not after
    ``today``, and not before ``not_before`` (the step it follows)."""
    day = tokyo_day(moment)
    before = len(problems.items)
    v.check_date(problems, day, label=label, field=field)
    if len(problems.items) > before:
        return
    if day > today:
        problems.add(
            ErrorCode.INVALID,
            f"{label}に、まだ来ていない日（{day.isoformat()}）は入れられません。",
            field,
        )
    elif not_before is not None and _aware(moment) < _aware(not_before):
        problems.add(
            ErrorCode.INVALID,
            f"{label}は{not_before_label}（{_aware(not_before).astimezone(TOKYO):%Y-%m-%d %H:%M}）"
            "より後にしてください。",
            field,
        )


def _note(problems: v.Problems, value: str | None, *, label: str, field: str) -> str | None:
    return v.optional_text(problems, value, label=label, field=field, max_length=MAX_NOTE)


# ------------------------------------------------------------------ disaster events


@dataclass
class DisasterEventData:
    name: str | None
    kind: DisasterKind
    started_on: date
    districts: Sequence[str] = ()
    note: str | None = None
    external_id: str | None = None


def _districts(problems: v.Problems, districts: Sequence[str]) -> list[str]:
    """Districts (地区) folded like stored partner districts, without repeats."""
    path = "districts"
    if not v.bounded_list(problems, districts, label="地区", field=path, maximum=MAX_DISTRICTS):
        return []
    cleaned: list[str] = []
    for i, raw in enumerate(districts):
        text = v.optional_text(
            problems, v.nfkc(raw), label="地区", field=v.at(path, i), max_length=100
        )
        if text is not None and text not in cleaned:
            cleaned.append(text)
    return cleaned


async def create_event(
    session: AsyncSession, *, data: DisasterEventData, today: date, actor: str
) -> DisasterEvent:
    """Open a disaster event (or an exercise) under which support is requested."""
    problems = v.Problems()
    name = v.required_text(
        problems,
        data.name,
        label="災害の名前",
        field="name",
        max_length=v.max_length(DisasterEvent.name),
    )
    v.check_date(problems, data.started_on, label="発生日", field="started_on")
    if not problems and data.started_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"発生日に、まだ来ていない日（{data.started_on.isoformat()}）は入れられません。",
            "started_on",
        )
    districts = _districts(problems, data.districts)
    note = v.optional_text(problems, data.note, label="メモ", field="note", max_length=MAX_NOTE)
    external_id = v.optional_text(
        problems,
        data.external_id,
        label="外部ID",
        field="external_id",
        max_length=v.max_length(DisasterEvent.external_id),
    )
    if external_id is not None and await session.scalar(
        sa.select(col(DisasterEvent.id)).where(col(DisasterEvent.external_id) == external_id)
    ):
        problems.add(
            ErrorCode.DUPLICATE,
            "この外部IDの災害はすでに登録されています。",
            "external_id",
        )
    problems.raise_if_any()
    assert name is not None
    event = DisasterEvent(
        name=name,
        kind=data.kind,
        started_on=data.started_on,
        districts=districts,
        note=note,
        external_id=external_id,
    )
    session.add(event)
    await session.flush()
    await EVENTS.created(session, event, actor=actor, action="disaster_event.create")
    return event


async def close_event(
    session: AsyncSession,
    *,
    event_id: int,
    expected_version: int,
    closed_on: date,
    today: date,
    actor: str,
) -> DisasterEvent:
    """Close an event for the after-action report, once every request is closed or
    cancelled (INVALID_TRANSITION names how many are still open)."""
    change = await EVENTS.begin(session, event_id, expected_version)
    event = change.row
    if event.closed_on is not None:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "この災害はすでに終了しています。")
    problems = v.Problems()
    v.check_date(problems, closed_on, label="終了日", field="closed_on")
    if not problems and closed_on < event.started_on:
        problems.add(
            ErrorCode.INVALID,
            f"終了日は発生日（{event.started_on.isoformat()}）以降にしてください。",
            "closed_on",
        )
    elif not problems and closed_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"終了日に、まだ来ていない日（{closed_on.isoformat()}）は入れられません。",
            "closed_on",
        )
    problems.raise_if_any()
    still_open = await session.scalar(
        sa.select(sa.func.count())
        .select_from(SupportRequest)
        .where(
            col(SupportRequest.event_id) == event_id,
            col(SupportRequest.status).in_(OPEN_STATUSES),
        )
    )
    if still_open:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            f"まだ終わっていない応援要請が{still_open}件あります。完了か取消しにしてから"
            "終了してください。",
        )
    await change.write({"closed_on": closed_on})
    await change.record(actor=actor, action="disaster_event.close")
    return event


# ------------------------------------------------------------------ support requests


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


async def _check_request_target(
    session: AsyncSession, data: SupportRequestData, day: date, problems: v.Problems
) -> None:
    """The agreement is a disaster-support agreement in force on ``day`` covering the
    category, and the partner is one of its parties, still active (rules 19, 21)."""
    agreement = await session.get(Agreement, data.agreement_id)
    if agreement is None:
        problems.add(ErrorCode.NOT_FOUND, "指定された協定は見つかりません。", "agreement_id")
        return
    if agreement.category != AgreementCategory.DISASTER_SUPPORT:
        problems.add(
            ErrorCode.INVALID,
            "応援要請は災害時応援協定に基づいて行ってください。",
            "agreement_id",
        )
        return
    if not terms.agreement_in_force_on(agreement, day):
        problems.add(
            ErrorCode.INVALID,
            f"協定「{agreement.title}」は要請日（{day.isoformat()}）に効力がありません。",
            "agreement_id",
        )
    is_party = await session.scalar(
        sa.select(sa.literal(1)).where(
            col(AgreementParty.agreement_id) == data.agreement_id,
            col(AgreementParty.partner_id) == data.partner_id,
        )
    )
    partner = await session.get(Partner, data.partner_id)
    if partner is None:
        problems.add(ErrorCode.NOT_FOUND, "指定されたパートナーは見つかりません。", "partner_id")
    elif not is_party:
        problems.add(
            ErrorCode.INVALID,
            f"「{partner.name}」はこの協定の相手方ではありません。",
            "partner_id",
        )
    elif partner.status != PartnerStatus.ACTIVE:
        problems.add(
            ErrorCode.INVALID,
            f"「{partner.name}」は活動していないため要請できません。協定の見直しが必要です。",
            "partner_id",
        )
    covered = await session.scalar(
        sa.select(sa.literal(1)).where(
            col(AgreementSupportCategory.agreement_id) == data.agreement_id,
            col(AgreementSupportCategory.category) == data.category,
        )
    )
    if not covered:
        problems.add(
            ErrorCode.INVALID,
            f"この協定は「{SUPPORT_CATEGORY_LABELS[data.category]}」を対象にしていません。",
            "category",
        )


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
    what = v.required_text(
        problems,
        data.what,
        label="要請の内容",
        field="what",
        max_length=v.max_length(SupportRequest.what),
    )
    if data.quantity is not None and data.quantity <= 0:
        problems.add(ErrorCode.INVALID, "数量は1以上で入力してください。", "quantity")
    unit = v.optional_text(
        problems,
        data.unit,
        label="単位",
        field="unit",
        max_length=v.max_length(SupportRequest.unit),
    )
    requested_by = v.optional_text(
        problems,
        data.requested_by,
        label="要請した人",
        field="requested_by",
        max_length=v.max_length(SupportRequest.requested_by),
    )
    external_id = v.optional_text(
        problems,
        data.external_id,
        label="外部ID",
        field="external_id",
        max_length=v.max_length(SupportRequest.external_id),
    )
    if all(p.field != "requested_at" for p in problems.items):
        # (the agreement is judged on the request's day, once that day is right)
        await _check_request_target(session, data, day, problems)
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
    session.add(request)
    await session.flush()
    await REQUESTS.created(session, request, actor=actor, action="support_request.create")
    return request


def _refuse(request: SupportRequest, doing: str) -> DomainError:
    label = REQUEST_STATUSES.label(request.status)
    return REQUEST_STATUSES.refuse(f"「{label}」の応援要請は{doing}。")


async def _move(
    change: Change[SupportRequest],
    to: SupportRequestStatus,
    values: dict[str, Any],
    *,
    action: str,
    actor: str,
) -> SupportRequest:
    """The one step of a request through the pipeline: a move its machine allows
    (checked by the caller, with its own message), written and recorded."""
    assert REQUEST_STATUSES.allows(change.row.status, to)
    await change.write({"status": to, **values})
    await change.record(actor=actor, action=action)
    return change.row


def _step_moment(
    at: datetime | None,
    note: str | None,
    *,
    label: str,
    field: str,
    note_label: str,
    today: date,
    after: datetime | None,
    after_label: str,
) -> tuple[datetime, str | None]:
    """When a step of a request happened (now when omitted; never in the future, never
    before the step it follows) and its note; refuses both problems at once."""
    problems = v.Problems()
    moment = in_utc(at or utcnow())
    check_moment(
        problems,
        moment,
        label=label,
        field=field,
        today=today,
        not_before=after,
        not_before_label=after_label,
    )
    text = _note(problems, note, label=note_label, field="note")
    problems.raise_if_any()
    return moment, text


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
    change = await REQUESTS.begin(session, request_id, expected_version)
    request = change.row
    if request.status != SupportRequestStatus.REQUESTED:  # (the one move to ANSWERED)
        raise _refuse(request, "回答を記録できません（回答を記録できるのは要請済みの要請だけです）")
    moment, text = _step_moment(
        answered_at,
        note,
        label="回答日時",
        field="answered_at",
        note_label="回答のメモ",
        today=today,
        after=request.requested_at,
        after_label="要請日時",
    )
    values = {
        "answer": answer,
        "answered_at": moment,
        "answered_by": v.fit(actor, SupportRequest.answered_by),
        "answer_note": text,
    }
    return await _move(
        change, SupportRequestStatus.ANSWERED, values, action="support_request.answer", actor=actor
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
    change = await REQUESTS.begin(session, request_id, expected_version)
    request = change.row
    if not REQUEST_STATUSES.allows(request.status, SupportRequestStatus.DELIVERED):
        raise _refuse(request, "提供済みにできません（受諾の回答が先です）")
    if request.answer != SupportAnswer.ACCEPTED:
        raise REQUEST_STATUSES.refuse(
            "受諾されていない応援要請は提供済みにできません。完了にするか、取り消してください。",
        )
    moment, text = _step_moment(
        delivered_at,
        note,
        label="提供日時",
        field="delivered_at",
        note_label="提供のメモ",
        today=today,
        after=request.answered_at,
        after_label="回答日時",
    )
    values = {
        "delivered_at": moment,
        "delivered_by": v.fit(actor, SupportRequest.delivered_by),
        "delivery_note": text,
    }
    return await _move(
        change,
        SupportRequestStatus.DELIVERED,
        values,
        action="support_request.deliver",
        actor=actor,
    )


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
    change = await REQUESTS.begin(session, request_id, expected_version)
    request = change.row
    if not REQUEST_STATUSES.allows(request.status, SupportRequestStatus.CLOSED):
        raise _refuse(request, "完了にできません")
    if request.status == SupportRequestStatus.ANSWERED:
        if request.answer == SupportAnswer.ACCEPTED:
            raise REQUEST_STATUSES.refuse(
                "受諾された応援要請は、提供を記録してから完了にしてください。"
            )
        after, after_label = request.answered_at, "回答日時"
    else:
        after, after_label = request.delivered_at, "提供日時"
    moment, text = _step_moment(
        closed_at,
        note,
        label="完了日時",
        field="closed_at",
        note_label="完了のメモ",
        today=today,
        after=after,
        after_label=after_label,
    )
    values = {
        "closed_at": moment,
        "closed_by": v.fit(actor, SupportRequest.closed_by),
        "close_note": text,
    }
    return await _move(
        change, SupportRequestStatus.CLOSED, values, action="support_request.close", actor=actor
    )


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
    change = await REQUESTS.begin(session, request_id, expected_version)
    request = change.row
    if not REQUEST_STATUSES.allows(request.status, SupportRequestStatus.CANCELLED):
        raise _refuse(request, "取り消せません")
    problems = v.Problems()
    text = v.clean_text(reason)
    if text is None:
        problems.add(ErrorCode.REASON_REQUIRED, "取り消す理由を書いてください。", "reason")
    else:
        _note(problems, text, label="取り消す理由", field="reason")
    moment = in_utc(cancelled_at or utcnow())
    check_moment(
        problems,
        moment,
        label="取消し日時",
        field="cancelled_at",
        today=today,
        not_before=request.answered_at or request.requested_at,
        not_before_label="回答日時" if request.answered_at else "要請日時",
    )
    problems.raise_if_any()
    values = {
        "closed_at": moment,
        "closed_by": v.fit(actor, SupportRequest.closed_by),
        "close_note": text,
    }
    return await _move(
        change,
        SupportRequestStatus.CANCELLED,
        values,
        action="support_request.cancel",
        actor=actor,
    )
