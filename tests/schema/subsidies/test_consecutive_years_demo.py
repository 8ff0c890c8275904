"""期限 (第3章(6)): a fourth consecutive year for the same recipient is refused.

Pinned on the demo data: 商業協同組合苫小牧港市場 was granted the event subsidy in
令和元年度, 令和2年度 and 令和3年度, and the program allows three years in a row.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from kyodo.domain.partners.models import Partner
from kyodo.domain.subsidies.models import SubsidyApplication
from kyodo.schema.node import to_global_id

CREATE_PROGRAM = """
mutation ($input: SubsidyProgramInput!) {
  subsidyProgramCreate(input: $input) { program { id } errors { code field } }
}
"""
SUBMIT = """
mutation ($input: SubsidyApplicationInput!) {
  subsidyApplicationSubmit(input: $input) {
    application { consecutiveYear }
    errors { code field message }
  }
}
"""
TODAY = date(2022, 5, 1)


async def fy2022_program(gql) -> str:
    result = await gql(
        CREATE_PROGRAM,
        {
            "input": {
                "name": "苫小牧市イベント・環境整備等助成金事業（令和4年度）",
                "departmentCode": "shogyo-shinko",
                "fiscalYear": 2022,
                "budgetYen": 3_000_000,
                "maxAmountPerGrantYen": 500_000,
                "subsidyRatePercent": 50,
                "allowedExpenseCategories": ["会場費", "広報費"],
                "maxConsecutiveYears": 3,
                "applicationDeadline": "2022-06-30",
            }
        },
        today=TODAY,
    )
    assert result["subsidyProgramCreate"]["errors"] == []
    return result["subsidyProgramCreate"]["program"]["id"]


async def submit(gql, session, program_id: str, external_id: str) -> dict:
    applicant = (
        await session.execute(sa.select(Partner).where(Partner.external_id == external_id))
    ).scalar_one()
    return (
        await gql(
            SUBMIT,
            {
                "input": {
                    "programId": program_id,
                    "applicantId": to_global_id("Partner", applicant.id),
                    "title": "港市場まつり 2022",
                    "purpose": "市場のにぎわいづくり",
                    "totalProjectCostYen": 400_000,
                    "requestedAmountYen": 200_000,
                    "expenses": [{"category": "会場費", "amountYen": 400_000}],
                }
            },
            today=TODAY,
        )
    )["subsidyApplicationSubmit"]


async def count_applications(session) -> int:
    return (
        await session.execute(sa.select(sa.func.count()).select_from(SubsidyApplication))
    ).scalar_one()


async def test_a_fourth_consecutive_year_is_refused_on_submit(gql, session):
    # given the 令和4年度 edition of the program, renamed by its year like the others
    program_id = await fy2022_program(gql)
    before = await count_applications(session)
    # when 港市場, granted three years running, applies again
    result = await submit(gql, session, program_id, "demo-partner-minato-ichiba")
    # then the submission is refused for 期限, and nothing is stored
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("CONSECUTIVE_YEARS_EXCEEDED", ["input", "applicantId"])
    ]
    assert await count_applications(session) == before


async def test_a_newcomer_to_the_program_is_in_its_first_year(gql, session):
    # given the same program
    program_id = await fy2022_program(gql)
    # when an association that never received it applies
    result = await submit(gql, session, program_id, "demo-partner-na-002")
    # then it is accepted as year 1
    assert result["errors"] == []
    assert result["application"]["consecutiveYear"] == 1
