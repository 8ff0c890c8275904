"""Subsidy mutations (補助・助成, 第3章(6)): programs, and an application's whole life.

SUBMITTED → UNDER_REVIEW → APPROVED/REJECTED → REPORTED → SETTLED, and WITHDRAWN from
any open state. Expected failures come back in ``errors``; nothing is written then.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from kyodo.domain.subsidies import commands
from kyodo.schema.context import Info
from kyodo.schema.descriptions import DEPARTMENT_CODE, DecidedOn, ExpectedVersion, Id, RefusalReason
from kyodo.schema.node import pk_of
from kyodo.schema.payloads import Payload, later, payload, saved
from kyodo.schema.permissions import ADMIN, STAFF, allow
from kyodo.schema.subsidies.types import SubsidyApplicationType, SubsidyProgramType

# ------------------------------------------------------------------ inputs


@strawberry.input(
    name="ExpenseLineInput", description="One line of a budget or of the actual expenses."
)
class ExpenseLineInput:
    category: str = strawberry.field(
        description="経費の区分; must be one of the program's allowedExpenseCategories "
        "(EXPENSE_NOT_ALLOWED)."
    )
    amount_yen: int = strawberry.field(description="Amount in yen (0 or more).")
    description: str | None = strawberry.field(default=None, description="What it pays for.")

    def to_data(self) -> commands.ExpenseData:
        return commands.ExpenseData(
            category=self.category, amount_yen=self.amount_yen, description=self.description
        )


@strawberry.input(
    name="SubsidyProgramInput", description="A new subsidy program and its conditions."
)
class SubsidyProgramInput:
    name: str = strawberry.field(description="Program name (required).")
    department_code: str = strawberry.field(
        description=DEPARTMENT_CODE + " A STAFF caller may only use their own."
    )
    fiscal_year: int = strawberry.field(description="Fiscal year (2021 = 令和3年度).")
    budget_yen: int = strawberry.field(
        description="予算額: grants may not add up to more (OVER_BUDGET)."
    )
    max_amount_per_grant_yen: int | None = strawberry.field(
        default=None, description="上限額 of one grant (OVER_MAX_AMOUNT); null for none."
    )
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
    application_deadline: date | None = strawberry.field(
        default=None, description="申請期限: later applications are refused (DEADLINE_PASSED)."
    )
    series_key: str | None = strawberry.field(
        default=None,
        description=(
            "系列: the series this program continues (e.g. last year's edition's seriesKey, "
            "or its name); 期限 counts consecutive years by it. Derived from name when "
            "left out."
        ),
    )

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
            series_key=self.series_key,
        )


@strawberry.input(
    name="SubsidyProgramUpdateInput",
    description="A program's new name or series; what is left out stays as it is.",
)
class SubsidyProgramUpdateInput:
    name: str | None = strawberry.field(
        default=None, description="The new name; the series key is kept (期限 still counts)."
    )
    series_key: str | None = strawberry.field(
        default=None, description="Move the program to this series (normalised as on creation)."
    )


@strawberry.input(name="SubsidyApplicationInput", description="An application for a grant.")
class SubsidyApplicationInput:
    program_id: strawberry.ID = strawberry.field(description="The program (global id).")
    applicant_id: strawberry.ID = strawberry.field(description="The partner applying (global id).")
    title: str = strawberry.field(description="The project's name (required).")
    purpose: str = strawberry.field(description="What the project is for (required).")
    total_project_cost_yen: int = strawberry.field(
        description="事業費の総額; the request may be at most 補助率 of it (OVER_SUBSIDY_RATE)."
    )
    requested_amount_yen: int = strawberry.field(
        description="申請額; at most the program's 上限額 (OVER_MAX_AMOUNT)."
    )
    expenses: list[ExpenseLineInput] = strawberry.field(
        description="The planned expenses, each in an allowed category (EXPENSE_NOT_ALLOWED)."
    )
    submitted_on: date | None = strawberry.field(
        default=None, description="The day the application arrived; today when left out."
    )

    def to_data(self) -> commands.ApplicationData:
        """Decodes the ids: call inside the mutation's work, so a bad id is a UserError."""
        return commands.ApplicationData(
            program_id=pk_of(self.program_id, "SubsidyProgram", "program_id"),
            applicant_id=pk_of(self.applicant_id, "Partner", "applicant_id"),
            title=self.title,
            purpose=self.purpose,
            total_project_cost_yen=self.total_project_cost_yen,
            requested_amount_yen=self.requested_amount_yen,
            expenses=[line.to_data() for line in self.expenses],
            submitted_on=self.submitted_on,
        )


# ------------------------------------------------------------------ payloads


@payload("SubsidyProgramPayload", "The outcome of subsidyProgramCreate or subsidyProgramUpdate.")
class SubsidyProgramPayload(Payload):
    program: SubsidyProgramType | None = saved("program")


