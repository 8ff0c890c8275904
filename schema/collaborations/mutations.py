"""Collaboration mutations (協働事業): create, update, transition, progress, evaluation.

Inputs are converted to the domain's data inside the mutation's work function, so an
unreadable global id becomes a payload error (INVALID at its input path), reported
together with every other problem of the input.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kyodo.domain.collaborations import commands
from kyodo.domain.errors import Problem, at
from kyodo.schema.collaborations.types import CollaborationType
from kyodo.schema.context import Info
from kyodo.schema.descriptions import (
    DEPARTMENT_CODE,
    FIELD_CODES,
    Id,
)
from kyodo.schema.enums import CollaborationForm, CollaborationStatus, CommitteeKind, UnfitGround
from kyodo.schema.inputs import Ids, ToData, kept, value_of
from kyodo.schema.payloads import Payload, argument, payload, pk, saved
from kyodo.schema.permissions import ADMIN, STAFF, allow


@strawberry.input(
    name="BudgetInput",
    description="経費 in yen (0 or more). "
    "On update, amounts left out keep their value; null clears one.",
)
class BudgetInput(ToData, data=commands.BudgetData):
    total_yen: int | None = kept("事業費の合計; needed before starting (経費).")
    city_share_yen: int | None = kept(
        "What the city bears. CO_HOSTING needs it stated (0 allowed) before "
        "starting; ENDORSEMENT allows none (FINANCIAL_SUPPORT_NOT_ALLOWED)."
    )
    partner_share_yen: int | None = kept(
        "What the partners bear; CO_HOSTING needs it stated (0 allowed) before starting."
    )


@strawberry.input(name="ParticipationInput", description="役割分担: a partner's part.")
class ParticipationInput:
    partner_id: strawberry.ID = strawberry.field(
        description="Global id of the partner (NOT_FOUND when unknown)."
    )
    role: str | None = strawberry.field(
        default=None, description="What the partner does; every partner needs one before starting."
    )
    is_lead: bool | None = strawberry.field(
        default=None, description="Leads the project; BUSINESS_COOPERATION needs one (第3章(4))."
    )
    cost_share_yen: int | None = strawberry.field(
        default=None, description="What this partner bears, in yen (0 or more)."
    )
    reason: str | None = strawberry.field(
        default=None,
        description="理由 (第2章1): why the city works with this partner; every partner needs "
        "one before starting (PARTNER_REASONS).",
    )
    capacity: str | None = strawberry.field(
        default=None,
        description="能力 (第2章1): what shows the partner can carry the work; every partner "
        "needs it before starting (PARTNER_REASONS).",
    )


@strawberry.input(
    name="CommitteeInput",
    description="実行委員会・協議会. On update, dates left out keep their value; null clears one.",
)
class CommitteeInput(ToData, data=commands.CommitteeData):
    name: str = strawberry.field(description="Its name; required for the COMMITTEE form.")
    kind: CommitteeKind = strawberry.field(description="Time-limited or standing.")
    established_on: date | None = kept("設立日.")
    dissolves_on: date | None = kept(
        "解散日; an EXECUTIVE_COMMITTEE needs one before starting (第3章(2))."
    )


@strawberry.input(
    name="CollaborationInput",
    description="A collaboration (協働事業). On update, fields left out keep their value and "
    "null clears them; lists that are sent (forms, fieldCodes, participations) replace the "
    "stored ones. fiscalYear defaults to the fiscal year startsOn falls in.",
)
class CollaborationInput:
    title: str = strawberry.field(description="事業名 (required).")
    forms: list[CollaborationForm] = strawberry.field(
        description="One or more of the seven forms (第3章); several may combine."
    )
    department_code: str = strawberry.field(
        description=DEPARTMENT_CODE + " A STAFF caller may only use their own."
    )
    summary: str | None = kept("概要.")
    field_codes: list[str] | None = kept(FIELD_CODES)
    fiscal_year: int | None = kept("Fiscal year by its starting calendar year (2021 = 令和3年度).")
    starts_on: date | None = kept("First day; needed before starting (期間).")
    ends_on: date | None = kept("Last day; after startsOn.")
    purpose: str | None = kept("目的; needed before starting (第4章(2)).")
    plan: str | None = kept("計画; needed before starting (第4章(2)).")
    budget: BudgetInput | None = kept("経費; the total is needed before starting.")
    responsibility: str | None = kept(
        "責任の所在; needed before starting, and written down for CONSIGNMENT (第3章(5))."
    )
    participations: list[ParticipationInput] | None = kept(
        "The partners taking part (at most 100); at least one, each with a role, "
        "before starting (役割分担)."
    )
    committee: CommitteeInput | None = kept(
        "The body a COMMITTEE collaboration sets up (第3章(2))."
    )
    subsidy_program_id: strawberry.ID | None = kept(
        "The subsidy program funding it (SUBSIDY form)."
    )
    review_due_on: date | None = kept(
        "When the choice of partners is next to be reviewed (第4章(5))."
    )
    is_public: bool | None = kept(
        "Readable by anyone (第2章2). Null or left out keeps the current value "
        "(false for a new collaboration)."
    )
    city_can_do: str | None = kept(
        "市にできること (第4章(1)): what the city can do; needed before starting (CITY_ROLE)."
    )
    city_cannot_do: str | None = kept(
        "市にできないこと (第4章(1)): what the city cannot do, told plainly to the "
        "partners; needed before starting (CITY_ROLE)."
    )
    unfit_grounds: list[UnfitGround] | None = kept(
        "The applicant's own answers to 第5章 Q8: the grounds that apply "
        "(religious or political activity, harm to the public interest). Any ground blocks the "
        "start (UNFIT_FOR_COLLABORATION); staff add grounds with collaborationScreen."
    )
    co_department_codes: list[str] | None = kept(
        "Departments sharing the collaboration with its owner (共同の担当課, e.g. "
        "協働・男女平等参画室 and 行政監理室 on a 委託); their STAFF run it as their own. "
        "Not the owner itself (INVALID); NOT_FOUND for an unknown code."
    )

    def to_data(self) -> commands.CollaborationData:
        problems: list[Problem] = []
        ids = Ids(problems)
        data = commands.CollaborationData(
            title=self.title,
            summary=value_of(self.summary),
            forms=list(self.forms),
            department_code=self.department_code,
            field_codes=value_of(self.field_codes),
            fiscal_year=value_of(self.fiscal_year),
            starts_on=value_of(self.starts_on),
            ends_on=value_of(self.ends_on),
            purpose=value_of(self.purpose),
            plan=value_of(self.plan),
            responsibility=value_of(self.responsibility),
            review_due_on=value_of(self.review_due_on),
            is_public=value_of(self.is_public),
            city_can_do=value_of(self.city_can_do),
            city_cannot_do=value_of(self.city_cannot_do),
            unfit_grounds=value_of(self.unfit_grounds),
            co_department_codes=value_of(self.co_department_codes),
            problems=problems,
        )
        if self.budget is not strawberry.UNSET:
            data.budget = self.budget.to_data() if self.budget is not None else None
        if self.committee is not strawberry.UNSET:
            data.committee = self.committee.to_data() if self.committee is not None else None
        if self.participations is not strawberry.UNSET:
            data.participations = [
                commands.ParticipationData(
                    partner_id=ids.pk(
                        p.partner_id, "Partner", at("participations", i, "partner_id")
                    ),
                    role=p.role,
                    is_lead=bool(p.is_lead),
                    cost_share_yen=p.cost_share_yen,
                    reason=p.reason,
                    capacity=p.capacity,
                )
                for i, p in enumerate(self.participations or [])
            ]
        if self.subsidy_program_id is not strawberry.UNSET:
            data.subsidy_program_id = ids.optional_pk(
                self.subsidy_program_id, "SubsidyProgram", "subsidy_program_id"
            )
        return data


@strawberry.input(
    name="EvaluationInput",
    description="結果の評価 (第4章(4)): the effects achieved and the partner's own view.",
)
class EvaluationInput(ToData, data=commands.EvaluationData):
    evaluated_on: date = strawberry.field(description="Date of the evaluation.")
    outcomes: str = strawberry.field(description="成果: the effects achieved (required).")
    partner_feedback: str = strawberry.field(
        description="The partner's own view (required: evaluated together, 第4章(4))."
    )
    lessons: str | None = strawberry.field(default=None, description="課題・教訓 for next time.")
    rating: int | None = strawberry.field(default=None, description="1 (poor) to 5 (excellent).")


@payload("CollaborationPayload", "The outcome of a change to a collaboration.")
class CollaborationPayload(Payload):
    collaboration: CollaborationType | None = saved("collaboration")


@strawberry.type
class CollaborationMutations:
    collaboration_create = CollaborationPayload.mutation(
        commands.create_collaboration,
        description="Register a collaboration; it starts in PLANNING.",
        extensions=allow(STAFF, ADMIN, own_department=True),
        input=argument(CollaborationInput, "The new collaboration.", to_data=True),
    )
    collaboration_update = CollaborationPayload.change_mutation(
        commands.update_collaboration,
        description="Change a collaboration. A started one (ACTIVE and later) must stay ready "
        "(第4章(2)): an edit that would leave something missing is refused with NOT_READY.",
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        input=argument(CollaborationInput, "The fields to change.", to_data=True),
    )
    collaboration_transition = CollaborationPayload.change_mutation(
        commands.transition_collaboration,
        description="Moves PLANNING→ACTIVE (only when ready), ACTIVE→COMPLETED, "
        "COMPLETED→EVALUATED (only with an evaluation), any open state→CANCELLED.",
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        to=argument(CollaborationStatus, "The new status (INVALID_TRANSITION when not allowed)."),
    )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        description="Record a progress check (進捗確認, 第4章(3)) on an ACTIVE collaboration; "
        "raises its version.",
    )
    async def collaboration_report_progress(
        self,
        info: Info,
        id: Id,
        reported_on: Annotated[date, strawberry.argument(description="Date of the check.")],
        note: Annotated[str, strawberry.argument(description="What was found (required).")],
        expected_version: Annotated[
            int | None,
            strawberry.argument(
                description="Optional: when given, the report is refused with VERSION_CONFLICT "
                "if the collaboration changed since it was read."
            ),
        ] = None,
    ) -> CollaborationPayload:
        return await CollaborationPayload.run(
            info,
            commands.report_progress,
            collaboration_id=pk(id, "Collaboration"),
            reported_on=reported_on,
            note=note,
            expected_version=expected_version,
            # Without expectedVersion, a change that got in between is no conflict of the
            # caller's: the report is made again on top of it.
            retry_on_conflict=2,
        )

    collaboration_evaluate = CollaborationPayload.change_mutation(
        commands.evaluate_collaboration,
        description="Record the closing evaluation (第4章(4)) of a COMPLETED, EVALUATED or "
        "CANCELLED collaboration (a cancelled one also needs lessons: what went badly is kept); "
        "evaluating again replaces it (the audit log keeps the earlier one).",
        extensions=allow(STAFF, ADMIN, department_of="Collaboration"),
        input=argument(EvaluationInput, "The evaluation.", to_data=True),
    )
