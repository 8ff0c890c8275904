"""Live subscriptions (``graphql-transport-ws`` at /graphql, ``server.subscriptions``):
the disaster-management office's dashboard hears of agreement changes as they commit.

An event names only what happened to which record (``domain.events``); each subscriber
then loads the record in a session of its own, as the caller it authenticated as, so
the fields below it are those a query of the same caller would get: the same permission
classes (a PUBLIC subscriber's ``emergencyContacts`` is FORBIDDEN), the same partner
visibility, and personal data read is logged per event like a query's
(``schema.access_log``), before the event is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Protocol

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kyodo.domain.agreements import lookup
from kyodo.domain.agreements import service as agreements
from kyodo.domain.auth.service import find_active_token
from kyodo.domain.base import utcnow
from kyodo.domain.disasters import service as disasters
from kyodo.domain.events import AGREEMENT, SUPPORT_REQUEST, ChangeEvent
from kyodo.schema.agreements.types import AgreementType
from kyodo.schema.common import aware
from kyodo.schema.context import BatchFn, Context, Info, today_in_tokyo
from kyodo.schema.disasters.types import SupportRequestType
from kyodo.schema.enums import SupportCategory
from kyodo.schema.node import decode_optional_id
from kyodo.schema.permissions import CanReadDisaster, CanReadEmergencyContacts


class EventSource(Protocol):
    """Where a subscription hears of committed changes (``server.events.EventHub``)."""

    def listen(self, topic: str) -> AsyncIterator[ChangeEvent]: ...


@dataclass
class SubscriptionContext(Context):
    """One subscription operation's context. ``session`` is the current event's: each
    event is read in a session of its own (``event_session``), closed before the next."""

    events: EventSource | None = None
    sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]] | None = None
    # The connection_init payload of graphql-transport-ws (server.subscriptions).
    connection_params: dict[str, Any] = field(default_factory=dict)
    operation_id: str = ""
    # The token the connection authenticated with: checked again for every event, so a
    # revoked or expired token stops receiving (as it is refused from its next request).
    token: str | None = None

    _event: AsyncExitStack | None = None

    @asynccontextmanager
    async def event_session(self) -> AsyncIterator[None]:
        """Read one event in a fresh session, as a request of its own: its own loaders,
        its own personal-data reads, its own request id (in the access log too). The
        session ends once the event's answer is built and logged (``EndEventSession``,
        before it is sent: a slow client holds no connection), or with this block."""
        assert self.sessions is not None
        await self.end_event()
        stack = AsyncExitStack()
        self.session = await stack.enter_async_context(self.sessions())
        self._event = stack
        try:
            self.clear_loaders()
            self.personal_reads = {}
            self.today = today_in_tokyo()
            self.request_id = f"{self.operation_id or 'sub'}-{uuid.uuid4().hex[:12]}"
            if (
                self.token is not None
                and await self.run(find_active_token, self.token, now=utcnow()) is None
            ):
                raise GraphQLError(TOKEN_NO_LONGER_VALID, extensions={"code": "UNAUTHENTICATED"})
            yield
        finally:
            await self.end_event()

    async def end_event(self) -> None:
        """Close the current event's session (once its database calls are done)."""
        stack, self._event = self._event, None
        if stack is not None:
            try:
                await self.settle()
            finally:
                await stack.aclose()


class EndEventSession(SchemaExtension):
    """Ends a subscription event's session once its answer is built and logged (after
    ``schema.access_log``, before the event is sent)."""

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        if isinstance(context, SubscriptionContext):
            await context.end_event()
        yield


