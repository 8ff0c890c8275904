"""Reading partners: search folding, 五十音 order, filters, pagination, N+1 safety."""

from __future__ import annotations

import pytest

PARTNER_NAMES = """
query ($filter: PartnerFilter, $first: Int, $after: String, $orderBy: PartnerOrder) {
  partners(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name nameKana kind district corporateNumber externalId } }
  }
}
"""


def names(data: dict) -> list[str]:
    return [edge["node"]["name"] for edge in data["partners"]["edges"]]


@pytest.mark.parametrize(
    "term",
    [
        "とまこまいしょうひしゃ",
        "ﾄﾏｺﾏｲｼｮｳﾋｼｬ",
        "トマコマイショウヒシャ",
        "苫小牧消費者",
        "ﾄﾏｺﾏｲ ｼｮｳﾋｼｬ",
    ],
)
async def test_search_is_insensitive_to_width_and_kana(gql, term):
    # given the demo partner 苫小牧消費者協会 (トマコマイショウヒシャキョウカイ)
    # when searching with hiragana, half-width katakana, katakana or kanji
    data = await gql(PARTNER_NAMES, {"filter": {"search": term}, "first": 100})
    # then it is found
    assert "苫小牧消費者協会" in names(data)


async def test_search_with_like_wildcards_matches_literally(gql):
    # given no partner name contains a percent sign
    # when searching for "%"
    data = await gql(PARTNER_NAMES, {"filter": {"search": "%"}})
    # then nothing matches (the wildcard is escaped)
    assert data["partners"]["totalCount"] == 0


async def test_partners_are_in_gojuon_order_by_default(gql):
    # given the demo partners
    # when listing the first page without an order
    data = await gql(PARTNER_NAMES, {"first": 100})
    # then they come in kana order
    kana = [e["node"]["nameKana"] or e["node"]["name"] for e in data["partners"]["edges"]]
    from kyodo.domain.japanese import normalize_for_search

    keys = [normalize_for_search(k) for k in kana]
    assert keys == sorted(keys)


async def test_descending_kana_order_reverses(gql):
    # given the demo partners
    # when ordering by kana descending
    asc = await gql(PARTNER_NAMES, {"first": 30})
    desc = await gql(
        PARTNER_NAMES, {"first": 30, "orderBy": {"field": "NAME_KANA", "direction": "DESC"}}
    )
    # then the first ascending partner is not first descending, and the order is reversed
    total = asc["partners"]["totalCount"]
    last_page = await gql(
        PARTNER_NAMES,
        {"first": 30, "orderBy": {"field": "NAME_KANA", "direction": "DESC"}},
    )
    assert names(desc) == names(last_page)
    assert names(asc)[0] != names(desc)[0]
    assert total == desc["partners"]["totalCount"]


async def test_filter_by_kind(gql):
    # given neighbourhood associations among the demo partners
    # when filtering by kind
    data = await gql(
        PARTNER_NAMES, {"filter": {"kinds": ["NEIGHBORHOOD_ASSOCIATION"]}, "first": 100}
    )
    # then only associations come back, and there are more than 80 in all
    assert {e["node"]["kind"] for e in data["partners"]["edges"]} == {"NEIGHBORHOOD_ASSOCIATION"}
    assert data["partners"]["totalCount"] >= 80


async def test_filter_by_district(gql):
    # given the district of some association
    first = await gql(PARTNER_NAMES, {"filter": {"kinds": ["NEIGHBORHOOD_ASSOCIATION"]}})
    district = first["partners"]["edges"][0]["node"]["district"]
    # when filtering by it
    data = await gql(PARTNER_NAMES, {"filter": {"district": district}, "first": 100})
    # then every partner returned is in that district
    assert data["partners"]["totalCount"] >= 1
    assert {e["node"]["district"] for e in data["partners"]["edges"]} == {district}


async def test_filter_by_external_id(gql):
    # given a partner's external id
    first = await gql(PARTNER_NAMES, {"first": 1})
    node = first["partners"]["edges"][0]["node"]
    # when filtering by it
    data = await gql(PARTNER_NAMES, {"filter": {"externalId": node["externalId"]}})
    # then exactly that partner comes back
    assert [e["node"]["id"] for e in data["partners"]["edges"]] == [node["id"]]


async def test_filter_by_corporate_number(gql):
    # given a partner with a corporate number
    data = await gql(PARTNER_NAMES, {"first": 100, "filter": {"kinds": ["COMPANY"]}})
    with_number = [e["node"] for e in data["partners"]["edges"] if e["node"]["corporateNumber"]]
    assert with_number, "the demo data has companies with 法人番号"
    target = with_number[0]
    # when filtering by its number
    found = await gql(PARTNER_NAMES, {"filter": {"corporateNumber": target["corporateNumber"]}})
    # then only it comes back
    assert [e["node"]["id"] for e in found["partners"]["edges"]] == [target["id"]]


