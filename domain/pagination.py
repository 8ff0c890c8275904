"""Pagination done in SQL: LIMIT/OFFSET over a stable order, COUNT over the same filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 2**31 - 1
"""The largest offset a page may start at: no table holds more rows than its INTEGER
primary key can number, and a larger value, handed to SQL, overflowed the driver
(past int64) instead of giving an empty page."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


async def paginate(session: AsyncSession, stmt: sa.Select[Any], page: PageRequest) -> Page[Any]:
    """Run ``stmt`` (already filtered and ordered) for one page, plus its total count."""
    count_stmt = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    total = (await session.execute(count_stmt)).scalar_one()
    if page.limit == 0 or page.offset >= total:
        return Page(items=[], total=total, offset=page.offset)
    rows = (await session.execute(stmt.limit(page.limit).offset(page.offset))).scalars().all()
    return Page(items=list(rows), total=total, offset=page.offset)


def group_by_key(rows: Sequence[tuple[Any, T]], keys: Sequence[Any]) -> list[list[T]]:
    """Spread (key, item) pairs into one list per requested key, in the keys' order."""
    grouped: dict[Any, list[T]] = {key: [] for key in keys}
    for key, item in rows:
        grouped.setdefault(key, []).append(item)
    return [grouped[key] for key in keys]


def by_id(rows: Sequence[Any], ids: Sequence[int]) -> list[Any]:
    """Order rows (having ``.id``) as ``ids``; None where a row is missing."""
    found = {row.id: row for row in rows}
    return [found.get(i) for i in ids]
