"""The demo data: disaster agreements, recurring pairs, subsidies, endorsements, proposals.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import (
    AgreementStatus,
    CollaborationStatus,
    EndorsementStatus,
    ExpenseKind,
    ProposalStatus,
    SubsidyApplicationStatus,
    SupportCategory,
)
from kyodo.domain.models import (
    Agreement,
    AgreementSupportCategory,
    Collaboration,
    Contact,
    Department,
    EndorsementApplication,
    ExpenseLine,
    Participation,
    Partner,
    Proposal,
    SubsidyApplication,
    SubsidyProgram,
)

from .support import (
    AS_OF,
    NTT_EAST,
    all_rows,
    by_external_id,
    disaster_agreements,
    in_force_on,
    longest_run,
    parties_by_agreement,
)


async def test_ntt_east_and_100_more_are_bound_on_reiwa_4_march_10(db: AsyncSession) -> None:
    # given the disaster-support agreements
    agreements = await disaster_agreements(db)
    parties = await parties_by_agreement(db)
    # when we take those in force on 2022-03-10
    bound = {p.name for a in agreements if in_force_on(a, AS_OF) for p in parties[a.id]}
    # then they bind 東日本電信電話株式会社 外100団体
    assert len(bound) == 101
    assert NTT_EAST in bound
    # and some agreements bind several parties, some parties several agreements
    assert any(len(parties[a.id]) > 1 for a in agreements)
    assert max(a.concluded_on for a in agreements if a.concluded_on) == AS_OF


async def test_every_in_force_party_has_an_emergency_contact(db: AsyncSession) -> None:
    agreements = [a for a in await disaster_agreements(db) if in_force_on(a, AS_OF)]
    parties = await parties_by_agreement(db)
    contacts = await all_rows(db, Contact)
    reachable = {(c.agreement_id, c.partner_id) for c in contacts if c.is_emergency_contact}
    for agreement in agreements:
        for party in parties[agreement.id]:
            assert (agreement.id, party.id) in reachable, (agreement.external_id, party.name)


async def test_supplies_are_offered_by_40_partners_on_reiwa_4_march_10(db: AsyncSession) -> None:
    agreements = {a.id: a for a in await disaster_agreements(db) if in_force_on(a, AS_OF)}
    parties = await parties_by_agreement(db)
    supplies = await db.scalars(
        sa.select(col(AgreementSupportCategory.agreement_id)).where(
            col(AgreementSupportCategory.category) == SupportCategory.SUPPLIES
        )
    )
    partners = {p.external_id for a in supplies if a in agreements for p in parties[a]}
    expected = {f"demo-partner-ds-{n:03d}" for n in [*range(1, 36), *range(84, 89)]}
    assert partners == expected
    used = set(await db.scalars(sa.select(col(AgreementSupportCategory.category)).distinct()))
    assert used == set(SupportCategory)


async def test_some_contacts_are_stale_on_reiwa_4_march_10(db: AsyncSession) -> None:
    # given the agreements in force on 2022-03-10
    agreements = [a for a in await disaster_agreements(db) if in_force_on(a, AS_OF)]
    # then exactly these were never confirmed or confirmed more than 365 days before
    stale = {
        a.external_id
        for a in agreements
        if a.contacts_verified_on is None or (AS_OF - a.contacts_verified_on).days > 365
    }
    assert stale == {
        "demo-agreement-ds-020",
        "demo-agreement-ds-038",
        "demo-agreement-ds-043",
        "demo-agreement-ds-065",
        "demo-agreement-ds-072",  # 366 days before
        "demo-agreement-ds-082",
        "demo-agreement-ds-097",
    }
    boundary = await by_external_id(db, Agreement, "demo-agreement-ds-076")
    assert (AS_OF - boundary.contacts_verified_on).days == 365  # still fresh


async def test_some_agreements_expired_or_were_terminated(db: AsyncSession) -> None:
    agreements = await disaster_agreements(db)
    expired = {a.external_id for a in agreements if a.status is AgreementStatus.EXPIRED}
    terminated = [a for a in agreements if a.status is AgreementStatus.TERMINATED]
    assert expired == {"demo-agreement-ds-037", "demo-agreement-ds-103", "demo-agreement-ds-104"}
    assert all(
        a.effective_until is not None and a.effective_until < AS_OF
        for a in agreements
        if a.status is AgreementStatus.EXPIRED
    )
    assert {a.external_id for a in terminated} == {"demo-agreement-ds-101", "demo-agreement-ds-102"}
    assert all(a.terminated_on and a.terminated_on < AS_OF for a in terminated)
    assert all(a.termination_reason for a in terminated)


async def test_auto_renewing_agreements_whose_first_term_has_ended(db: AsyncSession) -> None:
    agreements = await disaster_agreements(db)
    renewing = {
        a.external_id: a.effective_until
        for a in agreements
        if a.auto_renewal and a.effective_until and a.effective_until < AS_OF
    }
    assert renewing == {
        "demo-agreement-ds-011": date(2017, 5, 31),
        "demo-agreement-ds-027": date(2020, 2, 29),
        "demo-agreement-ds-034": date(2021, 2, 28),
        "demo-agreement-ds-046": date(2019, 8, 31),
        "demo-agreement-ds-059": date(2012, 3, 31),
        "demo-agreement-ds-100": date(2022, 1, 31),
    }
    assert all(a.renewal_term_months == 12 for a in agreements if a.external_id in renewing)


async def test_one_amendment_points_at_the_agreement_it_revises(db: AsyncSession) -> None:
    amendments = [a for a in await all_rows(db, Agreement) if a.amends_id is not None]
    assert [a.external_id for a in amendments] == ["demo-agreement-ds-037-kaisei"]
    original = await db.get(Agreement, amendments[0].amends_id)
    assert original is not None and original.external_id == "demo-agreement-ds-037"
    assert original.concluded_on < amendments[0].concluded_on


async def test_department_partner_pairs_recur_over_consecutive_fiscal_years(
    db: AsyncSession,
) -> None:
    # given every participation in a collaboration that was not cancelled
    stmt = (
        sa.select(col(Department.code), col(Partner.external_id), col(Collaboration.fiscal_year))
        .join(Collaboration, col(Collaboration.department_id) == col(Department.id))
        .join(Participation, col(Participation.collaboration_id) == col(Collaboration.id))
        .join(Partner, col(Partner.id) == col(Participation.partner_id))
        .where(col(Collaboration.status) != CollaborationStatus.CANCELLED)
    )
    years: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for code, partner, fiscal_year in (await db.execute(stmt)).all():
        years[(code, partner)].append(fiscal_year)
    runs = {pair: longest_run(y) for pair, y in years.items()}
    # then the same department meets the same partner year after year
    assert runs[("kyodo", "demo-partner-rengokai")] == 5  # まちかどミーティング 2018-2022
    assert runs[("shimin-seikatsu", "demo-partner-shohisha-kyokai")] == 5  # 消費生活展
    assert runs[("shogyo-shinko", "demo-partner-minato-ichiba")] == 3  # 助成金 2019-2021
    assert runs[("machizukuri", "demo-partner-tarumae-community")] == 4  # 2019-2022


async def test_subsidy_applications_keep_their_programs_conditions(db: AsyncSession) -> None:
    programs = {p.id: p for p in await all_rows(db, SubsidyProgram)}
    lines: dict[int, list[ExpenseLine]] = defaultdict(list)
    for line in await all_rows(db, ExpenseLine):
        lines[line.application_id].append(line)
    applications = await all_rows(db, SubsidyApplication)
    for application in applications:
        program = programs[application.program_id]
        planned = [x for x in lines[application.id] if x.kind is ExpenseKind.PLANNED]
        assert sum(x.amount_yen for x in planned) == application.total_project_cost_yen
        assert application.requested_amount_yen <= (program.max_amount_per_grant_yen or 0)
        rate = program.subsidy_rate_percent or 0
        assert application.requested_amount_yen * 100 <= rate * application.total_project_cost_yen
        assert {x.category for x in lines[application.id]} <= set(
            program.allowed_expense_categories
        )
        assert program.application_deadline and application.submitted_on <= (
            program.application_deadline
        )
        if application.settled_amount_yen is not None:
            assert application.settled_amount_yen <= (application.granted_amount_yen or 0)
        if application.status is SubsidyApplicationStatus.REJECTED:
            assert application.decision_reason
    reiwa_3 = [a for a in applications if programs[a.program_id].fiscal_year == 2021]
    assert len(reiwa_3) == 12
    assert {a.status for a in reiwa_3} == set(SubsidyApplicationStatus) - {
        SubsidyApplicationStatus.WITHDRAWN
    }
    # the guideline's 補助 case: 商業協同組合苫小牧港市場 外8団体, nine grantees
    granted = {
        SubsidyApplicationStatus.APPROVED,
        SubsidyApplicationStatus.REPORTED,
        SubsidyApplicationStatus.SETTLED,
    }
    grantees = {a.applicant_id for a in reiwa_3 if a.status in granted}
    partners = {p.id: p.name for p in await all_rows(db, Partner)}
    assert len(grantees) == 9
    assert "商業協同組合苫小牧港市場" in {partners[g] for g in grantees}


async def test_endorsements_lend_no_money_and_rejections_say_why(db: AsyncSession) -> None:
    applications = await all_rows(db, EndorsementApplication)
    assert all(not a.requested_funding_yen for a in applications)
    rejected = [a for a in applications if a.status is EndorsementStatus.REJECTED]
    assert rejected and all(a.disqualifiers and a.decision_reason for a in rejected)
    approved = [a for a in applications if a.status is EndorsementStatus.APPROVED]
    assert all(not a.disqualifiers and a.contributes_to_city_policy for a in approved)
    love_earth = await by_external_id(
        db, EndorsementApplication, "demo-endorsement-love-earth-2021"
    )
    organizer = await db.get(Partner, love_earth.organizer_id)
    assert organizer is not None and organizer.name == "NPO法人北海道市民環境ネットワーク"


async def test_proposals_in_every_state_keep_the_needs_learned(db: AsyncSession) -> None:
    proposals = await all_rows(db, Proposal)
    assert {p.status for p in proposals} == set(ProposalStatus)
    for proposal in proposals:
        if proposal.status is ProposalStatus.NOT_ADOPTED:
            assert proposal.response and proposal.identified_needs
        if proposal.status is ProposalStatus.ADOPTED:
            assert proposal.collaboration_id is not None
    consignment = await by_external_id(db, Proposal, "demo-proposal-kodomo-kenshu")
    assert consignment.status is ProposalStatus.ADOPTED
    collaboration = await db.get(Collaboration, consignment.collaboration_id)
    assert collaboration is not None
    assert collaboration.external_id == "demo-collab-kodomo-kenshu-2021"
