"""What a refused write must leave as it was: a fingerprint of every table (no tests here).

``database_state`` reads, in one statement, for every table its row count and highest
integer key, and for versioned tables the sum of versions; audit events are split into
changes and personal-data reads. A refused mutation must leave all of them equal: a
row written and then not rolled back raises a count or a key (a key even when another
row went away at the same time), an update raises a version.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

import kyodo.domain.models  # noqa: F401  (every table into the metadata)
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.base import SQLModel
from kyodo.domain.exchange.dump import NOT_DUMPED


def _integer_key(table: sa.Table) -> sa.Column[Any] | None:
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
        return keys[0]
    return None


def _state_query() -> sa.Select[Any]:
    columns: list[Any] = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_DUMPED:
            continue  # the data version: not content (tests/server/test_response_cache.py)
        count = sa.select(sa.func.count()).select_from(table)
        if table.name == "audit_event":
            reads = table.c.action == PERSONAL_DATA_READ
            columns.append(count.where(~reads).scalar_subquery().label("audit_event"))
            columns.append(count.where(reads).scalar_subquery().label("audit_event.reads"))
        else:
            columns.append(count.scalar_subquery().label(table.name))
        key = _integer_key(table)
        if key is not None and table.name != "audit_event":
            highest = sa.select(sa.func.coalesce(sa.func.max(key), 0))
            columns.append(highest.scalar_subquery().label(f"{table.name}.max_id"))
        if "version" in table.c:
            total = sa.select(sa.func.coalesce(sa.func.sum(table.c.version), 0))
            columns.append(total.scalar_subquery().label(f"{table.name}.version"))
    return sa.select(*columns)


STATE_QUERY = _state_query()


async def database_state(db: AsyncConnection | AsyncSession) -> dict[str, int]:
    row = (await db.execute(STATE_QUERY)).one()
    return {key: int(value) for key, value in row._mapping.items()}


def changes(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The entries that differ, as (before, after)."""
    return {key: (before[key], after[key]) for key in before if before[key] != after[key]}
