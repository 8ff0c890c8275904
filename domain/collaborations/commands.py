"""Changing collaborations (協働事業): create, update, transition, progress, evaluation.

Rules 1–6 of the guideline hold on every path: the seven forms (第3章), readiness
before start (第4章(1)(2)), the form-specific rules, the status machine, the closing
evaluation (第4章(4)) and progress reports (第4章(3)). The rules themselves live in
:mod:`domain.collaborations.rules`; this module loads what they need, calls them and
writes.

Every function flushes and never commits; the caller commits once. Each writes exactly
one audit event describing what it changed, and a refused call writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import validation as v
from domain.audit.log import json_value
from domain.base import UNSET, is_set
from domain.collaborations import rules
from domain.collaborations.models import (
    Collaboration,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from domain.collaborations.service import refresh_search_text
from domain.enums import CollaborationForm, CollaborationStatus, CommitteeKind
from domain.errors import DomainError, ErrorCode, Problem
from domain.japanese import fiscal_year_of
from domain.partners.models import Partner
from domain.reference.models import CollaborationField
from domain.reference.service import fields_by_code, get_department_by_code_or_raise
from domain.subsidies.models import SubsidyProgram
from domain.writes import Audited, fields_snapshot

ENTITY = "Collaboration"
LABEL = "協働事業"

# The columns a caller may set (status only changes through transitions).
COLUMNS: tuple[str, ...] = (
    "title",
    "summary",
    "department_id",
    "fiscal_year",
    "starts_on",
    "ends_on",
    "purpose",
    "plan",
    "budget_total_yen",
    "city_share_yen",
    "partner_share_yen",
    "responsibility",
    "committee_name",
    "committee_kind",
    "committee_established_on",
    "committee_dissolves_on",
    "subsidy_program_id",
    "review_due_on",
    "is_public",
)
# Long free text (目的, 計画, 責任の所在...) is capped generously; titles like a name.
TEXT_MAX = v.MAX_TEXT
ROLE_MAX = 1_000
FISCAL_YEAR_RANGE = (1900, 2200)

# Once a collaboration has passed the start gate (PLANNING→ACTIVE), what the gate
# checked must stay true: an edit may not empty the purpose of a running project.
STARTED = frozenset(
    {CollaborationStatus.ACTIVE, CollaborationStatus.COMPLETED, CollaborationStatus.EVALUATED}
)
EVALUABLE = frozenset({CollaborationStatus.COMPLETED, CollaborationStatus.EVALUATED})

_FORM_ORDER = {form: i for i, form in enumerate(CollaborationForm)}


# ------------------------------------------------------------------ input data


@dataclass
class BudgetData:
    """経費 in yen. On update, amounts left UNSET keep their value; None clears them."""

    total_yen: Any = UNSET
    city_share_yen: Any = UNSET
    partner_share_yen: Any = UNSET


@dataclass
class CommitteeData:
    """実行委員会・協議会. On update, dates left UNSET keep their value."""

    name: str | None
    kind: CommitteeKind
    established_on: Any = UNSET
    dissolves_on: Any = UNSET


@dataclass
class ParticipationData:
    """A partner's part (役割分担). ``partner_id`` is None when the caller's id could
    not be read; that problem is then already in :attr:`CollaborationData.problems`."""

    partner_id: int | None
    role: str | None = None
    is_lead: bool = False
    cost_share_yen: int | None = None


@dataclass
class CollaborationData:
    """A collaboration as a caller describes it. Fields left UNSET are not touched on
    update; lists that are sent (forms, field codes, participations) replace the stored ones.
    """

    title: Any = UNSET
    summary: Any = UNSET
    forms: Any = UNSET
    department_code: Any = UNSET
    field_codes: Any = UNSET
    fiscal_year: Any = UNSET
    starts_on: Any = UNSET
    ends_on: Any = UNSET
    purpose: Any = UNSET
    plan: Any = UNSET
    budget: Any = UNSET
    responsibility: Any = UNSET
    participations: Any = UNSET
    committee: Any = UNSET
    subsidy_program_id: Any = UNSET
    review_due_on: Any = UNSET
    is_public: Any = UNSET
    # Problems found while reading the request (e.g. an unreadable global id), reported
    # together with everything the checks below find.
    problems: list[Problem] = field(default_factory=list)


@dataclass
class EvaluationData:
    evaluated_on: date
    outcomes: str | None
    partner_feedback: str | None
    lessons: str | None = None
    rating: int | None = None


@dataclass
class _State:
    """The collaboration as it would be after the change: what the rules look at."""

    values: dict[str, Any]
    forms: list[CollaborationForm]
    field_ids: list[int]
    participations: list[ParticipationData]


# ------------------------------------------------------------------ snapshots for audit


def _participation_dict(p: Participation | ParticipationData) -> dict[str, Any]:
    return {
        "partner_id": p.partner_id,
        "role": p.role,
        "is_lead": p.is_lead,
        "cost_share_yen": p.cost_share_yen,
    }


async def _forms_of(session: AsyncSession, collaboration_id: int) -> list[CollaborationForm]:
    stmt = sa.select(col(CollaborationFormLink.form)).where(
        col(CollaborationFormLink.collaboration_id) == collaboration_id
    )
    return sorted((await session.execute(stmt)).scalars(), key=_FORM_ORDER.__getitem__)


async def _field_codes_of(session: AsyncSession, collaboration_id: int) -> list[tuple[int, str]]:
    stmt = (
        sa.select(col(CollaborationField.id), col(CollaborationField.code))
        .join(
            CollaborationFieldLink,
            col(CollaborationFieldLink.field_id) == col(CollaborationField.id),
        )
        .where(col(CollaborationFieldLink.collaboration_id) == collaboration_id)
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    return [(i, c) for i, c in (await session.execute(stmt)).all() if i is not None]


async def _participations_of(session: AsyncSession, collaboration_id: int) -> list[Participation]:
    stmt = (
        sa.select(Participation)
        .where(col(Participation.collaboration_id) == collaboration_id)
        .order_by(col(Participation.is_lead).desc(), col(Participation.id))
    )
    return list((await session.execute(stmt)).scalars())


async def _snapshot(session: AsyncSession, collaboration: Collaboration) -> dict[str, Any]:
    """Every field a caller can change, child lists included, in JSON form.

    Child lists are sorted by a stable key so that sending the same list again shows as
    no change in the audit log.
    """
    assert collaboration.id is not None
    out = {name: json_value(getattr(collaboration, name)) for name in COLUMNS}
    out["forms"] = json_value(await _forms_of(session, collaboration.id))
    out["field_codes"] = sorted(c for _, c in await _field_codes_of(session, collaboration.id))
    out["participations"] = sorted(
        (_participation_dict(p) for p in await _participations_of(session, collaboration.id)),
        key=lambda p: p["partner_id"],
    )
    return out


COLLABORATIONS = Audited(Collaboration, entity_type=ENTITY, label=LABEL, snapshot=_snapshot)


# ------------------------------------------------------------------ validation


def _text(
    problems: v.Problems, value: Any, *, label: str, path: list[str], max_length: int = TEXT_MAX
) -> str | None:
    return v.optional_text(problems, value, label=label, field=path, max_length=max_length)


async def _build_state(
    session: AsyncSession,
    data: CollaborationData,
    problems: v.Problems,
    *,
    current: Collaboration | None,
) -> _State:
    """Clean ``data`` and merge it over ``current`` (None when creating).

    Every problem with the input itself is added to ``problems``; references are looked
    up here (department, fields, partners, subsidy program) in one statement each.
    """
    values: dict[str, Any]
    if current is None:
        values = {name: None for name in COLUMNS}
        values["is_public"] = False
        forms: list[CollaborationForm] = []
        fields: list[tuple[int, str]] = []
        parts: list[ParticipationData] = []
    else:
        assert current.id is not None
        values = {name: getattr(current, name) for name in COLUMNS}
        forms = await _forms_of(session, current.id)
        fields = await _field_codes_of(session, current.id)
        parts = [
            ParticipationData(p.partner_id, p.role, p.is_lead, p.cost_share_yen)
            for p in await _participations_of(session, current.id)
        ]

    if is_set(data.title) or current is None:
        values["title"] = v.required_text(
            problems,
            data.title if is_set(data.title) else None,
            label="事業名",
            field=["input", "title"],
            max_length=v.max_length(Collaboration.title),
        )
    for name, label in (
        ("summary", "概要"),
        ("purpose", "目的"),
        ("plan", "計画"),
        ("responsibility", "責任の所在"),
    ):
        value = getattr(data, name)
        if is_set(value):
            values[name] = _text(problems, value, label=label, path=["input", name])
    for name, input_name, label in (
        ("starts_on", "startsOn", "始まりの日"),
        ("ends_on", "endsOn", "終わりの日"),
        ("review_due_on", "reviewDueOn", "パートナーの選び方を見直す日"),
    ):
        if is_set(getattr(data, name)):
            values[name] = v.check_date(
                problems, getattr(data, name), label=label, field=["input", input_name]
            )
    if is_set(data.is_public) and data.is_public is not None:
        values["is_public"] = bool(data.is_public)

    if is_set(data.forms) or current is None:
        forms = _clean_forms(problems, data.forms if is_set(data.forms) else None)

    if is_set(data.department_code) or current is None:
        code = v.clean_text(data.department_code if is_set(data.department_code) else None)
        if code is None:
            problems.add(
                ErrorCode.REQUIRED, "担当課を選んでください。", ["input", "departmentCode"]
            )
        else:
            try:
                department = await get_department_by_code_or_raise(session, code)
                values["department_id"] = department.id
            except DomainError as error:
                problems.extend(error.problems)

    if is_set(data.field_codes):
        fields = await _resolve_fields(session, problems, data.field_codes)

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
                    ["input", "subsidyProgramId"],
                )

    values["fiscal_year"] = _fiscal_year(problems, data, current, values["starts_on"])

    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        at = "startsOn" if is_set(data.starts_on) and not is_set(data.ends_on) else "endsOn"
        problems.add(
            ErrorCode.INVALID,
            f"終わりの日（{ends_on.isoformat()}）が始まりの日（{starts_on.isoformat()}）より前になっています。",
            ["input", at],
        )
    return _State(
        values=values,
        forms=forms,
        field_ids=[i for i, _ in fields],
        participations=parts,
    )


def _clean_forms(
    problems: v.Problems, forms: Sequence[CollaborationForm] | None
) -> list[CollaborationForm]:
    """Rule 1 (第3章): one or more of the seven forms; several may combine."""
    if not forms:
        problems.add(
            ErrorCode.REQUIRED,
            "協働の形（共催・委託など）を1つ以上選んでください。",
            ["input", "forms"],
        )
        return []
    return sorted({CollaborationForm(f) for f in forms}, key=_FORM_ORDER.__getitem__)


async def _resolve_fields(
    session: AsyncSession, problems: v.Problems, codes: Sequence[str] | None
) -> list[tuple[int, str]]:
    path = ["input", "fieldCodes"]
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
        ("total_yen", "budget_total_yen", "totalYen", "経費の合計"),
        ("city_share_yen", "city_share_yen", "cityShareYen", "市の負担額"),
        ("partner_share_yen", "partner_share_yen", "partnerShareYen", "パートナーの負担額"),
    )
    for attr, column, name, label in parts:
        value = None if budget is None else getattr(budget, attr)
        if is_set(value):
            values[column] = v.amount(problems, value, label=label, field=["input", "budget", name])


def _apply_committee(problems: v.Problems, values: dict[str, Any], committee: Any) -> None:
    if not is_set(committee):
        return
    if committee is None:
        for name in ("name", "kind", "established_on", "dissolves_on"):
            values[f"committee_{name}"] = None
        return
    prefix = ["input", "committee"]
    values["committee_name"] = v.required_text(
        problems,
        committee.name,
        label="会の名前",
        field=[*prefix, "name"],
        max_length=v.max_length(Collaboration.committee_name),
    )
    values["committee_kind"] = CommitteeKind(committee.kind)
    for name, input_name, label in (
        ("established_on", "establishedOn", "会の設立日"),
        ("dissolves_on", "dissolvesOn", "会の解散日"),
    ):
        if is_set(getattr(committee, name)):
            values[f"committee_{name}"] = v.check_date(
                problems, getattr(committee, name), label=label, field=[*prefix, input_name]
            )
    established, dissolves = values["committee_established_on"], values["committee_dissolves_on"]
    if established is not None and dissolves is not None and dissolves < established:
        problems.add(
            ErrorCode.INVALID,
            f"会の解散日（{dissolves.isoformat()}）が設立日（{established.isoformat()}）より前になっています。",
            [*prefix, "dissolvesOn"],
        )


async def _clean_participations(
    session: AsyncSession, problems: v.Problems, items: Sequence[ParticipationData] | None
) -> list[ParticipationData]:
    """役割分担 (第4章(1)): each partner exists and takes part once; shares are ≥ 0 yen."""
    path = ["input", "participations"]
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
        here = [*path, str(i)]
        partner_id = item.partner_id
        if partner_id is not None and partner_id not in existing:
            problems.add(
                ErrorCode.NOT_FOUND, "指定されたパートナーは見つかりません。", [*here, "partnerId"]
            )
        elif partner_id is not None and partner_id in seen:
            problems.add(
                ErrorCode.DUPLICATE,
                "同じパートナーが2回以上入っています。1つにまとめてください。",
                [*here, "partnerId"],
            )
        if partner_id is not None:
            seen.add(partner_id)
        cleaned.append(
            ParticipationData(
                partner_id=partner_id,
                role=_text(
                    problems, item.role, label="役割", path=[*here, "role"], max_length=ROLE_MAX
                ),
                is_lead=bool(item.is_lead),
                cost_share_yen=v.amount(
                    problems, item.cost_share_yen, label="負担額", field=[*here, "costShareYen"]
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
                ["input", "fiscalYear"],
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


def _rule_problems(state: _State, *, started: bool) -> list[Problem]:
    """Rules 2 and 3 on the state after the change.

    後援 without money holds at every moment; once started, readiness (第4章(2)) and the
    form-specific rules (第3章) hold too, exactly as they were checked at the start.
    """
    values = state.values
    if not started:
        return rules.form_problems_always(
            forms=state.forms, city_share_yen=values["city_share_yen"]
        )
    missing = rules.missing_readiness(
        purpose=values["purpose"],
        plan=values["plan"],
        budget_total_yen=values["budget_total_yen"],
        starts_on=values["starts_on"],
        ends_on=values["ends_on"],
        responsibility=values["responsibility"],
        participation_roles=[p.role for p in state.participations],
    )
    return [*rules.readiness_problems(missing), *_form_problems(state)]


def _form_problems(state: _State) -> list[Problem]:
    values = state.values
    return rules.form_problems(
        forms=state.forms,
        city_share_yen=values["city_share_yen"],
        partner_share_yen=values["partner_share_yen"],
        committee_name=values["committee_name"],
        committee_kind=values["committee_kind"],
        committee_dissolves_on=values["committee_dissolves_on"],
        participations_is_lead=[p.is_lead for p in state.participations],
        responsibility=values["responsibility"],
    )


# ------------------------------------------------------------------ writing


async def _write_children(
    session: AsyncSession,
    collaboration_id: int,
    state: _State,
    *,
    forms: bool,
    fields: bool,
    participations: bool,
) -> None:
    if forms:
        await session.execute(
            sa.delete(CollaborationFormLink).where(
                col(CollaborationFormLink.collaboration_id) == collaboration_id
            )
        )
        session.add_all(
            [CollaborationFormLink(collaboration_id=collaboration_id, form=f) for f in state.forms]
        )
    if fields:
        await session.execute(
            sa.delete(CollaborationFieldLink).where(
                col(CollaborationFieldLink.collaboration_id) == collaboration_id
            )
        )
        session.add_all(
            [
                CollaborationFieldLink(collaboration_id=collaboration_id, field_id=fid)
                for fid in state.field_ids
            ]
        )
    if participations:
        await session.execute(
            sa.delete(Participation).where(col(Participation.collaboration_id) == collaboration_id)
        )
        session.add_all(
            [
                Participation(
                    collaboration_id=collaboration_id,
                    partner_id=p.partner_id,
                    role=p.role,
                    is_lead=p.is_lead,
                    cost_share_yen=p.cost_share_yen,
                )
                for p in state.participations
                if p.partner_id is not None
            ]
        )
    await session.flush()


async def create_collaboration(
    session: AsyncSession, *, data: CollaborationData, actor: str
) -> Collaboration:
    """Register a collaboration in PLANNING (第3章, 第4章(1)).

    While planning, readiness may still be incomplete (``Collaboration.readiness`` shows
    what is missing); only the rules that hold at every moment are refused now. The
    fiscal year defaults to the one ``startsOn`` falls in.
    """
    problems = v.Problems()
    problems.extend(data.problems)
    state = await _build_state(session, data, problems, current=None)
    problems.extend(_rule_problems(state, started=False))
    problems.raise_if_any()

    collaboration = Collaboration(status=CollaborationStatus.PLANNING, **state.values)
    refresh_search_text(collaboration)
    session.add(collaboration)
    await session.flush()
    assert collaboration.id is not None
    await _write_children(
        session, collaboration.id, state, forms=True, fields=True, participations=True
    )
    await COLLABORATIONS.created(
        session,
        collaboration,
        actor=actor,
        action="collaboration.create",
        after={"status": collaboration.status.value, **await _snapshot(session, collaboration)},
    )
    return collaboration


async def update_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    data: CollaborationData,
    actor: str,
) -> Collaboration:
    """Change a collaboration; fields not sent keep their value (rule 15: expectedVersion).

    A collaboration that has started (ACTIVE, and later) must stay as ready as the start
    required (第4章(2), 第3章): an edit that would empty its purpose, drop its lead partner
    and so on is refused with the same NOT_READY problems as starting.
    """
    change = await COLLABORATIONS.begin(session, collaboration_id, expected_version)
    collaboration = change.row
    problems = v.Problems()
    problems.extend(data.problems)
    state = await _build_state(session, data, problems, current=collaboration)
    problems.extend(_rule_problems(state, started=collaboration.status in STARTED))
    problems.raise_if_any()

    probe = Collaboration(**state.values)
    refresh_search_text(probe)
    await change.write({**state.values, "search_text": probe.search_text})
    await _write_children(
        session,
        collaboration_id,
        state,
        forms=is_set(data.forms),
        fields=is_set(data.field_codes),
        participations=is_set(data.participations),
    )
    await change.record(actor=actor, action="collaboration.update")
    return collaboration


async def transition_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    to: CollaborationStatus,
    actor: str,
) -> Collaboration:
    """Move a collaboration along the status machine (rule 4).

    PLANNING→ACTIVE only when 第4章(2)'s items are set and the forms' own rules hold
    (one NOT_READY per missing item, pointing at the input that fills it);
    COMPLETED→EVALUATED only with an evaluation that states outcomes and the partner's
    view (第4章(4), EVALUATION_REQUIRED); CANCELLED from PLANNING or ACTIVE.
    """
    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=fields_snapshot(["status"])
    )
    collaboration = change.row
    rules.check_transition(collaboration.status, to)
    if to is CollaborationStatus.ACTIVE:
        state = await _build_state(
            session, CollaborationData(), v.Problems(), current=collaboration
        )
        _raise_if_any(_rule_problems(state, started=True))
    elif to is CollaborationStatus.EVALUATED:
        await _require_evaluation(session, collaboration_id)

    await change.write({"status": to})
    await change.record(actor=actor, action="collaboration.transition")
    return collaboration


def _raise_if_any(problems: Iterable[Problem]) -> None:
    found = list(problems)
    if found:
        raise DomainError(problems=found)


async def _require_evaluation(session: AsyncSession, collaboration_id: int) -> None:
    evaluation = await _evaluation_of(session, collaboration_id)
    if evaluation is None:
        raise DomainError(
            ErrorCode.EVALUATION_REQUIRED,
            "評価済みにする前に、結果の評価（得られた効果とパートナーの意見）を記録してください。",
            ["to"],
        )
    # Recorded evaluations passed these checks; re-checking keeps rule 5 true even for
    # rows that reached the table another way (e.g. a data load).
    _raise_if_any(
        Problem(ErrorCode.EVALUATION_REQUIRED, p.message, ["to"])
        for p in rules.evaluation_problems(
            outcomes=evaluation.outcomes, partner_feedback=evaluation.partner_feedback, rating=None
        )
    )


async def _evaluation_of(session: AsyncSession, collaboration_id: int) -> Evaluation | None:
    stmt = sa.select(Evaluation).where(col(Evaluation.collaboration_id) == collaboration_id)
    return (await session.execute(stmt)).scalar_one_or_none()


# ------------------------------------------------------------------ progress, 第4章(3)


def _report_dict(report: ProgressReport) -> dict[str, Any]:
    return {"reported_on": json_value(report.reported_on), "note": report.note}


async def _reports_of(session: AsyncSession, collaboration_id: int) -> list[dict[str, Any]]:
    stmt = (
        sa.select(ProgressReport)
        .where(col(ProgressReport.collaboration_id) == collaboration_id)
        .order_by(col(ProgressReport.reported_on), col(ProgressReport.id))
    )
    return [_report_dict(r) for r in (await session.execute(stmt)).scalars()]


async def report_progress(
    session: AsyncSession,
    *,
    collaboration_id: int,
    reported_on: date,
    note: str | None,
    actor: str,
    today: date,
    expected_version: int | None = None,
) -> Collaboration:
    """Record a progress check on a running collaboration (進捗確認, 第4章(3), rule 6).

    Only ACTIVE collaborations report progress. The report changes the collaboration
    (its version goes up, so readers holding the old version notice); the contract asks
    no ``expectedVersion`` here, so unless one is given the version guard is the one read
    here (``ConcurrentChange``, retried by the API, when another change got in between).
    A report cannot be dated after today.
    """

    async def reports(session: AsyncSession, _collaboration: Collaboration) -> dict[str, Any]:
        return {"progress_reports": await _reports_of(session, collaboration_id)}

    # Without an expectedVersion the guard is the version read here, whose status is
    # checked below: any change since (a collaboration completed a moment ago no longer
    # takes reports) makes the report run again from a fresh read.
    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=reports
    )
    collaboration = change.row
    problems = v.Problems()
    if collaboration.status is not CollaborationStatus.ACTIVE:
        problems.add(ErrorCode.INVALID_TRANSITION, _not_running(collaboration.status), ["id"])
    text = v.required_text(problems, note, label="進捗の内容", field=["note"], max_length=TEXT_MAX)
    v.check_date(problems, reported_on, label="進捗の報告日", field=["reportedOn"])
    if reported_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"進捗の報告日（{reported_on.isoformat()}）に先の日付は使えません。",
            ["reportedOn"],
        )
    problems.raise_if_any()

    await change.write()
    session.add(
        ProgressReport(collaboration_id=collaboration_id, reported_on=reported_on, note=text or "")
    )
    await session.flush()
    await change.record(actor=actor, action="collaboration.report_progress")
    return collaboration


def _not_running(status: CollaborationStatus) -> str:
    return (
        "進捗は、実施中の協働事業にだけ記録できます"
        f"（この協働事業は「{rules.STATUS_LABELS[status]}」です）。"
    )


# ------------------------------------------------------------------ evaluation, 第4章(4)


def _evaluation_dict(evaluation: Evaluation | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {
        "evaluated_on": json_value(evaluation.evaluated_on),
        "outcomes": evaluation.outcomes,
        "partner_feedback": evaluation.partner_feedback,
        "lessons": evaluation.lessons,
        "rating": evaluation.rating,
    }


async def evaluate_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    data: EvaluationData,
    actor: str,
    today: date,
) -> Collaboration:
    """Record the closing evaluation (結果の評価, 第4章(4), rule 5).

    Only a COMPLETED or EVALUATED collaboration is evaluated; evaluating again replaces
    the evaluation, and the audit event keeps the earlier one, so lessons are never lost.
    Projects that went badly are evaluated like any other: they are the lessons.
    """

    async def evaluation_now(session: AsyncSession, _row: Collaboration) -> dict[str, Any]:
        return {"evaluation": _evaluation_dict(await _evaluation_of(session, collaboration_id))}

    change = await COLLABORATIONS.begin(
        session, collaboration_id, expected_version, snapshot=evaluation_now
    )
    collaboration = change.row
    problems = v.Problems()
    if collaboration.status not in EVALUABLE:
        problems.add(
            ErrorCode.INVALID_TRANSITION,
            "結果の評価は、完了した協働事業にだけ記録できます"
            f"（この協働事業は「{rules.STATUS_LABELS[collaboration.status]}」です）。",
            ["id"],
        )
    outcomes = _text(
        problems, data.outcomes, label="得られた効果や実績", path=["input", "outcomes"]
    )
    feedback = _text(
        problems, data.partner_feedback, label="パートナーの意見", path=["input", "partnerFeedback"]
    )
    lessons = _text(problems, data.lessons, label="教訓", path=["input", "lessons"])
    problems.extend(
        rules.evaluation_problems(outcomes=outcomes, partner_feedback=feedback, rating=data.rating)
    )
    v.check_date(problems, data.evaluated_on, label="評価日", field=["input", "evaluatedOn"])
    if data.evaluated_on > today:
        problems.add(
            ErrorCode.INVALID,
            f"評価日（{data.evaluated_on.isoformat()}）に先の日付は使えません。",
            ["input", "evaluatedOn"],
        )
    problems.raise_if_any()

    evaluation = await _evaluation_of(session, collaboration_id)
    change.before = {"evaluation": _evaluation_dict(evaluation)}
    await change.write()
    if evaluation is None:
        evaluation = Evaluation(
            collaboration_id=collaboration_id,
            evaluated_on=data.evaluated_on,
            outcomes=outcomes or "",
            partner_feedback=feedback or "",
        )
        session.add(evaluation)
    evaluation.evaluated_on = data.evaluated_on
    evaluation.outcomes = outcomes or ""
    evaluation.partner_feedback = feedback or ""
    evaluation.lessons = lessons
    evaluation.rating = data.rating
    await session.flush()
    await change.record(
        actor=actor,
        action="collaboration.evaluate",
        after={"evaluation": _evaluation_dict(evaluation)},
    )
    return collaboration
