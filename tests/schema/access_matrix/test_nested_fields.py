"""The authorisation matrix: node lookups and nested fields.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.log import record_event
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import (
    PartnerKind,
)
from kyodo.domain.partners.models import Partner
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.subsidies.models import SubsidyApplication
from kyodo.schema.context import ANONYMOUS
from kyodo.schema.node import to_global_id
from tests.conftest import GraphQLClient
from tests.schema.agreements.factories import make_agreement
from tests.schema.collaborations.factories import make_department, make_partner

from .support import (
    N,
    Y,
    demo_id,
    gid,
    principal,
)

NODE = "query ($id: ID!) { node(id: $id) { id __typename } }"


NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"


async def node_visible(gql: GraphQLClient, global_id: str, role: str) -> bool:
    """Whether ``role`` sees the object through both ``node`` and ``nodes``."""
    single = await gql(NODE, {"id": global_id}, principal=principal(role))
    many = await gql(NODES, {"ids": [global_id]}, principal=principal(role))
    assert (single["node"] is None) == (many["nodes"] == [None])
    return single["node"] is not None


@pytest.mark.parametrize(
    ("role", "visible"),
    [("PUBLIC", N), ("DISASTER_OFFICE", N), ("INTEGRATION", N), ("STAFF", Y), ("ADMIN", Y)],
)
async def test_an_unpublished_collaboration_is_a_null_node_outside_the_city_staff(
    session: AsyncSession, gql: GraphQLClient, role: str, visible: bool
) -> None:
    # given a demo collaboration not yet published
    pk = await demo_id(session, Collaboration, "demo-collab-tarumae-photo-2022")
    assert (
        await session.scalar(
            sa.select(col(Collaboration.is_public)).where(col(Collaboration.id) == pk)
        )
        is False
    )
    # when / then
    assert await node_visible(gql, str(to_global_id("Collaboration", pk)), role) is visible


@pytest.mark.parametrize(
    ("role", "visible"),
    [("PUBLIC", N), ("DISASTER_OFFICE", Y), ("INTEGRATION", Y), ("STAFF", Y), ("ADMIN", Y)],
)
async def test_an_individual_is_a_null_node_for_the_public(
    session: AsyncSession, gql: GraphQLClient, role: str, visible: bool
) -> None:
    # given a demo volunteer
    pk = await demo_id(session, Partner, "demo-partner-volunteer-01")
    # when / then
    assert await node_visible(gql, str(to_global_id("Partner", pk)), role) is visible


ORGANISATION_PERSONAL = """
query ($id: ID!) {
  node(id: $id) {
    ... on Partner {
      name kind
      externalId representative phone email
      address { postalCode prefecture city street }
      contacts { name role phone email }
    }
  }
}
"""


async def test_the_public_sees_an_organisation_but_none_of_its_contact_data(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a demo organisation with a representative, contacts, phone and e-mail
    pk = await demo_id(session, Partner, "demo-partner-rengokai")
    variables = {"id": str(to_global_id("Partner", pk))}
    seeded = {
        "externalId": "demo-partner-rengokai",
        "representative": "デモ 和子",
        "phone": "000-0100-0005",
        "email": "rengokai@example.jp",
        "contact phone": "000-0110-0005",
        "contact email": "rengokai-kaicho@example.jp",
        "prefecture": "北海道",
    }
    # when
    visible = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Partner { name kind } } }",
        variables,
        principal=ANONYMOUS,
    )
    result = await gql.raw(ORGANISATION_PERSONAL, variables, principal=ANONYMOUS)
    # then the organisation itself is public
    assert visible["node"] == {"name": "（デモ）苫小牧市町内会連合会", "kind": "OTHER_ORGANIZATION"}
    # but every contact field is refused (contacts is non-null, so its refusal nulls the node)
    assert sorted((e["path"], e["extensions"]["code"]) for e in result["errors"]) == sorted(
        (["node", field], "FORBIDDEN")
        for field in ("externalId", "representative", "phone", "email", "address", "contacts")
    )
    # and no seeded personal value appears anywhere in the response
    serialized = json.dumps(result, ensure_ascii=False)
    assert [what for what, value in seeded.items() if value in serialized] == []
    # while STAFF, sending the same query, does get them (the query itself is right)
    staff = await gql(ORGANISATION_PERSONAL, variables, principal=principal("STAFF"))
    serialized = json.dumps(staff, ensure_ascii=False)
    assert [what for what, value in seeded.items() if value not in serialized] == []


async def internal_records(session: AsyncSession) -> dict[str, str]:
    """One global id per internal type: demo subsidy application, endorsement and
    unanswered proposal rows, and an audit event written here. (Subsidy programs and
    answered proposals are public, 第2章2: tests/schema/collaborations/test_public_information.py.)"""
    ids: dict[str, str] = {}
    for type_name, model in (
        ("SubsidyApplication", SubsidyApplication),
        ("EndorsementApplication", EndorsementApplication),
    ):
        pk = await session.scalar(sa.select(sa.func.min(model.id)))
        assert pk is not None, f"the demo data has no {type_name}"
        ids[type_name] = str(to_global_id(type_name, pk))
    unanswered = await demo_id(session, Proposal, "demo-proposal-gomi-app")
    ids["Proposal"] = str(to_global_id("Proposal", unanswered))
    event = await record_event(
        session, actor="test", action="partner.update", entity_type="Partner", entity_id=1
    )
    assert event.id is not None
    ids["AuditEvent"] = str(to_global_id("AuditEvent", event.id))
    return ids


@pytest.mark.parametrize("type_name", ["SubsidyApplication", "EndorsementApplication",
                                       "Proposal", "AuditEvent"])  # fmt: skip
@pytest.mark.parametrize("role", ["PUBLIC", "DISASTER_OFFICE", "INTEGRATION", "STAFF", "ADMIN"])
async def test_internal_records_are_null_nodes_outside_the_city_staff(
    session: AsyncSession, gql: GraphQLClient, type_name: str, role: str
) -> None:
    # given
    global_id = (await internal_records(session))[type_name]
    readers = {"AuditEvent": {"ADMIN"}}.get(type_name, {"STAFF", "ADMIN"})
    # when / then
    assert await node_visible(gql, global_id, role) is (role in readers)


async def test_the_public_lists_only_published_collaborations(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given the demo data, with published and unpublished collaborations
    published = await session.scalar(
        sa.select(sa.func.count()).select_from(Collaboration).where(col(Collaboration.is_public))
    )
    everything = await session.scalar(sa.select(sa.func.count()).select_from(Collaboration))
    assert published is not None and everything is not None and published < everything
    query = """
    { collaborations(first: 100) { totalCount edges { node { title isPublic } } }
      departments { code collaborations(first: 20) { totalCount edges { node { isPublic } } } } }
    """
    # when
    public = await gql(query, principal=ANONYMOUS)
    staff = await gql(query, principal=principal("STAFF"))
    # then
    assert public["collaborations"]["totalCount"] == published
    assert staff["collaborations"]["totalCount"] == everything
    listed = [e["node"] for e in public["collaborations"]["edges"]]
    listed += [e["node"] for d in public["departments"] for e in d["collaborations"]["edges"]]
    assert listed and all(node["isPublic"] for node in listed)
    assert sum(d["collaborations"]["totalCount"] for d in public["departments"]) == published


PARTICIPANTS = """
query ($id: ID!) {
  node(id: $id) { ... on Collaboration { participations { partner { name kind } } } }
}
"""


async def test_collaboration_participations_hide_individuals_from_the_public(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a published demo collaboration with a volunteer (デモ 花子) among its partners
    pk = await demo_id(session, Collaboration, "demo-collab-love-earth-2021")
    variables = {"id": str(to_global_id("Collaboration", pk))}
    # when
    public = await gql(PARTICIPANTS, variables, principal=ANONYMOUS)
    staff = await gql(PARTICIPANTS, variables, principal=principal("STAFF"))
    # then
    public_partners = [p["partner"] for p in public["node"]["participations"]]
    staff_partners = [p["partner"] for p in staff["node"]["participations"]]
    assert {"name": "デモ 花子", "kind": "INDIVIDUAL"} in staff_partners
    assert public_partners == [p for p in staff_partners if p["kind"] != "INDIVIDUAL"]
    assert public_partners
    assert "デモ 花子" not in json.dumps(public, ensure_ascii=False)


PARTIES = """
query ($id: ID!) { node(id: $id) { ... on Agreement { parties { name kind } } } }
"""


async def test_agreement_parties_hide_individuals_from_the_public(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement with an organisation and an individual as parties
    department = await make_department(session)
    organisation = await make_partner(session, "（テスト）防災協力会")
    individual = await make_partner(session, "デモ 次郎", kind=PartnerKind.INDIVIDUAL)
    agreement = await make_agreement(
        session, department=department, parties=[organisation, individual]
    )
    variables = {"id": gid("Agreement", agreement)}
    # when
    public = await gql(PARTIES, variables, principal=ANONYMOUS)
    staff = await gql(PARTIES, variables, principal=principal("STAFF"))
    # then
    assert public["node"]["parties"] == [{"name": "（テスト）防災協力会", "kind": "CITIZEN_GROUP"}]
    assert staff["node"]["parties"] == [
        {"name": "（テスト）防災協力会", "kind": "CITIZEN_GROUP"},
        {"name": "デモ 次郎", "kind": "INDIVIDUAL"},
    ]


async def test_public_cannot_learn_what_an_individual_took_part_in(gql, session):
    # given a volunteer (an individual partner) of the demo data
    import sqlalchemy as sa

    from kyodo.domain.enums import PartnerKind
    from kyodo.domain.partners.models import Partner
    from kyodo.schema.context import ANONYMOUS
    from kyodo.schema.node import to_global_id

    individual = (
        await session.execute(
            sa.select(Partner).where(Partner.external_id == "demo-partner-volunteer-01")
        )
    ).scalar_one()
    assert individual.kind is PartnerKind.INDIVIDUAL
    partner_id = to_global_id("Partner", individual.id)
    # (staff can see that this volunteer took part in a published collaboration)
    seen = await gql(
        "query ($p: ID) { collaborations(filter: {partnerId: $p}) { edges { node { isPublic } } } }",
        {"p": partner_id},
    )
    assert any(e["node"]["isPublic"] for e in seen["collaborations"]["edges"])
    query = """query ($p: ID) {
      collaborations(filter: {partnerId: $p}) { totalCount }
      agreements(filter: {partnerId: $p}) { totalCount }
    }"""
    # when PUBLIC filters collaborations and agreements by that person's (guessable) id
    data = await gql(query, {"p": partner_id}, principal=ANONYMOUS)
    # then nothing is revealed
    assert data == {"collaborations": {"totalCount": 0}, "agreements": {"totalCount": 0}}
