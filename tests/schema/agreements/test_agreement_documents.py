"""``Agreement.documents`` in GraphQL: amendments carry their own, who attached them is
personal data, and a page of agreements costs the same statements whatever its size."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.documents import MAX_DOCUMENTS, attach_document, sha256_hex
from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.seeds.demo_documents import demo_pdf
from tests.conftest import GraphQLClient

from .factories import gid, make_agreement, make_department, make_partner

DOCUMENTS = """
query ($id: ID!) { node(id: $id) { ... on Agreement {
  documents { fileName sha256 sizeBytes uploadedBy }
  amends { documents { fileName } }
} } }
"""


async def attach(session: AsyncSession, agreement_id: int | None, text: str) -> bytes:
    assert agreement_id is not None
    content = demo_pdf([text])
    await attach_document(
        session,
        agreement_id=agreement_id,
        file_name=f"{text}.pdf",
        content=content,
        max_bytes=len(content),
        actor="テスト 端末",
    )
    return content


async def test_an_amendment_and_the_agreement_it_revises_keep_their_own_documents(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement and its amendment (改正), each with its signed document
    department = await make_department(session)
    partner = await make_partner(session, "（テスト）運送会社")
    original = await make_agreement(session, department=department, parties=[partner])
    amendment = await make_agreement(
        session, department=department, parties=[partner], amends=original
    )
    await attach(session, original.id, "original")
    content = await attach(session, amendment.id, "kaisei")
    # when the amendment is read
    data = await gql(DOCUMENTS, {"id": gid("Agreement", amendment)})
    # then it lists its own document, and the revised agreement its own
    assert data["node"]["documents"] == [
        {
            "fileName": "kaisei.pdf",
            "sha256": sha256_hex(content),
            "sizeBytes": len(content),
            "uploadedBy": "テスト 端末",
        }
    ]
    assert data["node"]["amends"]["documents"] == [{"fileName": "original.pdf"}]


async def test_who_attached_it_is_not_shown_to_the_public(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a public agreement's document
    department = await make_department(session)
    agreement = await make_agreement(
        session, department=department, parties=[await make_partner(session, "（テスト）社")]
    )
    await attach(session, agreement.id, "public")
    # when the public asks who attached it
    result = await gql.raw(DOCUMENTS, {"id": gid("Agreement", agreement)}, principal=ANONYMOUS)
    # then the document is listed, and only that field is refused
    assert result["data"]["node"]["documents"] == [
        {
            "fileName": "public.pdf",
            "sha256": result["data"]["node"]["documents"][0]["sha256"],
            "sizeBytes": result["data"]["node"]["documents"][0]["sizeBytes"],
            "uploadedBy": None,
        }
    ]
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["node", "documents", 0, "uploadedBy"], "FORBIDDEN")
    ]


async def test_an_agreement_holds_a_bounded_number_of_documents(session: AsyncSession) -> None:
    # given an agreement holding the most documents it may
    department = await make_department(session)
    agreement = await make_agreement(session, department=department)
    for number in range(MAX_DOCUMENTS):
        await attach(session, agreement.id, f"scan-{number}")
    # when one more comes, then it is refused
    with pytest.raises(DomainError) as refused:
        await attach(session, agreement.id, "one-too-many")
    assert refused.value.code is ErrorCode.INVALID
    assert f"{MAX_DOCUMENTS}件まで" in refused.value.problems[0].message


PAGE = """
query ($first: Int, $filter: AgreementFilter) {
  agreements(first: $first, filter: $filter) {
    edges { node { documents { fileName sha256 downloadUrl } } }
  }
}
"""


@pytest.mark.parametrize(
    "principal",
    [ANONYMOUS, Principal(name="test-admin", role=Role.ADMIN)],
    ids=["public", "admin"],
)
async def test_a_page_of_documents_costs_the_same_statements_for_10_or_40_agreements(
    session: AsyncSession, gql: GraphQLClient, count_queries: Any, principal: Principal
) -> None:
    # given 40 agreements, each with a document; every other one names a volunteer
    department = await make_department(session)
    volunteer = await make_partner(session, "デモ 花子", kind=PartnerKind.INDIVIDUAL)
    company = await make_partner(session, "（テスト）数える社")
    for number in range(40):
        agreement = await make_agreement(
            session, department=department, parties=[volunteer if number % 2 else company]
        )
        await attach(session, agreement.id, f"page-{number}")

    async def statements(first: int) -> tuple[int, int]:
        variables = {"first": first, "filter": {"departmentCodes": [department.code]}}
        with count_queries() as counter:
            data = await gql(PAGE, variables, principal=principal)
        edges = data["agreements"]["edges"]
        assert len(edges) == first
        return counter.count, sum(len(edge["node"]["documents"]) for edge in edges)

    # when
    ten, listed_of_ten = await statements(10)
    forty, listed_of_forty = await statements(40)
    # then the statements do not grow with the page, and the public sees half the documents
    assert forty == ten
    shown = 0.5 if principal is ANONYMOUS else 1
    assert (listed_of_ten, listed_of_forty) == (10 * shown, 40 * shown)


FULL_PAGE = """
query ($codes: [String!]) {
  agreements(first: 20, filter: {departmentCodes: $codes}) { edges { node {
    title status
    documents {
      __typename id fileName mediaType sizeBytes sha256 uploadedAt downloadUrl
    }
  } } }
}
"""


@pytest.mark.parametrize(
    "principal",
    [
        ANONYMOUS,
        Principal(name="test-staff", role=Role.STAFF, department_code="kyodo"),
        Principal(name="test-office", role=Role.DISASTER_OFFICE),
        Principal(name="test-admin", role=Role.ADMIN),
    ],
    ids=["public", "staff", "office", "admin"],
)
async def test_documents_are_listed_alike_on_both_paths(
    session: AsyncSession, principal: Principal
) -> None:
    # given: signed agreements with a company or with a volunteer, and a draft, each with
    # documents
    from kyodo.domain.enums import AgreementStatus
    from tests.schema.compiled.both_paths import both_paths

    department = await make_department(session)
    volunteer = await make_partner(session, "デモ 次郎", kind=PartnerKind.INDIVIDUAL)
    company = await make_partner(session, "（テスト）載せる社")
    cases = [
        ([company], AgreementStatus.IN_FORCE),
        ([company, volunteer], AgreementStatus.IN_FORCE),
        ([company], AgreementStatus.DRAFT),
        ([company], AgreementStatus.TERMINATED),
    ]
    for number, (parties, status) in enumerate(cases):
        agreement = await make_agreement(
            session, department=department, parties=parties, status=status
        )
        for copy in range(2):
            await attach(session, agreement.id, f"both-{number}-{copy}")
    await session.commit()

    # when / then: the compiled path lists what Strawberry lists, to each role
    data = await both_paths(session, FULL_PAGE, {"codes": [department.code]}, principal=principal)
    listed = [len(edge["node"]["documents"]) for edge in data["agreements"]["edges"]]
    assert sum(listed) == (4 if principal is ANONYMOUS else 8)
