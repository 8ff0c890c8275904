"""Writing audit events (rule 15): one event per committed change, in its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.base import utcnow
from kyodo.domain.bulk_writes import insert_new
from kyodo.domain.data_version import data_version_column, note_data_change
from kyodo.domain.events import note_change_event
from kyodo.domain.read.raw import NotRaw, RawPostgreSQL

_PLAIN = (str, int, bool, float, type(None))


def json_value(value: Any) -> Any:
    """A JSON-safe rendering of a column value (dates as ISO strings, enums by name)."""
    if type(value) in _PLAIN:  # most values, and exactly these types (a StrEnum is not)
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: json_value(getattr(row, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """{field: {"before": old, "after": new}} for the fields whose value changed."""
    changes: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if type(old) is type(new) and old == new:
            continue  # the same value (a bulk re-run compares thousands of these)
        old, new = json_value(old), json_value(new)
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes


async def record_event(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | str,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction (it commits or rolls back with it).

    ``entity_type`` is the entity's type name (e.g. ``Partner``) and ``entity_id`` its
    primary key, so the API can rebuild the entity's global id. Every committed change
    passes here, so here its transaction is marked as changing data: the data version
    (``domain.data_version``) moves when it commits, and the change is announced to live
    subscribers if its action is one ``domain.events.PUBLISHED`` lists.
    """
    note_data_change(session)
    note_change_event(
        session, action=action, entity_type=entity_type, entity_id=entity_id, changes=changes
    )
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=json_value(dict(changes)) if changes is not None else None,
    )
    session.add(event)
    await session.flush()
    return event


Event = tuple[str, str, int | str, Mapping[str, Any] | None]
"""One audit event for :func:`record_events`: ``(action, entity_type, entity_id, changes)``."""


async def record_events(session: AsyncSession, *, actor: str, events: Sequence[Event]) -> None:
    """:func:`record_event` for many events at once (a bulk import's, one per record it
    created or changed): the same rows, numbered in the order given, written by a few
    multi-row statements (``domain.bulk_writes.insert_new``); the transaction marked as
    changing data and the events announced as :func:`record_event` does. The events
    share one ``occurred_at``, the time they are written."""
    if not events:
        return
    note_data_change(session)
    occurred_at = utcnow()
    rows = []
    for action, entity_type, entity_id, changes in events:
        note_change_event(
            session, action=action, entity_type=entity_type, entity_id=entity_id, changes=changes
        )
        rows.append(
            {
                "occurred_at": occurred_at,
                "actor": actor,
                "action": action,
                "entity_type": entity_type,
                "entity_id": str(entity_id),
                "changes": json_value(dict(changes)) if changes is not None else None,
            }
        )
    await insert_new(session, _AUDIT, rows)


PERSONAL_DATA_READ = "personal_data.read"


_AUDIT: sa.Table = AuditEvent.__table__  # type: ignore[attr-defined]
"""The table itself: Core inserts skip the ORM's bulk bookkeeping."""
_rows = (
    sa.func.unnest(
        sa.bindparam("types", type_=ARRAY(sa.String)),
        sa.bindparam("ids", type_=ARRAY(sa.String)),
        sa.bindparam("changes", type_=ARRAY(sa.Text)),
    )
    .table_valued("entity_type", "entity_id", "changes")
    .render_derived(name="r")
)
_READ_COLUMNS = ["occurred_at", "actor", "action", "entity_type", "entity_id", "changes"]
_READ_ROWS = sa.select(
    sa.bindparam("occurred_at", type_=sa.DateTime(timezone=True)),
    sa.bindparam("actor", type_=sa.String),
    sa.bindparam("action", type_=sa.String),
    _rows.c.entity_type,
    _rows.c.entity_id,
    sa.cast(_rows.c.changes, sa.JSON),
)
_PG_READS_INSERT = sa.insert(_AUDIT).from_select(_READ_COLUMNS, _READ_ROWS)
"""One INSERT of any number of records on PostgreSQL, built once (three arrays)."""
_NO_FLUSH_WAIT = (
    sa.select(
        sa.func.set_config(
            sa.literal_column("'synchronous_commit'"), sa.literal_column("'off'"), sa.true()
        )
    )
    .scalar_subquery()
    .is_not(None)
)
_PG_READS_INSERT_NO_FLUSH_WAIT = sa.insert(_AUDIT).from_select(
    _READ_COLUMNS, _READ_ROWS.where(_NO_FLUSH_WAIT)
)
"""The same INSERT, committing without waiting for its WAL flush: the statement sets
``synchronous_commit`` off for its own transaction (an init plan, evaluated once). Only
for a statement that is its transaction (autocommit), so nothing else commits lazily."""


def _at_version(flush_wait: bool) -> Any:
    """The reads' INSERT made conditional on the data version (one statement): the
    entries are written only when the version is still ``expected``; the statement
    returns the version it saw and how many entries it wrote."""
    still = data_version_column() == sa.bindparam("expected", type_=sa.BigInteger)
    rows = _READ_ROWS.where(still) if flush_wait else _READ_ROWS.where(still, _NO_FLUSH_WAIT)
    written = (
        sa.insert(_AUDIT).from_select(_READ_COLUMNS, rows).returning(_AUDIT.c.id).cte("written")
    )
    return sa.select(
        data_version_column(),
        sa.select(sa.func.count()).select_from(written).scalar_subquery(),
    )


