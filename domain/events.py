"""Change events for live subscribers: which committed changes are announced, and how.

Every committed change passes through ``domain.audit.log.record_event`` exactly once;
the actions listed in ``PUBLISHED`` are also announced, *after* their transaction commits
and never when it rolls back:

- on PostgreSQL, by ``NOTIFY kyodo_events`` issued inside the writer's own transaction
  (PostgreSQL delivers a notification only when its transaction commits, to every
  listening connection of every app instance: ``server.events`` listens on one dedicated
  connection per process);
- on SQLite (one process serves it), handed to this process's listeners registered with
  ``listen_locally`` once the session has committed.

The payload is small, what happened and to which record (``ChangeEvent``): every
subscriber loads the record itself, with its own role's visibility.

Announcing a new kind of change is one line in ``PUBLISHED``: the audit action, the
topic its subscribers listen to, and the kind reported to them. A subscription field for
a new topic loops over ``schema.subscriptions.change_events(info, topic, batch)``, which
loads its record in the event's session (see ``agreement_events`` there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from kyodo.domain.transactions import transaction_key

CHANNEL = "kyodo_events"
"""The PostgreSQL notification channel."""

AGREEMENT = "agreement"
SUPPORT_REQUEST = "support_request"
DISASTER_EVENT = "disaster_event"

PUBLISHED: dict[str, tuple[str, str]] = {
    # audit action:            (topic, kind)
    "agreement.create": (AGREEMENT, "CREATED"),
    "agreement.update": (AGREEMENT, "UPDATED"),
    "agreement.conclude": (AGREEMENT, "CONCLUDED"),
    "agreement.terminate": (AGREEMENT, "TERMINATED"),
    "agreement.transition": (AGREEMENT, "TRANSITIONED"),
    "agreement.verify_contacts": (AGREEMENT, "CONTACTS_VERIFIED"),
    # the activation log (応援要請): the office's live view
    "support_request.create": (SUPPORT_REQUEST, "CREATED"),
    "support_request.answer": (SUPPORT_REQUEST, "ANSWERED"),
    "support_request.deliver": (SUPPORT_REQUEST, "DELIVERED"),
    "support_request.close": (SUPPORT_REQUEST, "CLOSED"),
    "support_request.cancel": (SUPPORT_REQUEST, "CANCELLED"),
    "disaster_event.create": (DISASTER_EVENT, "OPENED"),
    "disaster_event.close": (DISASTER_EVENT, "CLOSED"),
}
"""The audit actions announced to subscribers, with their topic and kind."""

AMENDED = "AMENDED"
"""An agreement created as the amendment (改正) of another (``amendsId`` set)."""

PENDING = transaction_key("kyodo_change_events")
"""Key in ``Session.info``: the events of this session's transaction, not yet announced."""


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """What a subscriber is told: a kind of change to one record, and when."""

    topic: str
    kind: str
    entity_type: str
    entity_id: int
    occurred_at: datetime

    def to_payload(self) -> str:
        return orjson.dumps(
            {
                "t": self.topic,
                "k": self.kind,
                "e": self.entity_type,
                "i": self.entity_id,
                "at": self.occurred_at.isoformat(),
            }
        ).decode()

    @classmethod
    def from_payload(cls, payload: str | bytes) -> ChangeEvent:
        data = orjson.loads(payload)
        return cls(
            topic=str(data["t"]),
            kind=str(data["k"]),
            entity_type=str(data["e"]),
            entity_id=int(data["i"]),
            occurred_at=datetime.fromisoformat(data["at"]),
        )


def kind_of(action: str, changes: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(topic, kind) of an audit action, or None when it is not announced."""
    published = PUBLISHED.get(action)
    if published is None:
        return None
    topic, kind = published
    if action == "agreement.create" and ((changes or {}).get("amends_id") or {}).get("after"):
        kind = AMENDED
    return topic, kind


def note_change_event(
    session: AsyncSession,
    *,
    action: str,
    entity_type: str,
    entity_id: int | str,
    changes: Mapping[str, Any] | None,
) -> None:
    """Queue the announcement of an audit event (called by ``record_event``): sent when
    the session commits, dropped when it rolls back."""
    published = kind_of(action, changes)
    if published is None:
        return
    topic, kind = published
    pending = session.sync_session.info.setdefault(PENDING, [])
    pending.append(
        ChangeEvent(
            topic=topic,
            kind=kind,
            entity_type=entity_type,
            entity_id=int(entity_id),
            occurred_at=datetime.now(UTC),
        )
    )


# ------------------------------------------------------------------ delivery

LocalListener = Callable[[ChangeEvent], None]
_local: dict[str, set[LocalListener]] = {}
"""Per database (its URL): this process's listeners for SQLite's in-process delivery."""


def database_key(url: Any) -> str:
    """How a database is named for ``listen_locally`` (its URL, password hidden)."""
    return str(
        url.render_as_string(hide_password=True) if hasattr(url, "render_as_string") else url
    )


def listen_locally(url: Any, listener: LocalListener) -> Callable[[], None]:
    """Call ``listener`` with every event committed in this process to the database at
    ``url`` (not PostgreSQL: there, listen on ``CHANNEL``). Returns the way to stop."""
    key = database_key(url)
    _local.setdefault(key, set()).add(listener)

    def stop() -> None:
        listeners = _local.get(key)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                _local.pop(key, None)

    return stop


_payloads = (
    sa.func.unnest(sa.bindparam("payloads", type_=ARRAY(sa.Text)))
    .table_valued("payload", with_ordinality="n")
    .render_derived(name="p")
)
_NOTIFY = (
    sa.select(sa.func.pg_notify(sa.bindparam("channel", type_=sa.Text), _payloads.c.payload))
    .select_from(_payloads)
    .order_by(_payloads.c.n)
)
"""Every notification of a transaction in ONE statement, in the order they were noted
(``pg_notify`` runs after the sort; PostgreSQL delivers them in the order sent): a
bulk import announces thousands of changes, and a statement each cost a round trip
each (0.4 s for the 2,000 events of 1,000 agreements imported)."""


def _dialect(session: Session) -> str:
    return str(session.get_bind().dialect.name)


@event.listens_for(Session, "before_commit")
def _notify_before_commit(session: Session) -> None:
    pending = session.info.get(PENDING)
    if not pending or _dialect(session) != "postgresql":
        return
    session.info.pop(PENDING)
    # Inside the transaction: PostgreSQL delivers the notifications when (if) it commits.
    session.execute(
        _NOTIFY, {"channel": CHANNEL, "payloads": [change.to_payload() for change in pending]}
    )


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    listeners = _local.get(database_key(session.get_bind().engine.url))
    for change in pending:
        for listener in list(listeners or ()):
            listener(change)


__all__ = [
    "CHANNEL",
    "PUBLISHED",
    "ChangeEvent",
    "kind_of",
    "listen_locally",
    "note_change_event",
]