@payload("SubsidyApplicationPayload", "The outcome of a change to an application.")
class SubsidyApplicationPayload(Payload):
    application: SubsidyApplicationType | None = saved("application")


# ------------------------------------------------------------------ mutations


@strawberry.type
class SubsidyMutations:
    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, own_department=True),
        description="Set up a subsidy program and its conditions (第3章(6)).",
    )
    async def subsidy_program_create(
        self,
        info: Info,
        input: Annotated[SubsidyProgramInput, strawberry.argument(description="The new program.")],
    ) -> SubsidyProgramPayload:
        return await SubsidyProgramPayload.run(
            info, commands.create_program, data=later(input.to_data)
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyProgram"),
        description=(
            "Rename a program or move it to another series. Renaming keeps its seriesKey, "
            "so the consecutive-years limit (期限) still counts the earlier editions."
        ),
    )
    async def subsidy_program_update(
        self,
        info: Info,
        id: Id,
        expected_version: ExpectedVersion,
        input: Annotated[
            SubsidyProgramUpdateInput, strawberry.argument(description="What changes.")
        ],
    ) -> SubsidyProgramPayload:
        return await SubsidyProgramPayload.change(
            info,
            commands.update_program,
            id,
            expected_version,
            name=input.name,
            series_key=input.series_key,
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_via_program=True),
        description="Apply for a subsidy. Every program condition is checked at once "
        "(OVER_MAX_AMOUNT, OVER_SUBSIDY_RATE, EXPENSE_NOT_ALLOWED per line, "
        "CONSECUTIVE_YEARS_EXCEEDED, DEADLINE_PASSED).",
    )
    async def subsidy_application_submit(
        self,
        info: Info,
        input: Annotated[
            SubsidyApplicationInput, strawberry.argument(description="The application.")
        ],
    ) -> SubsidyApplicationPayload:
        return await SubsidyApplicationPayload.run(
            info, commands.submit_application, data=later(input.to_data)
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="SUBMITTED → UNDER_REVIEW.",
    )
    async def subsidy_application_start_review(
        self, info: Info, id: Id, expected_version: ExpectedVersion
    ) -> SubsidyApplicationPayload:
        return await SubsidyApplicationPayload.change(
            info, commands.start_review, id, expected_version
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="Grant (approve) or refuse a submitted or reviewed application. Approving "
        "re-checks the conditions with the granted amount (default: the requested amount) "
        "and the program's budget (OVER_BUDGET); refusing needs a reason (REASON_REQUIRED).",
    )
    async def subsidy_application_decide(
        self,
        info: Info,
        id: Id,
        expected_version: ExpectedVersion,
        approve: Annotated[
            bool,
            strawberry.argument(description="True grants (APPROVED), false refuses (REJECTED)."),
        ],
        granted_amount_yen: Annotated[
            int | None,
            strawberry.argument(
                description="交付決定額 when approving; the requested amount when omitted."
            ),
        ] = None,
        reason: RefusalReason = None,
        decided_on: DecidedOn = None,
    ) -> SubsidyApplicationPayload:
        return await SubsidyApplicationPayload.change(
            info,
            commands.decide_application,
            id,
            expected_version,
            approve=approve,
            granted_amount_yen=granted_amount_yen,
            reason=reason,
            decided_on=decided_on,
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="実績報告: APPROVED → REPORTED with the actual expenses (at least one line, "
        "categories the program pays for).",
    )
    async def subsidy_application_report(
        self,
        info: Info,
        id: Id,
        expected_version: ExpectedVersion,
        actual_expenses: Annotated[
            list[ExpenseLineInput],
            strawberry.argument(description="What was actually spent, line by line."),
        ],
    ) -> SubsidyApplicationPayload:
        lines = [line.to_data() for line in actual_expenses]
        return await SubsidyApplicationPayload.change(
            info, commands.report_application, id, expected_version, actual_expenses=lines
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="精算: REPORTED → SETTLED; the settled amount ≤ granted.",
    )
    async def subsidy_application_settle(
        self,
        info: Info,
        id: Id,
        expected_version: ExpectedVersion,
        settled_amount_yen: Annotated[
            int, strawberry.argument(description="精算額: at most the granted amount.")
        ],
    ) -> SubsidyApplicationPayload:
        return await SubsidyApplicationPayload.change(
            info,
            commands.settle_application,
            id,
            expected_version,
            settled_amount_yen=settled_amount_yen,
        )

    @strawberry.mutation(
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        description="取り下げ: WITHDRAWN from SUBMITTED, UNDER_REVIEW or APPROVED. "
        "A reason given is kept as decisionReason.",
    )
    async def subsidy_application_withdraw(
        self,
        info: Info,
        id: Id,
        expected_version: ExpectedVersion,
        reason: Annotated[
            str | None, strawberry.argument(description="Why, if the applicant said.")
        ] = None,
    ) -> SubsidyApplicationPayload:
        return await SubsidyApplicationPayload.change(
            info, commands.withdraw_application, id, expected_version, reason=reason
        )
