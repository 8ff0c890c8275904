"""One visibility rule for partners (rule 13, 第2章2), on every path that reaches them.

PUBLIC sees organisations (their public fields) and never an individual volunteer: not
in the partner list, not as a node, not as an agreement party or a participant, not in
a count, and not through a search or a filter that would match only because of them.
The rule is ``domain.visibility.PartnerVisibility``; these tests walk the side channels.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.partners.models import Partner
from kyodo.domain.visibility import PartnerVisibility
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.schema.node import to_global_id
from tests.conftest import GraphQLClient
from tests.schema.agreements.factories import make_agreement
from tests.schema.collaborations.factories import (
    Part,
    make_collaboration,
    make_department,
    make_partner,
)

STAFF = Principal(name="担当課の職員", role=Role.STAFF, department_code="machizukuri")


def gid(type_name: str, row: Any) -> str:
    assert row.id is not None
    return str(to_global_id(type_name, row.id))


def volunteer_name() -> str:
    return f"デモ 太郎{uuid.uuid4().hex[:6]}"


# ------------------------------------------------------------------ the rule itself


@pytest.mark.parametrize("kind", list(PartnerKind))
@pytest.mark.parametrize("visibility", list(PartnerVisibility))
async def test_the_sql_condition_and_the_predicate_are_the_same_rule(
    session: AsyncSession, kind: PartnerKind, visibility: PartnerVisibility
) -> None:
    # given a partner of each kind
    partner = await make_partner(session, kind=kind)
    # when the rule is asked in Python and in SQL
    in_sql = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Partner)
        .where(col(Partner.id) == partner.id, *visibility.conditions())
    )
    # then both give the same answer
    assert bool(in_sql) is visibility.allows(partner)
    assert visibility.allows(partner) is (
        visibility is PartnerVisibility.ALL or kind is not PartnerKind.INDIVIDUAL
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PUBLIC, PartnerVisibility.ORGANISATIONS),
        (Role.STAFF, PartnerVisibility.ALL),
        (Role.DISASTER_OFFICE, PartnerVisibility.ALL),
        (Role.INTEGRATION, PartnerVisibility.ALL),
        (Role.ADMIN, PartnerVisibility.ALL),
    ],
)
def test_only_the_public_is_limited_to_organisations(
    role: Role, expected: PartnerVisibility
) -> None:
    assert PartnerVisibility.for_role(role) is expected


# ------------------------------------------------------------------ search


AGREEMENT_SEARCH = """
query ($q: String!) {
  agreements(filter: {search: $q}) { totalCount edges { node { title } } }
}
"""


async def test_public_search_by_a_volunteers_name_finds_no_agreement(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement whose parties are an organisation and a volunteer
    name = volunteer_name()
    department = await make_department(session)
    organisation = await make_partner(session, "（テスト）防災協力会")
    volunteer = await make_partner(session, name, kind=PartnerKind.INDIVIDUAL)
    await make_agreement(session, department=department, parties=[organisation, volunteer])
    # when PUBLIC and STAFF search agreements by the volunteer's name
    public = await gql(AGREEMENT_SEARCH, {"q": name}, principal=ANONYMOUS)
    staff = await gql(AGREEMENT_SEARCH, {"q": name}, principal=STAFF)
    # then only staff find it: to the public the name matches nothing
    assert staff["agreements"]["totalCount"] == 1
    assert public["agreements"] == {"totalCount": 0, "edges": []}


async def test_public_search_by_an_organisations_name_still_finds_its_agreement(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement with an organisation as party
    name = f"（テスト）防災協力会{uuid.uuid4().hex[:6]}"
    department = await make_department(session)
    organisation = await make_partner(session, name)
    agreement = await make_agreement(session, department=department, parties=[organisation])
    # when PUBLIC searches by the organisation's name
    public = await gql(AGREEMENT_SEARCH, {"q": name}, principal=ANONYMOUS)
    # then the agreement is found
    assert public["agreements"]["edges"] == [{"node": {"title": agreement.title}}]


async def test_public_partner_search_by_a_volunteers_name_finds_nothing(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a volunteer
    name = volunteer_name()
    await make_partner(session, name, kind=PartnerKind.INDIVIDUAL)
    query = "query ($q: String!) { partners(filter: {search: $q}) { totalCount } }"
    # when PUBLIC and STAFF search partners by the name
    public = await gql(query, {"q": name}, principal=ANONYMOUS)
    staff = await gql(query, {"q": name}, principal=STAFF)
    # then only staff find the person
    assert staff["partners"]["totalCount"] == 1
    assert public["partners"]["totalCount"] == 0


async def test_public_partner_filter_by_kind_individual_lists_no_one(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given the demo data, which has volunteers
    query = "{ partners(filter: {kinds: [INDIVIDUAL]}) { totalCount edges { node { id } } } }"
    staff = await gql(query, principal=STAFF)
    assert staff["partners"]["totalCount"] > 0
    # when PUBLIC asks for individuals
    public = await gql(query, principal=ANONYMOUS)
    # then there are none to see
    assert public["partners"] == {"totalCount": 0, "edges": []}


# ------------------------------------------------------------------ counts


COUNTS = """
query ($id: ID!) {
  node(id: $id) {
    ... on Collaboration { partnerCount participations { partner { name kind } } }
  }
}
"""


async def test_partner_count_excludes_participants_the_public_cannot_see(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a published collaboration of two organisations and a volunteer
    department = await make_department(session)
    parts = [
        await make_partner(session),
        await make_partner(session, kind=PartnerKind.NPO),
        await make_partner(session, volunteer_name(), kind=PartnerKind.INDIVIDUAL),
    ]
    collaboration = await make_collaboration(
        session, department=department, parts=[Part(p) for p in parts], is_public=True
    )
    variables = {"id": gid("Collaboration", collaboration)}
    # when PUBLIC and STAFF count its partners
    public = await gql(COUNTS, variables, principal=ANONYMOUS)
    staff = await gql(COUNTS, variables, principal=STAFF)
    # then each counts the partners it is shown
    assert staff["node"]["partnerCount"] == 3
    assert public["node"]["partnerCount"] == 2
    assert len(public["node"]["participations"]) == 2


async def test_partner_counts_match_the_participants_shown_on_every_public_page(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given the demo data (volunteers take part in published collaborations)
    query = """query ($after: String) { collaborations(first: 9, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { title partnerCount participations { partner { kind } } } } } }"""
    # when PUBLIC lists collaborations, page by page (as small as its cost budget asks)
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(query, {"after": after}, principal=ANONYMOUS))["collaborations"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then every count is the number of participants listed
    assert len(nodes) > 9
    assert [n["title"] for n in nodes if n["partnerCount"] != len(n["participations"])] == []


# ------------------------------------------------------------------ node / nodes vs the list


async def all_partner_ids(session: AsyncSession) -> list[str]:
    ids = (await session.scalars(sa.select(col(Partner.id)).order_by(col(Partner.id)))).all()
    return [str(to_global_id("Partner", pk)) for pk in ids]


async def listed_ids(gql: GraphQLClient, principal: Principal) -> set[str]:
    query = """query ($after: String) { partners(first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    seen: set[str] = set()
    after = None
    while True:
        page = (await gql(query, {"after": after}, principal=principal))["partners"]
        seen |= {e["node"]["id"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            assert len(seen) == page["totalCount"]
            return seen
        after = page["pageInfo"]["endCursor"]


async def node_ids(gql: GraphQLClient, ids: list[str], principal: Principal) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        data = await gql(
            "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": chunk}, principal=principal
        )
        found |= {n["id"] for n in data["nodes"] if n is not None}
    return found


@pytest.mark.parametrize("principal", [ANONYMOUS, STAFF], ids=["PUBLIC", "STAFF"])
async def test_nodes_show_exactly_the_partners_the_list_shows(
    session: AsyncSession, gql: GraphQLClient, principal: Principal
) -> None:
    # given every partner id there is (the demo data: organisations and volunteers)
    ids = await all_partner_ids(session)
    # when the caller looks them all up as nodes, and pages through the partner list
    by_node = await node_ids(gql, ids, principal)
    by_list = await listed_ids(gql, principal)
    # then both show the same partners
    assert by_node == by_list
    assert by_list


async def test_the_public_partner_list_has_every_organisation_and_no_individual(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given the demo data
    kinds = dict((await session.execute(sa.select(col(Partner.id), col(Partner.kind)))).all())
    organisations = {
        str(to_global_id("Partner", pk)) for pk, kind in kinds.items() if kind != "INDIVIDUAL"
    }
    assert len(organisations) < len(kinds)
    # when PUBLIC pages through the list
    listed = await listed_ids(gql, ANONYMOUS)
    # then it holds exactly the organisations
    assert listed == organisations


PUBLIC_PARTNER = """
query ($after: String) { partners(first: 25, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node {
    id name nameKana kind corporateNumber status district website
    fields { code } agreements { title }
} } } }
"""


async def test_the_public_reads_organisations_public_fields_but_no_contact_data(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given the demo data (organisations with phones, e-mails and contacts)
    # when PUBLIC lists partners with every public field (page by page, as small as its
    # cost budget asks), and then asks for contact data
    listed: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql(PUBLIC_PARTNER, {"after": after}, principal=ANONYMOUS))["partners"]
        listed += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    refused = await gql.raw(
        "{ partners(first: 1) { edges { node { name phone } } } }", principal=ANONYMOUS
    )
    # then the public fields are there and contact data is FORBIDDEN
    assert len(listed) > 25
    assert [(e["path"][-1], e["extensions"]["code"]) for e in refused["errors"]] == [
        ("phone", "FORBIDDEN")
    ]
    assert "example.jp" not in json.dumps(listed, ensure_ascii=False)


# ------------------------------------------------------------------ filters by partner


async def test_public_filters_by_a_volunteer_reveal_nothing(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a volunteer who is party to an agreement and takes part in a published project
    department = await make_department(session)
    volunteer = await make_partner(session, volunteer_name(), kind=PartnerKind.INDIVIDUAL)
    await make_agreement(session, department=department, parties=[volunteer])
    await make_collaboration(session, department=department, parts=[volunteer], is_public=True)
    query = """query ($p: ID) {
      collaborations(filter: {partnerId: $p}) { totalCount }
      agreements(filter: {partnerId: $p}) { totalCount }
    }"""
    variables = {"p": gid("Partner", volunteer)}
    # when STAFF and PUBLIC filter by that person
    staff = await gql(query, variables, principal=STAFF)
    public = await gql(query, variables, principal=ANONYMOUS)
    # then only staff learn anything
    assert staff == {"collaborations": {"totalCount": 1}, "agreements": {"totalCount": 1}}
    assert public == {"collaborations": {"totalCount": 0}, "agreements": {"totalCount": 0}}


async def test_demo_volunteers_are_in_published_collaborations(session: AsyncSession) -> None:
    """The demo data exercises the rule: some published collaboration has a volunteer."""
    from kyodo.domain.collaborations.models import Participation

    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Participation)
        .join(Collaboration, col(Collaboration.id) == col(Participation.collaboration_id))
        .join(Partner, col(Partner.id) == col(Participation.partner_id))
        .where(col(Collaboration.is_public), col(Partner.kind) == PartnerKind.INDIVIDUAL)
    )
    assert count