async def test_filter_by_field_codes(gql):
    # given partners active in the disaster-volunteer field
    query = """
    query ($codes: [String!]) {
      partners(first: 100, filter: {fieldCodes: $codes}) {
        totalCount edges { node { fields { code } } }
      }
    }"""
    # when filtering by that field
    data = await gql(query, {"codes": ["safety"]})
    # then each partner returned is in it
    assert data["partners"]["totalCount"] > 0
    for edge in data["partners"]["edges"]:
        assert "safety" in {f["code"] for f in edge["node"]["fields"]}


async def test_pagination_walks_all_pages_without_overlap(gql):
    # given a filter with more than one page of results
    flt = {"kinds": ["NEIGHBORHOOD_ASSOCIATION"]}
    seen: list[str] = []
    after = None
    # when following endCursor page by page
    while True:
        data = await gql(PARTNER_NAMES, {"filter": flt, "first": 25, "after": after})
        seen += [e["node"]["id"] for e in data["partners"]["edges"]]
        info = data["partners"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    # then every partner is seen exactly once
    assert len(seen) == len(set(seen)) == data["partners"]["totalCount"]


async def test_first_over_100_is_a_clear_error(gql):
    # when asking for 101 partners
    result = await gql.raw(PARTNER_NAMES, {"first": 101})
    # then the query fails with an INVALID code and a Japanese message
    assert result["errors"][0]["extensions"]["code"] == "INVALID"
    assert "100" in result["errors"][0]["message"]


async def test_default_page_size_is_20(gql):
    data = await gql(PARTNER_NAMES)
    assert len(data["partners"]["edges"]) == 20
    assert data["partners"]["pageInfo"]["hasNextPage"] is True


async def test_broken_cursor_is_a_clear_error(gql):
    result = await gql.raw(PARTNER_NAMES, {"after": "not-a-cursor"})
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_node_returns_partner_by_global_id(gql):
    # given a partner's global id
    first = await gql(PARTNER_NAMES, {"first": 1})
    node = first["partners"]["edges"][0]["node"]
    # when looking it up through node and nodes
    data = await gql(
        """query ($id: ID!) {
             node(id: $id) { id ... on Partner { name } }
             nodes(ids: [$id, "bm9wZTox"]) { id }
           }""",
        {"id": node["id"]},
    )
    # then it is found; an unknown id gives null
    assert data["node"] == {"id": node["id"], "name": node["name"]}
    assert data["nodes"] == [{"id": node["id"]}, None]


PAGE_WITH_RELATIONS = """
query ($first: Int) {
  partners(first: $first) {
    edges { node {
      name
      fields { code name }
      contacts { name phone }
      agreements(first: 3) { title parties { name } supportCategories }
    } }
  }
}
"""


async def test_page_of_partners_costs_a_constant_number_of_statements(gql, count_queries):
    # given pages of 10 and of 100 partners with fields, contacts and agreements
    await gql("{ departments { code } }")  # the session's first statement opens its savepoint
    with count_queries() as small:
        await gql(PAGE_WITH_RELATIONS, {"first": 10})
    with count_queries() as large:
        data = await gql(PAGE_WITH_RELATIONS, {"first": 100})
    # then both cost the same number of SQL statements
    assert len(data["partners"]["edges"]) == 100
    assert small.count == large.count, (small.statements, large.statements)


NETWORK_FIELDS = """
query ($first: Int) {
  partners(first: $first, filter: {kinds: [NEIGHBORHOOD_ASSOCIATION]}) {
    edges { node {
      collaborators(first: 3) { partner { name } sharedCollaborationCount }
      participations(first: 5) { totalCount edges { node { role collaboration { title } } } }
    } }
  }
}
"""


async def test_collaborators_and_participations_cost_constant_statements(gql, count_queries):
    # given pages of 5 and of 40 associations with their collaborators and participations
    await gql("{ departments { code } }")  # the session's first statement opens its savepoint
    with count_queries() as small:
        await gql(NETWORK_FIELDS, {"first": 5})
    with count_queries() as large:
        data = await gql(NETWORK_FIELDS, {"first": 40})
    # then the statement count does not grow with the page: one statement per loader
    # (a small page may skip a loader that has nothing to load)
    assert len(data["partners"]["edges"]) == 40
    assert small.count <= large.count <= 7, large.statements


async def test_nodes_load_each_kind_in_one_statement(gql, count_queries):
    # given ten partners' ids
    await gql("{ departments { code } }")  # the session's first statement opens its savepoint
    page = await gql("{ partners(first: 10) { edges { node { id } } } }")
    ids = [edge["node"]["id"] for edge in page["partners"]["edges"]]
    query = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    # when
    with count_queries() as one:
        await gql(query, {"ids": ids[:1]})
    with count_queries() as ten:
        data = await gql(query, {"ids": ids})
    # then
    assert [node["id"] for node in data["nodes"]] == ids
    assert ten.count == one.count, ten.statements
