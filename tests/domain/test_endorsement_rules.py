"""Endorsement rules (後援, 第3章(7), rule 11)."""

from __future__ import annotations

import pytest

from kyodo.domain.endorsements.rules import (
    POLICY_NOT_CONTRIBUTING,
    POLICY_NOT_JUDGED,
    Screening,
    check_endorsement_decision,
    funding_problem,
    screen,
)
from kyodo.domain.enums import EndorsementDisqualifier, EndorsementStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.labels import ENDORSEMENT_DISQUALIFIER_LABELS

D = EndorsementDisqualifier

ELIGIBLE = screen(disqualifiers=[], contributes_to_city_policy=True)
INELIGIBLE = screen(disqualifiers=[D.FOR_PROFIT], contributes_to_city_policy=True)

# ------------------------------------------------------------------ screen


def test_event_without_disqualifiers_that_serves_city_policy_is_eligible() -> None:
    # given no disqualifier and a positive policy judgement
    # when screening
    result = screen(disqualifiers=[], contributes_to_city_policy=True)
    # then the application is eligible, with nothing to explain
    assert result == Screening(eligible=True, disqualifiers=(), reasons=())


def test_policy_not_yet_judged_is_not_eligible() -> None:
    # given no disqualifier but no judgement on city policy yet
    # when screening
    result = screen(disqualifiers=[], contributes_to_city_policy=None)
    # then it is not eligible and says the judgement is pending
    assert not result.eligible
    assert result.reasons == (POLICY_NOT_JUDGED,)


def test_event_not_serving_city_policy_is_not_eligible() -> None:
    # given no disqualifier and a negative policy judgement
    # when screening
    result = screen(disqualifiers=[], contributes_to_city_policy=False)
    # then it is not eligible, with that reason
    assert not result.eligible
    assert result.reasons == (POLICY_NOT_CONTRIBUTING,)


@pytest.mark.parametrize("disqualifier", list(D))
def test_any_single_disqualifier_makes_the_event_ineligible(
    disqualifier: EndorsementDisqualifier,
) -> None:
    # given one of the seven grounds and a positive policy judgement
    # when screening
    result = screen(disqualifiers=[disqualifier], contributes_to_city_policy=True)
    # then it is not eligible and the reason quotes the guideline's ground
    assert not result.eligible
    assert result.disqualifiers == (disqualifier,)
    assert result.reasons[0].startswith(ENDORSEMENT_DISQUALIFIER_LABELS[disqualifier])


def test_disqualifiers_are_deduplicated_and_in_guideline_order() -> None:
    # given grounds listed out of order, one twice, some as stored names
    given = ["RISK_OF_PUBLIC_CRITICISM", D.FOR_PROFIT, "FOR_PROFIT", D.RELIGIOUS_OR_POLITICAL]
    # when screening
    result = screen(disqualifiers=given, contributes_to_city_policy=True)
    # then each appears once, in the order of 第3章(7)
    assert result.disqualifiers == (
        D.FOR_PROFIT,
        D.RELIGIOUS_OR_POLITICAL,
        D.RISK_OF_PUBLIC_CRITICISM,
    )
    assert len(result.reasons) == 3


def test_reasons_list_disqualifiers_then_policy() -> None:
    # given a ground and a negative policy judgement
    # when screening
    result = screen(disqualifiers=[D.RESTRICTED_AUDIENCE], contributes_to_city_policy=False)
    # then one reason per ground, then the policy reason, in plain Japanese
    assert result.reasons == (
        "特定の市民のみを対象としているため、後援できません。",
        POLICY_NOT_CONTRIBUTING,
    )


def test_unknown_disqualifier_name_is_an_error() -> None:
    # given a stored name that is not one of the seven grounds
    # when screening
    # then it is refused rather than silently ignored
    with pytest.raises(ValueError):
        screen(disqualifiers=["NOT_A_GROUND"], contributes_to_city_policy=True)


def test_screening_is_frozen() -> None:
    # given a screening
    # when trying to flip it to eligible
    # then it refuses
    with pytest.raises(AttributeError):
        INELIGIBLE.eligible = True  # type: ignore[misc]


