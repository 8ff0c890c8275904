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
from kyodo.schema.inputs import ToData
from kyodo.schema.node import pk_of
from kyodo.schema.payloads import Payload, argument, payload, saved
from kyodo.schema.permissions import ADMIN, STAFF, allow
from kyodo.schema.subsidies.types import SubsidyApplicationType, SubsidyProgramType

# ------------------------------------------------------------------ inputs


@strawberry.input(
    name="ExpenseLineInput", description="One line of a budget or of the actual expenses."
)
class ExpenseLineInput(ToData, data=commands.ExpenseData):
    category: str = strawberry.field(
        description="経費の区分; must be one of the program's allowedExpenseCategories "
        "(EXPENSE_NOT_ALLOWED)."
    )
    amount_yen: int = strawberry.field(description="Amount in yen (0 or more).")
    description: str | None = strawberry.field(default=None, description="What it pays for.")


@strawberry.input(
    name="SubsidyProgramInput", description="A new subsidy program and its conditions."
)
class SubsidyProgramInput(ToData, data=commands.ProgramData):
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
    subsidy_program_create = SubsidyProgramPayload.mutation(
        commands.create_program,
        description="Set up a subsidy program and its conditions (第3章(6)).",
        extensions=allow(STAFF, ADMIN, own_department=True),
        input=argument(SubsidyProgramInput, "The new program.", to_data=True),
    )
    subsidy_program_update = SubsidyProgramPayload.change_mutation(
        commands.update_program,
        description=(
            "Rename a program or move it to another series. Renaming keeps its seriesKey, "
            "so the consecutive-years limit (期限) still counts the earlier editions."
        ),
        extensions=allow(STAFF, ADMIN, department_of="SubsidyProgram"),
        input=argument(SubsidyProgramUpdateInput, "What changes.", spread=True),
    )
    subsidy_application_submit = SubsidyApplicationPayload.mutation(
        commands.submit_application,
        description="Apply for a subsidy. Every program condition is checked at once "
        "(OVER_MAX_AMOUNT, OVER_SUBSIDY_RATE, EXPENSE_NOT_ALLOWED per line, "
        "CONSECUTIVE_YEARS_EXCEEDED, DEADLINE_PASSED).",
        extensions=allow(STAFF, ADMIN, department_via_program=True),
        input=argument(SubsidyApplicationInput, "The application.", to_data=True),
    )
    subsidy_application_start_review = SubsidyApplicationPayload.change_mutation(
        commands.start_review,
        description="SUBMITTED → UNDER_REVIEW.",
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
    )
    subsidy_application_decide = SubsidyApplicationPayload.change_mutation(
        commands.decide_application,
        description="Grant (approve) or refuse a submitted or reviewed application. Approving "
        "re-checks the conditions with the granted amount (default: the requested amount) "
        "and the program's budget (OVER_BUDGET); refusing needs a reason (REASON_REQUIRED).",
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        approve=argument(bool, "True grants (APPROVED), false refuses (REJECTED)."),
        granted_amount_yen=argument(
            int | None,
            "交付決定額 when approving; the requested amount when omitted.",
            default=None,
        ),
        reason=argument(RefusalReason, default=None),
        decided_on=argument(DecidedOn, default=None),
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

    subsidy_application_settle = SubsidyApplicationPayload.change_mutation(
        commands.settle_application,
        description="精算: REPORTED → SETTLED; the settled amount ≤ granted.",
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        settled_amount_yen=argument(int, "精算額: at most the granted amount."),
    )
    subsidy_application_withdraw = SubsidyApplicationPayload.change_mutation(
        commands.withdraw_application,
        description="取り下げ: WITHDRAWN from SUBMITTED, UNDER_REVIEW or APPROVED. "
        "A reason given is kept as decisionReason.",
        extensions=allow(STAFF, ADMIN, department_of="SubsidyApplication"),
        reason=argument(str | None, "Why, if the applicant said.", default=None),
    )
