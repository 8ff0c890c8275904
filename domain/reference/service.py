"""Reading reference data: departments and fields of collaboration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.batches import get_by_ids
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.validation import Problems


def department_order() -> list[Any]:
    return [col(Department.id)]


def field_order(field: type[CollaborationField] = CollaborationField) -> list[Any]:
    """The taxonomy's order of fields of collaboration (Q8); ``field`` may be an alias."""
    return [field.sort_order, field.id]


async def list_departments(session: AsyncSession) -> list[Department]:
    stmt = sa.select(Department).order_by(*department_order())
    return list((await session.execute(stmt)).scalars())


async def list_fields(session: AsyncSession) -> list[CollaborationField]:
    stmt = sa.select(CollaborationField).order_by(*field_order())
    return list((await session.execute(stmt)).scalars())


async def departments_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Department | None]:
    return await get_by_ids(session, Department, ids)


async def fields_by_id(
    session: AsyncSession, ids: Sequence[int]
) -> list[CollaborationField | None]:
    return await get_by_ids(session, CollaborationField, ids)


async def department_ids_by_code(session: AsyncSession, codes: Sequence[str]) -> list[int]:
    """Ids of the departments with these codes (unknown codes simply match nothing)."""
    stmt = sa.select(col(Department.id)).where(col(Department.code).in_(codes))
    return [i for i in (await session.execute(stmt)).scalars() if i is not None]


async def get_department_by_code(session: AsyncSession, code: str) -> Department | None:
    stmt = sa.select(Department).where(col(Department.code) == code)
    return (await session.execute(stmt)).scalar_one_or_none()


def unknown_department(code: str, field: str = "department_code") -> Problem:
    return Problem(ErrorCode.NOT_FOUND, f"担当課コード「{code}」は登録されていません。", field)


async def check_department(
    session: AsyncSession, code: str, problems: Problems, *, field: str = "department_code"
) -> Department | None:
    """The department with ``code``, or None with NOT_FOUND added to ``problems``."""
    department = await get_department_by_code(session, code)
    if department is None:
        problems.extend([unknown_department(code, field)])
    return department


async def get_department_by_code_or_raise(
    session: AsyncSession, code: str, *, field: str = "department_code"
) -> Department:
    department = await get_department_by_code(session, code)
    if department is None:
        raise DomainError(problems=[unknown_department(code, field)])
    return department


async def fields_by_code(
    session: AsyncSession, codes: Sequence[str], *, field: str = "field_codes"
) -> list[CollaborationField]:
    """The fields with these codes, in the given order; NOT_FOUND naming any unknown code."""
    stmt = sa.select(CollaborationField).where(col(CollaborationField.code).in_(codes))
    found = {f.code: f for f in (await session.execute(stmt)).scalars()}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"分野コード「{'、'.join(unknown)}」は登録されていません。",
            field,
        )
    return [found[c] for c in dict.fromkeys(codes)]
