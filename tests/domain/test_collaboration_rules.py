"""Collaboration rules: readiness (第4章(1)(2)), forms (第3章), status machine, evaluation
(第4章(4)) and progress (第4章(3))."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from domain.collaborations.rules import (
    ALLOWED_TRANSITIONS,
    FORM_INFO,
    READINESS_LABELS,
    STATUS_LABELS,
    check_transition,
    evaluation_problems,
    form_problems,
    form_problems_always,
    missing_readiness,
    progress_overdue,
    readiness_problems,
)
from domain.enums import CollaborationForm, CollaborationStatus, CommitteeKind, ReadinessItem
from domain.errors import DomainError, ErrorCode, Problem

Form = CollaborationForm
Status = CollaborationStatus

# ------------------------------------------------------------------ readiness

READY: dict[str, Any] = {
    "purpose": "地域の課題を町内会と話し合う",
    "plan": "各地区で年4回開く",
    "budget_total_yen": 120_000,
    "starts_on": date(2024, 4, 1),
    "ends_on": date(2025, 3, 31),
    "responsibility": "会場の安全は市、参加者の呼びかけは町内会",
    "participation_roles": ["参加者の呼びかけ", "会場の準備"],
}


def missing(**changes: Any) -> list[ReadinessItem]:
    return missing_readiness(**{**READY, **changes})


def test_fully_prepared_collaboration_misses_nothing() -> None:
    # given every item of 第4章(2) filled in
    # when checking readiness
    # then nothing is missing
    assert missing() == []


def test_readiness_labels_cover_every_item_in_japanese() -> None:
    # given the readiness items
    # when looking up their labels
    # then each has the guideline's word
    assert [READINESS_LABELS[item] for item in ReadinessItem] == [
        "目的",
        "計画",
        "経費",
        "期間",
        "責任の所在",
        "役割分担",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"purpose": None}, [ReadinessItem.PURPOSE]),
        ({"purpose": "  \u3000 "}, [ReadinessItem.PURPOSE]),
        ({"plan": ""}, [ReadinessItem.PLAN]),
        ({"budget_total_yen": None}, [ReadinessItem.COST]),
        ({"starts_on": None}, [ReadinessItem.PERIOD]),
        ({"ends_on": None}, [ReadinessItem.PERIOD]),
        ({"responsibility": "\n"}, [ReadinessItem.RESPONSIBILITY]),
        ({"participation_roles": []}, [ReadinessItem.ROLES]),
        ({"participation_roles": ["会場の準備", None]}, [ReadinessItem.ROLES]),
        ({"participation_roles": ["会場の準備", " "]}, [ReadinessItem.ROLES]),
    ],
)
def test_each_missing_item_is_named(changes: dict[str, Any], expected: list[ReadinessItem]) -> None:
    # given one item left blank, absent or only whitespace
    # when checking readiness
    # then exactly that item is reported
    assert missing(**changes) == expected


def test_period_ending_before_it_starts_counts_as_missing() -> None:
    # given an end date before the start date
    # when checking readiness
    # then the period is not settled
    assert missing(starts_on=date(2024, 4, 2), ends_on=date(2024, 4, 1)) == [ReadinessItem.PERIOD]


def test_one_day_period_is_a_period() -> None:
    # given a one-day event
    # when checking readiness
    # then the period is settled
    assert missing(starts_on=date(2024, 4, 1), ends_on=date(2024, 4, 1)) == []


def test_zero_budget_is_a_stated_cost() -> None:
    # given a collaboration that costs nothing
    # when checking readiness
    # then 0 yen counts as a decided cost
    assert missing(budget_total_yen=0) == []


def test_missing_items_come_in_guideline_order() -> None:
    # given nothing filled in
    # when checking readiness
    result = missing_readiness(
        purpose=None,
        plan=None,
        budget_total_yen=None,
        starts_on=None,
        ends_on=None,
        responsibility=None,
        participation_roles=[],
    )
    # then every item is listed, in enum order
    assert result == list(ReadinessItem)


def test_readiness_problems_are_not_ready_with_plain_messages() -> None:
    # given two missing items listed out of order
    # when turning them into problems
    problems = readiness_problems([ReadinessItem.ROLES, ReadinessItem.PURPOSE])
    # then each is a NOT_READY problem pointing at its input, in guideline order
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.NOT_READY, ["input", "purpose"]),
        (ErrorCode.NOT_READY, ["input", "participations"]),
    ]
    assert "目的" in problems[0].message
    assert "役割分担" in problems[1].message


# ------------------------------------------------------------------ forms

FORM_READY: dict[str, Any] = {
    "forms": [],
    "city_share_yen": None,
    "partner_share_yen": None,
    "committee_name": None,
    "committee_kind": None,
    "committee_dissolves_on": None,
    "participations_is_lead": [],
    "responsibility": None,
}


def problems_for(forms: Sequence[CollaborationForm], **changes: Any) -> list[Problem]:
    return form_problems(**{**FORM_READY, "forms": forms, **changes})


def codes_and_fields(problems: Sequence[Problem]) -> list[tuple[ErrorCode, list[str] | None]]:
    return [(p.code, p.field) for p in problems]


@pytest.mark.parametrize("form", [Form.AGREEMENT, Form.SUBSIDY])
def test_forms_without_own_conditions_add_no_problems(form: CollaborationForm) -> None:
    # given a form the guideline attaches no start condition to
    # when checking form problems with nothing filled in
    # then there are none
    assert problems_for([form]) == []


def test_co_hosting_needs_both_shares() -> None:
    # given a 共催 with no cost shares
    # when checking form problems
    # then both shares are asked for
    assert codes_and_fields(problems_for([Form.CO_HOSTING])) == [
        (ErrorCode.NOT_READY, ["input", "budget", "cityShareYen"]),
        (ErrorCode.NOT_READY, ["input", "budget", "partnerShareYen"]),
    ]


def test_co_hosting_accepts_zero_shares() -> None:
    # given a 共催 where both sides bear no cost, stated as 0 yen
    # when checking form problems
    # then the shares are stated
    assert problems_for([Form.CO_HOSTING], city_share_yen=0, partner_share_yen=0) == []


def test_co_hosting_missing_partner_share_only() -> None:
    # given a 共催 with only the city's share
    # when checking form problems
    # then only the partner's share is asked for
    assert codes_and_fields(problems_for([Form.CO_HOSTING], city_share_yen=50_000)) == [
        (ErrorCode.NOT_READY, ["input", "budget", "partnerShareYen"]),
    ]


def test_committee_needs_a_name() -> None:
    # given a 協議会 without a name
    # when checking form problems
    # then the name is asked for
    assert codes_and_fields(
        problems_for([Form.COMMITTEE], committee_name=" ", committee_kind=CommitteeKind.COUNCIL)
    ) == [(ErrorCode.NOT_READY, ["input", "committee", "name"])]


def test_council_does_not_need_a_dissolution_date() -> None:
    # given a named 協議会 (standing body) with no dissolution date
    # when checking form problems
    # then nothing is missing
    assert (
        problems_for(
            [Form.COMMITTEE],
            committee_name="樽前地区まちづくり協議会",
            committee_kind=CommitteeKind.COUNCIL,
        )
        == []
    )


def test_executive_committee_needs_a_dissolution_date() -> None:
    # given a named 実行委員会 with no dissolution date
    # when checking form problems
    result = problems_for(
        [Form.COMMITTEE],
        committee_name="樽前山アートフォトコンテスト実行委員会",
        committee_kind=CommitteeKind.EXECUTIVE_COMMITTEE,
    )
    # then the dissolution date is asked for, since it is time-limited
    assert codes_and_fields(result) == [
        (ErrorCode.NOT_READY, ["input", "committee", "dissolvesOn"])
    ]


def test_executive_committee_with_dissolution_date_is_ready() -> None:
    # given a named 実行委員会 that dissolves on a set day
    # when checking form problems
    # then nothing is missing
    assert (
        problems_for(
            [Form.COMMITTEE],
            committee_name="樽前山アートフォトコンテスト実行委員会",
            committee_kind=CommitteeKind.EXECUTIVE_COMMITTEE,
            committee_dissolves_on=date(2025, 3, 31),
        )
        == []
    )


def test_business_cooperation_needs_a_lead_partner() -> None:
    # given a 事業協力 where no partner leads
    # when checking form problems
    # then a lead partner is asked for
    assert codes_and_fields(
        problems_for([Form.BUSINESS_COOPERATION], participations_is_lead=[False, False])
    ) == [(ErrorCode.NOT_READY, ["input", "participations"])]


def test_business_cooperation_with_one_lead_is_ready() -> None:
    # given a 事業協力 where one of many partners leads
    # when checking form problems
    # then nothing is missing
    assert (
        problems_for([Form.BUSINESS_COOPERATION], participations_is_lead=[False, True, False]) == []
    )


def test_consignment_needs_responsibility_stated() -> None:
    # given a 委託 with no statement of responsibility
    # when checking form problems
    # then responsibility is asked for
    assert codes_and_fields(problems_for([Form.CONSIGNMENT], responsibility="")) == [
        (ErrorCode.NOT_READY, ["input", "responsibility"])
    ]


def test_consignment_with_responsibility_is_ready() -> None:
    # given a 委託 that states responsibility
    # when checking form problems
    # then nothing is missing
    assert problems_for([Form.CONSIGNMENT], responsibility="最終的な責任は市が負う") == []


def test_endorsement_with_city_money_is_refused_at_start() -> None:
    # given a 後援 with a city share
    # when checking form problems
    # then financial support is refused
    assert codes_and_fields(problems_for([Form.ENDORSEMENT], city_share_yen=10_000)) == [
        (ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED, ["input", "budget", "cityShareYen"])
    ]


@pytest.mark.parametrize("city_share_yen", [None, 0])
def test_endorsement_without_city_money_is_fine(city_share_yen: int | None) -> None:
    # given a 後援 with no or zero city share
    # when checking the always-on form rule
    # then it passes
    assert form_problems_always(forms=[Form.ENDORSEMENT], city_share_yen=city_share_yen) == []


def test_endorsement_money_rule_applies_on_every_save() -> None:
    # given a 後援 with a city share, being saved while still planning
    # when checking the rules that hold at all times
    result = form_problems_always(forms=[Form.ENDORSEMENT], city_share_yen=1)
    # then the money is refused already
    assert codes_and_fields(result) == [
        (ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED, ["input", "budget", "cityShareYen"])
    ]


def test_always_rules_ignore_start_conditions() -> None:
    # given a 共催 still missing its shares, being saved while planning
    # when checking the rules that hold at all times
    # then incomplete planning is not refused
    assert form_problems_always(forms=[Form.CO_HOSTING], city_share_yen=None) == []


def test_city_money_is_fine_for_other_forms() -> None:
    # given a 補助・助成 with a city share
    # when checking the always-on form rule
    # then it passes
    assert form_problems_always(forms=[Form.SUBSIDY], city_share_yen=500_000) == []


def test_combined_forms_report_problems_in_form_order() -> None:
    # given a collaboration combining 後援 (with money), 委託 and 共催, all incomplete
    # when checking form problems
    result = problems_for(
        [Form.ENDORSEMENT, Form.CONSIGNMENT, Form.CO_HOSTING],
        partner_share_yen=0,
        city_share_yen=5_000,
    )
    # then each form's problem is listed, in the order of the seven forms
    assert [p.code for p in result] == [
        ErrorCode.NOT_READY,
        ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED,
    ]
    assert result[0].field == ["input", "responsibility"]


def test_form_problem_messages_are_japanese() -> None:
    # given a 共催 with no shares
    # when checking form problems
    result = problems_for([Form.CO_HOSTING])
    # then the messages speak the form's name
    assert all("共催" in p.message for p in result)


# ------------------------------------------------------------------ FORM_INFO


def test_form_info_covers_all_seven_forms_with_labels() -> None:
    # given the seven forms of 第3章
    # when reading their info
    labels = [FORM_INFO[form].label for form in Form]
    # then each has its Japanese label
    assert labels == [
        "共催",
        "実行委員会・協議会",
        "協定",
        "事業協力",
        "委託",
        "補助・助成",
        "後援",
    ]


def test_only_consignment_leaves_final_responsibility_with_the_city() -> None:
    # given the form info
    # when asking which forms leave final responsibility with the city
    result = {form for form, info in FORM_INFO.items() if info.city_bears_final_responsibility}
    # then only 委託
    assert result == {Form.CONSIGNMENT}


def test_only_endorsement_forbids_financial_support() -> None:
    # given the form info
    # when asking which forms forbid money
    result = {form for form, info in FORM_INFO.items() if not info.financial_support_allowed}
    # then only 後援
    assert result == {Form.ENDORSEMENT}


def test_every_form_has_a_one_sentence_description() -> None:
    # given the form info
    # when reading the descriptions
    descriptions = [FORM_INFO[form].description for form in Form]
    # then each is one Japanese sentence
    assert all(d.endswith("。") and d.count("。") == 1 for d in descriptions)


def test_form_info_is_frozen() -> None:
    # given one form's info
    info = FORM_INFO[Form.ENDORSEMENT]
    # when trying to change it
    # then it refuses, so a caller cannot quietly allow money for endorsements
    with pytest.raises(AttributeError):
        info.financial_support_allowed = True  # type: ignore[misc]


# ------------------------------------------------------------------ status machine


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (Status.PLANNING, Status.ACTIVE),
        (Status.ACTIVE, Status.COMPLETED),
        (Status.COMPLETED, Status.EVALUATED),
        (Status.PLANNING, Status.CANCELLED),
        (Status.ACTIVE, Status.CANCELLED),
    ],
)
def test_allowed_transitions_pass(current: CollaborationStatus, to: CollaborationStatus) -> None:
    # given a transition the status machine allows
    # when checking it
    # then nothing is raised
    check_transition(current, to)


ALLOWED = {(current, to) for current, targets in ALLOWED_TRANSITIONS.items() for to in targets}


@pytest.mark.parametrize(
    ("current", "to"),
    [(c, t) for c in Status for t in Status if (c, t) not in ALLOWED],
)
def test_every_other_transition_is_invalid(
    current: CollaborationStatus, to: CollaborationStatus
) -> None:
    # given a transition the status machine does not allow
    # when checking it
    with pytest.raises(DomainError) as caught:
        check_transition(current, to)
    # then it is INVALID_TRANSITION on the field "to"
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    assert caught.value.problems[0].field == ["to"]


def test_allowed_transitions_are_exactly_the_rule() -> None:
    # given the table
    # when listing it
    # then it is exactly rule 4
    assert {
        (Status.PLANNING, Status.ACTIVE),
        (Status.ACTIVE, Status.COMPLETED),
        (Status.COMPLETED, Status.EVALUATED),
        (Status.PLANNING, Status.CANCELLED),
        (Status.ACTIVE, Status.CANCELLED),
    } == ALLOWED


def test_invalid_transition_message_names_both_states_in_japanese() -> None:
    # given a completed collaboration
    # when trying to make it active again
    with pytest.raises(DomainError) as caught:
        check_transition(Status.COMPLETED, Status.ACTIVE)
    # then the message names both states and the way forward
    message = caught.value.problems[0].message
    assert "「完了」" in message
    assert "「実施中」" in message
    assert "「評価済み」" in message


def test_transition_from_a_final_state_says_it_is_final() -> None:
    # given a cancelled collaboration
    # when trying to restart planning
    with pytest.raises(DomainError) as caught:
        check_transition(Status.CANCELLED, Status.PLANNING)
    # then the message names both states and says nothing more can change
    message = caught.value.problems[0].message
    assert "「中止」" in message
    assert "「計画中」" in message
    assert "これ以上" in message


def test_status_labels_are_japanese() -> None:
    # given the statuses
    # when reading their labels
    # then they are the Japanese names
    assert [STATUS_LABELS[s] for s in Status] == ["計画中", "実施中", "完了", "評価済み", "中止"]


# ------------------------------------------------------------------ evaluation


def test_complete_evaluation_has_no_problems() -> None:
    # given outcomes, the partner's feedback and a rating
    # when checking the evaluation
    # then nothing is wrong
    assert (
        evaluation_problems(
            outcomes="12地区で開催し、延べ340人が参加した",
            partner_feedback="平日夜の開催が参加しやすかった",
            rating=4,
        )
        == []
    )


def test_evaluation_without_rating_is_fine() -> None:
    # given an evaluation without a rating
    # when checking it
    # then the rating is optional
    assert evaluation_problems(outcomes="実績", partner_feedback="感想", rating=None) == []


def test_evaluation_needs_outcomes() -> None:
    # given blank outcomes
    # when checking the evaluation
    result = evaluation_problems(outcomes=" ", partner_feedback="感想", rating=None)
    # then EVALUATION_REQUIRED points at outcomes
    assert codes_and_fields(result) == [(ErrorCode.EVALUATION_REQUIRED, ["input", "outcomes"])]


def test_evaluation_needs_partner_feedback() -> None:
    # given no partner feedback
    # when checking the evaluation
    result = evaluation_problems(outcomes="実績", partner_feedback=None, rating=None)
    # then EVALUATION_REQUIRED points at partnerFeedback
    assert codes_and_fields(result) == [
        (ErrorCode.EVALUATION_REQUIRED, ["input", "partnerFeedback"])
    ]


def test_evaluation_reports_every_problem_at_once() -> None:
    # given an empty evaluation with an impossible rating
    # when checking it
    result = evaluation_problems(outcomes="", partner_feedback="", rating=0)
    # then all three problems are reported together
    assert codes_and_fields(result) == [
        (ErrorCode.EVALUATION_REQUIRED, ["input", "outcomes"]),
        (ErrorCode.EVALUATION_REQUIRED, ["input", "partnerFeedback"]),
        (ErrorCode.INVALID, ["input", "rating"]),
    ]


@pytest.mark.parametrize("rating", [1, 5])
def test_rating_bounds_are_inclusive(rating: int) -> None:
    # given a rating at either end of the scale
    # when checking the evaluation
    # then it is accepted
    assert evaluation_problems(outcomes="実績", partner_feedback="感想", rating=rating) == []


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_rating_outside_one_to_five_is_invalid(rating: int) -> None:
    # given a rating outside 1–5
    # when checking the evaluation
    result = evaluation_problems(outcomes="実績", partner_feedback="感想", rating=rating)
    # then it is INVALID
    assert codes_and_fields(result) == [(ErrorCode.INVALID, ["input", "rating"])]


# ------------------------------------------------------------------ progress

LONG = {"starts_on": date(2023, 4, 1), "ends_on": date(2026, 3, 31)}


def test_long_project_with_recent_report_is_not_overdue() -> None:
    # given a three-year project reported on two months ago
    # when checking progress
    # then it is fine
    assert not progress_overdue(**LONG, last_report_on=date(2024, 5, 1), as_of=date(2024, 7, 1))


def test_report_exactly_six_months_old_is_not_overdue() -> None:
    # given a report made exactly six months before
    # when checking progress
    # then it is still on time
    assert not progress_overdue(**LONG, last_report_on=date(2024, 1, 15), as_of=date(2024, 7, 15))


def test_report_six_months_and_a_day_old_is_overdue() -> None:
    # given a report made six months and one day before
    # when checking progress
    # then the project is flagged
    assert progress_overdue(**LONG, last_report_on=date(2024, 1, 14), as_of=date(2024, 7, 15))


def test_six_months_back_from_a_month_end_lands_on_february_end() -> None:
    # given 31 August 2024 and a report on 29 February 2024
    # when checking progress
    # then six months back is 29 February, so it is on time
    assert not progress_overdue(**LONG, last_report_on=date(2024, 2, 29), as_of=date(2024, 8, 31))


def test_long_project_never_reported_counts_from_its_start() -> None:
    # given a long project without reports that started more than six months ago
    # when checking progress
    # then it is flagged
    assert progress_overdue(**LONG, last_report_on=None, as_of=date(2023, 10, 2))


def test_long_project_never_reported_is_fine_within_six_months_of_start() -> None:
    # given a long project without reports that started exactly six months ago
    # when checking progress
    # then it is not flagged yet
    assert not progress_overdue(**LONG, last_report_on=None, as_of=date(2023, 10, 1))


def test_report_before_the_start_does_not_make_a_new_project_late() -> None:
    # given a planning note filed long before a project that started last month
    # when checking progress
    # then the start counts as the last check
    assert not progress_overdue(
        starts_on=date(2024, 6, 1),
        ends_on=date(2026, 3, 31),
        last_report_on=date(2023, 9, 1),
        as_of=date(2024, 7, 1),
    )


def test_project_of_exactly_a_year_is_not_long() -> None:
    # given a project over one fiscal year (365 days from start to end)
    # when checking progress long after its start with no reports
    # then it does not need progress reports
    assert not progress_overdue(
        starts_on=date(2023, 4, 1),
        ends_on=date(2024, 3, 31),
        last_report_on=None,
        as_of=date(2024, 3, 1),
    )


def test_project_of_a_year_and_a_day_is_long() -> None:
    # given a project whose end is 366 days after its start
    # when checking progress with no reports for over six months
    # then it is flagged
    assert progress_overdue(
        starts_on=date(2022, 4, 1),
        ends_on=date(2023, 4, 2),
        last_report_on=None,
        as_of=date(2023, 3, 1),
    )


def test_project_not_started_is_not_overdue() -> None:
    # given a long project that starts next month
    # when checking progress
    # then there is nothing to report yet
    assert not progress_overdue(
        starts_on=date(2024, 8, 1),
        ends_on=date(2027, 3, 31),
        last_report_on=None,
        as_of=date(2024, 7, 1),
    )


def test_project_without_dates_is_not_flagged() -> None:
    # given a project with no period set
    # when checking progress
    # then its length is unknown and it is not flagged
    assert not progress_overdue(
        starts_on=None, ends_on=None, last_report_on=None, as_of=date(2030, 1, 1)
    )
