"""Change events (domain/events.py): which audit actions are announced, and only once
their transaction commits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import events
from kyodo.domain.audit.log import record_event
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.events import PUBLISHED, ChangeEvent, kind_of, listen_locally
from kyodo.schema.subscriptions import AgreementChangeKind, SupportRequestChangeKind


@pytest.fixture
def heard(session: AsyncSession) -> Iterator[list[ChangeEvent]]:
    """What this process's in-process listeners hear of the test database."""
    received: list[ChangeEvent] = []
    stop = listen_locally(session.get_bind().engine.url, received.append)
    yield received
    stop()


def test_every_published_agreement_kind_is_a_kind_of_the_schema() -> None:
    kinds = {kind for topic, kind in PUBLISHED.values() if topic == events.AGREEMENT}
    assert kinds | {events.AMENDED} == {kind.value for kind in AgreementChangeKind}


def test_an_agreement_created_as_an_amendment_is_amended() -> None:
    amendment = {"amends_id": {"before": None, "after": 7}, "title": {"after": "改正"}}
    assert kind_of("agreement.create", amendment) == ("agreement", "AMENDED")
    assert kind_of("agreement.create", {"title": {"after": "新規"}}) == ("agreement", "CREATED")
    assert kind_of("agreement.verify_contacts", None) == ("agreement", "CONTACTS_VERIFIED")
    assert kind_of("partner.update", None) is None


def test_the_payload_is_small_and_round_trips() -> None:
    from datetime import UTC, datetime

    event = ChangeEvent("agreement", "CONCLUDED", "Agreement", 42, datetime.now(UTC))
    payload = event.to_payload()
    assert len(payload.encode()) < 200  # PostgreSQL takes up to 8000 bytes
    assert ChangeEvent.from_payload(payload) == event


async def _record(session: AsyncSession, action: str = "agreement.conclude", pk: Any = 1) -> None:
    await record_event(session, actor="test", action=action, entity_type="Agreement", entity_id=pk)


async def test_a_change_is_announced_when_its_transaction_commits(
    session: AsyncSession, heard: list[ChangeEvent]
) -> None:
    # given a published change and one that is not
    await _record(session)
    await record_event(
        session, actor="test", action="partner.update", entity_type="Partner", entity_id=3
    )
    # then nothing is heard before the commit
    assert heard == []
    # when
    await session.commit()
    # then on SQLite the process's listeners hear of it once; on PostgreSQL it went out as
    # a NOTIFY in the transaction (tests/server/subscriptions/ listens for it)
    if session.get_bind().dialect.name == "sqlite":
        assert [(e.kind, e.entity_id) for e in heard] == [("CONCLUDED", 1)]
    else:
        assert heard == []
    assert events.PENDING not in session.sync_session.info


async def test_a_change_rolled_back_is_never_announced(
    session: AsyncSession, heard: list[ChangeEvent]
) -> None:
    # given a published change
    await _record(session)
    # when its transaction rolls back, and the next one commits nothing published
    await session.rollback()
    await session.commit()
    # then
    assert heard == []
    assert events.PENDING not in session.sync_session.info


def test_every_published_support_request_kind_is_a_kind_of_the_schema() -> None:
    kinds = {kind for topic, kind in PUBLISHED.values() if topic == events.SUPPORT_REQUEST}
    assert kinds == {kind.value for kind in SupportRequestChangeKind}
    assert kind_of("support_request.answer", None) == ("support_request", "ANSWERED")
    assert kind_of("disaster_event.close", None) == ("disaster_event", "CLOSED")


async def test_the_events_of_one_transaction_go_out_together_in_their_order(
    engine: Any,
) -> None:
    # given a listener on PostgreSQL's channel
    if engine.dialect.name != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    import asyncio

    import asyncpg

    url = engine.url
    listener = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(events.CHANNEL, lambda *args: heard.put_nowait(args[3]))
    try:
        # when one transaction records many published changes
        async with AsyncSession(engine) as session:
            for pk in (5, 3, 9, 4):
                for action in ("agreement.conclude", "agreement.create"):
                    await record_event(
                        session,
                        actor="notify-order",
                        action=action,
                        entity_type="Agreement",
                        entity_id=pk,
                    )
            await session.commit()
        # then each is heard, in the order recorded
        received = [await asyncio.wait_for(heard.get(), 5) for _ in range(8)]
    finally:
        await listener.close()
        async with engine.begin() as conn:  # the database is the whole session's
            await conn.execute(sa.delete(AuditEvent).where(AuditEvent.actor == "notify-order"))
    assert [(e.kind, e.entity_id) for e in map(ChangeEvent.from_payload, received)] == [
        (kind, pk) for pk in (5, 3, 9, 4) for kind in ("CONCLUDED", "CREATED")
    ]
