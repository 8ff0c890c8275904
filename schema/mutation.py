"""One transaction per mutation: run the domain service, commit once, or change nothing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from domain.transactions import WriteLockTimeout, begin_write, is_lock_timeout
from domain.versioning import ConcurrentChange
from schema.context import Context
from schema.errors import UserError, user_errors

T = TypeVar("T")
log = logging.getLogger("kyodo.mutation")


@dataclass
class Outcome(Generic[T]):
    value: T | None
    errors: list[UserError]


async def run_mutation(
    context: Context,
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    retry_on_conflict: int = 0,
) -> Outcome[T]:
    """Run ``work(session)`` in one write transaction and commit it once.

    The transaction is a write transaction from its first statement
    (``domain.transactions.begin_write``: on SQLite, writers queue for the write lock).
    A ``DomainError`` rolls everything back (audit event included) and comes back as
    payload errors. A race with a concurrent writer that the caller could not have
    prevented (two writers inserting the same key at once, or ``ConcurrentChange``: a
    version this operation read itself went stale) is retried ``retry_on_conflict``
    times from scratch, then reported as DUPLICATE or VERSION_CONFLICT. Waiting longer
    than the busy timeout for the write lock is a top-level error with ``extensions.code``
    TIMEOUT (nothing written). Anything else rolls back and propagates, to be masked at
    the edge.
    """
    async with context.lock:
        session = context.session
        attempt = 0
        while True:
            try:
                await begin_write(session)
                value = await work(session)
                await session.commit()
            except WriteLockTimeout as error:
                raise write_timeout(error) from error
            except ConcurrentChange as error:
                await session.rollback()
                if attempt < retry_on_conflict:
                    attempt += 1
                    log.info("retrying after a concurrent change")
                    continue
                return Outcome(None, user_errors(error))
            except DomainError as error:
                await session.rollback()
                return Outcome(None, user_errors(error))
            except OperationalError as error:
                await session.rollback()
                if is_lock_timeout(error):
                    raise write_timeout(WriteLockTimeout()) from error
                raise
            except IntegrityError as error:
                await session.rollback()
                if attempt < retry_on_conflict:
                    attempt += 1
                    log.info("retrying after a concurrent write: %s", error.orig)
                    continue
                log.warning("integrity error: %s", error.orig)
                return Outcome(
                    None,
                    user_errors(
                        DomainError(
                            ErrorCode.DUPLICATE,
                            "同じキーのデータが同時に登録されました。もう一度お試しください。",
                        )
                    ),
                )
            except BaseException:
                await session.rollback()
                raise
            # Objects read before the write must not be served from the loaders' cache.
            context.clear_loaders()
            return Outcome(value, [])


def write_timeout(error: WriteLockTimeout) -> GraphQLError:
    """The top-level error of a mutation that could not get the write lock in time."""
    log.warning("write lock not granted within the busy timeout")
    return GraphQLError(error.message, extensions={"code": "TIMEOUT"})
