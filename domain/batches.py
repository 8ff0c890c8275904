"""Batch getters' shared shapes: one statement for the keys a DataLoader collected,
one result per key, in the keys' order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


def loose(attr: Any) -> Any:
    """An ORM attribute typed loosely: SQLModel fields confuse mypy in SQL expressions."""
    return attr


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


async def get_by_ids(session: AsyncSession, model: type[T], ids: Sequence[int]) -> list[T | None]:
    """Rows of ``model`` by id, aligned with ``ids`` (None where missing)."""
    stmt = sa.select(model).where(loose(model).id.in_(list(ids)))
    return by_id(list((await session.execute(stmt)).scalars()), ids)


async def rows_by_parent(
    session: AsyncSession,
    model: type[T],
    parent_key: str,
    parent_ids: Sequence[Any],
    order_by: Sequence[Any] = (),
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[list[T]]:
    """The rows of ``model`` whose ``parent_key`` is each of ``parent_ids`` (and that
    meet ``where``), in ``order_by`` within a parent."""
    key = getattr(model, parent_key)
    stmt = sa.select(model).where(key.in_(list(parent_ids)), *where).order_by(*order_by)
    rows = (await session.execute(stmt)).scalars().all()
    return group_by_key([(getattr(row, parent_key), row) for row in rows], parent_ids)


async def rows_by_ids(session: AsyncSession, model: type[T], ids: Iterable[Any]) -> dict[Any, T]:
    """Rows of ``model`` by id, as a mapping (ids with no row are left out)."""
    stmt = sa.select(model).where(loose(model).id.in_(list(ids)))
    return {loose(row).id: row for row in (await session.execute(stmt)).scalars()}


BatchGetter = Callable[[AsyncSession, Sequence[Any]], Awaitable[list[list[T]]]]
"""``getter(session, parent_ids)``: one list per parent id, in the ids' order."""


def linked_by_parent(
    parent_key: Any,
    target: type[T],
    target_key: Any,
    order_by: Sequence[Any],
) -> BatchGetter[T]:
    """The batch getter of the ``target`` rows a link table joins to each parent: the
    link's column ``parent_key`` names the parent, its ``target_key`` the row; in
    ``order_by``."""

    async def linked(session: AsyncSession, parent_ids: Sequence[Any]) -> list[list[T]]:
        stmt = (
            sa.select(parent_key, target)
            .join(target, loose(target).id == target_key)
            .where(parent_key.in_(list(parent_ids)))
            .order_by(*order_by)
        )
        rows: Sequence[Any] = (await session.execute(stmt)).all()
        return group_by_key(rows, parent_ids)

    return linked
