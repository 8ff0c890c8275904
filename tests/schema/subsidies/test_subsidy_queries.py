"""subsidyPrograms and subsidyApplications over the demo data (補助・助成, rule 10).

The demo data holds 苫小牧市イベント・環境整備等助成金事業 for 令和元年度〜令和3年度
(商業振興課); 令和3年度 has nine applications in every state of the flow.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import SubsidyApplicationStatus
from kyodo.domain.partners.models import Partner
from kyodo.schema.node import to_global_id

from .factories import make_application, make_department, make_partner, make_program

PROGRAM_NAME_2021 = "苫小牧市イベント・環境整備等助成金事業（令和3年度）"

PROGRAMS = """
query ($fiscalYear: Int) {
  subsidyPrograms(fiscalYear: $fiscalYear) {
    id name fiscalYear budgetYen grantedTotalYen remainingBudgetYen
    maxAmountPerGrantYen subsidyRatePercent allowedExpenseCategories maxConsecutiveYears
    applicationDeadline
    department { code name }
  }
}
"""

APPLICATIONS = """
query ($programId: ID, $statuses: [SubsidyApplicationStatus!], $first: Int, $after: String) {
  subsidyApplications(programId: $programId, statuses: $statuses, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      node {
        id title status submittedOn
        program { name }
        applicant { name }
        consecutiveYear
      }
    }
  }
}
"""

APPLICATION = """
query ($id: ID!) {
  node(id: $id) {
    id
    ... on SubsidyApplication {
      title status requestedAmountYen grantedAmountYen settledAmountYen
      program { name fiscalYear }
      applicant { name }
      expenses { category amountYen description }
      actualExpenses { category amountYen description }
      consecutiveYear
      conditionCheck { satisfied violations { code message } }
    }
  }
}
"""


async def _partner_named(session: AsyncSession, name: str) -> Partner:
    stmt = sa.select(Partner).where(col(Partner.name) == name)
    return (await session.execute(stmt)).scalar_one()


async def _program_2021(gql: Any) -> dict[str, Any]:
    data = await gql(PROGRAMS, {"fiscalYear": 2021})
    [program] = [p for p in data["subsidyPrograms"] if p["name"] == PROGRAM_NAME_2021]
    return program


async def _application_id(gql: Any, title: str, fiscal_year: int = 2021) -> str:
    data = await gql(APPLICATIONS, {"first": 100})
    [node] = [
        e["node"]
        for e in data["subsidyApplications"]["edges"]
        if e["node"]["title"] == title and e["node"]["submittedOn"] >= f"{fiscal_year}-04-01"
    ]
    return str(node["id"])


async def test_programs_of_a_fiscal_year_show_conditions_and_budget_left(gql: Any) -> None:
    # when
    program = await _program_2021(gql)

    # then: granted to 港市場 外8団体 = 500,000 + 340,000 (settled) + 200,000 + 150,000
    # + 300,000 + 400,000 + 180,000 + 250,000 + 200,000
    assert program["fiscalYear"] == 2021
    assert program["department"] == {"code": "shogyo-shinko", "name": "商業振興課"}
    assert program["budgetYen"] == 5_000_000
    assert program["grantedTotalYen"] == 2_520_000
    assert program["remainingBudgetYen"] == 2_480_000
    assert program["maxAmountPerGrantYen"] == 500_000
    assert program["subsidyRatePercent"] == 50
    assert program["maxConsecutiveYears"] == 3
    assert program["applicationDeadline"] == "2022-01-31"
    assert "印刷製本費" in program["allowedExpenseCategories"]


async def test_settled_applications_count_their_settled_amount(gql: Any) -> None:
    # when
    data = await gql(PROGRAMS, {"fiscalYear": 2020})

    # then: 400,000 + 480,000 (granted 500,000, settled 480,000) + 200,000
    [program] = data["subsidyPrograms"]
    assert program["grantedTotalYen"] == 1_080_000
    assert program["remainingBudgetYen"] == 2_920_000


async def test_programs_are_listed_newest_fiscal_year_first(gql: Any) -> None:
    # when
    data = await gql(PROGRAMS)

    # then
    years = [p["fiscalYear"] for p in data["subsidyPrograms"]]
    assert years == sorted(years, reverse=True)
    assert {2019, 2020, 2021} <= set(years)


async def test_applications_of_a_program_newest_submission_first(gql: Any) -> None:
    # given
    program = await _program_2021(gql)

    # when
    data = await gql(APPLICATIONS, {"programId": program["id"]})

    # then
    applications = data["subsidyApplications"]
    assert applications["totalCount"] == 12
    titles = [e["node"]["title"] for e in applications["edges"]]
    assert titles[:3] == [
        "中央銀座 ひなまつりフェア",
        "勇払みなと商店会 ベンチ・プランターの設置",
        "錦岡商店会 春の花まつり",
    ]
    assert titles[-1] == "みなと市場 海の幸フェア"
    assert {e["node"]["program"]["name"] for e in applications["edges"]} == {PROGRAM_NAME_2021}


async def test_applications_filtered_by_status(gql: Any) -> None:
    # given
    program = await _program_2021(gql)

    # when
    data = await gql(
        APPLICATIONS, {"programId": program["id"], "statuses": ["SUBMITTED", "UNDER_REVIEW"]}
    )

    # then
    nodes = [e["node"] for e in data["subsidyApplications"]["edges"]]
    assert data["subsidyApplications"]["totalCount"] == 2
    assert [(n["status"], n["applicant"]["name"]) for n in nodes] == [
        ("SUBMITTED", "（デモ）中央銀座商店街振興組合"),
        ("UNDER_REVIEW", "（デモ）錦岡商店会"),
    ]


async def test_applications_are_paginated_with_cursors(gql: Any) -> None:
    # given
    program = await _program_2021(gql)
    everything = await gql(APPLICATIONS, {"programId": program["id"]})
    all_ids = [e["node"]["id"] for e in everything["subsidyApplications"]["edges"]]

    # when
    first = await gql(APPLICATIONS, {"programId": program["id"], "first": 4})
    cursor = first["subsidyApplications"]["pageInfo"]["endCursor"]
    second = await gql(APPLICATIONS, {"programId": program["id"], "first": 4, "after": cursor})
    cursor = second["subsidyApplications"]["pageInfo"]["endCursor"]
    last = await gql(APPLICATIONS, {"programId": program["id"], "first": 4, "after": cursor})

    # then
    pages = [first, second, last]
    ids = [e["node"]["id"] for page in pages for e in page["subsidyApplications"]["edges"]]
    assert ids == all_ids
    assert [p["subsidyApplications"]["totalCount"] for p in pages] == [12, 12, 12]
    assert [p["subsidyApplications"]["pageInfo"]["hasNextPage"] for p in pages] == [
        True,
        True,
        False,
    ]
    assert first["subsidyApplications"]["pageInfo"]["hasPreviousPage"] is False
    assert second["subsidyApplications"]["pageInfo"]["hasPreviousPage"] is True


async def test_more_than_100_applications_per_page_is_refused(gql: Any) -> None:
    # when
    result = await gql.raw(APPLICATIONS, {"first": 101})

    # then
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_a_program_id_of_another_type_is_refused(gql: Any) -> None:
    # when
    result = await gql.raw(APPLICATIONS, {"programId": str(to_global_id("Partner", 1))})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_a_program_lists_its_own_applications(gql: Any) -> None:
    # given
    program = await _program_2021(gql)
    query = """
    query ($id: ID!) {
      node(id: $id) {
        ... on SubsidyProgram {
          all: applications(first: 2) { totalCount edges { node { title } } }
          reported: applications(statuses: [REPORTED]) { totalCount edges { node { title } } }
          every: applications(first: 100) { edges { node { title } } }
          oldest: applications(last: 2) {
            totalCount pageInfo { hasPreviousPage hasNextPage } edges { node { title } }
          }
        }
      }
    }
    """

    # when
    data = await gql(query, {"id": program["id"]})

    # then
    node = data["node"]
    assert node["all"]["totalCount"] == 12
    assert [e["node"]["title"] for e in node["all"]["edges"]] == [
        "中央銀座 ひなまつりフェア",
        "勇払みなと商店会 ベンチ・プランターの設置",
    ]
    assert node["reported"]["totalCount"] == 2
    assert [e["node"]["title"] for e in node["reported"]["edges"]] == [
        "錦岡商店会 冬のイルミネーション",
        "沼ノ端駅前 花いっぱい環境整備",
    ]
    titles = [e["node"]["title"] for e in node["every"]["edges"]]
    assert len(titles) == 12
    assert node["oldest"]["totalCount"] == 12
    assert [e["node"]["title"] for e in node["oldest"]["edges"]] == titles[-2:]
    assert node["oldest"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}


async def test_an_application_shows_planned_and_actual_expenses_in_order(gql: Any) -> None:
    # given
    application_id = await _application_id(gql, "みなと市場 海の幸フェア")

    # when
    data = await gql(APPLICATION, {"id": application_id})

    # then
    node = data["node"]
    assert node["id"] == application_id
    assert node["program"] == {"name": PROGRAM_NAME_2021, "fiscalYear": 2021}
    assert node["applicant"] == {"name": "商業協同組合苫小牧港市場"}
    assert [(e["category"], e["amountYen"]) for e in node["expenses"]] == [
        ("広告宣伝費", 350_000),
        ("使用料及び賃借料", 300_000),
        ("謝礼金", 150_000),
        ("消耗品費", 200_000),
    ]
    assert node["expenses"][0]["description"] == "ポスター・ラジオCM"
    assert [(e["category"], e["amountYen"]) for e in node["actualExpenses"]] == [
        ("広告宣伝費", 360_000),
        ("使用料及び賃借料", 300_000),
        ("謝礼金", 150_000),
        ("消耗品費", 210_000),
    ]


async def test_consecutive_year_counts_grants_of_the_same_program_over_the_years(
    gql: Any,
) -> None:
    # given: 苫小牧港市場 was granted in 令和元年度 and 令和2年度, 錦岡商店会 only in 令和2年度
    program = await _program_2021(gql)

    # when
    data = await gql(APPLICATIONS, {"programId": program["id"]})

    # then
    years = {
        e["node"]["applicant"]["name"]: e["node"]["consecutiveYear"]
        for e in data["subsidyApplications"]["edges"]
    }
    assert years["商業協同組合苫小牧港市場"] == 3
    assert years["（デモ）中央銀座商店街振興組合"] == 3
    assert years["（デモ）錦岡商店会"] == 2
    assert years["（デモ）沼ノ端駅前商店会"] == 1


async def test_an_application_within_every_condition_satisfies_the_check(gql: Any) -> None:
    # given: third year in a row, at most 3 allowed; half the cost; allowed expenses
    application_id = await _application_id(gql, "みなと市場 海の幸フェア")

    # when
    data = await gql(APPLICATION, {"id": application_id})

    # then
    assert data["node"]["consecutiveYear"] == 3
    assert data["node"]["conditionCheck"] == {"satisfied": True, "violations": []}


async def _fourth_year_in_a_row(
    session: AsyncSession, allowed: list[str], *, budget_yen: int
) -> Any:
    """The program's 令和4年度 edition (at most 500,000 yen, 50 %, three years in a row),
    and 苫小牧港市場's application to it: a fourth year in a row, over the maximum and the
    rate, with an expense (飲食費) the program does not allow."""
    program = await make_program(
        session,
        department=await make_department(session),
        name="苫小牧市イベント・環境整備等助成金事業（令和4年度）",
        fiscal_year=2022,
        budget_yen=budget_yen,
        max_amount_per_grant_yen=500_000,
        subsidy_rate_percent=50,
        allowed_expense_categories=allowed,
        max_consecutive_years=3,
    )
    return await make_application(
        session,
        program=program,
        applicant=await _partner_named(session, "商業協同組合苫小牧港市場"),
        requested_amount_yen=600_000,
        total_project_cost_yen=1_000_000,
        planned=[("広告宣伝費", 400_000), ("飲食費", 600_000)],
    )


async def test_the_condition_check_names_every_condition_an_application_breaks(
    session: AsyncSession, gql: Any
) -> None:
    # given: the program's 令和4年度 edition; 苫小牧港市場 would get it a fourth year in a row
    program_2021 = await _program_2021(gql)
    application = await _fourth_year_in_a_row(
        session, program_2021["allowedExpenseCategories"], budget_yen=5_000_000
    )
    assert application.id is not None

    # when
    data = await gql(APPLICATION, {"id": str(to_global_id("SubsidyApplication", application.id))})

    # then
    check = data["node"]["conditionCheck"]
    assert data["node"]["consecutiveYear"] == 4
    assert check["satisfied"] is False
    assert [v["code"] for v in check["violations"]] == [
        "OVER_MAX_AMOUNT",
        "OVER_SUBSIDY_RATE",
        "EXPENSE_NOT_ALLOWED",
        "CONSECUTIVE_YEARS_EXCEEDED",
    ]
    assert "「飲食費」" in check["violations"][2]["message"]
    assert "4年度続けて" in check["violations"][3]["message"]


async def test_an_undecided_application_asking_more_than_the_budget_left_is_over_budget(
    session: AsyncSession, gql: Any
) -> None:
    # given: 300,000 of 400,000 already granted
    department = await make_department(session)
    program = await make_program(
        session, department=department, name="テスト助成金（令和3年度）", budget_yen=400_000
    )
    await make_application(
        session,
        program=program,
        applicant=await make_partner(session),
        status=SubsidyApplicationStatus.APPROVED,
        requested_amount_yen=300_000,
        granted_amount_yen=300_000,
    )
    waiting = await make_application(
        session,
        program=program,
        applicant=await make_partner(session),
        requested_amount_yen=150_000,
    )
    assert waiting.id is not None

    # when
    data = await gql(APPLICATION, {"id": str(to_global_id("SubsidyApplication", waiting.id))})

    # then
    check = data["node"]["conditionCheck"]
    assert check["satisfied"] is False
    assert [v["code"] for v in check["violations"]] == ["OVER_BUDGET"]
    assert "100,000円" in check["violations"][0]["message"]


async def test_a_program_is_found_by_its_node_id(gql: Any) -> None:
    # given
    program = await _program_2021(gql)
    query = """
    query ($id: ID!) { node(id: $id) { id ... on SubsidyProgram { name fiscalYear } } }
    """

    # when
    data = await gql(query, {"id": program["id"]})

    # then
    assert data["node"] == {"id": program["id"], "name": PROGRAM_NAME_2021, "fiscalYear": 2021}


APPLICATIONS_IN_FULL = """
query ($programId: ID, $statuses: [SubsidyApplicationStatus!], $first: Int, $after: String) {
  subsidyApplications(programId: $programId, statuses: $statuses, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node {
      __typename id title purpose totalProjectCostYen requestedAmountYen grantedAmountYen
      status submittedOn decidedOn decisionReason settledAmountYen version
      program { id name fiscalYear applications(first: 2, statuses: [APPROVED, SETTLED]) {
        totalCount edges { node { title status } } } }
      applicant { name kind }
      expenses { category amountYen description }
      actualExpenses { category amountYen description }
      consecutiveYear conditionCheck { satisfied violations { code message } }
    } }
  }
}
"""
APPLICATION_NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on SubsidyApplication { title expenses { amountYen } } }
}
"""


