"""One transaction per mutation: run the domain service, commit once, or change nothing.

The commit waits until the mutation's whole answer is built (``MutationExecutor``): a
failure while building it (an error anywhere in the payload the caller selected) rolls
the write back and is reported as NOT_SAVED, never as the failure of a write that
happened. Before, a collaboration whose fiscal-year label could not be rendered was
committed and then answered "Unexpected error.".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import GraphQLError, GraphQLObjectType, Undefined
from graphql.pyutils import Path
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.transactions import WriteLockTimeout, begin_write, is_lock_timeout
from kyodo.domain.versioning import ConcurrentChange
from kyodo.schema.context import Context
from kyodo.schema.errors import UserError, user_errors
from kyodo.schema.variables import PlannedVariables

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
    """Run ``work(session)`` in one write transaction and commit it once: right away,
    or, under ``MutationExecutor`` (every operation of the API), once the answer is built.

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
                # Flushed here, so that a unique-key race surfaces (and is retried) now.
                await session.flush()
                if context.commit_after_answer:
                    context.uncommitted_write = True  # MutationExecutor commits it
                else:
                    await session.commit()
            except WriteLockTimeout as error:
                raise write_timeout(error) from error
            except ConcurrentChange as error:
                await session.rollback()
                if attempt < retry_on_conflict:
                    attempt += 1
                    log.info("retrying after a concurrent change")
                    continue
                return Outcome(None, user_errors(error, context.arguments))
            except DomainError as error:
                await session.rollback()
                return Outcome(None, user_errors(error, context.arguments))
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


NOT_SAVED = "NOT_SAVED"
NOT_SAVED_MESSAGE = (
    "この変更は保存していません。結果を返す途中でエラーが起きたためです（ほかのエラーを"
    "見てください）。直してから、もう一度送ってください。"
)
COMMIT_FAILED_MESSAGE = (
    "この変更は保存できませんでした（データベースが書き込みを受け付けませんでした）。"
    "何も変わっていません。もう一度お試しください。"
)


class MutationExecutor(PlannedVariables):
    """Commits each top-level mutation field once its whole answer is built.

    graphql-core runs mutation fields one after another, each resolver first and then
    the payload the caller selected below it. ``run_mutation`` leaves its work
    uncommitted while a field runs here; when the field is complete this commits it,
    or rolls it back if any error arose in the field (its resolver or its payload, a
    deliberate refusal such as an out-of-range date argument included) and adds a
    NOT_SAVED error at the field. One commit point, for every mutation.
    """

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        context = self.context_value
        if (
            path.prev is not None
            or parent_type is not self.schema.mutation_type
            or not isinstance(context, Context)
        ):
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        errors_before = len(self.collected_errors.errors)
        context.commit_after_answer, context.uncommitted_write = True, False
        # The field's arguments, for run_mutation to place the domain's problems on.
        field_name = field_details_list[0].node.name.value
        context.arguments = frozenset(parent_type.fields[field_name].args)
        try:
            result = super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        except GraphQLError as error:  # a null propagated up to this non-null field
            return self._finish(context, None, error, errors_before, path)
        if result is Undefined:
            context.commit_after_answer = False
            return result
        return self._finish(context, result, None, errors_before, path)

    async def _finish(
        self,
        context: Context,
        result: Any,
        raised: GraphQLError | None,
        errors_before: int,
        path: Any,
    ) -> Any:
        value = None
        if raised is None:
            try:
                value = await result if self.is_awaitable(result) else result
            except GraphQLError as error:  # a null propagated up to this non-null field
                raised = error
        written, context.uncommitted_write = context.uncommitted_write, False
        context.commit_after_answer = False
        failed = raised is not None or len(self.collected_errors.errors) > errors_before
        problem: str | None = None
        if written:
            # Calls cancelled when a sibling field failed may still be running.
            await context.settle()
            async with context.lock:
                if failed:
                    await context.session.rollback()
                    problem = NOT_SAVED_MESSAGE
                else:
                    try:
                        await context.session.commit()
                    except Exception:
                        await context.session.rollback()
                        log.exception("commit failed (request %s)", context.request_id)
                        problem = COMMIT_FAILED_MESSAGE
            if problem is not None:
                # The objects the answer was built from describe what was not saved.
                context.clear_loaders()
        if problem is not None:
            if raised is not None:
                # Kept in the answer: the NOT_SAVED error replaces it as the one raised.
                self.collected_errors.add(raised, path)
            raise GraphQLError(problem, path=path.as_list(), extensions={"code": NOT_SAVED})
        if raised is not None:
            raise raised
        return value
