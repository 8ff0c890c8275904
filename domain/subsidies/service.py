"""Reading subsidy programs and applications (補助・助成, 第3章(6)): lists and batch getters.

Every batch getter takes the keys of a whole page at once and answers with a constant
number of statements, so a page of applications with its programs, expenses,
consecutive years and condition checks costs the same for 5 items as for 100.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.batches import get_by_ids, group_by_key, loose
from kyodo.domain.enums import ExpenseKind, SubsidyApplicationStatus
from kyodo.domain.errors import Problem
from kyodo.domain.ordering import by_column
from kyodo.domain.pagination import FIRST_PAGE, Page, PageRequest, paginate, paginate_per_parent
from kyodo.domain.subsidies import rules
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram

_Status = SubsidyApplicationStatus

# The statuses in which money has been granted to the applicant (交付決定 and after).
GRANTED_STATUSES: frozenset[SubsidyApplicationStatus] = frozenset(
    {_Status.APPROVED, _Status.REPORTED, _Status.SETTLED}
)
# Still waiting for a decision: the live condition check weighs the requested amount
# against what is left of the budget.
_UNDECIDED_STATUSES: frozenset[SubsidyApplicationStatus] = frozenset(
    {_Status.SUBMITTED, _Status.UNDER_REVIEW}
)

APPLICATION_ORDERING = by_column("subsidyApplications", SubsidyApplication, "submitted_on")
"""Applications, newest submission first."""


# ------------------------------------------------------------------ programs


async def list_programs(
    session: AsyncSession, *, fiscal_year: int | None = None
) -> list[SubsidyProgram]:
    """Subsidy programs, newest fiscal year first; only ``fiscal_year``'s when given."""
    stmt = (
        sa.select(SubsidyProgram)
        .where(*program_conditions(fiscal_year=fiscal_year))
        .order_by(*program_order())
    )
    return list((await session.execute(stmt)).scalars())


def program_conditions(*, fiscal_year: int | None = None) -> list[sa.ColumnElement[bool]]:
    """The WHERE of :func:`list_programs` (on the ``SubsidyProgram`` table itself)."""
    if fiscal_year is None:
        return []
    return [col(SubsidyProgram.fiscal_year) == fiscal_year]


def program_order() -> list[Any]:
    """Newest fiscal year first, then by name."""
    return [
        col(SubsidyProgram.fiscal_year).desc(),
        col(SubsidyProgram.name),
        col(SubsidyProgram.id),
    ]


async def programs_by_id(session: AsyncSession, ids: Sequence[int]) -> list[SubsidyProgram | None]:
    return await get_by_ids(session, SubsidyProgram, ids)


def granted_amount(application: Any = SubsidyApplication) -> sa.ColumnElement[Any]:
    """What one application takes from its program's budget (0 unless granted).

    A settled application counts what was actually paid (精算額) when that is known,
    otherwise the granted amount. ``application``: the table or an alias of it.
    """
    return sa.case(
        (
            sa.and_(
                application.status == _Status.SETTLED,
                application.settled_amount_yen.is_not(None),
            ),
            application.settled_amount_yen,
        ),
        (
            application.status.in_(list(GRANTED_STATUSES)),
            sa.func.coalesce(application.granted_amount_yen, 0),
        ),
        else_=0,
    )


def granted(application: Any = SubsidyApplication) -> sa.ColumnElement[bool]:
    """Applications that take from their program's budget."""
    status: Any = application.status
    return status.in_(list(GRANTED_STATUSES))


async def granted_total_by_program(session: AsyncSession, program_ids: Sequence[int]) -> list[int]:
    """The yen each program has granted: APPROVED, REPORTED and SETTLED applications.

    SETTLED applications count their settled amount when it is set (第3章(6), rule 10:
    the approved total must stay within the budget).
    """
    stmt = (
        sa.select(col(SubsidyApplication.program_id), sa.func.sum(granted_amount()))
        .where(col(SubsidyApplication.program_id).in_(program_ids), granted())
        .group_by(col(SubsidyApplication.program_id))
    )
    totals = {pid: int(total or 0) for pid, total in (await session.execute(stmt)).all()}
    return [totals.get(pid, 0) for pid in program_ids]


# ------------------------------------------------------------------ applications


async def applications_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> list[SubsidyApplication | None]:
    return await get_by_ids(session, SubsidyApplication, ids)


get_many = applications_by_id


def status_conditions(
    statuses: Sequence[SubsidyApplicationStatus] | None,
) -> list[sa.ColumnElement[bool]]:
    """Applications in ``statuses``, when any are given."""
    if not statuses:
        return []
    return [col(SubsidyApplication.status).in_(list(statuses))]


def application_conditions(
    program_id: int | None, statuses: Sequence[SubsidyApplicationStatus] | None
) -> list[sa.ColumnElement[bool]]:
    """The applications listed: to ``program_id`` when given, in ``statuses`` when given."""
    conditions = status_conditions(statuses)
    if program_id is not None:
        conditions.append(col(SubsidyApplication.program_id) == program_id)
    return conditions


