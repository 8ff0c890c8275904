"""Helpers shared by the tests of this package (Collaboration rules: readiness (第4章(1)(2)), forms (第3章), status machine, evaluation
(第4章(4)) and progress (第4章(3)))."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from kyodo.domain.collaborations.rules import (
    missing_readiness,
)
from kyodo.domain.enums import CollaborationForm, CollaborationStatus, ReadinessItem
from kyodo.domain.errors import ErrorCode, Problem

Form = CollaborationForm


Status = CollaborationStatus


READY: dict[str, Any] = {
    "purpose": "地域の課題を町内会と話し合う",
    "plan": "各地区で年4回開く",
    "budget_total_yen": 120_000,
    "starts_on": date(2024, 4, 1),
    "ends_on": date(2025, 3, 31),
    "responsibility": "会場の安全は市、参加者の呼びかけは町内会",
    "participation_roles": ["参加者の呼びかけ", "会場の準備"],
    "city_can_do": "会場の確保と広報",
    "city_cannot_do": "特定の団体だけへの資金の援助",
    "participation_reasons": [("地区の事情に詳しい", "毎年同じ会を開いている")] * 2,
}


def missing(**changes: Any) -> list[ReadinessItem]:
    return missing_readiness(**{**READY, **changes})


def codes_and_fields(problems: Sequence[Problem]) -> list[tuple[ErrorCode, list[str] | None]]:
    return [(p.code, p.field) for p in problems]
