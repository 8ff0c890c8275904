"""期限 counts by the program's series key, not its name (rule 10, issue 11).

「にぎわい助成金」 granted in 令和7年度, continued in 令和8年度 as
「にぎわい助成事業（令和8年度）」: the same series, so the applicant's second year.
Renaming a program keeps its key; a key that folds to nothing is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.subsidies.models import SubsidyProgram
from kyodo.schema.node import to_global_id
from tests.conftest import CHANGE_EVENTS

from ..factories import make_application, make_program, unique
from .support import World

TODAY = date(2026, 5, 1)

CREATE = """
mutation ($input: SubsidyProgramInput!) {
  subsidyProgramCreate(input: $input) {
    program { id name seriesKey version }
    errors { field code }
  }
}
"""
UPDATE = """
mutation ($id: ID!, $v: Int!, $input: SubsidyProgramUpdateInput!) {
  subsidyProgramUpdate(id: $id, expectedVersion: $v, input: $input) {
    program { name seriesKey version }
    errors { field code }
  }
}
"""
SUBMIT = """
mutation ($input: SubsidyApplicationInput!) {
  subsidyApplicationSubmit(input: $input) {
    application { consecutiveYear }
    errors { field code }
  }
}
"""
PROGRAMS = "query ($fy: Int) { subsidyPrograms(fiscalYear: $fy) { name seriesKey } }"


async def _granted_last_year(session: AsyncSession, world: World, series: str) -> None:
    """令和7年度's 「<series>」, granted to the world's applicant."""
    program = await make_program(
        session, department=world.department, name=series, fiscal_year=2025
    )
    await make_application(
        session,
        program=program,
        applicant=world.applicant,
        status=SubsidyApplicationStatus.APPROVED,
        granted_amount_yen=100_000,
    )


async def _create(gql: Any, world: World, name: str, **extra: Any) -> dict[str, Any]:
    payload = {
        "name": name,
        "departmentCode": world.department.code,
        "fiscalYear": 2026,
        "budgetYen": 1_000_000,
        "allowedExpenseCategories": [],
        **extra,
    }
    return (await gql(CREATE, {"input": payload}, today=TODAY))["subsidyProgramCreate"]


async def _consecutive_year(gql: Any, world: World, program_id: str) -> int:
    result = await gql(
        SUBMIT,
        {
            "input": {
                "programId": program_id,
                "applicantId": to_global_id("Partner", world.applicant_id),
                "title": "にぎわいまつり",
                "purpose": "商店街のにぎわいづくり",
                "totalProjectCostYen": 300_000,
                "requestedAmountYen": 100_000,
                "expenses": [{"category": "会場費", "amountYen": 300_000}],
            }
        },
        today=TODAY,
    )
    assert result["subsidyApplicationSubmit"]["errors"] == []
    return int(result["subsidyApplicationSubmit"]["application"]["consecutiveYear"])


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    stmt = sa.select(sa.func.count()).select_from(model).where(*where)
    return int((await session.execute(stmt)).scalar_one())


async def test_a_renamed_successor_in_the_same_series_is_the_second_year(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    series = unique("にぎわい助成金")
    await _granted_last_year(session, world, series)

    # when: next year's edition under a new name, in the same series — and one without
    continued = await _create(gql, world, "にぎわい助成事業（令和8年度）", seriesKey=series)
    unrelated = await _create(gql, world, "にぎわい助成事業（令和8年度）別枠")

    # then
    assert continued["errors"] == [] and unrelated["errors"] == []
    assert continued["program"]["seriesKey"] == series
    assert unrelated["program"]["seriesKey"] == "にぎわい助成事業別枠"
    assert await _consecutive_year(gql, world, continued["program"]["id"]) == 2
    assert await _consecutive_year(gql, world, unrelated["program"]["id"]) == 1


async def test_renaming_a_program_keeps_its_series(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: 令和8年度's edition created under last year's name (the same series, derived)
    series = unique("にぎわい助成金")
    await _granted_last_year(session, world, series)
    created = (await _create(gql, world, f"{series}（令和8年度）"))["program"]
    events = await _count(session, AuditEvent, CHANGE_EVENTS)

    # when it is renamed
    renamed = (
        await gql(
            UPDATE,
            {
                "id": created["id"],
                "v": created["version"],
                "input": {"name": "にぎわい助成事業（令和8年度）"},
            },
        )
    )["subsidyProgramUpdate"]

    # then: the name changed, the series did not, and 期限 still counts last year
    assert renamed["errors"] == []
    assert renamed["program"]["name"] == "にぎわい助成事業（令和8年度）"
    assert renamed["program"]["seriesKey"] == created["seriesKey"] == series
    assert renamed["program"]["version"] == created["version"] + 1
    assert await _count(session, AuditEvent, CHANGE_EVENTS) == events + 1
    assert await _consecutive_year(gql, world, created["id"]) == 2
    listed = (await gql(PROGRAMS, {"fy": 2026}))["subsidyPrograms"]
    assert {"name": "にぎわい助成事業（令和8年度）", "seriesKey": series} in listed


async def test_a_series_key_of_only_a_fiscal_year_is_refused_and_nothing_is_written(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given
    before = await _count(session, SubsidyProgram)

    # when
    result = await _create(gql, world, unique("助成"), seriesKey="（令和8年度）")

    # then
    assert result == {
        "program": None,
        "errors": [{"field": ["input", "seriesKey"], "code": "REQUIRED"}],
    }
    assert await _count(session, SubsidyProgram) == before


async def test_renaming_onto_a_name_taken_that_year_is_refused_and_nothing_changes(
    session: AsyncSession, gql: Any, world: World
) -> None:
    # given: two programs of 令和8年度
    taken = unique("助成")
    await _create(gql, world, taken)
    other = (await _create(gql, world, unique("助成")))["program"]

    # when
    result = (
        await gql(UPDATE, {"id": other["id"], "v": other["version"], "input": {"name": taken}})
    )["subsidyProgramUpdate"]
    stale = (
        await gql(
            UPDATE, {"id": other["id"], "v": other["version"] + 1, "input": {"seriesKey": "x"}}
        )
    )["subsidyProgramUpdate"]

    # then
    assert result["errors"] == [{"field": ["input", "name"], "code": "DUPLICATE"}]
    assert [e["code"] for e in stale["errors"]] == ["VERSION_CONFLICT"]
    names = (await gql(PROGRAMS, {"fy": 2026}))["subsidyPrograms"]
    assert {"name": other["name"], "seriesKey": other["seriesKey"]} in names
