"""Live subscriptions over WebSocket: one instance.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import asyncio
import json
from hashlib import sha256

import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncSession
from websockets.exceptions import ConnectionClosed, InvalidStatus

from kyodo.domain.auth import service as tokens
from kyodo.domain.documents.service import NewDocument, register_documents
from kyodo.domain.enums import Role
from kyodo.server.db import make_engine
from tests.live.server import live_server

from .support import (
    DASHBOARD,
    PROTOCOL,
    Database,
    an_agreement,
    bearer,
    connect,
    graphql,
    serve,
    subscribed,
    verify_contacts,
)


async def test_a_committed_change_reaches_a_subscriber_with_its_roles_view(
    database: Database,
) -> None:
    admin = database.tokens["ADMIN"]
    async with serve(database.url) as instance:
        agreement = await an_agreement(instance.url, admin)
        async with connect(instance) as office, connect(instance) as public:
            # given a disaster-office subscriber and a PUBLIC one (no token)
            assert await office.init(bearer(database.tokens["DISASTER_OFFICE"])) == {
                "type": "connection_ack"
            }
            assert await public.init() == {"type": "connection_ack"}
            await office.subscribe(DASHBOARD, {"categories": agreement["supportCategories"][:1]})
            await public.subscribe(DASHBOARD)
            await subscribed(instance.hub, 2)
            # when an administrator verifies the agreement's contacts
            written = await verify_contacts(instance.url, admin, agreement)
            # then the office hears of it, contacts included
            message = await office.receive()
            assert message["type"] == "next" and message["id"] == "1"
            event = message["payload"]["data"]["agreementChanged"]
            assert event["kind"] == "CONTACTS_VERIFIED"
            assert event["agreement"]["id"] == agreement["id"]
            assert event["agreement"]["version"] == written["version"]
            assert event["agreement"]["emergencyContacts"] == [
                {"name": "デモ 当直", "phone": "000-0999-0001"}
            ]
            assert "errors" not in message["payload"]
            # and the public hears of it too, but gets no personal data: FORBIDDEN, as in a query
            message = await public.receive()
            assert message["type"] == "next"
            assert message["payload"]["data"] is None  # emergencyContacts is non-null
            assert [(e["path"], e["extensions"]["code"]) for e in message["payload"]["errors"]] == [
                (["agreementChanged", "agreement", "emergencyContacts"], "FORBIDDEN")
            ]
            assert "000-0999-0001" not in json.dumps(message, ensure_ascii=False)
        # and the office's read of the contacts is in the access log, like a query's
        log = await graphql(
            instance.url,
            "query ($id: ID) { auditEvents(first: 20, entityId: $id) { edges { node { actor action } } } }",
            {"id": agreement["id"]},
            admin,
        )
        reads = [e["node"] for e in log["auditEvents"]["edges"]]
        assert {"actor": "購読テスト DISASTER_OFFICE", "action": "personal_data.read"} in reads


async def test_filters_select_the_events(database: Database) -> None:
    admin = database.tokens["ADMIN"]
    async with serve(database.url) as instance:
        agreement = await an_agreement(instance.url, admin)
        others = [
            c
            for c in ("MEDICAL_AID", "EVACUATION_SHELTER", "TRANSPORT", "SUPPLIES", "OTHER")
            if c not in agreement["supportCategories"]
        ]
        async with connect(instance) as elsewhere, connect(instance) as contacts:
            await elsewhere.init(bearer(admin))
            await contacts.init(bearer(database.tokens["DISASTER_OFFICE"]))
            # given a subscriber to other support categories only, and the office's contacts feed
            await elsewhere.subscribe(
                "subscription ($c: [SupportCategory!]) { agreementChanged(categories: $c, kinds: [CONTACTS_VERIFIED]) { kind } }",
                {"c": others[:1]},
            )
            await contacts.subscribe("subscription { contactsVerified { kind agreement { id } } }")
            await subscribed(instance.hub, 2)
            # when
            await verify_contacts(instance.url, admin, agreement)
            # then the contacts feed hears of it
            message = await contacts.receive()
            assert message["payload"]["data"]["contactsVerified"] == {
                "kind": "CONTACTS_VERIFIED",
                "agreement": {"id": agreement["id"]},
            }
            # and the other subscriber does not (the next thing it gets is its completion)
            await elsewhere.send({"id": "1", "type": "complete"})
            await elsewhere.send({"type": "ping"})
            assert await elsewhere.receive() == {"type": "pong"}


EVENTS = """
{ disasterEvents { id closedOn requests { id version status } } }
"""


ANSWER = """
mutation ($id: ID!, $v: Int!) {
  supportRequestAnswer(id: $id, expectedVersion: $v, answer: ACCEPTED) {
    request { id version status } errors { code message }
  }
}
"""


DELIVER = """
mutation ($id: ID!, $v: Int!) {
  supportRequestDeliver(id: $id, expectedVersion: $v, note: "到着") {
    request { id version status } errors { code message }
  }
}
"""


LIVE_VIEW = """
subscription ($event: ID) {
  supportRequestChanged(eventId: $event) {
    kind occurredAt request { id status statusLabel answer event { id } partner { name } }
  }
}
"""


async def test_the_office_follows_the_support_requests_of_one_event(database: Database) -> None:
    admin = database.tokens["ADMIN"]
    async with serve(database.url) as instance:
        events = (await graphql(instance.url, EVENTS, token=admin))["disasterEvents"]
        live = next(e for e in events if e["closedOn"] is None)
        closed = next(e for e in events if e["closedOn"] is not None)
        asked = next(r for r in live["requests"] if r["status"] == "REQUESTED")
        async with connect(instance) as office:
            await office.init(bearer(database.tokens["DISASTER_OFFICE"]))
            # given the office following the open exercise, and the finished one
            await office.subscribe(LIVE_VIEW, {"event": live["id"]}, id="1")
            await office.subscribe(LIVE_VIEW, {"event": closed["id"]}, id="2")
            await subscribed(instance.hub, 2, topic="support_request")
            # when a request of the open exercise is answered, then delivered
            answered = await graphql(
                instance.url, ANSWER, {"id": asked["id"], "v": asked["version"]}, admin
            )
            request = answered["supportRequestAnswer"]["request"]
            delivered = await graphql(
                instance.url, DELIVER, {"id": request["id"], "v": request["version"]}, admin
            )
            assert delivered["supportRequestDeliver"]["errors"] == []
            # then the open exercise's subscription hears both steps, in order, and the
            # finished exercise's hears nothing
            first, second = await office.receive(), await office.receive()
            assert [first["id"], second["id"]] == ["1", "1"]
            steps = [m["payload"]["data"]["supportRequestChanged"] for m in (first, second)]
            assert [(s["kind"], s["request"]["status"]) for s in steps] == [
                ("ANSWERED", "DELIVERED"),  # each read as it is when its event arrives
                ("DELIVERED", "DELIVERED"),
            ] or [(s["kind"], s["request"]["status"]) for s in steps] == [
                ("ANSWERED", "ANSWERED"),
                ("DELIVERED", "DELIVERED"),
            ]
            assert {s["request"]["id"] for s in steps} == {asked["id"]}
            assert {s["request"]["event"]["id"] for s in steps} == {live["id"]}
            assert steps[1]["request"]["statusLabel"] == "提供済み"


async def test_an_invalid_token_is_refused_and_public_may_not_subscribe_to_the_office_feed(
    database: Database,
) -> None:
    async with serve(database.url) as instance:
        # an invalid token: the connection is closed, Forbidden
        async with connect(instance) as client:
            await client.send({"type": "connection_init", "payload": bearer("kyd_not-a-token")})
            with pytest.raises(ConnectionClosed) as closed:
                await client.receive()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        # subscribing before connection_init: 4401
        async with connect(instance) as client:
            await client.subscribe(DASHBOARD)
            with pytest.raises(ConnectionClosed) as closed:
                await client.receive()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        async with connect(instance) as client:
            await client.init()
            # PUBLIC and the office's feed: FORBIDDEN, as the disasterSupport query
            await client.subscribe("subscription { contactsVerified { kind } }")
            message = await client.receive()
            assert message["type"] in ("next", "error")
            errors = (
                message["payload"]["errors"] if message["type"] == "next" else message["payload"]
            )
            assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
            # queries and mutations go over HTTP
            await client.subscribe("{ viewer { role } }", id="2")
            message = await client.receive()
            assert message["type"] == "error" and message["id"] == "2"
            assert message["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
            # the limits of every document apply
            deep = (
                "subscription { agreementChanged { agreement { "
                + "amends { " * 12
                + "id"
                + " }" * 15
            )
            await client.subscribe(deep, id="3")
            message = await client.receive()
            assert message["type"] == "error" and message["id"] == "3"
            assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


REGISTERED = "subscription Registered { agreementChanged { kind agreement { id } } }"


async def test_only_registered_documents_subscribe_when_the_server_says_so(
    database: Database,
) -> None:
    engine = make_engine(database.url)
    try:
        async with AsyncSession(engine) as session:
            text = REGISTERED
            await register_documents(
                session,
                [NewDocument(sha256(text.encode()).hexdigest(), text, "Registered", "test")],
                actor="test",
            )
            await session.commit()
    finally:
        await engine.dispose()
    async with (
        serve(database.url, KYODO_TRUSTED_DOCUMENTS="only") as instance,
        connect(instance) as client,
    ):
        await client.init()
        await client.subscribe("subscription { agreementChanged { kind } }")
        message = await client.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
        # while a registered one listens
        await client.subscribe(REGISTERED, id="2")
        await subscribed(instance.hub)


async def test_a_page_on_an_origin_not_allowed_is_refused(database: Database) -> None:
    async with serve(database.url, KYODO_CORS_ORIGINS="https://dashboard.city.example") as instance:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(instance, origin="https://evil.example"):
                pass
        assert refused.value.response.status_code == 403
        async with connect(instance, origin="https://dashboard.city.example") as client:
            assert await client.init() == {"type": "connection_ack"}


async def test_shutdown_closes_the_connections_cleanly(database: Database) -> None:
    async with serve(database.url) as instance, connect(instance) as client:
        await client.init()
        await client.subscribe(DASHBOARD)
        await subscribed(instance.hub)
        # when the server stops
        instance.server.should_exit = True
        # then the socket is closed with a proper close frame (no abrupt drop)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await client.receive()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code in (1000, 1001, 1012)
    assert instance.hub.subscriber_count() == 0


async def test_a_revoked_token_stops_receiving(database: Database) -> None:
    admin = database.tokens["ADMIN"]
    # given a subscriber with a token of its own
    engine = make_engine(database.url)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            row, token = await tokens.create_token(
                session, name="端末（失効予定）", role=Role.ADMIN
            )
            await session.commit()
        async with serve(database.url) as instance, connect(instance) as client:
            agreement = await an_agreement(instance.url, admin)
            await client.init(bearer(token))
            await client.subscribe(DASHBOARD)
            await subscribed(instance.hub)
            # when the token is revoked, and then a change is committed
            async with AsyncSession(engine) as session:
                await tokens.revoke_token(session, token_id=row.id)
                await session.commit()
            await verify_contacts(instance.url, admin, agreement)
            # then the subscription ends instead of delivering the change
            message = await client.receive()
            assert message["type"] == "next"
            assert message["payload"]["data"] is None
            assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == [
                "UNAUTHENTICATED"
            ]
            assert await client.receive() == {"id": "1", "type": "complete"}
    finally:
        await engine.dispose()


async def test_losing_the_listening_connection_ends_the_streams(database: Database) -> None:
    if not database.url.startswith("postgresql"):
        pytest.skip("LISTEN is PostgreSQL's")
    async with serve(database.url) as instance, connect(instance) as client:
        await client.init()
        await client.subscribe(DASHBOARD)
        await subscribed(instance.hub)
        # when the connection that LISTENs is terminated (a failover, an operator)
        listener = instance.hub._connection
        assert listener is not None
        engine = make_engine(database.url)
        try:
            async with engine.connect() as connection:
                await connection.exec_driver_sql(
                    f"SELECT pg_terminate_backend({listener.get_server_pid()})"
                )
        finally:
            await engine.dispose()
        # then the subscriber is told, and its stream completes: the client subscribes again
        message = await client.receive()
        assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == [
            "SUBSCRIPTION_ENDED"
        ]
        assert await client.receive() == {"id": "1", "type": "complete"}
        # and a new subscription listens again
        await client.subscribe(DASHBOARD, id="2")
        await subscribed(instance.hub)
        assert instance.hub._connection is not None and instance.hub._connection is not listener


def test_kyodo_serve_bounds_a_websocket_message_like_a_request_body(database: Database) -> None:
    if not database.url.startswith("sqlite"):
        pytest.skip("the limit is the server's, whatever the database")

    async def oversized(url: str) -> int | None:
        async with websockets.connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {"x": "あ" * 400_000}}))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            return closed.value.rcvd.code if closed.value.rcvd else None

    with live_server(database.url, KYODO_MAX_BODY_BYTES="1048576") as server:
        assert asyncio.run(oversized(server.graphql.replace("http://", "ws://"))) == 1009
