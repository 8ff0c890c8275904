"""Subsidy mutations (補助・助成, 第3章(6)): programs, and an application's whole life.

SUBMITTED → UNDER_REVIEW → APPROVED/REJECTED → REPORTED → SETTLED, and WITHDRAWN from
any open state. Expected failures come back in ``errors``; nothing is written then.
"""

from __future__ import annotations

from datetime import date

import strawberry

from domain.subsidies import commands
from domain.subsidies.models import SubsidyApplication
from schema.context import Info
from schema.errors import UserError
from schema.mutation import Outcome, run_mutation
from schema.node import pk_of
from schema.permissions import ADMIN, STAFF, allow
from schema.subsidies.types import SubsidyApplicationType, SubsidyProgramType

# ------------------------------------------------------------------ inputs


@strawberry.input(name="ExpenseLineInput")
class ExpenseLineInput:
    category: str
    amount_yen: int
    description: str | None = None

    def to_data(self) -> commands.ExpenseData:
        return commands.ExpenseData(
            category=self.category, amount_yen=self.amount_yen, description=self.description
        )


@strawberry.input(name="SubsidyProgramInput")
class SubsidyProgramInput:
    name: str
    department_code: str
    fiscal_year: int
    budget_yen: int
    max_amount_per_grant_yen: int | None = None
    subsidy_rate_percent: int | None = strawberry.field(
        default=None, description="補助率 in percent of the project's total cost (1–100)."
    )
    allowed_expense_categories: list[str] = strawberry.field(
        description="用途の制限: the only expense categories a grant may pay for "
        "(empty: any category)."
    )
    max_consecutive_years: int | None = strawberry.field(
        default=None, description="期限: at most this many consecutive fiscal years (≥ 1)."
    )
    application_deadline: date | None = None

    def to_data(self) -> commands.ProgramData:
        return commands.ProgramData(
            name=self.name,
            department_code=self.department_code,
            fiscal_year=self.fiscal_year,
            budget_yen=self.budget_yen,
            allowed_expense_categories=list(self.allowed_expense_categories),
            max_amount_per_grant_yen=self.max_amount_per_grant_yen,
            subsidy_rate_percent=self.subsidy_rate_percent,
            max_consecutive_years=self.max_consecutive_years,
            application_deadline=self.application_deadline,
        )


@strawberry.input(name="SubsidyApplicationInput")
class SubsidyApplicationInput:
    program_id: strawberry.ID
    applicant_id: strawberry.ID
    title: str
    purpose: str
    total_project_cost_yen: int
    requested_amount_yen: int
    expenses: list[ExpenseLineInput]
    submitted_on: date | None = strawberry.field(
        default=None, description="The day the application arrived; today when left out."
    )

    def to_data(self) -> commands.ApplicationData:
        """Decodes the ids: call inside the mutation's work, so a bad id is a UserError."""
        return commands.ApplicationData(
            program_id=pk_of(self.program_id, "SubsidyProgram", ["input", "programId"]),
            applicant_id=pk_of(self.applicant_id, "Partner", ["input", "applicantId"]),
            title=self.title,
            purpose=self.purpose,
            total_project_cost_yen=self.total_project_cost_yen,
            requested_amount_yen=self.requested_amount_yen,
            expenses=[line.to_data() for line in self.expenses],
            submitted_on=self.submitted_on,
        )


# ------------------------------------------------------------------ payloads


@strawberry.type(name="SubsidyProgramPayload")
class SubsidyProgramPayload:
    program: SubsidyProgramType | None
    errors: list[UserError]


@strawberry.type(name="SubsidyApplicationPayload")
class SubsidyApplicationPayload:
    application: SubsidyApplicationType | None
    errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[SubsidyApplication]) -> SubsidyApplicationPayload:
        value = outcome.value
        return cls(
            application=SubsidyApplicationType.from_row(value) if value is not None else None,
            errors=outcome.errors,
        )


def _application_pk(id: strawberry.ID) -> int:
    return pk_of(id, "SubsidyApplication")


# ------------------------------------------------------------------ mutations


@strawberry.type
class SubsidyMutations:
    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, own_department=True),
        description="Set up a subsidy program and its conditions (第3章(6)).",
    )
    async def subsidy_program_create(
        self, info: Info, input: SubsidyProgramInput
    ) -> SubsidyProgramPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.create_program(s, data=input.to_data(), actor=context.actor),
        )
        return SubsidyProgramPayload(
            program=SubsidyProgramType.from_row(outcome.value) if outcome.value else None,
            errors=outcome.errors,
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_via_program=True),
        description="Apply for a subsidy. Every program condition is checked at once "
        "(OVER_MAX_AMOUNT, OVER_SUBSIDY_RATE, EXPENSE_NOT_ALLOWED per line, "
        "CONSECUTIVE_YEARS_EXCEEDED, DEADLINE_PASSED).",
    )
    async def subsidy_application_submit(
        self, info: Info, input: SubsidyApplicationInput
    ) -> SubsidyApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.submit_application(
                s, data=input.to_data(), today=context.today, actor=context.actor
            ),
        )
        return SubsidyApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="SUBMITTED → UNDER_REVIEW.",
    )
    async def subsidy_application_start_review(
        self, info: Info, id: strawberry.ID, expected_version: int
    ) -> SubsidyApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.start_review(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                actor=context.actor,
            ),
        )
        return SubsidyApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="Grant (approve) or refuse a submitted or reviewed application. Approving "
        "re-checks the conditions with the granted amount (default: the requested amount) "
        "and the program's budget (OVER_BUDGET); refusing needs a reason (REASON_REQUIRED).",
    )
    async def subsidy_application_decide(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        approve: bool,
        granted_amount_yen: int | None = None,
        reason: str | None = None,
        decided_on: date | None = None,
    ) -> SubsidyApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.decide_application(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                approve=approve,
                granted_amount_yen=granted_amount_yen,
                reason=reason,
                decided_on=decided_on,
                today=context.today,
                actor=context.actor,
            ),
        )
        return SubsidyApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="実績報告: APPROVED → REPORTED with the actual expenses (at least one line, "
        "categories the program pays for).",
    )
    async def subsidy_application_report(
        self,
        info: Info,
        id: strawberry.ID,
        expected_version: int,
        actual_expenses: list[ExpenseLineInput],
    ) -> SubsidyApplicationPayload:
        context = info.context
        lines = [line.to_data() for line in actual_expenses]
        outcome = await run_mutation(
            context,
            lambda s: commands.report_application(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                actual_expenses=lines,
                actor=context.actor,
            ),
        )
        return SubsidyApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="精算: REPORTED → SETTLED; the settled amount ≤ granted.",
    )
    async def subsidy_application_settle(
        self, info: Info, id: strawberry.ID, expected_version: int, settled_amount_yen: int
    ) -> SubsidyApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.settle_application(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                settled_amount_yen=settled_amount_yen,
                actor=context.actor,
            ),
        )
        return SubsidyApplicationPayload.of(outcome)

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="取り下げ: WITHDRAWN from SUBMITTED, UNDER_REVIEW or APPROVED. "
        "A reason given is kept as decisionReason.",
    )
    async def subsidy_application_withdraw(
        self, info: Info, id: strawberry.ID, expected_version: int, reason: str | None = None
    ) -> SubsidyApplicationPayload:
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: commands.withdraw_application(
                s,
                application_id=_application_pk(id),
                expected_version=expected_version,
                reason=reason,
                actor=context.actor,
            ),
        )
        return SubsidyApplicationPayload.of(outcome)
