"""Bearer tokens → the request's principal.

No ``Authorization`` header: the caller is PUBLIC (``schema.context.ANONYMOUS``). A
header that does not carry a valid token (unknown, expired, revoked, or not ``Bearer``)
is refused with 401 before anything else runs: a caller who tried to authenticate and
failed must learn so, not silently get the public view.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from kyodo.domain.auth import service as tokens
from kyodo.domain.base import utcnow
from kyodo.domain.transactions import WriteLockTimeout, begin_write
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.server.middleware import error_response

log = logging.getLogger("kyodo.auth")

UNAUTHENTICATED_MESSAGE = "認証に失敗しました。トークンを確認してください。"
# RFC 6750 §3: the scheme, and why the presented token was refused.
WWW_AUTHENTICATE = 'Bearer error="invalid_token"'


def bearer_token(authorization: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, else None."""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


@dataclass(frozen=True, slots=True)
class _Known:
    principal: Principal
    expires_at: datetime | None
    """The token's own expiry (UTC): a cached token stops working at it all the same."""


class PrincipalCache:
    """Tokens recently found valid, by their SHA-256 (never the token itself), for
    ``seconds`` (``KYODO_TOKEN_CACHE_SECONDS``; 0: off). A hit saves the token's
    statement; a token revoked meanwhile keeps working at most that long in the process
    that cached it. Unknown, expired and revoked tokens are never kept: each refusal is
    looked up afresh, and a new token works at once."""

    def __init__(
        self, seconds: float, size: int = 1000, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.known: TTLCache[str, _Known] | None = (
            TTLCache(maxsize=size, ttl=seconds, timer=timer) if seconds > 0 else None
        )

    def get(self, token: str, *, now: datetime) -> Principal | None:
        if self.known is None or len(token) > tokens.MAX_TOKEN_LENGTH:
            return None
        found = self.known.get(tokens.hash_token(token))
        if found is None:
            return None
        if found.expires_at is not None and found.expires_at <= tokens.as_utc(now):
            return None
        return found.principal

    def put(self, token: str, principal: Principal, expires_at: datetime | None) -> None:
        if self.known is not None:
            expiry = tokens.as_utc(expires_at) if expires_at is not None else None
            self.known[tokens.hash_token(token)] = _Known(principal, expiry)


async def principal_for_token(
    session: AsyncSession,
    token: str,
    *,
    now: datetime,
    state: dict[str, Any] | None = None,
    cache: PrincipalCache | None = None,
) -> Principal | None:
    """The principal of a valid token, or None; looked up in the request's own session.

    The lookup is the first statement of the request's transaction: the rest of the
    request reads in the same one (no second session, no second checkout of a
    connection). A revoked token is refused from the next request on: nothing is cached.

    When the token's ``last_used_at`` is due for a refresh (at most once a minute), the
    read transaction ends there and the stamp is written in a short write transaction,
    committed whatever the request does next; the request then reads in a new one. On
    SQLite that write queues for the write lock like any writer instead of failing. The
    stamp is informational, so a database too busy to take it within the busy timeout
    costs the caller nothing: the request goes on and a later one records the use.
    """
    if cache is not None:
        known = cache.get(token, now=now)
        if known is not None:
            return known
    if state is None:
        row = await tokens.find_active_token(session, token, now=now)
    else:
        # The response cache's data version comes with the lookup (one round trip).
        row, state["data_version"] = await tokens.find_active_token_and_data_version(
            session, token, now=now
        )
    if row is None:
        return None
    identity = tokens.identity_of(row)
    expires_at = row.expires_at  # read now: a failed stamp below expires the row
    if tokens.use_is_due(row, now=now):
        try:
            await begin_write(session)
            await tokens.record_use(session, identity.token_id, now=now)
            await session.commit()
        except WriteLockTimeout:
            log.warning("database busy: last use of token %s not recorded", identity.token_id)
    principal = Principal(
        name=identity.name, role=identity.role, department_code=identity.department_code
    )
    if cache is not None:
        cache.put(token, principal, expires_at)
    return principal


class AuthenticationMiddleware:
    """Put the caller into ``scope["state"]["principal"]`` or answer 401. Runs inside
    ``server.app.SessionMiddleware``: the token is looked up in the request's session."""

    def __init__(
        self,
        app: ASGIApp,
        clock: Callable[[], datetime] = utcnow,
        read_data_version: bool = False,
        token_cache_seconds: float = 0,
    ) -> None:
        self.app = app
        self.clock = clock
        self.cache = PrincipalCache(token_cache_seconds)
        # With the response cache on: read the data version along with the token, into
        # scope["state"]["data_version"] (schema.response_cache uses it).
        self.read_data_version = read_data_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        authorization = Headers(scope=scope).get("authorization")
        if authorization is None:
            state["principal"] = ANONYMOUS
            await self.app(scope, receive, send)
            return
        token = bearer_token(authorization)
        principal = (
            await principal_for_token(
                state["db_session"],
                token,
                now=self.clock(),
                state=state if self.read_data_version else None,
                cache=self.cache,
            )
            if token
            else None
        )
        if principal is None:
            log.info("authentication failed (request %s)", state.get("request_id", "-"))
            response = error_response(
                401,
                UNAUTHENTICATED_MESSAGE,
                "UNAUTHENTICATED",
                headers={"WWW-Authenticate": WWW_AUTHENTICATE},
            )
            await response(scope, receive, send)
            return
        state["principal"] = principal
        await self.app(scope, receive, send)
