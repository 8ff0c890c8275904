"""The operator's endpoints, answered ahead of the API's middleware.

``OperationsMiddleware`` is the outermost middleware of the app (server/app.py):

- ``GET /livez`` and ``GET /readyz`` (server/probes.py), and ``GET /metrics``
  (server/metrics.py) are answered here, before CORS, the body limits, the request's
  session and the token check: a probe needs no session, and Prometheus' bearer token
  (``KYODO_METRICS_TOKEN``) is no API token.
- every other request is measured (``MetricsMiddleware``) unless ``KYODO_METRICS=off``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kyodo.server import probes
from kyodo.server.settings import Settings

PROBE_METHODS = frozenset({"GET", "HEAD"})


def operations_middleware(
    settings: Settings,
    maker: async_sessionmaker[AsyncSession],
    engine: AsyncEngine | None,
) -> list[Middleware]:
    """The outermost middleware of the app: tracing (when on), then the probes and
    metrics. Instruments the app's own ``engine`` (None: the caller's sessionmaker)."""
    outer = []
    if settings.tracing_enabled:
        from kyodo.server import tracing

        outer.append(tracing.middleware())
        if engine is not None:
            tracing.instrument_engine(engine)
    if engine is not None and settings.metrics_access != "off":
        from kyodo.server.metrics import instrument_pool

        instrument_pool(
            engine, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )
    outer.append(Middleware(OperationsMiddleware, settings=settings, maker=maker))
    return outer


class OperationsMiddleware:
    def __init__(
        self, app: ASGIApp, *, settings: Settings, maker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.maker = maker
        self.access = settings.metrics_access
        self.token = settings.metrics_token
        self.app: ASGIApp = app
        if self.access != "off":
            from kyodo.server.metrics import MetricsMiddleware

            self.app = MetricsMiddleware(app, max_body_bytes=settings.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in PROBE_METHODS:
            path = scope["path"]
            if path == "/livez":
                await probes.livez()(scope, receive, send)
                return
            if path == "/readyz":
                await (await probes.readyz(self.maker))(scope, receive, send)
                return
            if path == "/metrics" and self.access != "off":
                from kyodo.server.metrics import metrics_response

                response = metrics_response(
                    Headers(scope=scope), access=self.access, token=self.token
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
