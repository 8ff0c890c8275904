"""endorsementApplications over the demo data, with the live screening (後援, rule 11)."""

from __future__ import annotations

from typing import Any

from kyodo.schema.node import to_global_id

APPLICATIONS = """
query ($statuses: [EndorsementStatus!], $first: Int, $after: String) {
  endorsementApplications(statuses: $statuses, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      node {
        id eventName eventStartsOn status disqualifiers contributesToCityPolicy
        organizer { name }
        department { code name }
        screening { eligible disqualifiers reasons }
      }
    }
  }
}
"""

LOVE_EARTH = "ラブアース・クリーンアップ in 北海道 2021"
REFORM_FAIR = "（デモ）住まいのリフォーム大感謝祭2021"
KAIGA_TEN = "（デモ）苫小牧こども絵画展2022"


async def _by_name(gql: Any) -> dict[str, dict[str, Any]]:
    data = await gql(APPLICATIONS, {"first": 100})
    return {e["node"]["eventName"]: e["node"] for e in data["endorsementApplications"]["edges"]}


async def test_applications_are_listed_latest_event_first(gql: Any) -> None:
    # when
    data = await gql(APPLICATIONS)

    # then
    dates = [e["node"]["eventStartsOn"] for e in data["endorsementApplications"]["edges"]]
    assert dates == sorted(dates, reverse=True)
    assert data["endorsementApplications"]["totalCount"] >= 5


async def test_applications_filtered_by_status(gql: Any) -> None:
    # when
    data = await gql(APPLICATIONS, {"statuses": ["APPROVED"]})

    # then
    connection = data["endorsementApplications"]
    assert connection["totalCount"] == 2
    assert [e["node"]["eventName"] for e in connection["edges"]] == [
        "（デモ）勇払海岸クリーン作戦2021",
        LOVE_EARTH,
    ]


async def test_an_approved_application_shows_organizer_department_and_eligibility(
    gql: Any,
) -> None:
    # when
    love_earth = (await _by_name(gql))[LOVE_EARTH]

    # then
    assert love_earth["organizer"] == {"name": "NPO法人北海道市民環境ネットワーク"}
    assert love_earth["department"] == {"code": "zero-gomi", "name": "ゼロごみ推進課"}
    assert love_earth["eventStartsOn"] == "2021-05-30"
    assert love_earth["screening"] == {"eligible": True, "disqualifiers": [], "reasons": []}


async def test_a_disqualified_application_is_not_eligible_and_says_why_in_japanese(
    gql: Any,
) -> None:
    # when
    reform_fair = (await _by_name(gql))[REFORM_FAIR]

    # then
    assert reform_fair["status"] == "REJECTED"
    assert reform_fair["screening"] == {
        "eligible": False,
        "disqualifiers": ["FOR_PROFIT"],
        "reasons": [
            "営利や私的な利益を目的としているため、後援できません。",
            "市の施策の推進に役立つとは認められないため、後援できません。",
        ],
    }


async def test_an_application_not_yet_judged_is_not_eligible(gql: Any) -> None:
    # when
    kaiga = (await _by_name(gql))[KAIGA_TEN]

    # then
    assert kaiga["contributesToCityPolicy"] is None
    assert kaiga["screening"] == {
        "eligible": False,
        "disqualifiers": [],
        "reasons": ["市の施策の推進に役立つかどうか、まだ判断されていません。"],
    }


async def test_applications_are_paginated_with_cursors(gql: Any) -> None:
    # given
    everything = await gql(APPLICATIONS, {"first": 100})
    all_names = [e["node"]["eventName"] for e in everything["endorsementApplications"]["edges"]]

    # when
    first = await gql(APPLICATIONS, {"first": 2})
    cursor = first["endorsementApplications"]["pageInfo"]["endCursor"]
    second = await gql(APPLICATIONS, {"first": 2, "after": cursor})

    # then
    names = [
        e["node"]["eventName"]
        for page in (first, second)
        for e in page["endorsementApplications"]["edges"]
    ]
    assert names == all_names[:4]
    assert first["endorsementApplications"]["pageInfo"]["hasNextPage"] is True
    assert second["endorsementApplications"]["pageInfo"]["hasPreviousPage"] is True
    assert second["endorsementApplications"]["totalCount"] == len(all_names)


async def test_more_than_100_applications_per_page_is_refused(gql: Any) -> None:
    # when
    result = await gql.raw(APPLICATIONS, {"first": 101})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_an_application_is_found_by_its_node_id(gql: Any) -> None:
    # given
    love_earth = (await _by_name(gql))[LOVE_EARTH]
    query = """
    query ($id: ID!) {
      node(id: $id) { id ... on EndorsementApplication { eventName screening { eligible } } }
    }
    """

    # when
    data = await gql(query, {"id": love_earth["id"]})
    missing = await gql(query, {"id": str(to_global_id("EndorsementApplication", 999_999))})

    # then
    assert data["node"] == {
        "id": love_earth["id"],
        "eventName": LOVE_EARTH,
        "screening": {"eligible": True},
    }
    assert missing["node"] is None


NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) { id ... on EndorsementApplication { eventName screening { eligible } } }
}
"""


async def test_applications_read_the_same_on_both_paths(session: Any) -> None:
    from kyodo.domain.enums import Role
    from kyodo.schema.context import Principal
    from tests.conftest import TEST_ADMIN
    from tests.schema.compiled.both_paths import both_paths

    staff = Principal(name="職員", role=Role.STAFF, department_code="kyodo")
    for principal in (TEST_ADMIN, staff):
        # when: the whole list, a page after a cursor, filtered by status
        data = await both_paths(session, APPLICATIONS, {"first": 100}, principal=principal)
        edges = data["endorsementApplications"]["edges"]
        assert len(edges) >= 5
        page = await both_paths(session, APPLICATIONS, {"first": 2}, principal=principal)
        cursor = page["endorsementApplications"]["pageInfo"]["endCursor"]
        later = await both_paths(
            session, APPLICATIONS, {"first": 2, "after": cursor}, principal=principal
        )
        assert later["endorsementApplications"]["edges"][0] == edges[2]
        approved = await both_paths(
            session, APPLICATIONS, {"statuses": ["APPROVED"]}, principal=principal
        )
        assert approved["endorsementApplications"]["totalCount"] == 2
        ids = [edge["node"]["id"] for edge in edges[:3]]
        nodes = await both_paths(session, NODES, {"ids": ids}, principal=principal)
        assert [n["id"] for n in nodes["nodes"]] == ids
    # then: no application exists for the public
    public = Principal(name="anonymous", role=Role.PUBLIC)
    nodes = await both_paths(session, NODES, {"ids": ids}, principal=public)
    assert nodes["nodes"] == [None, None, None]
