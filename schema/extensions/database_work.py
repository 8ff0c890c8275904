"""Extensions about the database work of an operation: settling calls still running once
execution ends, and starting the HTTP edge's time limit for queries.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from strawberry.extensions import (
    SchemaExtension,
)
from strawberry.types.graphql import OperationType as StrawberryOperation


class SettleDatabaseWork(SchemaExtension):
    """Once execution ends, wait for database calls still running: graphql-core cancels
    the siblings of a field that failed, and their calls (shielded, see
    ``schema.context.Context.run``) must finish before the session is used or closed."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        settle = getattr(self.execution_context.context, "settle", None)
        if settle is not None:
            await settle()


class QueryTimeLimit(SchemaExtension):
    """Starts the HTTP edge's time limit (``Context.start_time_limit``) once the operation
    is known to be a query. A mutation is not cut short: stopping it half-way could leave
    the caller not knowing whether it was committed; its statements are bounded by the
    statement timeout instead."""

    def on_execute(self) -> Iterator[None]:
        start = getattr(self.execution_context.context, "start_time_limit", None)
        if start is not None and self.execution_context.operation_type is StrawberryOperation.QUERY:
            start()
        yield
