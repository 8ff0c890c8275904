"""The demo data: it loads completely and idempotently, and it stays plainly fictional.

These tests make their own SQLite databases (migrated with Alembic) instead of using the
shared fixtures, so they also check the loader against an empty schema.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from domain.enums import (
    AgreementCategory,
    AgreementStatus,
    CollaborationForm,
    CollaborationStatus,
    CommitteeKind,
    EndorsementStatus,
    ExpenseKind,
    PartnerKind,
    ProposalStatus,
    SubsidyApplicationStatus,
    SupportCategory,
)
from domain.japanese import is_valid_corporate_number, normalize_for_search
from domain.models import (
    Agreement,
    AgreementParty,
    AgreementSupportCategory,
    Collaboration,
    CollaborationFormLink,
    Contact,
    Department,
    EndorsementApplication,
    Evaluation,
    ExpenseLine,
    Participation,
    Partner,
    ProgressReport,
    Proposal,
    SubsidyApplication,
    SubsidyProgram,
)
from seeds import generate_demo
from seeds.loader import (
    DEMO_DIR,
    SeedDataError,
    database_is_empty,
    load_demo_data,
    read_seed_files,
)
from server.db import make_engine, make_sessionmaker

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2022, 3, 10)  # 令和4年3月10日, the date of the guideline's list of counterparties
NTT_EAST = "東日本電信電話株式会社"
# Organisations the guideline names; every other organisation is marked （デモ）.
GUIDELINE_ORGANISATIONS = {
    NTT_EAST,
    "苫小牧消費者協会",
    "株式会社トートー事務機",
    "商業協同組合苫小牧港市場",
    "NPO法人北海道市民環境ネットワーク",
}


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


@dataclass
class Seeded:
    maker: async_sessionmaker[AsyncSession]
    created: dict[str, int]
    seconds: float


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('seeds') / 'demo.db'}"
    migrate(url)
    return url


@pytest.fixture(scope="module")
async def seeded(seeded_url: str) -> AsyncIterator[Seeded]:
    """A database into which the demo data was loaded once and committed."""
    engine = make_engine(seeded_url)
    maker = make_sessionmaker(engine)
    async with maker() as session:
        started = time.perf_counter()
        created = await load_demo_data(session)
        await session.commit()
        seconds = time.perf_counter() - started
    yield Seeded(maker, created, seconds)
    await engine.dispose()


@pytest.fixture
async def db(seeded: Seeded) -> AsyncIterator[AsyncSession]:
    async with seeded.maker() as session:
        yield session


@pytest.fixture
async def empty_db(tmp_path: Path) -> AsyncIterator[AsyncSession]:
    """A migrated database with nothing in it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    # Alembic's env.py runs its own event loop, so it cannot run on this one.
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def all_rows(session: AsyncSession, model: Any) -> list[Any]:
    return list((await session.execute(sa.select(model))).scalars())


async def row_counts(session: AsyncSession) -> dict[str, int]:
    counts = {}
    for table in sorted(Partner.metadata.tables):
        stmt = sa.select(sa.func.count()).select_from(sa.table(table))
        counts[table] = await session.scalar(stmt) or 0
    return counts


def in_force_on(agreement: Agreement, on: date) -> bool:
    """Plain reading of rule 8, enough for the demo data (which has no odd terms)."""
    if agreement.status is not AgreementStatus.IN_FORCE or agreement.effective_from is None:
        return False
    if agreement.effective_from > on:
        return False
    until = agreement.effective_until
    return agreement.auto_renewal or until is None or until >= on


async def disaster_agreements(session: AsyncSession) -> list[Agreement]:
    stmt = sa.select(Agreement).where(col(Agreement.category) == AgreementCategory.DISASTER_SUPPORT)
    return list((await session.execute(stmt)).scalars())


async def parties_by_agreement(session: AsyncSession) -> dict[Any, list[Partner]]:
    stmt = sa.select(col(AgreementParty.agreement_id), Partner).join(
        Partner, col(Partner.id) == col(AgreementParty.partner_id)
    )
    result: dict[Any, list[Partner]] = defaultdict(list)
    for agreement_id, partner in (await session.execute(stmt)).all():
        result[agreement_id].append(partner)
    return result


async def by_external_id(session: AsyncSession, model: Any, external_id: str) -> Any:
    stmt = sa.select(model).where(model.external_id == external_id)
    return (await session.execute(stmt)).scalar_one()


def longest_run(years: Sequence[int]) -> int:
    best = run = 0
    previous = None
    for year in sorted(set(years)):
        run = run + 1 if previous is not None and year == previous + 1 else 1
        best = max(best, run)
        previous = year
    return best


# ---------------------------------------------------------------- loading


async def test_first_load_creates_rows_of_every_table(seeded: Seeded) -> None:
    # given a migrated, empty database (the fixture)
    # when the demo data was loaded into it
    created = seeded.created
    # then every table the loader knows got rows, as many partners as the files hold
    assert all(count > 0 for count in created.values()), created
    assert created["partner"] == len(read_seed_files()["partners"])
    assert created["department"] == 8
    assert created["collaboration_field"] == 14


