"""This process's subscribers to change events (``domain.events``), fed from the database.

One ``EventHub`` per app. Subscribers each get an asyncio queue; what feeds the queues is

- on PostgreSQL, ``LISTEN kyodo_events`` on one dedicated asyncpg connection (outside the
  pool), opened when the first subscriber arrives and kept until the app stops: every
  instance of the app hears every committed change, whichever instance made it;
- on SQLite, the in-process delivery of ``domain.events.listen_locally`` (one process
  serves a SQLite file: run one worker when live subscriptions matter).

A subscriber that falls ``QUEUE_SIZE`` events behind is dropped (its stream ends with
``SubscriberLagging``) rather than letting the process's memory grow. When the listening
connection is lost, every stream ends with ``EventsLost``: clients subscribe again (the
connection is reopened for them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
from graphql import GraphQLError
from sqlalchemy.engine import make_url

from kyodo.domain.events import CHANNEL, ChangeEvent, listen_locally

log = logging.getLogger("kyodo.events")

QUEUE_SIZE = 1000


SUBSCRIPTION_ENDED = "SUBSCRIPTION_ENDED"


class EventsLost(GraphQLError):
    """The database connection that brought the events was lost."""

    def __init__(self) -> None:
        super().__init__(
            "変更の通知を受ける接続が切れました。購読し直してください"
            "（その間の変更は届いていません）。",
            extensions={"code": SUBSCRIPTION_ENDED},
        )


class SubscriberLagging(GraphQLError):
    """The subscriber fell ``QUEUE_SIZE`` events behind."""

    def __init__(self) -> None:
        super().__init__(
            "通知の受け取りが追いつかないため、購読を終えました。購読し直してください。",
            extensions={"code": SUBSCRIPTION_ENDED},
        )


_CLOSED = object()


class EventHub:
    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self.is_postgresql = self.url.get_backend_name() == "postgresql"
        self._queues: dict[str, set[asyncio.Queue[Any]]] = {}
        self._connection: Any = None
        self._starting = asyncio.Lock()
        self._stop_local: Callable[[], None] | None = None
        self._closed = False

    # ---------------------------------------------------------------- subscribers

    def subscriber_count(self, topic: str | None = None) -> int:
        if topic is not None:
            return len(self._queues.get(topic, ()))
        return sum(len(queues) for queues in self._queues.values())

    async def listen(self, topic: str) -> AsyncIterator[ChangeEvent]:
        """The events of ``topic`` committed from now on, until the hub closes."""
        queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE)
        await self._start()
        self._queues.setdefault(topic, set()).add(queue)
        try:
            while True:
                item = await queue.get()
                if item is _CLOSED:
                    return
                if isinstance(item, type) and issubclass(item, Exception):
                    raise item()
                yield item
        finally:
            queues = self._queues.get(topic)
            if queues is not None:
                queues.discard(queue)

    def publish(self, event: ChangeEvent) -> None:
        for queue in list(self._queues.get(event.topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("subscriber %d events behind: dropped", queue.qsize())
                self._end(queue, SubscriberLagging)

    @staticmethod
    def _end(queue: asyncio.Queue[Any], item: Any) -> None:
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(item)

    def _end_all(self, item: Any) -> None:
        for queues in self._queues.values():
            for queue in list(queues):
                self._end(queue, item)
            queues.clear()

    # ---------------------------------------------------------------- the source

    async def _start(self) -> None:
        if self._closed:
            raise EventsLost()
        if not self.is_postgresql:
            if self._stop_local is None:
                self._stop_local = listen_locally(self.url, self.publish)
            return
        async with self._starting:
            if self._connection is not None and not self._connection.is_closed():
                return
            self._connection = await asyncpg.connect(
                self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            )
            self._connection.add_termination_listener(self._lost)
            await self._connection.add_listener(CHANNEL, self._notified)
            log.info("listening for change events (%s)", CHANNEL)

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = ChangeEvent.from_payload(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("notification on %s not understood: %.200s", CHANNEL, payload)
            return
        self.publish(event)

    def _lost(self, _connection: Any) -> None:
        if self._closed:
            return
        log.warning("the connection listening for change events was lost")
        self._connection = None
        self._end_all(EventsLost)

    async def close(self) -> None:
        """End every subscriber's stream (their clients see ``complete``) and stop listening."""
        self._closed = True
        self._end_all(_CLOSED)
        if self._stop_local is not None:
            self._stop_local()
            self._stop_local = None
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                connection.terminate()
