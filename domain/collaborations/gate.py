"""The start gate of a collaboration (PLANNING→ACTIVE): what refuses it, and what a
running project that started before a rule existed is excused from."""

from __future__ import annotations

from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.inputs import State
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.collaborations.screening import unfit_problems
from kyodo.domain.collaborations.state import rule_problems
from kyodo.domain.enums import ReadinessItem
from kyodo.domain.errors import Problem


def excused_items(state: State) -> frozenset[ReadinessItem]:
    """What a collaboration that started before rule 17 lacks of it (CITY_ROLE,
    PARTNER_REASONS): an edit may leave those missing, but never empty them."""
    values = state.values
    return frozenset(
        rules.missing_parts(
            city_can_do=values["city_can_do"],
            city_cannot_do=values["city_cannot_do"],
            participation_reasons=[(p.reason, p.capacity) for p in state.participations],
        )
    )


def start_problems(state: State, current: Collaboration) -> list[Problem]:
    """Everything that refuses PLANNING→ACTIVE: readiness, the forms' rules and the
    screening of 第5章 Q8 (rule 16: a ground the applicant ticked or staff added)."""
    return [
        *rule_problems(state, started=True),
        *unfit_problems(state.values["declared_unfit_grounds"], current.added_unfit_grounds),
    ]
