"""proposals over the demo data: answers, needs learned, filters (提案, rule 12)."""

from __future__ import annotations

from typing import Any

PROPOSALS = """
query (
  $statuses: [ProposalStatus!], $departmentCodes: [String!], $first: Int, $after: String
) {
  proposals(statuses: $statuses, departmentCodes: $departmentCodes, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      node {
        id title kind channel receivedOn status response respondedOn identifiedNeeds
        background supportOptions
        proposer { name }
        department { code name }
        collaboration { title }
      }
    }
  }
}
"""


async def _by_title(gql: Any) -> dict[str, dict[str, Any]]:
    data = await gql(PROPOSALS, {"first": 100})
    return {e["node"]["title"]: e["node"] for e in data["proposals"]["edges"]}


async def test_proposals_are_listed_most_recently_received_first(gql: Any) -> None:
    # when
    data = await gql(PROPOSALS)

    # then
    dates = [e["node"]["receivedOn"] for e in data["proposals"]["edges"]]
    assert dates == sorted(dates, reverse=True)
    assert data["proposals"]["totalCount"] >= 8


async def test_a_proposal_not_adopted_keeps_its_reason_and_the_needs_learned(gql: Any) -> None:
    # when
    data = await gql(PROPOSALS, {"statuses": ["NOT_ADOPTED"]})

    # then
    [edge] = data["proposals"]["edges"]
    dog_run = edge["node"]
    assert dog_run["title"] == "（デモ）中央公園にドッグランをつくってほしい"
    assert dog_run["channel"] == "EMAIL"
    assert dog_run["response"].startswith("中央公園は今年度から遊具の入れ替え工事が決まっていて")
    assert dog_run["respondedOn"] == "2021-09-10"
    assert dog_run["identifiedNeeds"] == [
        "犬を連れて安心して過ごせる場所がほしい",
        "公園で放し飼いの犬に困っている人がいる",
    ]
    assert dog_run["proposer"] == {"name": "デモ 花子"}
    assert dog_run["department"] == {"code": "machizukuri", "name": "まちづくり推進課"}
    assert dog_run["collaboration"] is None


async def test_an_adopted_proposal_links_the_collaboration_it_became(gql: Any) -> None:
    # when
    kenshu = (await _by_title(gql))["こども研修・交流事業の企画運営に関する提案"]

    # then
    assert kenshu["status"] == "ADOPTED"
    assert kenshu["proposer"] == {"name": "株式会社トートー事務機"}
    assert kenshu["collaboration"] == {"title": "こども研修・交流事業（公共サービス民間提案制度）"}


async def test_an_anonymous_proposal_has_no_proposer(gql: Any) -> None:
    # when
    yukikaki = (await _by_title(gql))["（デモ）高齢者世帯の除雪を近所で助け合う仕組み"]

    # then
    assert yukikaki["kind"] == "ALTERNATIVE"
    assert yukikaki["proposer"] is None


async def test_proposals_filtered_by_department(gql: Any) -> None:
    # when
    data = await gql(PROPOSALS, {"departmentCodes": ["seishonen"]})

    # then
    assert data["proposals"]["totalCount"] == 2
    assert [e["node"]["title"] for e in data["proposals"]["edges"]] == [
        "（デモ）通学路の見守りボランティアを増やしたい",
        "（デモ）商店街の空き店舗で子ども食堂を開きたい",
    ]


async def test_proposals_filtered_by_status_and_department_together(gql: Any) -> None:
    # when
    data = await gql(
        PROPOSALS, {"statuses": ["RECEIVED"], "departmentCodes": ["seishonen", "zero-gomi"]}
    )

    # then
    assert [e["node"]["title"] for e in data["proposals"]["edges"]] == [
        "（デモ）ごみ収集カレンダーをアプリでも知らせてほしい",
        "（デモ）通学路の見守りボランティアを増やしたい",
    ]


async def test_an_unknown_department_code_matches_nothing(gql: Any) -> None:
    # when
    data = await gql(PROPOSALS, {"departmentCodes": ["no-such-department"]})

    # then
    assert data["proposals"] == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "endCursor": None,
        },
        "edges": [],
    }


async def test_proposals_are_paginated_with_cursors(gql: Any) -> None:
    # given
    everything = await gql(PROPOSALS, {"first": 100})
    all_ids = [e["node"]["id"] for e in everything["proposals"]["edges"]]

    # when
    first = await gql(PROPOSALS, {"first": 3})
    cursor = first["proposals"]["pageInfo"]["endCursor"]
    second = await gql(PROPOSALS, {"first": 3, "after": cursor})

    # then
    ids = [e["node"]["id"] for page in (first, second) for e in page["proposals"]["edges"]]
    assert ids == all_ids[:6]
    assert first["proposals"]["pageInfo"]["hasNextPage"] is True
    assert second["proposals"]["totalCount"] == len(all_ids)


async def test_more_than_100_proposals_per_page_is_refused(gql: Any) -> None:
    # when
    result = await gql.raw(PROPOSALS, {"first": 101})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_a_proposal_is_found_by_its_node_id(gql: Any) -> None:
    # given
    dog_run = (await _by_title(gql))["（デモ）中央公園にドッグランをつくってほしい"]
    query = """
    query ($id: ID!) { node(id: $id) { id ... on Proposal { title status } } }
    """

    # when
    data = await gql(query, {"id": dog_run["id"]})

    # then
    assert data["node"] == {
        "id": dog_run["id"],
        "title": "（デモ）中央公園にドッグランをつくってほしい",
        "status": "NOT_ADOPTED",
    }
