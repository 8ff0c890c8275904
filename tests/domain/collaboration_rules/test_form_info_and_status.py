"""Collaboration rules: FORM_INFO and the status machine.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import pytest

from kyodo.domain.collaborations.forms import FORM_INFO
from kyodo.domain.collaborations.rules import (
    ALLOWED_TRANSITIONS,
    STATUS_LABELS,
    check_transition,
)
from kyodo.domain.enums import CollaborationStatus
from kyodo.domain.errors import DomainError, ErrorCode

from .support import Form, Status


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
    assert caught.value.problems[0].field == "to"


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
