"""What every command does the same way.

A command validates first, collecting every problem so that all of them are reported at
once, and a refused call writes nothing; it then writes with a conditional UPDATE on
``expectedVersion`` (rule 15, ``domain.writes``), records exactly one audit event,
flushes and never commits: the caller commits once. It ends with one of two steps,
both on top of the write pipeline (``domain.writes``) and the status machines
(``domain.status``):

- ``Audited.insert`` (``domain.writes``): a new row is added, flushed (it gets its id)
  and its creation recorded in the audit log.
- :func:`move`: a row moves to another status — a move its entity's machine allows —
  written with the values the step sets in ONE guarded UPDATE and recorded.

Each command checks its own rules first (with its own messages, and before anything is
written); these only carry out what was decided.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from kyodo.domain.status import StatusMachine
from kyodo.domain.writes import Change

T = TypeVar("T")
S = TypeVar("S", bound=StrEnum)


async def move(
    change: Change[T],
    machine: StatusMachine[S],
    to: S,
    values: Mapping[str, Any] | None = None,
    *,
    actor: str,
    action: str,
    children: Callable[[], Awaitable[object]] | None = None,
) -> T:
    """Move the row of ``change`` to ``to`` with ``values``, and record it.

    The caller has already asked the machine (refusing with its own message); the
    machine is asked once more here, so no path can write a move the flow forbids.
    ``children``: what the step changes besides the row (its child rows), written after
    the guarded UPDATE and before the audit event, which then sees it.
    """
    machine.check(getattr(change.row, "status"), to)  # noqa: B009 (every such row has one)
    await change.write({"status": to, **(values or {})})
    if children is not None:
        await children()
    await change.record(actor=actor, action=action)
    return change.row
