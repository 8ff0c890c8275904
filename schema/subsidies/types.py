"""GraphQL types of subsidy programs and applications (補助・助成)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.enums import SubsidyApplicationStatus as DomainStatus
from domain.errors import Problem
from domain.partners import service as partners
from domain.reference.service import departments_by_id
from domain.subsidies import service as subsidies
from domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from schema.context import Info
from schema.enums import ErrorCode, SubsidyApplicationStatus
from schema.node import Node, register_node, to_global_id
from schema.pagination import After, Before, Connection, First, Last, connection, page_request
from schema.permissions import can_read_internal
from schema.reference.types import DepartmentType

if TYPE_CHECKING:
    from schema.partners.types import PartnerType


@strawberry.type(name="ExpenseLine")
class ExpenseLineType:
    category: str
    amount_yen: int
    description: str | None

    @classmethod
    def from_row(cls, row: ExpenseLine) -> ExpenseLineType:
        return cls(category=row.category, amount_yen=row.amount_yen, description=row.description)


@strawberry.type(name="ConditionViolation")
class ConditionViolationType:
    code: ErrorCode
    message: str

    @classmethod
    def from_problem(cls, problem: Problem) -> ConditionViolationType:
        return cls(code=problem.code, message=problem.message)


@strawberry.type(name="ConditionCheck")
class ConditionCheckType:
    satisfied: bool
    violations: list[ConditionViolationType]

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> ConditionCheckType:
        return cls(
            satisfied=not problems,
            violations=[ConditionViolationType.from_problem(p) for p in problems],
        )


@strawberry.type(name="SubsidyProgram")
class SubsidyProgramType(Node):
    id: strawberry.ID
    name: str
    fiscal_year: int
    budget_yen: int
    max_amount_per_grant_yen: int | None
    subsidy_rate_percent: int | None = strawberry.field(
        description="補助率 in percent of the project's total cost."
    )
    allowed_expense_categories: list[str] = strawberry.field(
        description="用途の制限: the only expense categories a grant may pay for."
    )
    max_consecutive_years: int | None = strawberry.field(
        description="期限: at most this many consecutive fiscal years for one recipient."
    )
    application_deadline: date | None
    pk: strawberry.Private[int]
    row: strawberry.Private[SubsidyProgram]

    @classmethod
    def from_row(cls, row: SubsidyProgram) -> SubsidyProgramType:
        assert row.id is not None
        return cls(
            id=to_global_id("SubsidyProgram", row.id),
            name=row.name,
            fiscal_year=row.fiscal_year,
            budget_yen=row.budget_yen,
            max_amount_per_grant_yen=row.max_amount_per_grant_yen,
            subsidy_rate_percent=row.subsidy_rate_percent,
            allowed_expense_categories=list(row.allowed_expense_categories),
            max_consecutive_years=row.max_consecutive_years,
            application_deadline=row.application_deadline,
            pk=row.id,
            row=row,
        )

    @strawberry.field
    async def department(self, info: Info) -> DepartmentType:
        row = await info.context.loader(departments_by_id).load(self.row.department_id)
        return DepartmentType.from_row(row)

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

    @strawberry.field(description="This program's applications, newest submission first.")
    async def applications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        statuses: list[SubsidyApplicationStatus] | None = None,
    ) -> Connection[SubsidyApplicationType]:
        page = page_request(first, after, last, before)
        key = subsidies.ApplicationsOfProgramKey(
            program_id=self.pk,
            statuses=tuple(sorted({DomainStatus(s) for s in statuses or ()})),
            page=page,
        )
        result = await info.context.loader(subsidies.applications_page_by_program).load(key)
        return connection(result, SubsidyApplicationType.from_row)


@strawberry.type(name="SubsidyApplication")
class SubsidyApplicationType(Node):
    id: strawberry.ID
    title: str
    purpose: str
    total_project_cost_yen: int
    requested_amount_yen: int
    granted_amount_yen: int | None
    status: SubsidyApplicationStatus
    submitted_on: date
    decided_on: date | None
    decision_reason: str | None
    settled_amount_yen: int | None
    version: int
    pk: strawberry.Private[int]
    row: strawberry.Private[SubsidyApplication]

    @classmethod
    def from_row(cls, row: SubsidyApplication) -> SubsidyApplicationType:
        assert row.id is not None
        return cls(
            id=to_global_id("SubsidyApplication", row.id),
            title=row.title,
            purpose=row.purpose,
            total_project_cost_yen=row.total_project_cost_yen,
            requested_amount_yen=row.requested_amount_yen,
            granted_amount_yen=row.granted_amount_yen,
            status=row.status,
            submitted_on=row.submitted_on,
            decided_on=row.decided_on,
            decision_reason=row.decision_reason,
            settled_amount_yen=row.settled_amount_yen,
            version=row.version,
            pk=row.id,
            row=row,
        )

    @strawberry.field
    async def program(self, info: Info) -> SubsidyProgramType:
        row = await info.context.loader(subsidies.programs_by_id).load(self.row.program_id)
        return SubsidyProgramType.from_row(row)

    @strawberry.field
    async def applicant(
        self, info: Info
    ) -> Annotated[PartnerType, strawberry.lazy("schema.partners.types")]:
        from schema.partners.types import PartnerType

        row = await info.context.loader(partners.get_many).load(self.row.applicant_id)
        return PartnerType.from_row(row)

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
    visible=lambda context, _row: can_read_internal(context),
)
register_node(
    "SubsidyApplication",
    batch=subsidies.applications_by_id,
    convert=SubsidyApplicationType.from_row,
    visible=lambda context, _row: can_read_internal(context),
)
