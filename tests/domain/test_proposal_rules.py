"""Proposal rules (提案, 第2章3, rule 12)."""

from __future__ import annotations

import pytest

from kyodo.domain.enums import ProposalStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.proposals.rules import check_proposal_response

P = ProposalStatus
# 第2章3: what a "no" stands on — the background investigated, the support considered.
INVESTIGATED = {
    "background": "同じ地区で似た催しが年2回あり、参加者が重なっていることがわかった。",
    "support_options": "会場の紹介と広報紙での周知ならできるが、開催費の補助は制度がない。",
}


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        (P.RECEIVED, P.UNDER_CONSIDERATION),
        (P.RECEIVED, P.ADOPTED),
        (P.RECEIVED, P.NOT_ADOPTED),
        (P.UNDER_CONSIDERATION, P.UNDER_CONSIDERATION),
        (P.UNDER_CONSIDERATION, P.ADOPTED),
        (P.UNDER_CONSIDERATION, P.NOT_ADOPTED),
    ],
)
def test_open_proposals_accept_any_answer(status: ProposalStatus, decision: ProposalStatus) -> None:
    # given a proposal not yet finally answered
    # when answering it, with a response
    # then the answer is accepted
    check_proposal_response(
        status=status,
        decision=decision,
        response="検討の結果をお知らせします。",
        collaboration_id=None,
        **INVESTIGATED,
    )


@pytest.mark.parametrize("status", [P.ADOPTED, P.NOT_ADOPTED])
@pytest.mark.parametrize("decision", [P.UNDER_CONSIDERATION, P.ADOPTED, P.NOT_ADOPTED])
def test_final_answer_is_final(status: ProposalStatus, decision: ProposalStatus) -> None:
    # given a proposal already adopted or not adopted
    # when answering it again
    with pytest.raises(DomainError) as caught:
        check_proposal_response(
            status=status, decision=decision, response="再回答", collaboration_id=None
        )
    # then INVALID_TRANSITION, naming the earlier answer
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    assert "すでに" in caught.value.problems[0].message


def test_received_is_not_an_answer() -> None:
    # given a proposal under consideration
    # when "answering" it with RECEIVED
    with pytest.raises(DomainError) as caught:
        check_proposal_response(
            status=P.UNDER_CONSIDERATION, decision=P.RECEIVED, response=None, collaboration_id=None
        )
    # then the decision is INVALID
    assert (caught.value.code, caught.value.problems[0].field) == (
        ErrorCode.INVALID,
        "decision",
    )


@pytest.mark.parametrize("response", [None, "", "  \u3000"])
def test_not_adopting_requires_a_reason(response: str | None) -> None:
    # given a received proposal
    # when not adopting it without a reason
    with pytest.raises(DomainError) as caught:
        check_proposal_response(
            status=P.RECEIVED, decision=P.NOT_ADOPTED, response=response, collaboration_id=None
        )
    # then REASON_REQUIRED on the response
    assert caught.value.code is ErrorCode.REASON_REQUIRED
    assert caught.value.problems[0].field == "response"


def test_not_adopting_with_a_reason_passes() -> None:
    # given a received proposal
    # when not adopting it with a plain reason
    # then the answer is accepted
    check_proposal_response(
        status=P.RECEIVED,
        decision=P.NOT_ADOPTED,
        response="同じ内容の事業を来年度から市が始めるためです。",
        collaboration_id=None,
        **INVESTIGATED,
    )


@pytest.mark.parametrize("decision", [P.ADOPTED, P.UNDER_CONSIDERATION])
def test_other_answers_need_no_response(decision: ProposalStatus) -> None:
    # given a received proposal
    # when adopting it or keeping it under consideration without a written response
    # then the answer is accepted
    check_proposal_response(
        status=P.RECEIVED, decision=decision, response=None, collaboration_id=None
    )


def test_adopted_proposal_may_link_its_collaboration() -> None:
    # given a proposal under consideration
    # when adopting it and linking the collaboration it became
    # then the answer is accepted
    check_proposal_response(
        status=P.UNDER_CONSIDERATION, decision=P.ADOPTED, response=None, collaboration_id=42
    )


@pytest.mark.parametrize("decision", [P.UNDER_CONSIDERATION, P.NOT_ADOPTED])
def test_only_adopted_proposals_link_a_collaboration(decision: ProposalStatus) -> None:
    # given a received proposal
    # when linking a collaboration without adopting it
    with pytest.raises(DomainError) as caught:
        check_proposal_response(
            status=P.RECEIVED,
            decision=decision,
            response="理由",
            collaboration_id=42,
            **INVESTIGATED,
        )
    # then INVALID on collaborationId
    assert (caught.value.code, caught.value.problems[0].field) == (
        ErrorCode.INVALID,
        "collaboration_id",
    )


def test_all_problems_with_an_answer_are_reported_together() -> None:
    # given a received proposal
    # when not adopting it without a reason and with a collaboration linked
    with pytest.raises(DomainError) as caught:
        check_proposal_response(
            status=P.RECEIVED, decision=P.NOT_ADOPTED, response=" ", collaboration_id=42
        )
    # then every problem is reported (nothing investigated either)
    assert [p.code for p in caught.value.problems] == [
        ErrorCode.REASON_REQUIRED,
        ErrorCode.INVESTIGATION_REQUIRED,
        ErrorCode.INVESTIGATION_REQUIRED,
        ErrorCode.INVALID,
    ]


@pytest.mark.parametrize(
    ("given", "fields"),
    [
        pytest.param({}, ["background", "support_options"], id="neither"),
        pytest.param(
            {"background": INVESTIGATED["background"], "support_options": " "},
            ["support_options"],
            id="support-not-considered",
        ),
        pytest.param(
            {"background": None, "support_options": INVESTIGATED["support_options"]},
            ["background"],
            id="background-not-investigated",
        ),
    ],
)
def test_a_bare_no_is_refused_until_the_proposal_is_investigated(
    given: dict[str, str | None], fields: list[str]
) -> None:
    # given a received proposal, answered 「できません。」
    # when not adopting it without the background or the support options (第2章3)
    with pytest.raises(DomainError) as caught:
        check_proposal_response(
            status=P.RECEIVED,
            decision=P.NOT_ADOPTED,
            response="できません。",
            collaboration_id=None,
            **given,
        )
    # then INVESTIGATION_REQUIRED on each missing text
    assert [(p.code, p.field) for p in caught.value.problems] == [
        (ErrorCode.INVESTIGATION_REQUIRED, field) for field in fields
    ]
