"""Collaboration rules: readiness (第4章(1)(2)) and the forms' own conditions (第3章).

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from kyodo.domain.collaborations.forms import form_problems, form_problems_always
from kyodo.domain.collaborations.rules import (
    READINESS_LABELS,
    missing_readiness,
    readiness_problems,
)
from kyodo.domain.enums import CollaborationForm, CommitteeKind, ReadinessItem
from kyodo.domain.errors import ErrorCode, Problem

from .support import Form, codes_and_fields, missing


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
        "市にできること・できないこと",
        "パートナーを選んだ理由と能力",
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
        city_can_do=None,
        city_cannot_do=None,
        participation_reasons=[],
    )
    # then every item is listed, in enum order
    assert result == list(ReadinessItem)


def test_readiness_problems_are_not_ready_with_plain_messages() -> None:
    # given two missing items listed out of order
    # when turning them into problems
    problems = readiness_problems([ReadinessItem.ROLES, ReadinessItem.PURPOSE])
    # then each is a NOT_READY problem pointing at its input, in guideline order
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.NOT_READY, "purpose"),
        (ErrorCode.NOT_READY, "participations"),
    ]
    assert "目的" in problems[0].message
    assert "役割分担" in problems[1].message


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
        (ErrorCode.NOT_READY, "budget.city_share_yen"),
        (ErrorCode.NOT_READY, "budget.partner_share_yen"),
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
        (ErrorCode.NOT_READY, "budget.partner_share_yen"),
    ]


def test_committee_needs_a_name() -> None:
    # given a 協議会 without a name
    # when checking form problems
    # then the name is asked for
    assert codes_and_fields(
        problems_for([Form.COMMITTEE], committee_name=" ", committee_kind=CommitteeKind.COUNCIL)
    ) == [(ErrorCode.NOT_READY, "committee.name")]


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
    assert codes_and_fields(result) == [(ErrorCode.NOT_READY, "committee.dissolves_on")]


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
    ) == [(ErrorCode.NOT_READY, "participations")]


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
        (ErrorCode.NOT_READY, "responsibility")
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
        (ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED, "budget.city_share_yen")
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
        (ErrorCode.FINANCIAL_SUPPORT_NOT_ALLOWED, "budget.city_share_yen")
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
    assert result[0].field == "responsibility"


def test_form_problem_messages_are_japanese() -> None:
    # given a 共催 with no shares
    # when checking form problems
    result = problems_for([Form.CO_HOSTING])
    # then the messages speak the form's name
    assert all("共催" in p.message for p in result)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"city_can_do": " "}, [ReadinessItem.CITY_ROLE], id="city-can-do-blank"),
        pytest.param({"city_cannot_do": None}, [ReadinessItem.CITY_ROLE], id="cannot-do-absent"),
        pytest.param(
            {"participation_reasons": [("地区に詳しい", "毎年開いている"), ("理由", None)]},
            [ReadinessItem.PARTNER_REASONS],
            id="one-partner-without-capacity",
        ),
        pytest.param(
            {"participation_reasons": [(" ", "毎年開いている")]},
            [ReadinessItem.PARTNER_REASONS],
            id="a-blank-reason",
        ),
    ],
)
def test_the_citys_part_and_every_partners_reason_and_capacity_are_needed(
    changes: dict[str, object], expected: list[ReadinessItem]
) -> None:
    # given: 第4章(1) 市にできること・できないこと and 第2章1 理由・能力 (rule 17)
    # when checking readiness with one of them missing
    # then that item is missing
    assert missing(**changes) == expected