_PG_READS_AT_VERSION = _at_version(flush_wait=True)
_PG_READS_AT_VERSION_NO_FLUSH_WAIT = _at_version(flush_wait=False)
SQLITE_ROWS_PER_INSERT = 4000
"""Rows of one multi-row INSERT on SQLite (6 parameters each, SQLite takes 32,766)."""


async def record_personal_data_reads(
    session: AsyncSession,
    *,
    actor: str,
    reads: Mapping[tuple[str, int], Iterable[str]],
    request_id: str = "",
    wait_for_flush: bool = True,
    raw: RawPostgreSQL | None = None,
) -> int:
    """Record who read which personal data (APPI: access records), one event per record.

    One event per record lets ``auditEvents(entityId:)`` answer "who read this person's
    data"; the events of one request share its request id. They are written by ONE
    statement however many records the request read: on PostgreSQL an ``INSERT …
    SELECT … FROM unnest(...)`` of three arrays, on SQLite a multi-row ``INSERT …
    VALUES`` (one per 4,000 records). An executemany was one execution per row on the
    server (100 INSERTs for a page of 100 partners).

    ``wait_for_flush=False`` (PostgreSQL, a session in autocommit: the INSERT is its own
    transaction; the default, ``KYODO_ACCESS_LOG_WAIT_FOR_FLUSH``): the entries commit
    without waiting for the WAL flush — visible at once,
    durable within PostgreSQL's ``wal_writer_delay`` × 3 (600 ms by default), so a
    database crash in that window loses them. A read then costs no disk flush, which
    is most of its latency on PostgreSQL (``KYODO_ACCESS_LOG_WAIT_FOR_FLUSH``). ``raw``:
    the session's asyncpg connection in autocommit (``domain.read.raw``), which sends
    the same statement with less Python around it.
    """
    records = sorted(reads.items())
    if not records:
        return 0
    occurred_at = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        statement = _PG_READS_INSERT if wait_for_flush else _PG_READS_INSERT_NO_FLUSH_WAIT
        params = _pg_params(actor, records, request_id, occurred_at)
        if raw is not None:
            try:
                await raw.execute(statement, params)
                return len(records)
            except NotRaw:
                if raw.leased is not None:  # apart from the session: never half through it
                    raise
        await session.execute(statement, params)
        return len(records)
    # Records read together mostly share their fields: each distinct set is built once.
    keys = [frozenset(fields) for _record, fields in records]
    change_of = {key: {"fields": sorted(key), "requestId": request_id} for key in set(keys)}
    changes = [change_of[key] for key in keys]
    values = [
        {
            "occurred_at": occurred_at,
            "actor": actor,
            "action": PERSONAL_DATA_READ,
            "entity_type": entity_type,
            "entity_id": str(pk),
            "changes": change,
        }
        for ((entity_type, pk), _fields), change in zip(records, changes, strict=True)
    ]
    for start in range(0, len(values), SQLITE_ROWS_PER_INSERT):
        await session.execute(
            sa.insert(_AUDIT).values(values[start : start + SQLITE_ROWS_PER_INSERT])
        )
    return len(records)


def _pg_params(
    actor: str,
    records: list[tuple[tuple[str, int], Iterable[str]]],
    request_id: str,
    occurred_at: datetime,
) -> dict[str, Any]:
    """The parameters of the PostgreSQL INSERT of ``records`` (sorted): three arrays,
    each distinct set of fields rendered once."""
    keys = [frozenset(fields) for _record, fields in records]
    text_of = {
        key: orjson.dumps({"fields": sorted(key), "requestId": request_id}).decode()
        for key in set(keys)
    }
    return {
        "occurred_at": occurred_at,
        "actor": actor,
        "action": PERSONAL_DATA_READ,
        "types": [t for (t, _pk), _f in records],
        "ids": [str(pk) for (_t, pk), _f in records],
        "changes": [text_of[key] for key in keys],
    }


async def record_personal_data_reads_at_version(
    raw: RawPostgreSQL,
    *,
    actor: str,
    reads: Mapping[tuple[str, int], Iterable[str]],
    request_id: str,
    version: int,
    wait_for_flush: bool = True,
) -> int | None:
    """The reads of an answer kept at data ``version`` (the response cache), recorded
    as :func:`record_personal_data_reads` records them — but only if the data version is
    still ``version``, checked in the same statement (PostgreSQL, autocommit: ``raw``).

    A repeated read served from the cache then costs one statement, the version check
    and its log together, where it cost two. Returns the version the statement saw: the
    entries are written exactly when it equals ``version`` (else nothing is, and the
    caller reads the data anew and logs that read). None when the statement could not be
    sent this way (``NotRaw``): nothing was written.
    """
    records = sorted(reads.items())
    if not records:
        raise ValueError("no reads to record")
    statement = _PG_READS_AT_VERSION if wait_for_flush else _PG_READS_AT_VERSION_NO_FLUSH_WAIT
    params = _pg_params(actor, records, request_id, utcnow())
    params["expected"] = version
    try:
        row = await raw.fetchrow(statement, params)
    except NotRaw:
        if raw.leased is not None:
            raise
        return None
    seen, written = int(row[0] or 0), int(row[1])
    if seen == version and written != len(records):  # pragma: no cover - a broken invariant
        raise RuntimeError(f"{written} of {len(records)} personal-data reads recorded")
    return seen
