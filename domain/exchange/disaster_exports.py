"""Exports of the disaster office's tool (issue 11): the activation log for the
after-action report (CSV).

- Support requests (応援要請): every request of the events started on or before ``on``,
  one row each, grouped by event (latest event first) and in the order made, with the
  answer, delivery and closing and who recorded them. The names in it are the city
  staff's who asked and recorded, not partners' personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.agreements.models import Agreement
from domain.disasters.commands import TOKYO
from domain.disasters.models import DisasterEvent, SupportRequest
from domain.enums import (
    DISASTER_KIND_LABELS,
    SUPPORT_ANSWER_LABELS,
    SUPPORT_CATEGORY_LABELS,
    SUPPORT_REQUEST_STATUS_LABELS,
)
from domain.exchange.exports import (
    LIST_SEPARATOR,
    ExportFile,
    ExportFormat,
    _require,
    export_filename,
    write_csv,
)
from domain.partners.models import Partner
from domain.validation import require_date

SUPPORT_REQUEST_HEADERS: tuple[str, ...] = (
    "災害",
    "種別",
    "発生日",
    "終了日",
    "No",
    "要請日時",
    "要請者",
    "協定相手方",
    "協定の名称",
    "協定区分",
    "要請の内容",
    "数量",
    "単位",
    "状態",
    "回答",
    "回答日時",
    "回答の記録者",
    "提供日時",
    "完了・取消し日時",
    "メモ",
)


@dataclass(frozen=True, slots=True)
class RequestLine:
    event: DisasterEvent
    number: int
    request: SupportRequest
    partner_name: str
    agreement_title: str


def _time(moment: datetime | None) -> str | None:
    """``2022-02-10 09:30`` in Japan time (what the office wrote down)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


async def load_support_requests(session: AsyncSession, *, on: date) -> list[RequestLine]:
    """Every request of the events started on or before ``on``: events latest first,
    requests numbered per event in the order made."""
    stmt = (
        sa.select(SupportRequest, DisasterEvent, col(Partner.name), col(Agreement.title))
        .join(DisasterEvent, col(DisasterEvent.id) == col(SupportRequest.event_id))
        .join(Partner, col(Partner.id) == col(SupportRequest.partner_id))
        .join(Agreement, col(Agreement.id) == col(SupportRequest.agreement_id))
        .where(col(DisasterEvent.started_on) <= on)
        .order_by(
            col(DisasterEvent.started_on).desc(),
            col(DisasterEvent.id).desc(),
            col(SupportRequest.requested_at),
            col(SupportRequest.id),
        )
    )
    lines: list[RequestLine] = []
    numbers: dict[int, int] = {}
    for request, event, partner_name, title in (await session.execute(stmt)).all():
        key = event.id or 0
        numbers[key] = numbers.get(key, 0) + 1
        lines.append(RequestLine(event, numbers[key], request, partner_name, title))
    return lines


def support_request_csv_row(line: RequestLine) -> list[str | int | None]:
    event, row = line.event, line.request
    notes = [n for n in (row.answer_note, row.delivery_note, row.close_note) if n]
    return [
        event.name,
        DISASTER_KIND_LABELS[event.kind],
        event.started_on.isoformat(),
        event.closed_on.isoformat() if event.closed_on else None,
        line.number,
        _time(row.requested_at),
        row.requested_by,
        line.partner_name,
        line.agreement_title,
        SUPPORT_CATEGORY_LABELS[row.category],
        row.what,
        row.quantity,
        row.unit,
        SUPPORT_REQUEST_STATUS_LABELS[row.status],
        SUPPORT_ANSWER_LABELS[row.answer] if row.answer else None,
        _time(row.answered_at),
        row.answered_by,
        _time(row.delivered_at),
        _time(row.closed_at),
        LIST_SEPARATOR.join(notes) or None,
    ]


def support_request_rows(lines: Iterable[RequestLine]) -> Iterable[list[str | int | None]]:
    return (support_request_csv_row(line) for line in lines)


async def export_support_requests(
    session: AsyncSession, *, fmt: ExportFormat, on: date
) -> ExportFile:
    """The activation log for the after-action report (CSV, Excel-ready)."""
    _require(fmt, (ExportFormat.CSV,), "応援要請の記録")
    require_date(on, label="一覧の日付", field=["on"])
    lines = await load_support_requests(session, on=on)
    return ExportFile(
        body=write_csv(SUPPORT_REQUEST_HEADERS, support_request_rows(lines)),
        format=fmt,
        filename=export_filename("support-requests", on, fmt),
        rows=len(lines),
    )