@strawberry.enum(name="AgreementChangeKind", description="What happened to an agreement.")
class AgreementChangeKind(Enum):
    # The kinds domain.events announces for agreements (a test keeps them in step).
    CREATED = strawberry.enum_value("CREATED", description="Registered as a draft.")
    AMENDED = strawberry.enum_value(
        "AMENDED", description="Registered as the amendment (改正) of another (amends)."
    )
    UPDATED = strawberry.enum_value("UPDATED", description="Changed (agreementUpdate).")
    CONCLUDED = strawberry.enum_value("CONCLUDED", description="Concluded (締結).")
    TRANSITIONED = strawberry.enum_value(
        "TRANSITIONED", description="Moved to another status (agreementTransition)."
    )
    TERMINATED = strawberry.enum_value("TERMINATED", description="Terminated (解除).")
    CONTACTS_VERIFIED = strawberry.enum_value(
        "CONTACTS_VERIFIED", description="Its emergency contacts were verified."
    )


@strawberry.type(
    name="AgreementEvent",
    description="A committed change to an agreement, as the subscriber may see it.",
)
class AgreementEventType:
    kind: AgreementChangeKind = strawberry.field(
        description="What happened: created (AMENDED when it revises another), updated, "
        "concluded, terminated, transitioned, or its emergency contacts verified."
    )
    agreement: AgreementType = strawberry.field(
        description="The agreement as it is now (read when the event arrived)."
    )
    occurred_at: datetime = strawberry.field(description="When the change was made.")


@strawberry.enum(
    name="SupportRequestChangeKind", description="What happened to a support request (応援要請)."
)
class SupportRequestChangeKind(Enum):
    # The kinds domain.events announces for support requests (a test keeps them in step).
    CREATED = strawberry.enum_value("CREATED", description="Requested (supportRequestCreate).")
    ANSWERED = strawberry.enum_value("ANSWERED", description="The partner's answer recorded.")
    DELIVERED = strawberry.enum_value("DELIVERED", description="The support arrived.")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed (完了).")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled (取消し).")


@strawberry.type(
    name="SupportRequestEvent",
    description="A committed change to a support request (応援要請), for the live view.",
)
class SupportRequestEventType:
    kind: SupportRequestChangeKind = strawberry.field(
        description="What happened: requested, answered, delivered, closed or cancelled."
    )
    request: SupportRequestType = strawberry.field(
        description="The request as it is now (read when the event arrived)."
    )
    occurred_at: datetime = strawberry.field(description="When the change was made.")


TOKEN_NO_LONGER_VALID = (
    "トークンが無効になった（失効した・期限が切れた）ため、購読を終えました。"
    "有効なトークンで接続し直してください。"
)
NOT_OVER_WEBSOCKET = (
    "購読（subscription）は WebSocket（graphql-transport-ws、/graphql）で送ってください。"
)


def not_over_websocket() -> GraphQLError:
    return GraphQLError(NOT_OVER_WEBSOCKET, extensions={"code": "OPERATION_NOT_ALLOWED"})