async def test_first_load_takes_seconds_not_minutes(seeded: Seeded) -> None:
    # given ~250 partners and ~100 agreements loaded in one go
    # then the whole load stayed well within a few seconds on SQLite
    assert seeded.seconds < 20


async def test_second_load_creates_nothing_and_leaves_rows_alone(db: AsyncSession) -> None:
    # given the demo data already loaded
    before = await row_counts(db)
    # when it is loaded again
    created = await load_demo_data(db)
    await db.commit()
    # then nothing was created and no table changed size
    assert set(created.values()) == {0}
    assert await row_counts(db) == before


async def test_existing_rows_are_neither_updated_nor_extended(empty_db: AsyncSession) -> None:
    # given a partner that already exists under a demo external id, with another name
    empty_db.add(
        Partner(
            kind=PartnerKind.CITIZEN_GROUP,
            name="既存の名前",
            external_id="demo-partner-shohisha-kyokai",
        )
    )
    await empty_db.commit()
    # when the demo data is loaded
    created = await load_demo_data(empty_db)
    await empty_db.commit()
    # then the partner kept its name, got none of the seed's contacts, and is still alone
    partner = await by_external_id(empty_db, Partner, "demo-partner-shohisha-kyokai")
    assert partner.name == "既存の名前"
    contacts = await empty_db.scalar(
        sa.select(sa.func.count()).select_from(Contact).where(Contact.partner_id == partner.id)
    )
    assert contacts == 0
    assert created["partner"] == len(read_seed_files()["partners"]) - 1
    # and the collaborations that name it still point at it
    participations = await empty_db.scalar(
        sa.select(sa.func.count())
        .select_from(Participation)
        .where(Participation.partner_id == partner.id)
    )
    assert participations == 5  # みんなの消費生活展, 平成30年度〜令和4年度


async def test_database_is_empty_until_the_demo_data_is_loaded(empty_db: AsyncSession) -> None:
    # given a migrated database
    assert await database_is_empty(empty_db)
    # when the demo data is loaded
    await load_demo_data(empty_db)
    # then it is no longer empty
    assert not await database_is_empty(empty_db)


async def test_a_reference_to_an_unknown_record_is_refused(
    empty_db: AsyncSession, tmp_path: Path
) -> None:
    # given a seed file whose partner names no collaboration field that exists
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "partners": [
                    {
                        "external_id": "x-1",
                        "kind": "NPO",
                        "name": "（デモ）壊れたデータ",
                        "fields": ["no-such-field"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    # when it is loaded, then the loader names the problem
    with pytest.raises(SeedDataError, match="no-such-field"):
        await load_demo_data(empty_db, directory=tmp_path)


async def test_a_misspelt_field_is_refused(empty_db: AsyncSession, tmp_path: Path) -> None:
    # given a department record with a key the table does not have
    (tmp_path / "bad.json").write_text(
        json.dumps({"departments": [{"code": "x", "name": "課", "nmae": "typo"}]}),
        encoding="utf-8",
    )
    # when it is loaded, then the typo is reported instead of silently dropped
    with pytest.raises(SeedDataError, match="nmae"):
        await load_demo_data(empty_db, directory=tmp_path)


def test_generated_files_match_the_generator(tmp_path: Path) -> None:
    # given the generator writing into a scratch directory
    written = generate_demo.write(tmp_path)
    # then every committed generated file is byte-identical to a fresh run
    assert written
    for path in written:
        committed = DEMO_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"run python -m seeds.generate_demo ({path.name})"
        )


async def test_every_string_fits_its_column(db: AsyncSession) -> None:
    # given the loaded data (SQLite does not enforce VARCHAR lengths, PostgreSQL does)
    too_long = []
    for table in Partner.metadata.sorted_tables:
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if not length or not isinstance(column.type, sa.String):
                continue
            longest = await db.scalar(sa.select(sa.func.max(sa.func.length(column))))
            if longest and longest > length:
                too_long.append(f"{table.name}.{column.name}: {longest} > {length}")
    # then every value would also fit on PostgreSQL
    assert too_long == []


# ---------------------------------------------------------------- the guideline's cases


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
        ("demo-collab-kodomo-kenshu-2021", "seishonen", CollaborationForm.CONSIGNMENT),
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
    # evaluated ones carry the partner's view; long ones carry progress reports
    evaluations = await all_rows(db, Evaluation)
    evaluated = {c.id for c in collaborations if c.status is CollaborationStatus.EVALUATED}
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


# ---------------------------------------------------------------- partners


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


# ---------------------------------------------------------------- 災害時応援協定


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


# ---------------------------------------------------------------- 相手方の固定化


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


# ---------------------------------------------------------------- subsidies, endorsements...


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
    assert len(reiwa_3) == 9  # 商業協同組合苫小牧港市場 外8団体
    assert {a.status for a in reiwa_3} == set(SubsidyApplicationStatus) - {
        SubsidyApplicationStatus.WITHDRAWN
    }


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
