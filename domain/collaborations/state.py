"""Checking what a caller says about a collaboration (協働事業): the input cleaned and
merged over the stored collaboration into the state after the change (:func:`build_state`),
and the rules that hold on that state on every path (rules 1–4, :func:`rule_problems`).
Reads, never writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.base import is_set
from kyodo.domain.collaborations import forms as form_rules
from kyodo.domain.collaborations import rules
from kyodo.domain.collaborations.departments import co_department_ids_of, resolve_co_departments
from kyodo.domain.collaborations.inputs import (
    COLUMNS,
    FISCAL_YEAR_RANGE,
    FORM_ORDER,
    ROLE_MAX,
    CollaborationData,
    ParticipationData,
    State,
    clean_text_field,
    field_codes_of,
    forms_of,
    participations_of,
)
from kyodo.domain.collaborations.models import (
    Collaboration,
)
from kyodo.domain.collaborations.screening import ordered
from kyodo.domain.enums import CollaborationForm, CommitteeKind, ReadinessItem
from kyodo.domain.errors import DomainError, ErrorCode, Problem, at
from kyodo.domain.japanese import fiscal_year_of
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.service import fields_by_code, get_department_by_code_or_raise
from kyodo.domain.subsidies.models import SubsidyProgram


async def build_state(
    session: AsyncSession,
    data: CollaborationData,
    problems: v.Problems,
    *,
    current: Collaboration | None,
) -> State:
    """Clean ``data`` and merge it over ``current`` (None when creating).

    Every problem with the input itself is added to ``problems``; references are looked
    up here (department, fields, partners, subsidy program) in one statement each.
    """
    values: dict[str, Any]
    if current is None:
        values = {name: None for name in COLUMNS}
        values["is_public"] = False
        values["declared_unfit_grounds"] = []
        co_departments: list[int] = []
        forms: list[CollaborationForm] = []
        fields: list[tuple[int, str]] = []
        parts: list[ParticipationData] = []
    else:
        assert current.id is not None
        values = {name: getattr(current, name) for name in COLUMNS}
        forms = await forms_of(session, current.id)
        fields = await field_codes_of(session, current.id)
        parts = [
            ParticipationData(
                p.partner_id, p.role, p.is_lead, p.cost_share_yen, p.reason, p.capacity
            )
            for p in await participations_of(session, current.id)
        ]
        co_departments = await co_department_ids_of(session, current.id)

    if is_set(data.title) or current is None:
        values["title"] = v.column_text(
            problems,
            data.title if is_set(data.title) else None,
            Collaboration.title,
            label="事業名",
            required=True,
        )
    for name, label in (
        ("summary", "概要"),
        ("purpose", "目的"),
        ("plan", "計画"),
        ("responsibility", "責任の所在"),
        ("city_can_do", "市にできること"),
        ("city_cannot_do", "市にできないこと"),
    ):
        value = getattr(data, name)
        if is_set(value):
            values[name] = clean_text_field(problems, value, label=label, path=name)
    if is_set(data.unfit_grounds):
        values["declared_unfit_grounds"] = [g.value for g in ordered(data.unfit_grounds or ())]
    for name, label in (
        ("starts_on", "始まりの日"),
        ("ends_on", "終わりの日"),
        ("review_due_on", "パートナーの選び方を見直す日"),
    ):
        if is_set(getattr(data, name)):
            values[name] = v.check_date(problems, getattr(data, name), label=label, field=name)
    if is_set(data.is_public) and data.is_public is not None:
        values["is_public"] = bool(data.is_public)

    if is_set(data.forms) or current is None:
        forms = _clean_forms(problems, data.forms if is_set(data.forms) else None)

    if is_set(data.department_code) or current is None:
        code = v.clean_text(data.department_code if is_set(data.department_code) else None)
        if code is None:
            problems.add(ErrorCode.REQUIRED, "担当課を選んでください。", "department_code")
        else:
            try:
                department = await get_department_by_code_or_raise(session, code)
                values["department_id"] = department.id
            except DomainError as error:
                problems.extend(error.problems)

    if is_set(data.field_codes):
        fields = await _resolve_fields(session, problems, data.field_codes)
    if is_set(data.co_department_codes):
        co_departments = await resolve_co_departments(
            session, problems, data.co_department_codes, owner=values["department_id"]
        )
    elif values["department_id"] in co_departments:
        problems.add(
            ErrorCode.INVALID,
            "担当課は共同の担当課と別の課にしてください。",
            "department_code",
        )

    _apply_budget(problems, values, data.budget)
    _apply_committee(problems, values, data.committee)

    if is_set(data.participations):
        parts = await _clean_participations(session, problems, data.participations)

    if is_set(data.subsidy_program_id):
        values["subsidy_program_id"] = data.subsidy_program_id
        if data.subsidy_program_id is not None:
            program = await session.get(SubsidyProgram, data.subsidy_program_id)
            if program is None:
                problems.add(
                    ErrorCode.NOT_FOUND,
                    "指定された補助・助成の制度は見つかりません。",
                    "subsidy_program_id",
                )

    values["fiscal_year"] = _fiscal_year(problems, data, current, values["starts_on"])

    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        wrong = "starts_on" if is_set(data.starts_on) and not is_set(data.ends_on) else "ends_on"
        problems.add(
            ErrorCode.INVALID,
            f"終わりの日（{ends_on.isoformat()}）が始まりの日（{starts_on.isoformat()}）より前になっています。",
            wrong,
        )
    return State(
        values=values,
        forms=forms,
        field_ids=[i for i, _ in fields],
        participations=parts,
        co_department_ids=co_departments,
    )


def _clean_forms(
    problems: v.Problems, forms: Sequence[CollaborationForm] | None
) -> list[CollaborationForm]:
    """Rule 1 (第3章): one or more of the seven forms; several may combine."""
    if not forms:
        problems.add(
            ErrorCode.REQUIRED,
            "協働の形（共催・委託など）を1つ以上選んでください。",
            "forms",
        )
        return []
    return sorted({CollaborationForm(f) for f in forms}, key=FORM_ORDER.__getitem__)


async def _resolve_fields(
    session: AsyncSession, problems: v.Problems, codes: Sequence[str] | None
) -> list[tuple[int, str]]:
    path = "field_codes"
    if not codes or not v.bounded_list(problems, codes, label="分野", field=path):
        return []
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    try:
        found = await fields_by_code(session, cleaned, field=path)
    except DomainError as error:
        problems.extend(error.problems)
        return []
    return [(f.id, f.code) for f in found if f.id is not None]


def _apply_budget(problems: v.Problems, values: dict[str, Any], budget: Any) -> None:
    if not is_set(budget):
        return
    parts = (
        ("total_yen", "budget_total_yen", "経費の合計"),
        ("city_share_yen", "city_share_yen", "市の負担額"),
        ("partner_share_yen", "partner_share_yen", "パートナーの負担額"),
    )
    for attr, column, label in parts:
        value = None if budget is None else getattr(budget, attr)
        if is_set(value):
            values[column] = v.amount(problems, value, label=label, field=at("budget", attr))


def _apply_committee(problems: v.Problems, values: dict[str, Any], committee: Any) -> None:
    if not is_set(committee):
        return
    if committee is None:
        for name in ("name", "kind", "established_on", "dissolves_on"):
            values[f"committee_{name}"] = None
        return
    prefix = "committee"
    values["committee_name"] = v.column_text(
        problems,
        committee.name,
        Collaboration.committee_name,
        label="会の名前",
        field=at(prefix, "name"),
        required=True,
    )
    values["committee_kind"] = CommitteeKind(committee.kind)
    for name, label in (
        ("established_on", "会の設立日"),
        ("dissolves_on", "会の解散日"),
    ):
        if is_set(getattr(committee, name)):
            values[f"committee_{name}"] = v.check_date(
                problems, getattr(committee, name), label=label, field=at(prefix, name)
            )
    established, dissolves = values["committee_established_on"], values["committee_dissolves_on"]
    if established is not None and dissolves is not None and dissolves < established:
        problems.add(
            ErrorCode.INVALID,
            f"会の解散日（{dissolves.isoformat()}）が設立日（{established.isoformat()}）より前になっています。",
            at(prefix, "dissolves_on"),
        )


async def _clean_participations(
    session: AsyncSession, problems: v.Problems, items: Sequence[ParticipationData] | None
) -> list[ParticipationData]:
    """役割分担 (第4章(1)): each partner exists and takes part once; shares are ≥ 0 yen."""
    path = "participations"
    if not items:
        return []
    if not v.bounded_list(problems, items, label="参加パートナー", field=path):
        return []
    wanted = {p.partner_id for p in items if p.partner_id is not None}
    existing: set[int] = set()
    if wanted:
        stmt = sa.select(col(Partner.id)).where(col(Partner.id).in_(wanted))
        existing = {i for i in (await session.execute(stmt)).scalars() if i is not None}
    cleaned: list[ParticipationData] = []
    seen: set[int] = set()
    for i, item in enumerate(items):
        here = at(path, i)
        partner_id = item.partner_id
        if partner_id is not None and partner_id not in existing:
            problems.add(
                ErrorCode.NOT_FOUND,
                "指定されたパートナーは見つかりません。",
                at(here, "partner_id"),
            )
        elif partner_id is not None and partner_id in seen:
            problems.add(
                ErrorCode.DUPLICATE,
                "同じパートナーが2回以上入っています。1つにまとめてください。",
                at(here, "partner_id"),
            )
        if partner_id is not None:
            seen.add(partner_id)
        cleaned.append(
            ParticipationData(
                partner_id=partner_id,
                role=clean_text_field(
                    problems, item.role, label="役割", path=at(here, "role"), max_length=ROLE_MAX
                ),
                is_lead=bool(item.is_lead),
                cost_share_yen=v.amount(
                    problems, item.cost_share_yen, label="負担額", field=at(here, "cost_share_yen")
                ),
                reason=clean_text_field(
                    problems, item.reason, label="協働する理由", path=at(here, "reason")
                ),
                capacity=clean_text_field(
                    problems, item.capacity, label="事業を行う能力", path=at(here, "capacity")
                ),
            )
        )
    return cleaned


def _fiscal_year(
    problems: v.Problems,
    data: CollaborationData,
    current: Collaboration | None,
    starts_on: date | None,
) -> int | None:
    """The given fiscal year, else the one the start date falls in (April–March, rule 14).

    On update, a fiscal year that only followed the old start date follows the new one;
    one set by hand stays unless the caller sends another.
    """
    sent = data.fiscal_year
    if is_set(sent) and sent is not None:
        low, high = FISCAL_YEAR_RANGE
        if not low <= sent <= high:
            problems.add(
                ErrorCode.INVALID,
                f"年度は{low}から{high}までの西暦の年で入れてください（例: 令和3年度なら2021）。",
                "fiscal_year",
            )
        return int(sent)
    stored = current.fiscal_year if current is not None else None
    follows_start = stored is None or (
        current is not None
        and current.starts_on is not None
        and stored == fiscal_year_of(current.starts_on)
    )
    if (is_set(sent) or follows_start) and starts_on is not None:
        return fiscal_year_of(starts_on)
    return None if is_set(sent) else stored


def rule_problems(
    state: State, *, started: bool, excused: frozenset[ReadinessItem] = frozenset()
) -> list[Problem]:
    """Rules 2 and 3 on the state after the change.

    後援 without money holds at every moment; once started, readiness (第4章(1)(2)) and the
    form-specific rules (第3章) hold too, exactly as they were checked at the start.
    ``excused``: items a collaboration started without, before the start checked them
    (:func:`excused_items`); an edit may leave them missing, never empty them.
    """
    money = _columns(state, "city_share_yen", "budget_total_yen", "partner_share_yen")
    if not started:
        return form_rules.form_problems_always(forms=state.forms, **money)
    missing = rules.missing_readiness(
        **_columns(state, *rules.READINESS_COLUMNS),
        participation_roles=[p.role for p in state.participations],
        participation_reasons=[(p.reason, p.capacity) for p in state.participations],
    )
    missing = [item for item in missing if item not in excused]
    form_problems = form_rules.form_problems(
        forms=state.forms,
        **money,
        **_columns(
            state, "committee_name", "committee_kind", "committee_dissolves_on", "responsibility"
        ),
        participations_is_lead=[p.is_lead for p in state.participations],
    )
    return [*rules.readiness_problems(missing), *form_problems]


def _columns(state: State, *names: str) -> dict[str, Any]:
    """The state's values of ``names``: the rules take them as keywords of the same name."""
    return {name: state.values[name] for name in names}
