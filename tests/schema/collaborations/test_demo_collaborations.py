"""The Collaboration API over the demo data (seeds/demo): the guideline's own cases."""

from __future__ import annotations

from typing import Any

SEARCH = """
query ($filter: CollaborationFilter) {
  collaborations(first: 100, filter: $filter) {
    totalCount
    edges { node {
      title status fiscalYear fiscalYearLabel partnerCount
      department { name }
      participations { isLead partner { name } }
      readiness { ready missing }
    } }
  }
}
"""


async def _search(gql: Any, **filter: Any) -> list[dict[str, Any]]:
    data = await gql(SEARCH, {"filter": filter})
    return [e["node"] for e in data["collaborations"]["edges"]]


async def test_consumer_life_fair_runs_every_year_led_by_the_consumer_association(
    gql: Any,
) -> None:
    # when: searched in katakana and half-width-free form
    rows = await _search(gql, search="みんなの消費生活展", departmentCodes=["shimin-seikatsu"])

    # then: 平成30年度 to 令和4年度, newest first, 苫小牧消費者協会 leading
    assert [(r["fiscalYear"], r["fiscalYearLabel"]) for r in rows] == [
        (2022, "令和4年度"),
        (2021, "令和3年度"),
        (2020, "令和2年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
    ]
    assert {r["department"]["name"] for r in rows} == {"市民生活課"}
    assert all(
        r["participations"][0] == {"isLead": True, "partner": {"name": "苫小牧消費者協会"}}
        for r in rows
    )
    # 令和3年度: 苫小牧消費者協会 and 16 more groups
    assert rows[1]["partnerCount"] == 17


async def test_readiness_of_the_planned_fair_names_what_is_missing(gql: Any) -> None:
    # when
    rows = await _search(gql, search="みんなの消費生活展（令和4年度）")

    # then
    assert [(r["status"], r["readiness"]) for r in rows] == [
        (
            "PLANNING",
            {"ready": False, "missing": ["COST", "PERIOD", "CITY_ROLE", "PARTNER_REASONS"]},
        )
    ]


async def test_readiness_of_a_barely_started_plan(gql: Any) -> None:
    # when
    rows = await _search(gql, search="多文化共生フェスタ", statuses=["PLANNING"])

    # then
    assert [r["readiness"]["missing"] for r in rows] == [
        ["PLAN", "COST", "PERIOD", "RESPONSIBILITY", "ROLES", "CITY_ROLE", "PARTNER_REASONS"]
    ]


async def test_search_is_insensitive_to_kana_and_width(gql: Any) -> None:
    # when
    hiragana = await _search(gql, search="まちかどみーてぃんぐ")
    half_width = await _search(gql, search="ﾏﾁｶﾄﾞ")

    # then
    assert len(hiragana) == 5
    assert [r["title"] for r in half_width] == [r["title"] for r in hiragana]


PAGE = """
query ($first: Int) {
  collaborations(first: $first) {
    totalCount
    edges { node {
      title forms
      department { name }
      fields { name }
      participations { role partner { name } }
      readiness { ready missing }
      evaluation { outcomes }
    } }
  }
}
"""


async def test_a_page_of_all_demo_collaborations_costs_as_much_as_a_page_of_ten(
    gql: Any, count_queries: Any
) -> None:
    # given: a first request, so that opening the test's savepoint is not counted
    await gql(PAGE, {"first": 1})
    with count_queries() as small:
        await gql(PAGE, {"first": 10})

    # when
    with count_queries() as large:
        data = await gql(PAGE, {"first": 100})

    # then
    assert data["collaborations"]["totalCount"] > 10
    assert len(data["collaborations"]["edges"]) == min(100, data["collaborations"]["totalCount"])
    assert large.count == small.count