async def test_applications_read_the_same_on_both_paths(session: AsyncSession) -> None:
    from kyodo.domain.enums import Role
    from kyodo.schema.context import Principal
    from tests.conftest import TEST_ADMIN
    from tests.schema.compiled.both_paths import both_paths

    # given: the demo's applications, and a fourth year in a row that breaks conditions
    await _fourth_year_in_a_row(session, ["広告宣伝費"], budget_yen=500_000)
    staff = Principal(name="職員", role=Role.STAFF, department_code="shogyo-shinko")
    program = (await both_paths(session, PROGRAMS, {"fiscalYear": 2021}, principal=TEST_ADMIN))[
        "subsidyPrograms"
    ][0]["id"]
    for principal in (TEST_ADMIN, staff):
        # when: every application, one program's, by status, a later page, the nodes
        everything = await both_paths(
            session, APPLICATIONS_IN_FULL, {"first": 100}, principal=principal
        )
        edges = everything["subsidyApplications"]["edges"]
        assert len(edges) >= 9
        assert any(edge["node"]["actualExpenses"] for edge in edges)
        assert edges[0]["node"]["consecutiveYear"] == 4  # the newest submission
        assert len(edges[0]["node"]["conditionCheck"]["violations"]) == 5
        mine = await both_paths(
            session, APPLICATIONS_IN_FULL, {"programId": program}, principal=principal
        )
        assert mine["subsidyApplications"]["totalCount"] > 0
        assert {e["node"]["program"]["id"] for e in mine["subsidyApplications"]["edges"]} == {
            program
        }
        cursor = edges[1]["cursor"]
        later = await both_paths(
            session, APPLICATIONS_IN_FULL, {"first": 3, "after": cursor}, principal=principal
        )
        assert later["subsidyApplications"]["edges"] == edges[2:5]
        approved = await both_paths(
            session, APPLICATIONS_IN_FULL, {"statuses": ["APPROVED"]}, principal=principal
        )
        assert {e["node"]["status"] for e in approved["subsidyApplications"]["edges"]} == {
            "APPROVED"
        }
        ids = [edge["node"]["id"] for edge in edges[:3]]
        nodes = await both_paths(session, APPLICATION_NODES, {"ids": ids}, principal=principal)
        assert [n["id"] for n in nodes["nodes"]] == ids
    # then: no application exists for the public or an integration
    for role in (Role.PUBLIC, Role.INTEGRATION):
        outsider = Principal(name="外部", role=role)
        nodes = await both_paths(session, APPLICATION_NODES, {"ids": ids}, principal=outsider)
        assert nodes["nodes"] == [None, None, None]
