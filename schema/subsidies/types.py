"""GraphQL types of subsidy programs and applications (補助・助成)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from kyodo.domain.errors import Problem
from kyodo.domain.partners import service as partners
from kyodo.domain.subsidies import service as subsidies
from kyodo.domain.subsidies.models import SubsidyApplication, SubsidyProgram
from kyodo.schema.context import Info
from kyodo.schema.descriptions import VERSION, ApplicationStatuses
from kyodo.schema.enums import ErrorCode, SubsidyApplicationStatus
from kyodo.schema.node import Node, register_node
from kyodo.schema.pagination import (
    Connection,
    PageRequest,
    connection,
    paged,
)
from kyodo.schema.permissions import CanReadInternal, can_read_internal
from kyodo.schema.reference.types import department_field
from kyodo.schema.rows import FromRow, from_row, record_field

if TYPE_CHECKING:
    from kyodo.schema.partners.types import PartnerType


@strawberry.type(name="ExpenseLine", description="One line of a budget or of the actual expenses.")
class ExpenseLineType(FromRow):
    category: str = strawberry.field(description="経費の区分, e.g. 印刷製本費.")
    amount_yen: int = strawberry.field(description="Amount in yen.")
    description: str | None = strawberry.field(description="What it pays for.")


@strawberry.type(
    name="ConditionViolation", description="One program condition an application breaks."
)
class ConditionViolationType:
    code: ErrorCode = strawberry.field(
        description="Which condition, e.g. OVER_SUBSIDY_RATE or EXPENSE_NOT_ALLOWED."
    )
    message: str = strawberry.field(description="Why, in Japanese.")

    @classmethod
    def from_problem(cls, problem: Problem) -> ConditionViolationType:
        return cls(code=problem.code, message=problem.message)


@strawberry.type(
    name="ConditionCheck",
    description="An application checked against its program's conditions (第3章(6)).",
)
class ConditionCheckType:
    satisfied: bool = strawberry.field(description="No condition is broken.")
    violations: list[ConditionViolationType] = strawberry.field(
        description="The conditions broken; empty when satisfied."
    )

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> ConditionCheckType:
        return cls(
            satisfied=not problems,
            violations=[ConditionViolationType.from_problem(p) for p in problems],
        )


@strawberry.type(
    name="SubsidyProgram",
    description="A subsidy program (補助・助成, 第3章(6)) with its budget and conditions: "
    "public, readable by anyone (第2章2). Its applications are read by STAFF and ADMIN.",
)
class SubsidyProgramType(Node):
    name: str = strawberry.field(description="Program name.")
    series_key: str = strawberry.field(
        description=(
            "系列: the key the yearly editions of this program share, whatever each is "
            "called; 期限 (maxConsecutiveYears, consecutiveYear) counts by it. Set on "
            "creation (from the name when not given: without its fiscal-year label, folded "
            "for width and kana), kept when the program is renamed."
        )
    )
    version: int = strawberry.field(description=VERSION)
    fiscal_year: int = strawberry.field(description="Fiscal year (2021 = 令和3年度).")
    budget_yen: int = strawberry.field(description="予算額: the most all grants may add up to.")
    max_amount_per_grant_yen: int | None = strawberry.field(
        description="上限額 of one grant; null for none."
    )
    subsidy_rate_percent: int | None = strawberry.field(
        description="補助率 in percent of the project's total cost."
    )
    allowed_expense_categories: list[str] = strawberry.field(
        description="用途の制限: the only expense categories a grant may pay for."
    )
    max_consecutive_years: int | None = strawberry.field(
        description="期限: at most this many consecutive fiscal years for one recipient."
    )
    application_deadline: date | None = strawberry.field(
        description="申請期限: the last day applications are accepted; null for none."
    )
    pk: strawberry.Private[int]
    row: strawberry.Private[SubsidyProgram]

    @classmethod
    def from_row(cls, row: SubsidyProgram) -> SubsidyProgramType:
        return from_row(cls, row, allowed_expense_categories=list(row.allowed_expense_categories))

    department = department_field()

    @strawberry.field(
        description="Granted so far: APPROVED, REPORTED and SETTLED applications "
        "(SETTLED ones count their settled amount when set)."
    )
    async def granted_total_yen(self, info: Info) -> int:
        return await self._granted_total(info)

    @strawberry.field(description="budgetYen minus grantedTotalYen.")
    async def remaining_budget_yen(self, info: Info) -> int:
        return self.budget_yen - await self._granted_total(info)

    async def _granted_total(self, info: Info) -> int:
        total: int = await info.context.loader(subsidies.granted_total_by_program).load(self.pk)
        return total

    @strawberry.field(
        description="This program's applications, newest submission first. STAFF and ADMIN "
        "(FORBIDDEN for everyone else).",
        permission_classes=[CanReadInternal],
    )
    @paged
    async def applications(
        self,
        info: Info,
        page: PageRequest,
        statuses: ApplicationStatuses[SubsidyApplicationStatus] = None,
    ) -> Connection[SubsidyApplicationType]:
        key = subsidies.ApplicationsOfProgramKey(
            program_id=self.pk,
            statuses=tuple(sorted(set(statuses or ()))),
            page=page,
        )
        result = await info.context.loader(subsidies.applications_page_by_program).load(key)
        return connection(result, SubsidyApplicationType.from_row)


@strawberry.type(
    name="SubsidyApplication",
    description="An application for a grant under a subsidy program. STAFF and ADMIN.",
)
class SubsidyApplicationType(Node, FromRow):
    title: str = strawberry.field(description="The project's name.")
    purpose: str = strawberry.field(description="What the project is for.")
    total_project_cost_yen: int = strawberry.field(
        description="事業費の総額: what 補助率 is taken of."
    )
    requested_amount_yen: int = strawberry.field(description="申請額.")
    granted_amount_yen: int | None = strawberry.field(
        description="交付決定額; null until approved."
    )
    status: SubsidyApplicationStatus = strawberry.field(description="Where it stands.")
    submitted_on: date = strawberry.field(description="The day it arrived.")
    decided_on: date | None = strawberry.field(description="The day it was decided.")
    decision_reason: str | None = strawberry.field(
        description="The reason given when refused or withdrawn."
    )
    settled_amount_yen: int | None = strawberry.field(
        description="精算額, at most the granted amount; null until settled."
    )
    version: int = strawberry.field(description=VERSION)
    pk: strawberry.Private[int]
    row: strawberry.Private[SubsidyApplication]

    program = record_field(
        subsidies.programs_by_id, "row.program_id", SubsidyProgramType, "The program applied to."
    )
    applicant = record_field(
        partners.get_many,
        "row.applicant_id",
        Annotated["PartnerType", strawberry.lazy("kyodo.schema.partners.types")],
        "The partner applying.",
    )

    @strawberry.field(description="Expense lines as planned in the application.")
    async def expenses(self, info: Info) -> list[ExpenseLineType]:
        lines = await info.context.loader(subsidies.expenses_by_application).load(self.pk)
        return [ExpenseLineType.from_row(line) for line in lines.planned]

    @strawberry.field(description="Expense lines as reported after the project (実績報告).")
    async def actual_expenses(self, info: Info) -> list[ExpenseLineType]:
        lines = await info.context.loader(subsidies.expenses_by_application).load(self.pk)
        return [ExpenseLineType.from_row(line) for line in lines.actual]

    @strawberry.field(
        description="How many consecutive fiscal years, this one included, the applicant "
        "has been granted this program."
    )
    async def consecutive_year(self, info: Info) -> int:
        year: int = await info.context.loader(subsidies.consecutive_years_by_application).load(
            self.pk
        )
        return year

    @strawberry.field(
        description="The program's conditions checked against this application, live."
    )
    async def condition_check(self, info: Info) -> ConditionCheckType:
        problems = await info.context.loader(subsidies.condition_checks_by_application).load(
            self.pk
        )
        return ConditionCheckType.from_problems(problems)


register_node(
    "SubsidyProgram",
    batch=subsidies.programs_by_id,
    convert=SubsidyProgramType.from_row,
)
register_node(
    "SubsidyApplication",
    batch=subsidies.applications_by_id,
    convert=SubsidyApplicationType.from_row,
    visible=lambda context, _row: can_read_internal(context),
)
