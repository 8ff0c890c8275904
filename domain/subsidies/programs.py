"""Setting up a subsidy program with its conditions (第3章(6))."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain import validation as v
from domain.errors import ErrorCode, at
from domain.reference.service import check_department
from domain.subsidies.inputs import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, ProgramData
from domain.subsidies.models import ExpenseLine, SubsidyProgram
from domain.subsidies.stored import PROGRAMS


async def create_program(session: AsyncSession, *, data: ProgramData, actor: str) -> SubsidyProgram:
    """Set up a subsidy program with its conditions (第3章(6)).

    A program sets a budget, and may set a maximum per grant, a subsidy rate (補助率,
    1–100 %), the expense categories it pays for (用途の制限), the most consecutive
    fiscal years one recipient may receive it (期限, at least 1) and a deadline.
    The name identifies the program over the years, so it is unique per fiscal year.
    """
    problems = v.Problems()
    name = v.required_text(
        problems,
        data.name,
        label="制度の名前",
        field="name",
        max_length=v.max_length(SubsidyProgram.name),
    )
    v.check_date(
        problems,
        data.application_deadline,
        label="申請の締め切り",
        field="application_deadline",
    )
    department = await check_department(session, data.department_code, problems)
    if not MIN_FISCAL_YEAR <= data.fiscal_year <= MAX_FISCAL_YEAR:
        problems.add(
            ErrorCode.INVALID,
            "年度は西暦の4桁で入れてください（例：令和3年度なら2021）。",
            "fiscal_year",
        )
    v.amount(problems, data.budget_yen, label="予算額", field="budget_yen")
    v.amount(
        problems,
        data.max_amount_per_grant_yen,
        label="1件あたりの上限額",
        field="max_amount_per_grant_yen",
    )
    rate = data.subsidy_rate_percent
    if rate is not None and not 1 <= rate <= 100:
        problems.add(
            ErrorCode.INVALID,
            "補助率は1〜100（%）の範囲で入れてください。",
            "subsidy_rate_percent",
        )
    if data.max_consecutive_years is not None and data.max_consecutive_years < 1:
        problems.add(
            ErrorCode.INVALID,
            "続けて受けられる年数は1年以上にしてください。",
            "max_consecutive_years",
        )
    categories: list[str] = []
    category_field = "allowed_expense_categories"
    if v.bounded_list(
        problems, data.allowed_expense_categories, label="経費の区分", field=category_field
    ):
        for i, raw in enumerate(data.allowed_expense_categories):
            category = v.required_text(
                problems,
                raw,
                label="経費の区分",
                field=at(category_field, i),
                # The categories that expense lines must match: as long as theirs.
                max_length=v.max_length(ExpenseLine.category),
            )
            if category is not None and category not in categories:
                categories.append(category)
    if name is not None and department is not None and not problems:
        same = await session.execute(
            sa.select(col(SubsidyProgram.id)).where(
                col(SubsidyProgram.name) == name,
                col(SubsidyProgram.fiscal_year) == data.fiscal_year,
            )
        )
        if same.first() is not None:
            problems.add(
                ErrorCode.DUPLICATE,
                f"{data.fiscal_year}年度の「{name}」はすでに登録されています。",
                "name",
            )
    problems.raise_if_any()
    assert name is not None and department is not None and department.id is not None

    program = SubsidyProgram(
        name=name,
        department_id=department.id,
        fiscal_year=data.fiscal_year,
        budget_yen=data.budget_yen,
        max_amount_per_grant_yen=data.max_amount_per_grant_yen,
        subsidy_rate_percent=rate,
        allowed_expense_categories=categories,
        max_consecutive_years=data.max_consecutive_years,
        application_deadline=data.application_deadline,
    )
    session.add(program)
    await session.flush()
    await PROGRAMS.created(session, program, actor=actor, action="subsidyProgram.create")
    return program
