"""Exports of the disaster office's tool (issue 11): the activation log for the
after-action report (CSV) and the notice and renewal calendar (iCal).

- Support requests (応援要請): every request of the events started on or before ``on``,
  one row each, grouped by event (latest event first) and in the order made, with the
  answer, delivery and closing and who recorded them. The names in it are the city
  staff's who asked and recorded, not partners' personal data.
- Agreements due (``agreements-due.ics``): :func:`domain.agreements.calendar.agreements_due`
  for a year from ``on``, as an iCalendar (RFC 5545) feed a calendar application
  subscribes to: one all-day event per notice deadline, term end and review, with a
  stable UID, so a refreshed feed moves an event instead of duplicating it. The date of
  an agreement with a DISSOLVED or INACTIVE party says 「協定の見直しが必要」 in its summary,
  description (with the parties) and categories, as ``agreementsDue``'s ``needsReview``.
  Written here by hand: the format needs only escaping, line folding and CRLF, not a
  dependency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.calendar import DueItem, agreements_due
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.standing import REVIEW_LABEL
from kyodo.domain.base import utcnow
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.enums import AgreementDueKind, PartnerKind
from kyodo.domain.exchange.exports import CsvEncoding, ExportFile, ExportFormat, municipality
from kyodo.domain.exchange.exports.formats import (
    LIST_SEPARATOR,
    ListExport,
    PersonalReads,
    note_read,
)
from kyodo.domain.exchange.exports.tables import write_csv
from kyodo.domain.japanese import TOKYO, to_wareki
from kyodo.domain.labels import (
    DISASTER_KIND_LABELS,
    SUPPORT_ANSWER_LABELS,
    SUPPORT_CATEGORY_LABELS,
    SUPPORT_REQUEST_STATUS_LABELS,
    label_of,
)
from kyodo.domain.partners.models import Partner

SUPPORT_REQUEST_LIST = ListExport("support-requests", "応援要請の記録", (ExportFormat.CSV,))

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
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """The activation log for the after-action report (CSV, Excel-ready; CP932 on request)."""
    SUPPORT_REQUEST_LIST.check(fmt, on, encoding)
    lines = await load_support_requests(session, on=on)
    return SUPPORT_REQUEST_LIST.file(
        write_csv(SUPPORT_REQUEST_HEADERS, support_request_rows(lines), encoding=encoding),
        fmt=fmt,
        on=on,
        rows=len(lines),
        encoding=encoding,
    )


# ------------------------------------------------------------------ the iCal feed

CALENDAR_DAYS = 365
"""The feed covers a year from its date: every notice deadline comes round in time."""
AGREEMENTS_DUE_CALENDAR = ListExport("agreements-due", "協定の期限", (ExportFormat.ICS,))
PRODUCT_ID = "-//kyodo//agreements-due//JA"
_ADVICE = {
    AgreementDueKind.NOTICE_DEADLINE: (
        "自動更新の協定は、更新しない場合この日までに相手方へ申し出ます。"
        "期間の定めのある協定は、この日から見直しを始めます。"
    ),
    AgreementDueKind.TERM_END: "協定の期間がこの日で終わります（自動更新の協定は更新されます）。",
    AgreementDueKind.REVIEW: "協働事業のパートナーの選び方を見直す日です（第4章(5)）。",
}


def ical_text(value: str) -> str:
    """A TEXT value escaped per RFC 5545 3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _summary(item: DueItem) -> str:
    label = item.kind_label
    if item.agreement is not None:
        review = f"（{REVIEW_LABEL}）" if item.needs_review else ""
        return f"【{label}】{item.agreement.title}{review}"
    title = item.collaboration.title if item.collaboration is not None else ""
    return f"【{label}】{title}"


def _categories(item: DueItem) -> str:
    labels = [item.kind_label]
    if item.needs_review:
        labels.append(REVIEW_LABEL)
    return ",".join(ical_text(label) for label in labels)


def _description(item: DueItem) -> str:
    parts = []
    if item.review_reason is not None:
        parties = LIST_SEPARATOR.join(
            f"{p.name}（{label_of(p.status)}）" for p in item.parties_needing_review
        )
        parts.append(f"{item.review_reason}: {parties}")
    parts.append(_ADVICE[item.kind])
    if item.term_ends_on is not None:
        parts.append(
            f"期間の終わり: {item.term_ends_on.isoformat()}（{to_wareki(item.term_ends_on)}）"
        )
    if item.agreement is not None and item.agreement.notice_days is not None:
        parts.append(f"通知日数: {item.agreement.notice_days}日")
    return "\n".join(parts)


def render_ics(items: Iterable[DueItem], *, stamp: datetime) -> str:
    """The calendar, CRLF line ends, folded lines (RFC 5545)."""
    stamp_text = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_text(f'協定の期限（{municipality()}）')}",
        "X-WR-TIMEZONE:Asia/Tokyo",
    ]
    for item in items:
        start = item.due_on
        end = date.fromordinal(start.toordinal() + 1) if start < date.max else start
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.uid}@kyodo",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"SUMMARY:{ical_text(_summary(item))}",
            f"DESCRIPTION:{ical_text(_description(item))}",
            f"CATEGORIES:{_categories(item)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def calendar_personal_reads(items: Iterable[DueItem]) -> PersonalReads:
    """The personal data the feed shows, as the GraphQL API notes it: the name of an
    individual party named as needing review."""
    reads: PersonalReads = {}
    for item in items:
        for party in item.parties_needing_review:
            if party.kind is PartnerKind.INDIVIDUAL:
                note_read(reads, "Partner", party.id, "name")
    return reads


async def export_agreements_due(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    include_internal: bool,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """The notice and renewal calendar for a year from ``on`` as an iCal feed; reviews of
    unpublished collaborations only with ``include_internal`` (the city staff)."""
    AGREEMENTS_DUE_CALENDAR.check(fmt, on, encoding)
    items = await agreements_due(
        session, as_of=on, within_days=CALENDAR_DAYS, include_internal=include_internal
    )
    return AGREEMENTS_DUE_CALENDAR.file(
        render_ics(items, stamp=utcnow()).encode("utf-8"),
        fmt=fmt,
        on=on,
        rows=len(items),
        personal_reads=calendar_personal_reads(items),
    )