async def list_applications(
    session: AsyncSession,
    *,
    program_id: int | None = None,
    statuses: Sequence[SubsidyApplicationStatus] | None = None,
    page: PageRequest,
) -> Page[SubsidyApplication]:
    """One page of applications, newest submission first."""
    stmt = sa.select(SubsidyApplication).where(*application_conditions(program_id, statuses))
    return await paginate(session, stmt, APPLICATION_ORDERING, page)


@dataclass(frozen=True, slots=True)
class ApplicationsOfProgramKey:
    program_id: int
    statuses: tuple[SubsidyApplicationStatus, ...] = ()
    page: PageRequest = FIRST_PAGE


async def applications_page_by_program(
    session: AsyncSession, keys: Sequence[ApplicationsOfProgramKey]
) -> list[Page[SubsidyApplication]]:
    """One page of applications per program, newest submission first; programs asking
    for the same page share one statement (``paginate_per_parent``)."""
    pages: dict[ApplicationsOfProgramKey, Page[SubsidyApplication]] = {}
    by_statuses: dict[tuple[SubsidyApplicationStatus, ...], list[ApplicationsOfProgramKey]] = {}
    for key in keys:
        by_statuses.setdefault(key.statuses, []).append(key)
    for statuses, group in by_statuses.items():
        found = await paginate_per_parent(
            session,
            sa.select(SubsidyApplication).where(*status_conditions(statuses)),
            col(SubsidyApplication.program_id),
            APPLICATION_ORDERING,
            [(key.program_id, key.page) for key in group],
        )
        for key in group:
            pages[key] = found[(key.program_id, key.page)]
    return [pages[key] for key in keys]


@dataclass(frozen=True, slots=True)
class ApplicationExpenses:
    """An application's expense lines: as planned when applying, and as reported after."""

    planned: list[ExpenseLine] = field(default_factory=list)
    actual: list[ExpenseLine] = field(default_factory=list)


def expense_order(line: Any = ExpenseLine) -> list[Any]:
    """An application's expense lines in their order (``line``: the model or an alias)."""
    return [loose(line.position), loose(line.id)]


async def expenses_by_application(
    session: AsyncSession, application_ids: Sequence[int]
) -> list[ApplicationExpenses]:
    stmt = (
        sa.select(ExpenseLine)
        .where(col(ExpenseLine.application_id).in_(application_ids))
        .order_by(col(ExpenseLine.application_id), *expense_order())
    )
    lines = (await session.execute(stmt)).scalars().all()
    grouped = group_by_key([(line.application_id, line) for line in lines], application_ids)
    return [
        ApplicationExpenses(
            planned=[line for line in group if line.kind == ExpenseKind.PLANNED],
            actual=[line for line in group if line.kind == ExpenseKind.ACTUAL],
        )
        for group in grouped
    ]


# 令和3年度, 平成30年度, 2021年度 — with or without brackets — after NFKC folding.
_FISCAL_YEAR_LABEL = re.compile(r"[(\[]?(?:令和|平成|昭和)?(?:元|\d+)年度[)\]]?")


def series_key_of(text: str) -> str:
    """The series key (``seriesKey``) ``text`` stands for: the yearly editions of one
    program share it, and 期限 counts consecutive years by it.

    A program is recreated every fiscal year, often with the year in its name
    ("…助成金事業（令和3年度）"), so the key is the text without its fiscal-year label,
    width folded (NFKC) and without spaces: 「にぎわい助成金」 and 「にぎわい 助成金（令和8年度）」
    share one. It stays readable (shown as ``seriesKey``). Applied to the name when a
    program is created without a key, and to a key given explicitly, so both compare
    alike.
    """
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return _FISCAL_YEAR_LABEL.sub("", folded)


async def granted_fiscal_years(
    session: AsyncSession, *, applicant_id: int, program: SubsidyProgram
) -> set[int]:
    """Fiscal years in which the applicant was granted an earlier program of
    ``program``'s series (:func:`earlier_grants`).

    For checking an application not stored yet (submission); feed the result to
    :func:`rules.consecutive_years`.
    """
    earlier = sa.orm.aliased(SubsidyProgram)
    conditions = earlier_grants(applicant_id, program.id, earlier)
    stmt = sa.select(loose(earlier.fiscal_year)).where(*conditions)
    return set((await session.execute(stmt)).scalars())