# ------------------------------------------------------------------ funding


@pytest.mark.parametrize("amount", [None, 0])
def test_no_funding_requested_is_fine(amount: int | None) -> None:
    # given no money asked of the city
    # when checking funding
    # then nothing is wrong
    assert funding_problem(amount) is None


def test_any_funding_is_refused() -> None:
    # given 1 yen asked of the city
    # when checking funding
    problem = funding_problem(1)
    # then FINANCIAL_SUPPORT_NOT_ALLOWED on requestedFundingYen
    assert problem is not None
    assert (problem.code, problem.field) == (
        ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED,
        "requested_funding_yen",
    )


def test_negative_funding_is_invalid() -> None:
    # given a negative amount
    # when checking funding
    problem = funding_problem(-100)
    # then it is INVALID
    assert problem is not None
    assert problem.code is ErrorCode.INVALID


# ------------------------------------------------------------------ decision


def test_approving_an_eligible_submitted_application_passes() -> None:
    # given an eligible, submitted application
    # when approving it
    # then nothing is raised
    check_endorsement_decision(
        status=EndorsementStatus.SUBMITTED, approve=True, screening=ELIGIBLE, reason=None
    )


def test_rejecting_with_a_reason_passes() -> None:
    # given a submitted application
    # when rejecting it with a reason
    # then nothing is raised
    check_endorsement_decision(
        status=EndorsementStatus.SUBMITTED,
        approve=False,
        screening=ELIGIBLE,
        reason="同じ日に市の行事があり、周知が重なるため",
    )


@pytest.mark.parametrize(
    "status",
    [EndorsementStatus.APPROVED, EndorsementStatus.REJECTED, EndorsementStatus.WITHDRAWN],
)
def test_only_submitted_applications_can_be_decided(status: EndorsementStatus) -> None:
    # given an application already decided or withdrawn
    # when deciding it again
    with pytest.raises(DomainError) as caught:
        check_endorsement_decision(status=status, approve=True, screening=ELIGIBLE, reason=None)
    # then INVALID_TRANSITION
    assert caught.value.code is ErrorCode.INVALID_TRANSITION


def test_approving_an_ineligible_application_is_refused_with_every_reason() -> None:
    # given an application hit by two grounds and not judged to serve city policy
    screening = screen(
        disqualifiers=[D.FOR_PROFIT, D.INADEQUATE_SAFETY], contributes_to_city_policy=False
    )
    # when approving it
    with pytest.raises(DomainError) as caught:
        check_endorsement_decision(
            status=EndorsementStatus.SUBMITTED, approve=True, screening=screening, reason=None
        )
    # then ENDORSEMENT_DISQUALIFIED for each reason; the policy one points at its argument
    problems = caught.value.problems
    assert [p.code for p in problems] == [ErrorCode.ENDORSEMENT_DISQUALIFIED] * 3
    assert [p.message for p in problems] == list(screening.reasons)
    assert [p.field for p in problems] == [None, None, "contributes_to_city_policy"]


def test_approving_a_hand_built_ineligible_screening_still_explains() -> None:
    # given an ineligible screening that carries no reasons
    screening = Screening(eligible=False, disqualifiers=(), reasons=())
    # when approving
    with pytest.raises(DomainError) as caught:
        check_endorsement_decision(
            status=EndorsementStatus.SUBMITTED, approve=True, screening=screening, reason=None
        )
    # then the refusal still has a message
    assert caught.value.code is ErrorCode.ENDORSEMENT_DISQUALIFIED
    assert caught.value.problems[0].message


@pytest.mark.parametrize("reason", [None, "", " \u3000"])
def test_rejecting_without_a_reason_is_refused(reason: str | None) -> None:
    # given a submitted application
    # when rejecting it without a reason
    with pytest.raises(DomainError) as caught:
        check_endorsement_decision(
            status=EndorsementStatus.SUBMITTED, approve=False, screening=INELIGIBLE, reason=reason
        )
    # then REASON_REQUIRED on the reason argument
    assert caught.value.code is ErrorCode.REASON_REQUIRED
    assert caught.value.problems[0].field == "reason"
