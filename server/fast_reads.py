"""The fast path of POST /graphql: a query already known, answered without Strawberry.

Front ends send the same few documents all day. Once a document has been parsed,
validated and cost-checked by the normal path (``schema.document_cache``) and the
compiled read path has a plan for it (``schema.compiled``), what is left per request is
the caller's arguments, one statement and the response. Strawberry's view and its
extension machinery cost more than that (issue 9); this ASGI app, placed where the view
is (every middleware still runs around it: CORS, request id, body limit, JSON-only,
database trouble, session, token), answers such requests itself:

    body -> JSON object -> document cache hit (parsed, valid, within the cost limit)
    -> response cache or compiled plan -> personal-data log -> JSON response

with the same bytes, status and headers as the normal path. On PostgreSQL, when the
token came from the principal cache (or there is none), the request's statements go
to a connection leased from the pool for it (``RawPostgreSQL.lease``; the session is
never opened), each committing itself: one statement answers, no BEGIN/COMMIT around it
(a single statement sees one snapshot); the response cache's data version is read first
by its own statement, or, for a kept answer holding personal data, checked by the access
log's INSERT itself (``schema.access_log.log_kept_reads_if_current``). Whatever this path is not certain of — a document not seen yet, a trusted
document by id, an unusual body, a variable the compiled path refuses, any error — is
handed to the normal path with the body as it came, so errors and behaviour stay
exactly as they are. ``KYODO_COMPILED_READS=false`` turns this path off too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import orjson
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from kyodo.domain.data_version import current_data_version, data_version_on
from kyodo.domain.errors import DomainError
from kyodo.domain.read.raw import RawPostgreSQL
from kyodo.schema.access_log import log_kept_reads_if_current, log_personal_reads
from kyodo.schema.compiled.extension import plan_for, run_plan
from kyodo.schema.compiled.request import Fallback
from kyodo.schema.context import ANONYMOUS, Context
from kyodo.schema.extensions import known_document
from kyodo.schema.response_cache import Answer, cache_key
from kyodo.server import graphql_http

if TYPE_CHECKING:
    from kyodo.server.graphql_view import KyodoGraphQL

log = logging.getLogger("kyodo.fast_reads")

_BODY_KEYS = frozenset({"query", "variables", "operationName", "extensions"})


class _NotHere(Exception):
    """This request goes the normal way."""


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the normal path the body already read, then waits as the
    original would (for a disconnect)."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class FastReads:
    """POST /graphql: the fast path for known queries, else ``view`` (``KyodoGraphQL``)."""

    def __init__(self, view: KyodoGraphQL) -> None:
        self.view = view
        self.answered = 0
        self.passed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        view = self.view
        if scope["type"] != "http" or scope["method"] != "POST" or not view.compiled_reads:
            await view(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            response = await self.answer(scope, body)
        except (_NotHere, Fallback, GraphQLError, DomainError, orjson.JSONDecodeError):
            # Not certain (or an argument Strawberry refuses its way): the normal path,
            # in a transaction of its own.
            response = None
            await _give_back(scope)
        except Exception as error:
            # The normal path meets the same trouble (if it is the database's) and
            # answers it its way, logging it as it does.
            if not isinstance(error, DBAPIError):
                log.debug("fast path gave way after %s", type(error).__name__)
            response = None
            await _give_back(scope, failed=True)
        if response is None:
            self.passed += 1
            await view(scope, _replay(body, receive), send)
            return
        self.answered += 1
        await response(scope, receive, send)

    async def answer(self, scope: Scope, body: bytes) -> Response:
        view = self.view
        request = orjson.loads(body)
        if not isinstance(request, dict) or not request.keys() <= _BODY_KEYS:
            raise _NotHere  # documentId, a batch, anything unusual
        query = request.get("query")
        variables = request.get("variables")
        operation_name = request.get("operationName")
        if (
            not isinstance(query, str)
            or not isinstance(variables, dict | None)
            or not isinstance(operation_name, str | None)
            # persisted queries, anything else; a number or false is Strawberry's 400
            or request.get("extensions") not in (None, {})
        ):
            raise _NotHere
        trusted = view.trusted_documents
        if trusted is not None and trusted.mode == "only" and query not in trusted.registered_texts:
            raise _NotHere
        state = scope["state"]
        session: AsyncSession = state["db_session"]
        context = Context(
            session=session,
            principal=state.get("principal", ANONYMOUS),
            request_id=state.get("request_id", ""),
            compiled_reads=True,
            response_store=view.response_store,
            data_version=state.get("data_version"),
            max_cost_authenticated=view.max_cost_authenticated,
        )
        schema = view.schema
        document = known_document(
            schema,
            query,
            variables or {},
            context.principal.role,
            context.max_cost_authenticated,
        )
        if document is None:
            raise _NotHere
        # A query the planner covers, with variables that fit (no SQL yet).
        plan, coerced = plan_for(schema, query, document, operation_name, variables, context)
        media_type = graphql_http.response_media_type(Headers(scope=scope).get("accept"))
        key = None
        if view.response_store is not None:
            key = cache_key(schema, query, document, operation_name, variables, context)
        leased = await _lease(session)
        try:
            return await self._answer(context, plan, coerced, key, media_type, leased)
        finally:
            if leased is not None:
                await leased.release()

    async def _answer(
        self,
        context: Context,
        plan: Any,
        coerced: Any,
        key: Any,
        media_type: str,
        leased: RawPostgreSQL | None,
    ) -> Response:
        from kyodo.server.graphql_view import timeout_error

        view = self.view
        session = context.session
        timeout_s = view.limits.timeout_s
        store = view.response_store
        if leased is not None:
            autocommit = True
            context.raw_sql = leased
        else:
            autocommit = await _autocommit(session)
            if autocommit:
                context.raw_sql = await RawPostgreSQL.of(session)
        # In autocommit the log's INSERT is its own transaction: it may commit without
        # waiting for the WAL flush (KYODO_ACCESS_LOG_WAIT_FOR_FLUSH).
        wait_for_flush = view.access_log_wait_for_flush or not autocommit
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(timeout_s or None):
                if key is not None:
                    version = context.data_version
                    kept = store.peek(key) if version is None else None  # type: ignore[union-attr]
                    if kept is not None and kept.reads:
                        # Its version checked and its reads logged in one statement.
                        seen = await log_kept_reads_if_current(
                            context, kept.version, kept.reads, wait_for_flush=wait_for_flush
                        )
                        if seen == kept.version:
                            store.served(kept)  # type: ignore[union-attr]
                            return self.cache_hit(context, kept, media_type)
                        version = seen
                    if version is None:
                        version = await (
                            data_version_on(leased)
                            if leased is not None
                            else current_data_version(session)
                        )
                    cached = store.get(key, version)  # type: ignore[union-attr]
                    if cached is not None:
                        return await self.from_cache(
                            context, cached, media_type, wait_for_flush=wait_for_flush
                        )
                result = await run_plan(plan, coerced, context)
        except TimeoutError:
            log.warning(
                "query stopped after %.1f s (request %s)",
                loop.time() - started,
                context.request_id,
            )
            error = timeout_error(timeout_s, context.request_id)
            return self.respond({"data": None, "errors": [error.formatted]}, media_type)
        # After the time limit, as in the normal path: the log is written whatever it took.
        await log_personal_reads(context, result, wait_for_flush=wait_for_flush)
        if result.errors:  # the personal-data log withheld the answer (SQLite busy)
            return self.respond(_result_data(result), media_type)
        if key is not None:
            data_bytes = orjson.dumps(result.data)
            reads = tuple(
                (read, tuple(sorted(fields)))
                for read, fields in sorted(context.logged_reads.items())
            )
            store.put(key, Answer(version, data_bytes, reads))  # type: ignore[union-attr]
        return self.respond({"data": result.data}, media_type)

    async def from_cache(
        self, context: Context, cached: Answer, media_type: str, *, wait_for_flush: bool
    ) -> Response:
        for (entity_type, pk), fields in cached.reads:
            for field_name in fields:
                context.note_personal_read(entity_type, pk, field_name)
        result = GraphQLExecutionResult(data=True, errors=None)  # data: not null
        await log_personal_reads(context, result, wait_for_flush=wait_for_flush)
        if result.errors:
            return self.respond(_result_data(result), media_type)
        return self.cache_hit(context, cached, media_type)

    def cache_hit(self, context: Context, kept: Answer, media_type: str) -> Response:
        """A kept answer whose reads are logged: its bytes as they are, not re-encoded."""
        context.response_cache_hit = True
        return self.respond({"data": orjson.Fragment(kept.body)}, media_type)

    def respond(self, response_data: dict[str, Any], media_type: str) -> Response:
        sub_response = Response()
        sub_response.status_code = None  # type: ignore[assignment]
        del sub_response.headers["content-length"]
        sub_response.media_type = media_type
        return self.view.create_response(response_data, sub_response)


def _result_data(result: GraphQLExecutionResult) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [error.formatted for error in result.errors or ()],
    }


async def _lease(session: AsyncSession) -> RawPostgreSQL | None:
    """A pooled PostgreSQL connection of the session's engine, for this request's
    statements (``RawPostgreSQL.lease``: cheaper than the session's own), when the
    session has not begun yet (the token came from the principal cache, or there is
    none); else None and the session serves (its transaction, or autocommit)."""
    bind = session.bind
    if isinstance(bind, AsyncEngine) and not session.in_transaction():
        return await RawPostgreSQL.lease(bind)
    return None


async def _autocommit(session: AsyncSession) -> bool:
    """PostgreSQL, a session of the app's own engine with no transaction yet (the token
    came from the principal cache, or there is none): each statement commits itself, so
    the request sends no BEGIN and no COMMIT. Whether the session is in autocommit."""
    bind = session.bind
    if (
        isinstance(bind, AsyncEngine)
        and bind.dialect.name == "postgresql"
        and not session.in_transaction()
    ):
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return True
    return False


async def _give_back(scope: Scope, *, failed: bool = False) -> None:
    """Before the normal path takes over: end what the fast path began. A failed
    statement leaves a PostgreSQL transaction unusable, and an autocommit connection must
    not carry the normal path's statements (a mutation's above all): the session's
    connection goes back to the pool, and the normal path gets one as usual."""
    session = scope.get("state", {}).get("db_session")
    if session is None or not session.in_transaction():
        return
    try:
        if not failed:
            connection = (await session.connection()).sync_connection
            if (
                connection is not None
                and connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
            ):
                return  # the token's transaction, untouched: it goes on
        await session.rollback()
    except Exception:  # the connection itself may be gone; the normal path will say so
        log.debug("rollback after the fast path failed", exc_info=True)
