"""Disaster events (災害, rule 21): the events, or exercises, under which support is
requested. An event is opened once with its day and districts, and closed for the
after-action report only once none of its requests is open.

Like every command: flushes, never commits; one audit event per call; a refused call
raises ``DomainError`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.disasters.rules import MAX_NOTE, OPEN_STATUSES
from kyodo.domain.enums import DisasterKind
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.writes import Audited, fields_snapshot

EVENT = "DisasterEvent"
EVENT_LABEL = "災害"
MAX_DISTRICTS = v.MAX_LIST

EVENT_FIELDS = ("name", "kind", "started_on", "districts", "note", "closed_on")

EVENTS = Audited(
    DisasterEvent, entity_type=EVENT, label=EVENT_LABEL, snapshot=fields_snapshot(EVENT_FIELDS)
)


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
    name = v.column_text(problems, data.name, DisasterEvent.name, label="災害の名前", required=True)
    v.check_date(problems, data.started_on, label="発生日", field="started_on")
    if not problems:
        v.not_after_today(
            problems, data.started_on, today=today, label="発生日", field="started_on"
        )
    districts = _districts(problems, data.districts)
    note = v.optional_text(problems, data.note, label="メモ", field="note", max_length=MAX_NOTE)
    external_id = v.column_text(
        problems, data.external_id, DisasterEvent.external_id, label="外部ID"
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
    return await EVENTS.insert(session, event, actor=actor, action="disaster_event.create")


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
    elif not problems:
        v.not_after_today(problems, closed_on, today=today, label="終了日", field="closed_on")
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
