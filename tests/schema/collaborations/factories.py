"""Small builders for collaboration tests: rows the tests own, next to the demo data.

Each builder adds its rows to the test's session and flushes, so they get ids and are
rolled back with the test. A fresh department (and fresh fields) per test lets a test
scope a query to exactly the rows it made.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.collaborations.service import refresh_search_text
from kyodo.domain.enums import CollaborationForm, CollaborationStatus, PartnerKind, PartnerStatus
from kyodo.domain.partners.models import Partner, PartnerField
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.schema.node import to_global_id


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def make_department(session: AsyncSession, name: str = "テスト課") -> Department:
    department = Department(code=unique("test-dept"), name=name)
    session.add(department)
    await session.flush()
    return department


async def make_field(session: AsyncSession, name: str = "テスト分野") -> CollaborationField:
    field = CollaborationField(
        code=unique("test-field"), name=name, group_name="テスト群", sort_order=900
    )
    session.add(field)
    await session.flush()
    return field


async def make_partner(
    session: AsyncSession,
    name: str | None = None,
    *,
    kana: str | None = None,
    kind: PartnerKind = PartnerKind.CITIZEN_GROUP,
    status: PartnerStatus = PartnerStatus.ACTIVE,
    fields: Sequence[CollaborationField] = (),
) -> Partner:
    partner = Partner(kind=kind, name=name or unique("テスト団体"), name_kana=kana, status=status)
    refresh_derived_fields(partner)
    session.add(partner)
    await session.flush()
    for field in fields:
        session.add(PartnerField(partner_id=partner.id, field_id=field.id))
    await session.flush()
    return partner


@dataclass(frozen=True)
class Part:
    """A partner's part in a collaboration being built."""

    partner: Partner
    role: str | None = "運営"
    is_lead: bool = False
    cost_share_yen: int | None = None
    reason: str | None = "地域の事情に詳しい"
    capacity: str | None = "同じ催しを毎年開いている"


async def make_collaboration(
    session: AsyncSession,
    *,
    department: Department,
    title: str | None = None,
    summary: str | None = None,
    status: CollaborationStatus = CollaborationStatus.ACTIVE,
    fiscal_year: int | None = 2021,
    forms: Sequence[CollaborationForm] = (CollaborationForm.CO_HOSTING,),
    fields: Sequence[CollaborationField] = (),
    parts: Sequence[Part | Partner] = (),
    ready: bool = True,
    starts_on: date | None = None,
    ends_on: date | None = None,
    is_public: bool = True,
    reports: Sequence[date] = (),
    evaluated_on: date | None = None,
) -> Collaboration:
    """A collaboration; ``ready`` fills purpose, plan, cost, period, responsibility, the
    city's part and the partners' reasons and capacity."""
    year = fiscal_year or 2021
    collaboration = Collaboration(
        title=title or unique("テスト事業"),
        summary=summary,
        status=status,
        department_id=department.id,
        fiscal_year=fiscal_year,
        purpose="地域の課題を解決する" if ready else None,
        plan="年4回開催する" if ready else None,
        budget_total_yen=100_000 if ready else None,
        starts_on=starts_on or (date(year, 4, 1) if ready else None),
        ends_on=ends_on or (date(year + 1, 3, 31) if ready else None),
        responsibility="市と団体で分担する" if ready else None,
        city_can_do="会場の確保と広報" if ready else None,
        city_cannot_do="参加者の個人情報の管理" if ready else None,
        is_public=is_public,
    )
    refresh_search_text(collaboration)
    session.add(collaboration)
    await session.flush()
    for form in forms:
        session.add(CollaborationFormLink(collaboration_id=collaboration.id, form=form))
    for field in fields:
        session.add(CollaborationFieldLink(collaboration_id=collaboration.id, field_id=field.id))
    for item in parts:
        part = item if isinstance(item, Part) else Part(item)
        session.add(
            Participation(
                collaboration_id=collaboration.id,
                partner_id=part.partner.id,
                role=part.role,
                is_lead=part.is_lead,
                cost_share_yen=part.cost_share_yen,
                reason=part.reason if ready else None,
                capacity=part.capacity if ready else None,
            )
        )
    for reported_on in reports:
        session.add(
            ProgressReport(collaboration_id=collaboration.id, reported_on=reported_on, note="順調")
        )
    if evaluated_on is not None:
        session.add(
            Evaluation(
                collaboration_id=collaboration.id,
                evaluated_on=evaluated_on,
                outcomes="来場者が増えた",
                partner_feedback="続けたい",
                rating=4,
            )
        )
    await session.flush()
    return collaboration


def gid(type_name: str, row: Collaboration | Partner | Department | CollaborationField) -> str:
    assert row.id is not None
    return str(to_global_id(type_name, row.id))
