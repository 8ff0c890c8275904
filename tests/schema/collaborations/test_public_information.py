"""第2章2 情報共有 (issue 11, practice 3): what the city publishes, and to whom.

A published collaboration states its conclusion and how it was reached (経緯) in plain
words; subsidy programs and their conditions are public; answers to proposals are
public without the proposer; a forbidden field never blanks the rest of an answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import ProposalStatus
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.subsidies.models import SubsidyProgram
from tests.schema.access_matrix.support import QUERY_ROLES, demo_id, principal

from .factories import gid, make_collaboration, make_department
from .test_mutations_helpers import audit_count

INTERNAL = {"STAFF", "ADMIN"}


# ------------------------------------------------------------------ no blanked answers


async def test_public_gets_forms_and_subsidy_programs_in_one_answer(gql: Any) -> None:
    # given no token, the query of issue 11 that used to answer data: null
    query = "{collaborationForms{label} subsidyPrograms{name}}"

    # when
    result = await gql.raw(query, principal=principal("PUBLIC"))

    # then both halves are there
    assert result["errors"] == []
    assert len(result["data"]["collaborationForms"]) == 7
    assert "苫小牧市イベント・環境整備等助成金事業（令和3年度）" in {
        p["name"] for p in result["data"]["subsidyPrograms"]
    }


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_a_forbidden_root_field_is_null_beside_the_rest(gql: Any, role: str) -> None:
    # given a query mixing public reference data and the internal reviews worklist
    query = '{ collaborationForms { label } collaborationReviewsDue(asOf: "2022-03-10") { dueOn } }'

    # when
    result = await gql.raw(query, principal=principal(role))

    # then the forbidden part is a field-level error; the public part is answered
    assert len(result["data"]["collaborationForms"]) == 7
    if role in INTERNAL:
        assert result["errors"] == []
        assert isinstance(result["data"]["collaborationReviewsDue"], list)
    else:
        assert result["data"]["collaborationReviewsDue"] is None
        assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
            (["collaborationReviewsDue"], "FORBIDDEN")
        ]


# ------------------------------------------------------------------ subsidy programs


PROGRAM_CONDITIONS = """
query ($id: ID!) {
  node(id: $id) {
    ... on SubsidyProgram {
      name fiscalYear budgetYen maxAmountPerGrantYen subsidyRatePercent
      allowedExpenseCategories maxConsecutiveYears applicationDeadline
      department { code } grantedTotalYen remainingBudgetYen
    }
  }
}
"""


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_every_role_reads_a_subsidy_program_and_its_conditions(
    session: AsyncSession, gql: Any, role: str
) -> None:
    # given the demo's 令和3年度 program
    pk = await session.scalar(
        sa.select(SubsidyProgram.id).where(SubsidyProgram.name.like("%（令和3年度）"))
    )
    stored = await session.get(SubsidyProgram, pk)
    assert stored is not None

    # when
    node = (
        await gql(
            PROGRAM_CONDITIONS, {"id": gid("SubsidyProgram", stored)}, principal=principal(role)
        )
    )["node"]

    # then its conditions are the stored ones, for everyone
    assert node["name"] == stored.name
    assert node["subsidyRatePercent"] == stored.subsidy_rate_percent
    assert node["allowedExpenseCategories"] == stored.allowed_expense_categories
    assert node["maxConsecutiveYears"] == stored.max_consecutive_years
    assert node["budgetYen"] - node["grantedTotalYen"] == node["remainingBudgetYen"]


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_subsidy_applications_stay_with_the_city_staff(gql: Any, role: str) -> None:
    # given a program's applications asked for under a nullable parent (node)
    query = """
    query ($id: ID!) { node(id: $id) { ... on SubsidyProgram { name applications { totalCount } } } }
    """
    programs = await gql("{ subsidyPrograms { id } }", principal=principal(role))
    program_id = programs["subsidyPrograms"][0]["id"]

    # when
    result = await gql.raw(query, {"id": program_id}, principal=principal(role))

    # then
    if role in INTERNAL:
        assert result["errors"] == []
        assert result["data"]["node"]["applications"]["totalCount"] >= 0
    else:
        assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
            (["node", "applications"], "FORBIDDEN")
        ]


# ------------------------------------------------------------------ proposals


PROPOSALS = """
{ proposals(first: 100) { totalCount edges { node { id title status response respondedOn } } } }
"""
PROPOSAL_WITH_PROPOSER = """
query ($id: ID!) {
  node(id: $id) { ... on Proposal { title response proposer { name } collaboration { title } } }
}
"""


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_the_answers_to_proposals_are_public(
    session: AsyncSession, gql: Any, role: str
) -> None:
    # given the demo proposals: some answered, some not
    statuses = dict((await session.execute(sa.select(Proposal.id, Proposal.status))).all())
    answered = {
        i for i, s in statuses.items() if s in (ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED)
    }
    assert answered and len(answered) < len(statuses)

    # when
    data = await gql(PROPOSALS, principal=principal(role))

    # then the city's staff read every proposal, everyone else the answered ones
    listed = [edge["node"] for edge in data["proposals"]["edges"]]
    expected = len(statuses) if role in INTERNAL else len(answered)
    assert data["proposals"]["totalCount"] == len(listed) == expected
    if role not in INTERNAL:
        assert {p["status"] for p in listed} <= {"ADOPTED", "NOT_ADOPTED"}
        assert all(p["response"] for p in listed)


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_an_answered_proposal_is_read_without_its_proposer(
    session: AsyncSession, gql: Any, role: str
) -> None:
    # given the demo's not-adopted dog-run proposal of an individual volunteer
    pk = await demo_id(session, Proposal, "demo-proposal-dog-run")

    # when
    result = await gql.raw(
        PROPOSAL_WITH_PROPOSER,
        {"id": f"{gid('Proposal', await session.get(Proposal, pk))}"},
        principal=principal(role),
    )

    # then the answer is there for everyone; the proposer only for the city's staff
    node = result["data"]["node"]
    assert node["title"] == "（デモ）中央公園にドッグランをつくってほしい"
    assert node["response"]
    if role in INTERNAL:
        assert result["errors"] == []
        assert node["proposer"]["name"]
    else:
        assert node["proposer"] is None
        assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
            (["node", "proposer"], "FORBIDDEN")
        ]


async def test_an_unanswered_proposal_is_a_null_node_for_the_public(
    session: AsyncSession, gql: Any
) -> None:
    # given a proposal still under consideration
    proposal = await session.get(
        Proposal, await demo_id(session, Proposal, "demo-proposal-kodomo-shokudo")
    )
    assert proposal is not None

    # when
    data = await gql(
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": gid("Proposal", proposal)},
        principal=principal("PUBLIC"),
    )

    # then
    assert data["node"] is None


async def test_a_proposal_shows_the_public_only_a_published_collaboration(
    session: AsyncSession, gql: Any
) -> None:
    # given an adopted demo proposal whose collaboration is then unpublished
    proposal = await session.get(
        Proposal, await demo_id(session, Proposal, "demo-proposal-tarumae-photo")
    )
    assert proposal is not None and proposal.collaboration_id is not None
    collaboration = await session.get(Collaboration, proposal.collaboration_id)
    assert collaboration is not None
    variables = {"id": gid("Proposal", proposal)}
    shown = await gql.raw(PROPOSAL_WITH_PROPOSER, variables, principal=principal("PUBLIC"))
    collaboration.is_public = False
    await session.flush()

    # when
    hidden = await gql.raw(PROPOSAL_WITH_PROPOSER, variables, principal=principal("PUBLIC"))
    staff = await gql(PROPOSAL_WITH_PROPOSER, variables, principal=principal("STAFF"))

    # then
    assert shown["data"]["node"]["collaboration"]["title"] == collaboration.title
    assert hidden["data"]["node"]["collaboration"] is None
    assert staff["node"]["collaboration"]["title"] == collaboration.title


# ------------------------------------------------------------------ publishing a collaboration


PUBLISH = """
mutation ($id: ID!, $v: Int!, $input: CollaborationPublicationInput!) {
  collaborationPublish(id: $id, expectedVersion: $v, input: $input) {
    collaboration { id isPublic version publication { conclusion process publishedOn publishedOnWareki } }
    errors { field code message }
  }
}
"""
PUBLIC_READ = """
query ($id: ID!) { node(id: $id) { ... on Collaboration { title publication { conclusion process } } } }
"""
PLAIN = {
    "conclusion": "来年度も町内会と一緒に続けます。",
    "process": "参加者のアンケートと、町内会との3回の話し合いを経て決めました。",
}


async def unpublished(session: AsyncSession) -> Collaboration:
    department = await make_department(session)
    collaboration = await make_collaboration(session, department=department, is_public=False)
    await session.commit()
    return collaboration


async def test_publishing_states_the_conclusion_and_how_it_was_reached(
    session: AsyncSession, gql: Any
) -> None:
    # given an unpublished collaboration the public cannot see
    collaboration = await unpublished(session)
    global_id, version = gid("Collaboration", collaboration), collaboration.version
    before = await gql(PUBLIC_READ, {"id": global_id}, principal=principal("PUBLIC"))
    events = await audit_count(session)

    # when its department publishes it
    data = await gql(
        PUBLISH,
        {"id": global_id, "v": version, "input": PLAIN},
        today=date(2022, 3, 10),
    )

    # then it is public, with both texts, and one audit event
    payload = data["collaborationPublish"]
    assert payload["errors"] == []
    assert payload["collaboration"]["isPublic"] is True
    assert payload["collaboration"]["version"] == version + 1
    assert payload["collaboration"]["publication"] == {
        **PLAIN,
        "publishedOn": "2022-03-10",
        "publishedOnWareki": "令和4年3月10日",
    }
    assert await audit_count(session) == events + 1
    after = await gql(PUBLIC_READ, {"id": global_id}, principal=principal("PUBLIC"))
    assert before["node"] is None
    assert after["node"]["publication"] == PLAIN


@pytest.mark.parametrize(
    ("input", "field", "code", "hint"),
    [
        ({**PLAIN, "conclusion": "  "}, ["input", "conclusion"], "REQUIRED", "結論"),
        (
            {**PLAIN, "process": "当該団体と協議しました。"},
            ["input", "process"],
            "INVALID",
            "「その」",
        ),
        (
            {**PLAIN, "conclusion": "鋭意検討します。"},
            ["input", "conclusion"],
            "INVALID",
            "「できるかぎり」",
        ),
    ],
)
async def test_publishing_without_both_texts_in_plain_words_is_refused(
    session: AsyncSession, gql: Any, input: dict[str, str], field: list[str], code: str, hint: str
) -> None:
    # given
    collaboration = await unpublished(session)
    events = await audit_count(session)

    # when
    data = await gql(
        PUBLISH,
        {"id": gid("Collaboration", collaboration), "v": collaboration.version, "input": input},
    )

    # then nothing is written
    errors = data["collaborationPublish"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert hint in errors[0]["message"]
    await session.refresh(collaboration)
    assert collaboration.is_public is False
    assert collaboration.public_conclusion is None
    assert await audit_count(session) == events


# ------------------------------------------------------------------ both read paths


PUBLIC_DOCUMENTS = [
    "{ subsidyPrograms { id name subsidyRatePercent grantedTotalYen department { code } } }",
    "{ proposals(first: 100) { totalCount edges { node { id title status response"
    " department { code } collaboration { title } } } } }",
    "{ collaborations(first: 5) { edges { node { subsidyProgram { name } } } } }",
    "{ collaborations(first: 100) { edges { node { reviewedOn"
    " publication { conclusion process publishedOn publishedOnWareki } } } } }",
]


@pytest.mark.parametrize("document", PUBLIC_DOCUMENTS)
@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_the_compiled_path_answers_the_new_public_reads_as_strawberry(
    session: AsyncSession, document: str, role: str
) -> None:
    # given
    from kyodo.schema import schema
    from kyodo.schema.compiled import COMPILED
    from kyodo.schema.context import Context

    answers = []
    for compiled in (True, False):
        context = Context(session=session, principal=principal(role))
        context.compiled_reads = compiled

        # when
        result = await schema.execute(document, context_value=context)
        answers.append((result.data, result.errors, context.compiled_outcome))

    # then the compiled path answered, and alike
    (compiled_data, compiled_errors, outcome), (data, errors, _) = answers
    assert outcome == COMPILED
    assert compiled_errors is None and errors is None
    assert compiled_data == data


async def test_the_demo_publishes_a_collaboration_in_plain_words(
    session: AsyncSession, gql: Any
) -> None:
    # given the demo's 樽前アートフォトコンテスト（令和元年度）
    from kyodo.domain.collaborations.publication import jargon_in

    pk = await demo_id(session, Collaboration, "demo-collab-tarumae-photo-2019")
    row = await session.get(Collaboration, pk)
    assert row is not None

    # when
    data = await gql(PUBLIC_READ, {"id": gid("Collaboration", row)}, principal=principal("PUBLIC"))

    # then
    publication = data["node"]["publication"]
    assert "続けます" in publication["conclusion"]
    assert "話し合って" in publication["process"]
    assert jargon_in(publication["conclusion"] + publication["process"]) == []
