"""The one write pipeline (rule 15): every change of a stored row goes through here.

Each area declares its entities once as ``Audited`` (table, audit name, label for
messages, how the audit log sees a row). A change then has three steps, always the same:

1. ``Audited.begin`` loads the row for update, refusing early when the caller's
   ``expectedVersion`` is already stale (``VERSION_CONFLICT``);
2. ``Change.write`` takes the audit snapshot of the row as it was, then writes the new
   values with ONE guarded ``UPDATE … SET …, version = version + 1 WHERE id = :id AND
   version = :expected`` (``domain.versioning.conditional_update``) and brings the
   loaded row up to date; ``Change.delete`` is the guarded ``DELETE`` instead;
3. ``Change.record`` writes the audit event: what changed, from the snapshot taken
   before to the one taken now.

Creations record through ``Audited.created`` (from an empty "before"). Bulk paths write
many rows at once with the set-based statements of ``domain.bulk_writes`` (each row
still version-guarded) and record the batch (``domain.audit.log.record_events``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.log import diff, record_event, snapshot
from kyodo.domain.versioning import (
    conditional_delete,
    conditional_update,
    get_for_update,
    get_or_raise,
)

T = TypeVar("T")

Snapshot = Callable[[AsyncSession, Any], Awaitable[Mapping[str, Any]]]
"""How the audit log sees a row, ``(session, row)``: its columns, often with its child
rows (read through the session)."""


def row_values(data: Any, model: Any, **checked: Any) -> dict[str, Any]:
    """The columns of a new ``model`` row: the fields of the input dataclass ``data`` that
    are columns of ``model``, as given, then ``checked``, what the command cleaned or
    derived (it wins over the field of the same name)."""
    columns = model.__table__.columns
    given = {f.name: getattr(data, f.name) for f in dataclasses.fields(data) if f.name in columns}
    return given | checked


def fields_snapshot(names: Sequence[str]) -> Snapshot:
    """A snapshot of the row's own columns ``names`` (no child rows)."""

    async def take(_session: AsyncSession, row: Any) -> Mapping[str, Any]:
        return snapshot(row, names)

    return take


class Change(Generic[T]):
    """One audited, version-guarded change of one stored row (see the module doc)."""

    def __init__(
        self,
        session: AsyncSession,
        entity: Audited[T],
        row: T,
        *,
        expected_version: int,
        snapshot: Snapshot,
        own_read: bool = False,
    ) -> None:
        self.session = session
        self.entity = entity
        self.row = row
        self.expected_version = expected_version
        self.own_read = own_read
        self._snapshot = snapshot
        self.before: Mapping[str, Any] | None = None
        self._deleted = False

    @property
    def pk(self) -> int:
        pk = getattr(self.row, "id")  # noqa: B009 (every versioned table has it)
        assert pk is not None
        return int(pk)

    async def capture(self) -> Mapping[str, Any]:
        """The audit snapshot of the row as it was before this change (taken once)."""
        if self.before is None:
            self.before = await self._snapshot(self.session, self.row)
        return self.before

    async def write(self, values: Mapping[str, Any] | None = None) -> T:
        """The guarded UPDATE of ``values`` (the version moves even when empty: the
        change is to the row's children), then the loaded row refreshed."""
        await self.capture()
        await conditional_update(
            self.session,
            self.entity.model,
            self.pk,
            self.expected_version,
            values or {},
            own_read=self.own_read,
        )
        await self.session.refresh(self.row)
        return self.row

    async def delete(self) -> None:
        """The guarded DELETE; the audit event then records every field as removed."""
        await self.capture()
        await conditional_delete(self.session, self.entity.model, self.pk, self.expected_version)
        self._deleted = True

    async def record(
        self, *, actor: str, action: str, after: Mapping[str, Any] | None = None
    ) -> None:
        """The audit event (rule 15): the fields whose value differs from the snapshot
        before to ``after`` (default: the snapshot now; nothing after a delete)."""
        before = await self.capture()
        if after is None:
            after = {} if self._deleted else await self._snapshot(self.session, self.row)
        await self.entity.record(
            self.session, self.pk, actor=actor, action=action, before=before, after=after
        )


class Audited(Generic[T]):
    """An entity whose changes go through the pipeline: its table, its name in the audit
    log and in messages, and how the audit log sees one of its rows. Each area
    defines one per entity and begins every change (and records every creation) with it.
    """

    def __init__(self, model: type[T], *, entity_type: str, label: str, snapshot: Snapshot) -> None:
        self.model = model
        self.entity_type = entity_type
        self.label = label
        self.snapshot = snapshot

    async def begin(
        self,
        session: AsyncSession,
        pk: int,
        expected_version: int | None,
        *,
        snapshot: Snapshot | None = None,
    ) -> Change[T]:
        """Load the row to change (NOT_FOUND with the entity's label; VERSION_CONFLICT
        when the caller's ``expected_version`` is stale). ``snapshot`` replaces the
        entity's for a change the audit log describes differently (a progress report
        lists the reports).

        ``expected_version=None``: the caller named no version (the contract asks
        none); the guard is then the version read here, and losing the race raises
        ``ConcurrentChange``, which the API retries from a fresh read.
        """
        if expected_version is None:
            row = await get_or_raise(session, self.model, pk, label=self.label)
            version = int(getattr(row, "version"))  # noqa: B009
            own_read = True
        else:
            row = await get_for_update(session, self.model, pk, expected_version, label=self.label)
            version, own_read = expected_version, False
        return Change(
            session,
            self,
            row,
            expected_version=version,
            snapshot=snapshot or self.snapshot,
            own_read=own_read,
        )

    async def insert(
        self,
        session: AsyncSession,
        row: T,
        *,
        actor: str,
        action: str,
        refresh: bool = False,
        children: Callable[[int], Awaitable[object]] | None = None,
        snapshot: Snapshot | None = None,
    ) -> T:
        """Add a new row, flush it (its id is known then) and record its creation
        (:meth:`created`). ``children``: what the creation writes besides the row (its
        child rows), given the new id, before the audit event, which then sees it.
        ``refresh``: read the row back first, so that the audit event sees the values the
        database filled in (version, defaults). ``snapshot`` replaces the entity's for a
        creation the audit log describes differently (as in :meth:`begin`)."""
        session.add(row)
        await session.flush()
        if children is not None:
            await children(getattr(row, "id"))  # noqa: B009 (every audited table has it)
        if refresh:
            await session.refresh(row)
        after = None if snapshot is None else await snapshot(session, row)
        await self.created(session, row, actor=actor, action=action, after=after)
        return row

    async def created(
        self,
        session: AsyncSession,
        row: T,
        *,
        actor: str,
        action: str,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """The audit event of a new row: every field of its snapshot (or ``after``),
        from nothing."""
        if after is None:
            after = await self.snapshot(session, row)
        pk = getattr(row, "id")  # noqa: B009 (every audited table has it)
        await self.record(session, pk, actor=actor, action=action, before={}, after=after)

    async def record(
        self,
        session: AsyncSession,
        pk: Any,
        *,
        actor: str,
        action: str,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
    ) -> None:
        """The audit event (rule 15) of one change of the row ``pk``, a creation's
        (:meth:`created`, from nothing) as any other's (:meth:`Change.record`): the fields
        whose value differs from ``before`` to ``after``."""
        await record_event(
            session,
            actor=actor,
            action=action,
            entity_type=self.entity_type,
            entity_id=pk,
            changes=diff(before, after),
        )
