"""Setting up a subsidy program with its conditions, and renaming it within its series (第3章(6))."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.errors import ErrorCode, at
from kyodo.domain.reference.service import check_department
from kyodo.domain.subsidies.inputs import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    ProgramData,
    expense_category,
)
from kyodo.domain.subsidies.models import SubsidyProgram
from kyodo.domain.subsidies.service import series_key_of
from kyodo.domain.subsidies.stored import PROGRAMS
from kyodo.domain.writes import row_values


async def create_program(session: AsyncSession, *, data: ProgramData, actor: str) -> SubsidyProgram:
    """Set up a subsidy program with its conditions (第3章(6)).

    A program sets a budget, and may set a maximum per grant, a subsidy rate (補助率,
    1–100 %), the expense categories it pays for (用途の制限), the most consecutive
    fiscal years one recipient may receive it (期限, at least 1) and a deadline.
    The name is unique per fiscal year. The series key (``seriesKey``) ties the yearly
    editions together, whatever each is called: 期限 counts by it. Without one it is
    derived from the name (:func:`domain.subsidies.service.series_key_of`).
    """
    problems = v.Problems()
    name = _name(problems, data.name)
    series_key = _series_key(problems, data.series_key, name)
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
            category = expense_category(problems, raw, field=at(category_field, i))
            if category is not None and category not in categories:
                categories.append(category)
    if name is not None and department is not None and not problems:
        await _check_unique_name(session, problems, name, data.fiscal_year)
    problems.raise_if_any()
    assert name is not None and department is not None and department.id is not None
    assert series_key is not None

    program = SubsidyProgram(
        **row_values(
            data,
            SubsidyProgram,
            name=name,
            series_key=series_key,
            department_id=department.id,
            subsidy_rate_percent=rate,
            allowed_expense_categories=categories,
        )
    )
    return await PROGRAMS.insert(session, program, actor=actor, action="subsidyProgram.create")


def _name(problems: v.Problems, given: str | None) -> str | None:
    """A program's name (制度の名前): required, as long as the column holds."""
    return v.column_text(problems, given, SubsidyProgram.name, label="制度の名前", required=True)


def _series_key(problems: v.Problems, given: str | None, name: str | None) -> str | None:
    """The series key of ``given`` (``seriesKey``), else of the program's ``name``;
    REQUIRED when ``given`` folds to nothing (「（令和3年度）」 alone)."""
    source = given if given is not None else name
    if source is None:
        return None
    key = series_key_of(source)
    field = "series_key" if given is not None else "name"
    if not key:
        problems.add(
            ErrorCode.REQUIRED,
            "制度の系列（seriesKey）に、年度の表示以外の文字を入れてください。",
            field,
        )
        return None
    if len(key) > (limit := v.max_length(SubsidyProgram.series_key)):
        problems.add(
            ErrorCode.INVALID, f"制度の系列（seriesKey）は{limit}文字以内にしてください。", field
        )
        return None
    return key


async def _check_unique_name(
    session: AsyncSession,
    problems: v.Problems,
    name: str,
    fiscal_year: int,
    *,
    other_than: int | None = None,
) -> None:
    stmt = sa.select(col(SubsidyProgram.id)).where(
        col(SubsidyProgram.name) == name, col(SubsidyProgram.fiscal_year) == fiscal_year
    )
    if other_than is not None:
        stmt = stmt.where(col(SubsidyProgram.id) != other_than)
    if (await session.execute(stmt)).first() is not None:
        problems.add(
            ErrorCode.DUPLICATE, f"{fiscal_year}年度の「{name}」はすでに登録されています。", "name"
        )


async def update_program(
    session: AsyncSession,
    *,
    program_id: int,
    expected_version: int,
    name: str | None = None,
    series_key: str | None = None,
    actor: str,
) -> SubsidyProgram:
    """Rename a program or move it to another series (第3章(6)).

    Renaming keeps the series key: the program stays the same series for 期限 whatever
    it is called now. ``seriesKey`` changes only when given (normalised as on
    creation). The new name must still be unique in the program's fiscal year.
    """
    change = await PROGRAMS.begin(session, program_id, expected_version)
    program = change.row
    problems = v.Problems()
    values: dict[str, Any] = {}
    if name is not None:
        new_name = _name(problems, name)
        if new_name is not None:
            await _check_unique_name(
                session, problems, new_name, program.fiscal_year, other_than=program_id
            )
            values["name"] = new_name
    if series_key is not None:
        key = _series_key(problems, series_key, None)
        if key is not None:
            values["series_key"] = key
    problems.raise_if_any()
    await change.write(values)
    await change.record(actor=actor, action="subsidyProgram.update")
    return program
