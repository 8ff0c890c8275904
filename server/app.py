"""The Starlette application: GraphQL at /graphql, a health check, one session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from kyodo.schema import build_schema
from kyodo.schema import schema as default_schema
from kyodo.schema.database_trouble import database_trouble
from kyodo.schema.response_cache import ResponseStore
from kyodo.server import graphiql, graphql_http
from kyodo.server.auth import AuthenticationMiddleware
from kyodo.server.collector import tune_collector
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.documents import UPLOAD as DOCUMENT_UPLOAD
from kyodo.server.documents import document_routes
from kyodo.server.events import EventHub
from kyodo.server.exports import exports_mount
from kyodo.server.fast_reads import FastReads
from kyodo.server.graphiql import GraphiQLPage
from kyodo.server.graphql_view import KyodoGraphQL, ResponseLimits
from kyodo.server.guards import log_trouble, trouble_headers
from kyodo.server.middleware import REQUEST_ID_HEADER, EdgeMiddleware
from kyodo.server.operations import operations_middleware
from kyodo.server.settings import Settings, get_settings
from kyodo.server.subscriptions import SubscriptionEndpoint
from kyodo.server.trusted_documents import TrustedDocuments, prepare_trusted_documents


class SessionMiddleware:
    """Open one AsyncSession per HTTP request and close it when the response is sent.

    A session that never began a transaction and holds no object (the fast path's
    requests, which lease their connection from the pool: ``server.fast_reads``) has
    nothing to close: closing it anyway costs a greenlet switch, 30 µs of a 0.9 ms read."""

    def __init__(self, app: ASGIApp, maker: async_sessionmaker[AsyncSession]):
        self.app = app
        self.maker = maker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self.maker()
        scope.setdefault("state", {})["db_session"] = session
        try:
            await self.app(scope, receive, send)
        finally:
            if session.in_transaction() or session.identity_map or session.new:
                await session.close()


def schema_for(settings: Settings) -> strawberry.Schema:
    """Production gets its own schema instance, built without introspection."""
    return build_schema(production=True) if settings.is_production else default_schema


def service_engine(settings: Settings) -> AsyncEngine:
    """The service's engine, as its settings configure it (pool, timeouts, JIT)."""
    return make_engine(
        settings.database_url,
        echo=settings.sql_echo,
        statement_timeout_ms=settings.statement_timeout_ms,
        postgres_jit=settings.postgres_jit,
        sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        **settings.engine_options(),
    )


def create_app(
    settings: Settings | None = None,
    *,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    tune_gc: bool = False,
) -> Starlette:
    """Build the app. Tests pass a ``sessionmaker`` bound to their own connection.
    ``tune_gc``: once started, the process runs the garbage collector kyodo's way
    (``server.collector``, unless ``KYODO_GC_TUNING=false``): for a server process
    (:func:`serving_app`), not for a test that builds apps in its own process.

    Refuses to build (ConfigurationError) a production app from incomplete settings.
    """
    settings = settings or get_settings()
    settings.check_ready_to_serve()
    engine: AsyncEngine | None = None
    if sessionmaker is None:
        engine = service_engine(settings)
        sessionmaker = make_sessionmaker(engine)
    maker = sessionmaker

    response_store = (
        ResponseStore(settings.response_cache_mb * 1024 * 1024) if settings.response_cache else None
    )
    graphql_app = KyodoGraphQL(
        schema_for(settings),
        limits=ResponseLimits(
            timeout_s=settings.request_timeout_ms / 1000,
            max_bytes=settings.max_response_bytes,
        ),
        response_store=response_store,
        trusted_documents=TrustedDocuments(settings.trusted_documents),
        graphiql=None if settings.is_production else GraphiQLPage(),
        # GET serves GraphiQL only: operations, mutations above all, need a JSON POST.
        allow_queries_via_get=False,
    )
    graphql_app.compiled_reads = settings.compiled_reads
    graphql_app.max_cost_authenticated = settings.max_cost_authenticated
    graphql_app.access_log_wait_for_flush = settings.access_log_wait_for_flush
    fast_reads = FastReads(graphql_app)
    # Live subscriptions (server/subscriptions.py), fed by server/events.py.
    events = EventHub(settings.database_url)
    subscriptions = SubscriptionEndpoint(
        graphql_app.schema,
        events=events,
        sessions=maker,
        allowed_origins=settings.cors_origins,
        trusted_documents=graphql_app.trusted_documents,
    )

    async def health(request: Request) -> Response:
        try:
            async with maker() as session:
                await session.execute(sa.text("SELECT 1"))
        except Exception as error:
            trouble = database_trouble(error)
            if trouble is None:
                raise
            log_trouble(trouble, "/healthz", getattr(request.state, "request_id", ""))
            return JSONResponse(
                {"status": "unavailable", "code": trouble.code, "message": trouble.message},
                status_code=503,
                headers=trouble_headers(trouble.code),
            )
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await prepare_trusted_documents(maker, graphql_app.schema)
        if tune_gc:
            tune_collector(settings.gc_tuning)
        yield
        await events.close()
        if engine is not None:
            await engine.dispose()

    # Outermost first. CORS answers preflights and decorates every response, refusals
    # included; the request id exists before anything can fail; size and media type are
    # checked before a token is looked up; database trouble from the token check on is
    # answered with 503; the request's session opens last, and the token is looked up in
    # it: one session, one transaction for the whole request.
    middleware = [
        # Tracing, /livez, /readyz, /metrics and the request metrics (server/operations.py).
        *operations_middleware(settings, maker, engine),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
            allow_credentials=False,
            max_age=600,
        ),
        # Request ids, the body size limit, JSON-only POSTs, client disconnects and
        # database trouble (server/middleware.py).
        Middleware(
            EdgeMiddleware,
            max_bytes=settings.max_body_bytes,
            uploads=(DOCUMENT_UPLOAD,),
            upload_max_bytes=settings.max_document_bytes,
        ),
        Middleware(SessionMiddleware, maker=maker),
        Middleware(
            AuthenticationMiddleware,
            read_data_version=response_store is not None,
            token_cache_seconds=settings.token_cache_seconds,
        ),
    ]

    async def http_error(request: Request, error: Exception) -> Response:
        # Routing's own refusals (an unknown path, PUT /graphql) in the API's JSON shape.
        assert isinstance(error, StarletteHTTPException)
        refused = graphql_http.refusal(
            graphql_http.HTTPException(error.status_code, str(error.detail))
        )
        refused.headers.update(error.headers or {})
        return graphql_http.refusal_response(
            refused, graphql_http.response_media_type(request.headers.get("accept"))
        )

    app = Starlette(
        exception_handlers={StarletteHTTPException: http_error},
        routes=[
            # Known queries are answered by the fast path, the rest by the view.
            Route("/graphql", fast_reads, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", subscriptions),
            Route("/healthz", health, methods=["GET"]),
            exports_mount(),
            # The signed 協定書: upload (PDF body) and download (server/documents.py).
            *document_routes(),
            *([] if settings.is_production else [graphiql.asset_route()]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.response_store = response_store
    app.state.max_document_bytes = settings.max_document_bytes
    app.state.fast_reads = fast_reads
    app.state.events = events
    return app


def serving_app() -> Starlette:
    """The app of a ``kyodo serve`` process (uvicorn's factory, in every worker)."""
    return create_app(tune_gc=True)