class SubscriptionsOverWebSocketOnly(SchemaExtension):
    """A subscription sent over HTTP is a request error (it would run as a query and
    answer null): subscriptions run over WebSocket, where each gets its context."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        if (
            execution.pre_execution_errors is None
            and execution.graphql_document is not None
            and not isinstance(execution.context, SubscriptionContext)
        ):
            try:
                operation_type = execution.operation_type
            except Exception:  # no single operation: graphql-core's own error follows
                operation_type = None
            if operation_type is OperationType.SUBSCRIPTION:
                execution.pre_execution_errors = [not_over_websocket()]
        yield


async def change_events(
    info: Info, topic: str, batch: BatchFn, kinds: set[str] | None = None
) -> AsyncGenerator[tuple[SubscriptionContext, ChangeEvent, Any], None]:
    """The committed changes of ``topic`` (of ``kinds``, when given), each inside its own
    event session with its record as it is now (``batch`` of the event's entity id; an
    event whose record is gone is passed over): what the caller builds from one and
    yields is resolved, logged and sent before the session ends. The loop of every
    subscription field."""
    context = info.context
    if not isinstance(context, SubscriptionContext) or context.events is None:
        raise not_over_websocket()
    async for event in context.events.listen(topic):
        if kinds is not None and event.kind not in kinds:
            continue
        async with context.event_session():
            row = (await context.run(batch, [event.entity_id]))[0]
            if row is not None:
                yield context, event, row


async def agreement_events(
    info: Info,
    categories: list[SupportCategory] | None,
    kinds: list[AgreementChangeKind] | None,
) -> AsyncGenerator[AgreementEventType, None]:
    wanted_kinds = {kind.value for kind in kinds} if kinds else None
    wanted_categories = set(categories) if categories else None
    async for context, event, row in change_events(
        info, AGREEMENT, agreements.get_many, wanted_kinds
    ):
        if wanted_categories is not None:
            loader = context.loader(lookup.support_categories_by_agreement)
            if not wanted_categories & set(await loader.load(event.entity_id)):
                continue
        yield AgreementEventType(
            kind=AgreementChangeKind(event.kind),
            agreement=AgreementType.from_row(row),
            occurred_at=aware(event.occurred_at),
        )


async def support_request_events(
    info: Info, event_id: int | None
) -> AsyncGenerator[SupportRequestEventType, None]:
    async for _context, event, row in change_events(info, SUPPORT_REQUEST, disasters.get_requests):
        if event_id is not None and row.event_id != event_id:
            continue
        yield SupportRequestEventType(
            kind=SupportRequestChangeKind(event.kind),
            request=SupportRequestType.from_row(row),
            occurred_at=aware(event.occurred_at),
        )


Categories = Annotated[
    list[SupportCategory] | None,
    strawberry.argument(
        description="Only agreements with at least one of these support categories (all "
        "when omitted)."
    ),
]


@strawberry.type(
    description="What can be followed live, over WebSocket (graphql-transport-ws) at "
    "/graphql: committed changes, each read with the subscriber's role like a query."
)
class Subscription:
    @strawberry.subscription(
        description="Agreement changes as they are committed, on any instance of the API: "
        "only agreements with one of `categories` (support categories) and only the `kinds` "
        "given, when given. Over WebSocket (graphql-transport-ws) at /graphql."
    )
    async def agreement_changed(
        self,
        info: Info,
        categories: Categories = None,
        kinds: Annotated[
            list[AgreementChangeKind] | None,
            strawberry.argument(description="Only these kinds of change (all when omitted)."),
        ] = None,
    ) -> AsyncGenerator[AgreementEventType, None]:
        async for event in agreement_events(info, categories, kinds):
            yield event

    @strawberry.subscription(
        description="The yearly check of emergency contacts (agreementVerifyContacts) as it "
        "is committed: the disaster-management office's feed (roles that read emergency "
        "contacts).",
        permission_classes=[CanReadEmergencyContacts],
    )
    async def contacts_verified(
        self, info: Info, categories: Categories = None
    ) -> AsyncGenerator[AgreementEventType, None]:
        kinds = [AgreementChangeKind.CONTACTS_VERIFIED]
        async for event in agreement_events(info, categories, kinds):
            yield event

    @strawberry.subscription(
        description="Support requests (応援要請) as they are requested, answered, delivered, "
        "closed or cancelled: the disaster office's live view of openSupportRequests "
        "(STAFF, DISASTER_OFFICE, ADMIN). A malformed eventId is INVALID.",
        permission_classes=[CanReadDisaster],
    )
    async def support_request_changed(
        self,
        info: Info,
        event_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only the requests of this disaster event (all when omitted)."
            ),
        ] = None,
    ) -> AsyncGenerator[SupportRequestEventType, None]:
        pk = decode_optional_id(event_id, "DisasterEvent")
        async for event in support_request_events(info, pk):
            yield event


__all__ = [
    "AgreementChangeKind",
    "AgreementEventType",
    "EventSource",
    "Subscription",
    "SubscriptionContext",
    "SupportRequestChangeKind",
    "SupportRequestEventType",
]
