"""Optimistic concurrency (rule 15): every update names the version it was based on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.base import utcnow
from kyodo.domain.errors import DomainError, ErrorCode

T = TypeVar("T")


def version_conflict(expected: int, actual: int | None = None) -> DomainError:
    now = f"（現在の版: {actual}）" if actual is not None else ""
    return DomainError(
        ErrorCode.VERSION_CONFLICT,
        f"他の人が先に更新しました。最新の内容を読み直してから、もう一度操作してください"
        f"（指定した版: {expected}）{now}。",
        "expected_version",
    )


class ConcurrentChange(DomainError):
    """A guarded write lost a race against a version the operation read itself (the
    caller named none: a bulk upsert, a progress report). Nothing of the caller's is
    stale, so the whole operation may run again from a fresh read; the API retries it a
    few times before reporting this VERSION_CONFLICT."""

    def __init__(self) -> None:
        super().__init__(
            ErrorCode.VERSION_CONFLICT,
            "処理の途中で、ほかの人が同じデータを更新しました。もう一度お試しください。",
        )


def not_found(label: str, field: str = "id") -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"指定された{label}は見つかりません。", field)


async def get_or_raise(
    session: AsyncSession, model: type[T], pk: int, *, label: str, field: str = "id"
) -> T:
    row = await session.get(model, pk)
    if row is None:
        raise not_found(label, field)
    return row


async def get_for_update(
    session: AsyncSession, model: type[T], pk: int, expected_version: int, *, label: str
) -> T:
    """The row to change, refusing early when the caller's version is already stale."""
    row = await get_or_raise(session, model, pk, label=label)
    actual = getattr(row, "version")  # noqa: B009 (every versioned table has it)
    if actual != expected_version:
        raise version_conflict(expected_version, actual)
    return row


async def conditional_update(
    session: AsyncSession,
    model: Any,
    pk: int,
    expected_version: int,
    values: Mapping[str, Any],
    *,
    own_read: bool = False,
) -> int:
    """``UPDATE ... SET ..., version = version + 1 WHERE id = :id AND version = :expected``.

    The version condition is in the UPDATE itself, so of two writers racing from the
    same version exactly one wins, whatever isolation level the database runs. Returns
    the new version; raises VERSION_CONFLICT when no row matched: the caller's
    ``expectedVersion`` is stale, or, with ``own_read`` (the version is one the
    operation read itself), ``ConcurrentChange``, which may be retried.
    """
    stmt = (
        sa.update(model)
        .where(model.id == pk, model.version == expected_version)
        .values(**values, version=expected_version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange() if own_read else version_conflict(expected_version)
    return expected_version + 1


async def conditional_delete(
    session: AsyncSession, model: Any, pk: int, expected_version: int
) -> None:
    """``DELETE ... WHERE id = :id AND version = :expected``; VERSION_CONFLICT when no row
    matched (someone changed or deleted the row since the caller read it)."""
    stmt = sa.delete(model).where(model.id == pk, model.version == expected_version)
    result = await session.execute(stmt)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise version_conflict(expected_version)
