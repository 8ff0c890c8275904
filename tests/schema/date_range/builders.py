"""A case (``Case``) and the builders that make its operation, everything valid but one date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .world import World

ERRORS = "errors { field code message }"


Build = Callable[[World, str], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """One Date input: where the schema has it, the path its error names, the label its
    message uses, and an operation that sends ``day`` there (everything else valid)."""

    input: str  # as test_every_date_input_is_covered names it
    field: list[str]
    label: str
    build: Build

    @property
    def root(self) -> str:
        return self.input.split(".")[1]

    @property
    def is_mutation(self) -> bool:
        return self.input.startswith("Mutation.")

    def __str__(self) -> str:
        return self.input


def _collaboration_input(w: World, **dates: Any) -> dict[str, Any]:
    return {
        "title": "日付のテスト（デモ）",
        "forms": ["CO_HOSTING"],
        "departmentCode": w.department,
        **dates,
    }


def _agreement_input(w: World, **dates: Any) -> dict[str, Any]:
    return {
        "title": "日付のテスト協定（デモ）",
        "category": "DISASTER_SUPPORT",
        "partyIds": [w.partner],
        "departmentCode": w.department,
        **dates,
    }


def _collaboration_create(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        dates = {"committee": {"name": "会", "kind": "COUNCIL", name: day}}
        if name not in ("establishedOn", "dissolvesOn"):
            dates = {name: day}
        return (
            "mutation ($input: CollaborationInput!) { collaborationCreate(input: $input) "
            f"{{ collaboration {{ id }} {ERRORS} }} }}",
            {"input": _collaboration_input(w, **dates)},
        )

    return build


def _collaboration_update(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        _, variables = _collaboration_create(name)(w, day)
        return (
            "mutation ($id: ID!, $input: CollaborationInput!) { collaborationUpdate("
            f"id: $id, expectedVersion: 1, input: $input) {{ collaboration {{ id }} {ERRORS} }} }}",
            {"id": w.planning_collaboration, **variables},
        )

    return build


def _agreement_create(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            "mutation ($input: AgreementInput!) { agreementCreate(input: $input) "
            f"{{ agreement {{ id }} {ERRORS} }} }}",
            {"input": _agreement_input(w, **{name: day})},
        )

    return build


def _agreement_update(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            "mutation ($id: ID!, $input: AgreementInput!) { agreementUpdate(id: $id, "
            f"expectedVersion: 1, input: $input) {{ agreement {{ id }} {ERRORS} }} }}",
            {"id": w.draft_agreement, "input": _agreement_input(w, **{name: day})},
        )

    return build


def _conclude(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        dates = {"concludedOn": "2022-04-01", name: day}
        return (
            "mutation ($id: ID!, $concludedOn: Date!, $effectiveFrom: Date) { agreementConclude("
            "id: $id, expectedVersion: 1, concludedOn: $concludedOn, effectiveFrom: $effectiveFrom)"
            f" {{ agreement {{ id }} {ERRORS} }} }}",
            {"id": w.draft_agreement, **dates},
        )

    return build


def _endorsement_submit(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        data = {
            "eventName": "日付テストの催し（デモ）",
            "organizerId": w.partner,
            "departmentCode": w.department,
            "eventStartsOn": "2022-05-01",
            "purpose": "テスト",
            "disqualifiers": [],
            name: day,
        }
        return (
            "mutation ($input: EndorsementApplicationInput!) { endorsementApplicationSubmit("
            f"input: $input) {{ application {{ id }} {ERRORS} }} }}",
            {"input": data},
        )

    return build


def _agreement_filter(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            "query ($filter: AgreementFilter) { agreements(filter: $filter) { totalCount } }",
            {"filter": {name: day}},
        )

    return build


def _agreement_field(selection: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            f"query ($id: ID!, $day: Date) {{ node(id: $id) {{ ... on Agreement {{ {selection} }} }} }}",
            {"id": w.in_force_agreement, "day": day},
        )

    return build


def _simple(document: str, **variables: Callable[[World], Any]) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return document, {"day": day} | {k: f(w) for k, f in variables.items()}

    return build