def earlier_grants(
    applicant_id: Any, program_id: Any, program: Any
) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``program`` (an alias): the programs of the series of ``program_id``
    (``series_key``, whatever the programs are called) of an earlier fiscal year in which
    ``applicant_id`` was granted (APPROVED, REPORTED or SETTLED) — the years
    :func:`rules.consecutive_years` counts back from. The two ids are values or columns
    of an enclosing query however many levels out (an application's ``applicant_id`` and
    ``program_id``): every other table is correlated explicitly."""
    own, grant = sa.orm.aliased(SubsidyProgram), sa.orm.aliased(SubsidyApplication)

    def own_program(column: Any) -> Any:
        return (
            sa.select(column)
            .where(loose(own.id) == program_id)
            .correlate_except(own)
            .scalar_subquery()
        )

    grants = (
        sa.select(sa.true())
        .where(
            loose(grant.program_id) == program.id,
            loose(grant.applicant_id) == applicant_id,
            granted(grant),
        )
        .correlate_except(grant)
    )
    return [
        program.series_key == own_program(loose(own.series_key)),
        program.fiscal_year < own_program(loose(own.fiscal_year)),
        grants.exists(),
    ]


async def consecutive_years_by_application(
    session: AsyncSession, application_ids: Sequence[int]
) -> list[int]:
    """Which consecutive year of support each application would be for its applicant (期限):
    :func:`rules.consecutive_years` over the fiscal years of :func:`earlier_grants`. Two
    statements for any number of applications: the applications' own fiscal years, then
    the earlier grants of each."""
    asked_stmt = (
        sa.select(loose(SubsidyApplication.id), col(SubsidyProgram.fiscal_year))
        .join(SubsidyProgram, col(SubsidyProgram.id) == col(SubsidyApplication.program_id))
        .where(col(SubsidyApplication.id).in_(application_ids))
    )
    asked: dict[int, int] = {pk: year for pk, year in (await session.execute(asked_stmt)).all()}
    if not asked:
        return [1 for _ in application_ids]
    program = sa.orm.aliased(SubsidyProgram)
    grants_stmt = (
        sa.select(col(SubsidyApplication.id), loose(program.fiscal_year))
        .join(program, sa.true())
        .where(
            col(SubsidyApplication.id).in_(sorted(asked)),
            *earlier_grants(
                SubsidyApplication.applicant_id, SubsidyApplication.program_id, program
            ),
        )
    )
    granted_years: dict[int, set[int]] = {}
    for application_id, fiscal_year in (await session.execute(grants_stmt)).all():
        granted_years.setdefault(application_id, set()).add(fiscal_year)
    return [
        rules.consecutive_years(
            fiscal_year=asked[application_id],
            granted_fiscal_years=granted_years.get(application_id, set()),
        )
        if application_id in asked
        else 1
        for application_id in application_ids
    ]


async def condition_checks_by_application(
    session: AsyncSession, application_ids: Sequence[int]
) -> list[list[Problem]]:
    """The program conditions each application breaks, checked live
    (:func:`application_problems`). Costs the same few statements for any number of
    applications."""
    found = [a for a in await applications_by_id(session, application_ids) if a is not None]
    if not found:
        return [[] for _ in application_ids]
    ids = [a.id for a in found if a.id is not None]
    program_ids = sorted({a.program_id for a in found})
    programs = {p.id: p for p in await programs_by_id(session, program_ids) if p is not None}
    granted_totals = dict(
        zip(program_ids, await granted_total_by_program(session, program_ids), strict=True)
    )
    expenses = dict(zip(ids, await expenses_by_application(session, ids), strict=True))
    years = dict(zip(ids, await consecutive_years_by_application(session, ids), strict=True))
    checks = {
        application.id: application_problems(
            application,
            programs[application.program_id],
            granted_total=granted_totals[application.program_id],
            planned_categories=[line.category for line in expenses[application.id or 0].planned],
            consecutive_year=years[application.id or 0],
        )
        for application in found
    }
    return [checks.get(aid, []) for aid in application_ids]


def application_problems(
    application: Any,
    program: Any,
    *,
    granted_total: int,
    planned_categories: Sequence[str],
    consecutive_year: int,
) -> list[Problem]:
    """The program conditions an application breaks (第3章(6), rule 10), given what its
    program has granted in all (``granted_total``), its planned expense categories and
    which consecutive year it is. The budget is weighed against the amount at stake: the
    requested amount while the application awaits a decision, the granted (or settled)
    amount once granted — in both cases against what the program has left without this
    application. Rejected and withdrawn applications take nothing from the budget, so it
    is not checked."""
    own_share = _own_share_of_budget(application)
    remaining = program.budget_yen - granted_total + own_share
    if application.status in _UNDECIDED_STATUSES:
        amount_for_budget: int | None = application.requested_amount_yen
    elif application.status in GRANTED_STATUSES:
        amount_for_budget = own_share
    else:
        amount_for_budget = None
    return rules.condition_violations(
        requested_amount_yen=application.requested_amount_yen,
        total_project_cost_yen=application.total_project_cost_yen,
        expense_categories=planned_categories,
        submitted_on=application.submitted_on,
        consecutive_year=consecutive_year,
        budget_remaining_yen=remaining,
        amount_for_budget=amount_for_budget,
        **rules.conditions_of(program),
    )


def _own_share_of_budget(application: Any) -> int:
    """What this application counts for in :func:`granted_total_by_program`."""
    if application.status not in GRANTED_STATUSES:
        return 0
    if application.status == _Status.SETTLED and application.settled_amount_yen is not None:
        return application.settled_amount_yen
    return application.granted_amount_yen or 0
