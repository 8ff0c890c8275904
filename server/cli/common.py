"""What every ``kyodo`` command shares: the one way to reach the database, the console,
who the CLI is in audit events, and how dates are shown.

``run_with_engine`` is the only place a command opens (and disposes of) the configured
database's engine; ``run_in_session`` runs one transaction on a session on it,
``run_in_transactions`` one batch after another, and ``in_session`` (``refused_plainly``
around any of them) adds the usual refusals (a DomainError field by field, a database
too busy to write), each with status 1.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console

from kyodo.domain.japanese import TOKYO

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

T = TypeVar("T")

console = Console(stderr=True)


def actor() -> str:
    """How the CLI appears in audit events."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


def run_with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """``work(engine)`` on the configured database (DATABASE_URL), checked to be ready
    (``server.preflight.command_engine``); the engine is disposed of afterwards."""
    from kyodo.server.collector import tune_collector
    from kyodo.server.preflight import command_engine
    from kyodo.server.settings import get_settings

    async def run() -> T:
        engine = await command_engine()
        # A command is one burst of work (an import holds every row it checks): the
        # collector runs the server's way (server/collector.py).
        tune_collector(get_settings().gc_tuning)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def run_in_session(
    work: Callable[[AsyncSession], Awaitable[T]], *, writes: bool = True, commit: bool = True
) -> T:
    """Run ``work(session)`` in one transaction on the configured database.

    A transaction that ``writes`` is a write transaction from the start (on SQLite it
    queues behind the server's writers). It is committed unless ``commit`` is False (a
    dry run), and rolled back if it was not committed. Errors propagate.
    """
    return run_with_engine(lambda engine: _transaction(engine, work, writes, commit))


def run_in_transactions(
    work: Callable[[AsyncSession], Awaitable[T]], *, again: Callable[[T], bool]
) -> list[T]:
    """Run ``work(session)`` in one committed write transaction after another, on one
    engine, while ``again(result)`` is true (a batch at a time: each batch that ran is
    kept when a later one fails). The results, in order."""

    async def batches(engine: AsyncEngine) -> list[T]:
        results: list[T] = []
        while True:
            results.append(await _transaction(engine, work, True, True))
            if not again(results[-1]):
                return results

    return run_with_engine(batches)


async def _transaction(
    engine: AsyncEngine, work: Callable[[AsyncSession], Awaitable[T]], writes: bool, commit: bool
) -> T:
    from kyodo.domain.transactions import begin_write
    from kyodo.server.db import make_sessionmaker

    async with make_sessionmaker(engine)() as session:
        try:
            if writes:
                await begin_write(session)
            result = await work(session)
            if commit:
                await session.commit()
            return result
        finally:
            if session.in_transaction():
                await session.rollback()


def in_session(work: Callable[[AsyncSession], Awaitable[T]], *, writes: bool = True) -> T:
    """``run_in_session``, committed; a DomainError is printed (in Japanese, field by
    field) and exits with status 1; so does a database too busy to write."""
    return refused_plainly(lambda: run_in_session(work, writes=writes))


def refused_plainly(run: Callable[[], T]) -> T:
    """``run()``; a DomainError is printed (in Japanese, field by field) and exits with
    status 1; so does a database too busy to write."""
    from kyodo.domain.errors import DomainError
    from kyodo.domain.transactions import WriteLockTimeout

    try:
        return run()
    except DomainError as error:
        for problem in error.problems:
            console.print(f"[red]エラー[/red]: {problem.message}")
        raise typer.Exit(1) from None
    except WriteLockTimeout as error:
        console.print(f"[red]エラー[/red]: {error.message}")
        raise typer.Exit(1) from None


def when(value: datetime | None) -> str:
    if value is None:
        return "-"
    from kyodo.domain.auth.service import as_utc

    return as_utc(value).astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


def until(value: datetime | None) -> str:
    """An expiry as people say it: ``--expires 2027-03-31`` shows as "2027-03-31 まで"."""
    if value is None:
        return "なし"
    from kyodo.domain.auth.service import as_utc

    local = as_utc(value).astimezone(TOKYO)
    if local.time() == time(0):
        return f"{local - timedelta(days=1):%Y-%m-%d} まで"
    return f"{local:%Y-%m-%d %H:%M} まで"
