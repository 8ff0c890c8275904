"""The demo data: the guideline's cases and the partners.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import (
    CollaborationForm,
    CollaborationStatus,
    CommitteeKind,
    PartnerKind,
)
from kyodo.domain.japanese import is_valid_corporate_number, normalize_for_search
from kyodo.domain.models import (
    Collaboration,
    CollaborationFormLink,
    Contact,
    Department,
    Evaluation,
    Participation,
    Partner,
    ProgressReport,
)

from .support import (
    GUIDELINE_ORGANISATIONS,
    all_rows,
    by_external_id,
)


@pytest.mark.parametrize(
    ("external_id", "department", "form"),
    [
        ("demo-collab-machikado-2021", "kyodo", CollaborationForm.CO_HOSTING),
        ("demo-collab-tarumae-photo-2021", "machizukuri", CollaborationForm.COMMITTEE),
        ("demo-collab-saigai-kyotei", "kikikanri", CollaborationForm.AGREEMENT),
        (
            "demo-collab-shohi-seikatsuten-2021",
            "shimin-seikatsu",
            CollaborationForm.BUSINESS_COOPERATION,
        ),
        ("demo-collab-kodomo-kenshu-2021", "kyodo", CollaborationForm.CONSIGNMENT),
        ("demo-collab-event-josei-2021", "shogyo-shinko", CollaborationForm.SUBSIDY),
        ("demo-collab-love-earth-2021", "zero-gomi", CollaborationForm.ENDORSEMENT),
    ],
)
async def test_each_guideline_case_has_its_form_and_department(
    db: AsyncSession, external_id: str, department: str, form: CollaborationForm
) -> None:
    # given a case of 第3章
    collaboration = await by_external_id(db, Collaboration, external_id)
    # then it is owned by the department the guideline names, in the right form
    owner = await db.get(Department, collaboration.department_id)
    assert owner is not None and owner.code == department
    forms = await db.scalars(
        sa.select(col(CollaborationFormLink.form)).where(
            col(CollaborationFormLink.collaboration_id) == collaboration.id
        )
    )
    assert form in set(forms)


async def test_consumer_fair_of_reiwa_3_has_the_association_and_16_groups(
    db: AsyncSession,
) -> None:
    # given みんなの消費生活展 of 令和3年度
    fair = await by_external_id(db, Collaboration, "demo-collab-shohi-seikatsuten-2021")
    rows = (
        await db.execute(
            sa.select(col(Partner.name), col(Participation.is_lead))
            .join(Partner, col(Partner.id) == col(Participation.partner_id))
            .where(col(Participation.collaboration_id) == fair.id)
        )
    ).all()
    # then 苫小牧消費者協会 leads 16 other groups
    assert fair.fiscal_year == 2021
    assert len(rows) == 17
    assert [name for name, is_lead in rows if is_lead] == ["苫小牧消費者協会"]


async def test_photo_contest_is_run_by_a_time_limited_executive_committee(
    db: AsyncSession,
) -> None:
    contest = await by_external_id(db, Collaboration, "demo-collab-tarumae-photo-2021")
    assert contest.committee_name == "樽前山アートフォトコンテスト実行委員会"
    assert contest.committee_kind is CommitteeKind.EXECUTIVE_COMMITTEE
    assert contest.committee_dissolves_on == date(2022, 3, 31)


async def test_every_form_of_the_seven_is_used(db: AsyncSession) -> None:
    forms = set(await db.scalars(sa.select(col(CollaborationFormLink.form)).distinct()))
    assert forms == set(CollaborationForm)


async def test_collaborations_cover_every_status_and_the_lifecycle_details(
    db: AsyncSession,
) -> None:
    collaborations = await all_rows(db, Collaboration)
    statuses = {c.status for c in collaborations}
    assert statuses == set(CollaborationStatus)
    # evaluated ones carry the partner's view, and so does the cancelled one, whose
    # lesson is kept (第4章(4)); long ones carry progress reports
    evaluations = await all_rows(db, Evaluation)
    evaluated = {
        c.id
        for c in collaborations
        if c.status in (CollaborationStatus.EVALUATED, CollaborationStatus.CANCELLED)
    }
    assert evaluated == {e.collaboration_id for e in evaluations}
    assert all(e.outcomes and e.partner_feedback for e in evaluations)
    reported = {r.collaboration_id for r in await all_rows(db, ProgressReport)}
    long_running = {
        c.id
        for c in collaborations
        if c.status is CollaborationStatus.ACTIVE
        and c.starts_on
        and c.ends_on
        and (c.ends_on - c.starts_on).days > 365
    }
    assert long_running and long_running <= reported
    assert {c.is_public for c in collaborations} == {True, False}
    assert any(c.review_due_on for c in collaborations)


async def test_over_80_neighbourhood_associations_across_the_districts(db: AsyncSession) -> None:
    stmt = sa.select(Partner).where(col(Partner.kind) == PartnerKind.NEIGHBORHOOD_ASSOCIATION)
    associations = list((await db.execute(stmt)).scalars())
    assert len(associations) >= 80
    assert len({a.district for a in associations}) >= 8
    assert all(a.name_kana and a.district for a in associations)


async def test_invented_organisations_and_people_are_plainly_fictional(db: AsyncSession) -> None:
    partners = await all_rows(db, Partner)
    for partner in partners:
        if partner.kind is PartnerKind.INDIVIDUAL:
            assert partner.name.startswith("デモ "), partner.name
        else:
            assert partner.name.startswith("（デモ）") or partner.name in GUIDELINE_ORGANISATIONS, (
                partner.name
            )
    assert {p.name for p in partners} >= GUIDELINE_ORGANISATIONS
    assert sum(p.kind is PartnerKind.INDIVIDUAL for p in partners) >= 3


async def test_every_phone_and_mail_address_is_fictional(db: AsyncSession) -> None:
    contacts = await all_rows(db, Contact)
    partners = await all_rows(db, Partner)
    phones = [c.phone for c in contacts] + [p.phone for p in partners]
    emails = [c.email for c in contacts] + [p.email for p in partners]
    assert all(phone is None or phone.startswith("000-") for phone in phones)
    assert all(email is None or email.endswith("@example.jp") for email in emails)
    assert all(not p.website for p in partners)
    assert all(c.name.startswith(("デモ ", "（デモ）")) for c in contacts)


async def test_corporate_numbers_pass_the_check_digit(db: AsyncSession) -> None:
    partners = await all_rows(db, Partner)
    numbers = [p.corporate_number for p in partners if p.corporate_number]
    assert numbers
    assert all(is_valid_corporate_number(number) for number in numbers)
    # real organisations are listed without one rather than with a guessed number
    assert all(not p.corporate_number for p in partners if p.name in GUIDELINE_ORGANISATIONS)


async def test_consumer_association_is_found_by_hiragana_and_half_width_kana(
    db: AsyncSession,
) -> None:
    partner = await by_external_id(db, Partner, "demo-partner-shohisha-kyokai")
    assert partner.name_kana == "トマコマイショウヒシャキョウカイ"
    assert partner.sort_key == "トマコマイショウヒシャキョウカイ"
    assert normalize_for_search("とまこまいしょうひしゃ") in partner.search_text
    assert normalize_for_search("ﾄﾏｺﾏｲｼｮｳﾋｼｬ") in partner.search_text
