"""Live subscriptions over WebSocket: two instances, and subscriptions over HTTP.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from kyodo.server.app import create_app
from kyodo.server.settings import Settings
from tests.live.server import live_server

from .support import (
    DASHBOARD,
    Database,
    an_agreement,
    connect,
    serve,
    subscribed,
    verify_contacts,
)


async def test_a_mutation_on_one_instance_reaches_a_subscriber_of_another(
    database: Database, tmp_path: Path
) -> None:
    if not database.url.startswith("postgresql"):
        pytest.skip("several instances share a database on PostgreSQL only")
    admin = database.tokens["ADMIN"]
    # given instance A, a kyodo serve process, and instance B, here
    with live_server(database.url) as a:
        async with serve(database.url) as b, connect(b) as client:
            agreement = await an_agreement(a.url, admin)
            assert await client.init({"token": database.tokens["DISASTER_OFFICE"]}) == {
                "type": "connection_ack"
            }
            await client.subscribe(DASHBOARD)
            await subscribed(b.hub)
            # when the contacts are verified through A
            written = await verify_contacts(a.url, admin, agreement)
            # then B's subscriber hears of it, read through B
            message = await client.receive()
            event = message["payload"]["data"]["agreementChanged"]
            assert (event["kind"], event["agreement"]["id"], event["agreement"]["version"]) == (
                "CONTACTS_VERIFIED",
                agreement["id"],
                written["version"],
            )


async def test_a_subscription_over_http_is_a_request_error(sessionmaker: Any) -> None:
    app = create_app(Settings(), sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/graphql",
            json={"query": "subscription { agreementChanged { kind } }"},
            headers={"accept": "application/graphql-response+json"},
        )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "購読（subscription）は WebSocket（graphql-transport-ws、/graphql）"
                "で送ってください。",
                "extensions": {"code": "OPERATION_NOT_ALLOWED"},
            }
        ]
    }
