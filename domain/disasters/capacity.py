"""Partner-reported capacity (備蓄・能力, issue 11 item 13): what a partner says it can
supply — water, blankets, vehicles... — as of the day it reported.

Reports are kept (history); the disaster lookup shows each partner's latest report per
item as of the day asked, with its date, so the office sees how old the figure is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.disasters.models import CapacityReport
from kyodo.domain.errors import ErrorCode
from kyodo.domain.japanese import normalize_for_search
from kyodo.domain.partners.models import Partner
from kyodo.domain.versioning import get_or_raise
from kyodo.domain.writes import Audited, fields_snapshot

ENTITY = "CapacityReport"
FIELDS = ("partner_id", "item", "quantity", "unit", "reported_on", "note")
MAX_NOTE = 2000
REPORTS = Audited(
    CapacityReport, entity_type=ENTITY, label="備蓄・能力の報告", snapshot=fields_snapshot(FIELDS)
)
"""Rows only ever added (history): the pipeline records their creation."""


async def record_capacity(
    session: AsyncSession,
    *,
    partner_id: int,
    item: str | None,
    quantity: int,
    unit: str | None,
    reported_on: date,
    note: str | None,
    today: date,
    actor: str,
) -> CapacityReport:
    """Record what a partner reported it can supply (quantity ≥ 0, reported on a day
    not in the future)."""
    partner = await get_or_raise(
        session, Partner, partner_id, label="パートナー", field="partner_id"
    )
    problems = v.Problems()
    name = v.column_text(problems, item, CapacityReport.item, label="品目", required=True)
    if quantity < 0:
        problems.add(ErrorCode.INVALID, "数量は0以上で入力してください。", "quantity")
    unit_text = v.column_text(problems, unit, CapacityReport.unit, label="単位", required=True)
    v.check_date(problems, reported_on, label="報告日", field="reported_on")
    if not any(p.field == "reported_on" for p in problems.items) and (reported_on > today):
        problems.add(
            ErrorCode.INVALID,
            f"報告日に、まだ来ていない日（{reported_on.isoformat()}）は入れられません。",
            "reported_on",
        )
    text = v.optional_text(problems, note, label="メモ", field="note", max_length=MAX_NOTE)
    problems.raise_if_any()
    assert partner.id is not None and name is not None and unit_text is not None
    row = CapacityReport(
        partner_id=partner.id,
        item=name,
        quantity=quantity,
        unit=unit_text,
        reported_on=reported_on,
        note=text,
    )
    return await REPORTS.insert(session, row, actor=actor, action="capacity_report.record")


def latest_per_item(reports: Iterable[CapacityReport]) -> list[CapacityReport]:
    """The latest report of each item (items told apart as search folds them: 全角/半角,
    かな/カナ), in item order. ``reports``: one partner's, oldest first."""
    latest: dict[str, CapacityReport] = {}
    for report in reports:
        latest[normalize_for_search(report.item)] = report
    return [latest[key] for key in sorted(latest)]


def capacity_on(reports: Iterable[CapacityReport], on: date) -> list[CapacityReport]:
    """The latest report per item known on ``on``, from one partner's reports oldest
    first. Both read paths of the disaster lookup use it."""
    return latest_per_item(report for report in reports if report.reported_on <= on)


async def capacity_of_parties(
    session: AsyncSession, *, agreement_ids: Sequence[int], on: date
) -> dict[int, list[CapacityReport]]:
    """Each party's latest report per item as of ``on``, for the parties of
    ``agreement_ids`` (one statement; both read paths of the disaster lookup use it)."""
    if not agreement_ids:
        return {}
    parties = sa.select(col(AgreementParty.partner_id)).where(
        col(AgreementParty.agreement_id).in_(list(agreement_ids))
    )
    stmt = (
        sa.select(CapacityReport)
        .where(col(CapacityReport.partner_id).in_(parties), col(CapacityReport.reported_on) <= on)
        .order_by(col(CapacityReport.reported_on), col(CapacityReport.id))
    )
    grouped: dict[int, list[CapacityReport]] = {}
    for report in (await session.execute(stmt)).scalars():
        grouped.setdefault(report.partner_id, []).append(report)
    return {pid: capacity_on(rows, on) for pid, rows in grouped.items()}
