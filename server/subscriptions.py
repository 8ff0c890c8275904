"""GraphQL subscriptions over WebSocket at /graphql (``graphql-transport-ws``, the protocol
of the ``graphql-ws`` client library and of GraphiQL, Apollo Client and urql).

- **Who**: the token goes in the ``connection_init`` payload, as
  ``{"Authorization": "Bearer <token>"}`` (or ``{"token": "<token>"}``; browsers cannot
  set headers on a WebSocket, other clients may also send the ``Authorization`` header
  of the handshake). No token: PUBLIC. A token that is not valid (unknown, expired,
  revoked): the connection is closed with 4403 Forbidden before anything is subscribed.
- **Where from**: a browser page on another origin may connect only when its origin is
  in ``KYODO_CORS_ORIGINS`` (the handshake is refused with 403 otherwise); clients that
  send no ``Origin`` (scripts) and same-origin pages may.
- **What**: subscriptions only (queries and mutations go over HTTP POST), with the
  limits of every document (tokens, depth, aliases, cost by role), one context per
  operation, and a fresh database session per event (``schema.subscriptions``).
- **Until**: the app stops: every stream is completed and uvicorn closes the sockets
  (1012, "service restart"); clients reconnect to another instance.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

import orjson
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.aio import aclosing

from kyodo.domain.base import utcnow
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.schema.subscriptions import EventSource, SubscriptionContext
from kyodo.server.auth import bearer_token, principal_for_token
from kyodo.server.trusted_documents import TrustedDocuments

log = logging.getLogger("kyodo.subscriptions")

INIT_WAIT = timedelta(seconds=10)
"""How long a client may take to send ``connection_init`` after the handshake."""
MAX_SUBSCRIPTIONS_PER_CONNECTION = 20
EVENT_READS_AT_ONCE = 4
"""Events read at once by this process's subscribers (each read holds a connection of the
pool for a moment): an event heard by 500 subscribers queues them here, leaving the rest of
the pool to HTTP requests, instead of running the pool dry and timing out."""

Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


def token_of(params: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[bool, str | None]:
    """(a token was presented, the token or None when what was presented is no token)."""
    for key in ("Authorization", "authorization"):
        value = params.get(key)
        if value is not None:
            return True, bearer_token(value) if isinstance(value, str) else None
    value = params.get("token")
    if value is not None:
        return True, (value.strip() or None) if isinstance(value, str) else None
    header = headers.get("authorization")
    if header is not None:
        return True, bearer_token(header)
    return False, None


class TransportWSHandler(BaseGraphQLTransportWSHandler[SubscriptionContext, None]):
    """Strawberry's handler, but each operation gets a context of its own (its events are
    read in sessions of their own) and only subscriptions run."""

    async def run_operation(self, operation: Operation[SubscriptionContext, None]) -> None:
        # Strawberry 0.341's run_operation, with the operation's own context and
        # allowed_operation_types: the one place that passes them to schema.stream.
        connection = self.context
        context = SubscriptionContext(
            session=None,  # type: ignore[arg-type]  # set for each event
            principal=connection.principal,
            request=connection.request,
            request_id=f"ws-{uuid.uuid4().hex[:12]}",
            events=connection.events,
            sessions=connection.sessions,
            connection_params=connection.connection_params,
            operation_id=operation.id[:40],
            token=connection.token,
        )
        view = self.view
        trusted = view.trusted_documents if isinstance(view, SubscriptionEndpoint) else None
        if trusted is not None and trusted.mode == "only":
            async with connection.sessions() as session:
                _text, refusal = await trusted.resolve(
                    session, query=operation.query, body=None, extensions=None
                )
            if refusal is not None:
                await operation.send_initial_errors([refusal])
                return
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
                allowed_operation_types={OperationType.SUBSCRIPTION},
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise


class SubscriptionEndpoint(GraphQL[SubscriptionContext, None]):
    """The WebSocket side of /graphql (the HTTP side is ``server.graphql_view.KyodoGraphQL``)."""

    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        events: EventSource,
        sessions: Sessions,
        allowed_origins: list[str],
        trusted_documents: TrustedDocuments | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=INIT_WAIT,
            max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
            allowed_origins=allowed_origins,
        )
        self.events = events
        # KYODO_TRUSTED_DOCUMENTS=only holds for subscriptions too (their text, by id or
        # in full, must be registered).
        self.trusted_documents = trusted_documents
        self.sessions = self._queued(sessions, asyncio.Semaphore(EVENT_READS_AT_ONCE))

    @staticmethod
    def _queued(sessions: Sessions, reads: asyncio.Semaphore) -> Sessions:
        @asynccontextmanager
        async def session() -> AsyncIterator[AsyncSession]:
            async with reads, sessions() as opened:
                yield opened

        return session

    async def get_context(self, request: Request | WebSocket, response: Any) -> Any:
        return SubscriptionContext(
            session=None,  # type: ignore[arg-type]  # each event opens its own
            principal=ANONYMOUS,
            request=request,
            request_id=getattr(request.state, "request_id", ""),
            events=self.events,
            sessions=self.sessions,
        )

    async def on_ws_connect(self, context: Any) -> UnsetType:
        """Authenticate from the ``connection_init`` payload; refuse an invalid token."""
        assert isinstance(context, SubscriptionContext)
        presented, token = token_of(context.connection_params, context.request.headers)
        if not presented:
            return UNSET
        principal = await self.principal_for(token) if token else None
        if principal is None:
            log.info("subscription refused: authentication failed")
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
        context.principal, context.token = principal, token
        return UNSET

    async def principal_for(self, token: str) -> Principal | None:
        async with self.sessions() as session:
            principal = await principal_for_token(session, token, now=utcnow())
            await session.rollback()
        return principal

    def encode_json(self, data: object) -> str:
        # Text frames (str): graphql-ws clients do not read binary ones.
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
