"""The personal-data access log (APPI): after an operation, record what personal data it
returned, to whom, in the audit log (readable by ADMIN only)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from kyodo.domain.audit.log import (
    record_personal_data_reads,
    record_personal_data_reads_at_version,
)
from kyodo.domain.transactions import WriteLockTimeout, begin_write
from kyodo.schema.context import Context

log = logging.getLogger("kyodo.access_log")


class PersonalDataAccessLog(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        await self.record(self.execution_context.result)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:  # type: ignore[override]
        """Each event of a subscription is logged like a query, before it is sent (the
        event's own session is still open: ``schema.subscriptions``)."""
        context = self.execution_context.context
        if isinstance(context, Context) and context.personal_reads:
            await context.settle()
            await self.record(result)
        yield

    async def record(self, result: Any) -> None:
        context = self.execution_context.context
        if isinstance(context, Context):
            await log_personal_reads(context, result)


async def log_personal_reads(context: Context, result: Any, *, wait_for_flush: bool = True) -> None:
    """Record the personal data ``result`` returns (``context.personal_reads``) in one
    statement; withholds the answer (TIMEOUT) when SQLite's write lock does not come in
    time. Also called by the HTTP edge's fast path (``server.fast_reads``), which passes
    ``wait_for_flush=False`` for its autocommit statement unless the operator asks for
    the wait (``domain.audit.log.record_personal_data_reads``)."""
    if not context.personal_reads:
        return
    reads, context.personal_reads = context.personal_reads, {}
    context.logged_reads = reads
    if getattr(result, "data", None) is None:
        # An error nulled the whole answer: no personal data reached the caller.
        return
    async with context.lock:
        session = context.session
        try:
            # The reads are done: their transaction ends and the log is written in a
            # write transaction (on SQLite, queued for the write lock). In autocommit
            # (the fast path on PostgreSQL) the INSERT is a transaction of its own.
            autocommit = context.raw_sql is not None
            if not autocommit:
                await begin_write(session)
            await record_personal_data_reads(
                session,
                actor=context.actor,
                reads=reads,
                request_id=context.request_id,
                wait_for_flush=wait_for_flush,
                raw=context.raw_sql,
            )
            if not autocommit:
                await session.commit()
        except WriteLockTimeout as error:
            # Personal data does not leave unlogged: the answer is withheld.
            log.warning("personal-data reads not logged in time (request %s)", context.request_id)
            if result is not None:
                result.data = None
                result.errors = [GraphQLError(error.message, extensions={"code": "TIMEOUT"})]
            return
        except Exception:
            await session.rollback()
            log.exception("could not record personal-data reads (request %s)", context.request_id)
            raise


async def log_kept_reads_if_current(
    context: Context, version: int, reads: Any, *, wait_for_flush: bool
) -> int | None:
    """The personal-data reads of an answer kept at data ``version`` (the response
    cache, ``server.fast_reads``), logged for this request only if ``version`` is still
    the data's, in one statement (PostgreSQL autocommit: ``context.raw_sql``). Returns
    the version the database holds (the reads were logged exactly when it is
    ``version``), or None when this could not be asked (nothing logged)."""
    raw = context.raw_sql
    if raw is None or not reads:
        return None
    noted: dict[tuple[str, int], set[str]] = {record: set(fields) for record, fields in reads}
    seen = await record_personal_data_reads_at_version(
        raw,
        actor=context.actor,
        reads=noted,
        request_id=context.request_id,
        version=version,
        wait_for_flush=wait_for_flush,
    )
    if seen == version:
        context.logged_reads = noted
    return seen
