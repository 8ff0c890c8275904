"""Helpers shared by the tests of this package (Live subscriptions over WebSocket (graphql-transport-ws) at /graphql, with a real
websocket client (the ``websockets`` library) against real servers on loopback)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
import websockets
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.auth import service as tokens
from kyodo.domain.enums import Role
from kyodo.server.app import create_app
from kyodo.server.db import make_engine
from kyodo.server.events import EventHub
from kyodo.server.settings import Settings
from tests.live.server import free_port

PROTOCOL = "graphql-transport-ws"


WAIT_S = 20  # a safety net for a broken server, never reached when it works


@dataclass
class Database:
    url: str
    tokens: dict[str, str]  # role -> bearer token


async def _issue_tokens(url: str) -> dict[str, str]:
    engine = make_engine(url)
    issued: dict[str, str] = {}
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            for role, department in (
                (Role.ADMIN, None),
                (Role.DISASTER_OFFICE, "kikikanri"),
                (Role.INTEGRATION, None),
            ):
                _row, plaintext = await tokens.create_token(
                    session, name=f"購読テスト {role}", role=role, department_code=department
                )
                issued[str(role)] = plaintext
            await session.commit()
    finally:
        await engine.dispose()
    return issued


@dataclass
class Instance:
    url: str
    hub: EventHub
    server: uvicorn.Server

    @property
    def ws(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def serve(database_url: str, **settings: Any) -> AsyncIterator[Instance]:
    """The app on a free loopback port, on this event loop, until the block ends."""
    app = create_app(Settings(database_url=database_url, **settings))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    for _ in range(WAIT_S * 100):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "the server did not start"
    try:
        yield Instance(f"http://127.0.0.1:{port}", app.state.events, server)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, WAIT_S)


class Subscriber:
    """A graphql-transport-ws client on one websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.recv(), WAIT_S)
        assert isinstance(frame, str), "graphql-transport-ws messages are text frames"
        return dict(json.loads(frame))

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, id: str = "1"
    ) -> None:
        await self.send(
            {
                "id": id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )


@asynccontextmanager
async def connect(instance: Instance, **options: Any) -> AsyncIterator[Subscriber]:
    async with websockets.connect(instance.ws, subprotocols=[PROTOCOL], **options) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == PROTOCOL
        yield Subscriber(ws)


async def subscribed(hub: EventHub, count: int = 1, topic: str = "agreement") -> None:
    """Wait until ``count`` subscribers listen on this instance (LISTEN issued)."""
    for _ in range(WAIT_S * 100):
        if hub.subscriber_count(topic) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the subscription never started listening")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def graphql(
    url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=WAIT_S) as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=bearer(token) if token else {},
        )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


DISASTER_AGREEMENTS = """
{ agreements(first: 50, filter: {categories: [DISASTER_SUPPORT], statuses: [IN_FORCE]}) {
    edges { node { id version title parties { id } supportCategories } } } }
"""


VERIFY = """
mutation ($id: ID!, $v: Int!) {
  agreementVerifyContacts(id: $id, expectedVersion: $v, verifiedOn: "2022-03-01",
    emergencyContacts: [{name: "デモ 当直", phone: "000-0999-0001", isEmergencyContact: true}]) {
    agreement { id version } errors { code message }
  }
}
"""


DASHBOARD = """
subscription ($categories: [SupportCategory!]) {
  agreementChanged(categories: $categories) {
    kind occurredAt
    agreement { id title version contactsVerifiedOn supportCategories emergencyContacts { name phone } }
  }
}
"""


async def an_agreement(url: str, token: str) -> dict[str, Any]:
    """A demo disaster-support agreement in force with one party (its contacts can be
    verified without naming the party)."""
    data = await graphql(url, DISASTER_AGREEMENTS, token=token)
    nodes = [e["node"] for e in data["agreements"]["edges"] if len(e["node"]["parties"]) == 1]
    assert nodes, "the demo data has no one-party disaster agreement in force"
    return dict(nodes[0])


async def verify_contacts(url: str, token: str, agreement: dict[str, Any]) -> dict[str, Any]:
    current = await graphql(
        url,
        "query ($id: ID!) { node(id: $id) { ... on Agreement { version } } }",
        {"id": agreement["id"]},
        token,
    )
    data = await graphql(
        url, VERIFY, {"id": agreement["id"], "v": current["node"]["version"]}, token
    )
    payload = data["agreementVerifyContacts"]
    assert payload["errors"] == []
    return dict(payload["agreement"])
