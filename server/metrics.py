"""Prometheus metrics (prometheus-client), served at ``/metrics``.

What is measured:

- ``kyodo_graphql_requests_total{operation,status}`` and
  ``kyodo_graphql_request_duration_seconds{operation}``: GraphQL POSTs by operation name
  (``operationName``, else the name in the document; ``anonymous`` for an unnamed one,
  ``persisted`` for a trusted document sent by id, ``other`` beyond
  :data:`MAX_OPERATIONS` names or for one that is no GraphQL name: a client cannot grow
  the number of series without bound).
- ``kyodo_graphql_errors_total{code}``: errors in GraphQL responses by
  ``extensions.code`` (refusals of the HTTP edge — 413, 415, 503 — included).
- ``kyodo_http_requests_total{route,method,status}`` and
  ``kyodo_http_request_duration_seconds{route}``: every other request (GraphiQL, /exports,
  /healthz...), by route.
- ``kyodo_db_pool_size``, ``kyodo_db_pool_max``, ``kyodo_db_pool_open``,
  ``kyodo_db_pool_checked_out``: the connection pool (summed over server processes).

Several server processes (``kyodo serve --workers N``) share their numbers through
prometheus-client's multiprocess mode: ``kyodo serve`` points ``PROMETHEUS_MULTIPROC_DIR``
at an empty directory before the workers start (server/metrics_processes.py), and
``/metrics`` of any worker reports the sum.
"""

from __future__ import annotations

import hmac
import os
import re
import sys
import time
import weakref
from functools import lru_cache
from typing import Any

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyodo.server.metrics_processes import MULTIPROC_ENV

MAX_OPERATIONS = 200
"""Distinct operation names measured per process; later ones are counted as ``other``."""
MAX_CODES = 100
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
# The first named operation of a document: `query Name`, `mutation Name(...)`.
_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_GRAPHQL_MEDIA = (b"application/json", b"application/graphql-response+json")

GRAPHQL_REQUESTS = Counter(
    "kyodo_graphql_requests",
    "GraphQL requests (POST /graphql) by operation name and HTTP status.",
    ["operation", "status"],
)
GRAPHQL_LATENCY = Histogram(
    "kyodo_graphql_request_duration_seconds",
    "Time to answer a GraphQL request, by operation name.",
    ["operation"],
)
GRAPHQL_ERRORS = Counter(
    "kyodo_graphql_errors",
    "Errors in GraphQL responses, by extensions.code.",
    ["code"],
)
HTTP_REQUESTS = Counter(
    "kyodo_http_requests",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "kyodo_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
)
POOL_SIZE = Gauge(
    "kyodo_db_pool_size",
    "Database connections the pools keep open (KYODO_DB_POOL_SIZE per process).",
    multiprocess_mode="livesum",
)
POOL_MAX = Gauge(
    "kyodo_db_pool_max",
    "Most connections the pools may open (pool size + KYODO_DB_MAX_OVERFLOW per process).",
    multiprocess_mode="livesum",
)
POOL_OPEN = Gauge(
    "kyodo_db_pool_open",
    "Database connections open now (idle in the pool or checked out).",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "kyodo_db_pool_checked_out",
    "Database connections in use by requests now.",
    multiprocess_mode="livesum",
)

_ROUTES = {
    "/graphql": "/graphql",
    "/healthz": "/healthz",
    "/livez": "/livez",
    "/readyz": "/readyz",
    "/metrics": "/metrics",
}
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_PREFIXES = (("/exports/", "/exports"), ("/graphiql/", "/graphiql"))


def route_of(path: str) -> str:
    """The route label of a path: a fixed set, so that scanners cannot add series."""
    route = _ROUTES.get(path)
    if route is not None:
        return route
    for prefix, label in _PREFIXES:
        if path.startswith(prefix):
            return label
    return "other"


class _Labels:
    """A bounded set of label values: the first ``limit`` seen, then ``other``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self.seen:
            return value
        if len(self.seen) >= self.limit or not _NAME.fullmatch(value):
            return "other"
        self.seen.add(value)
        return value


_operations = _Labels(MAX_OPERATIONS)
_codes = _Labels(MAX_CODES)


OPERATION_MEMO_BODY_BYTES = 4096
"""Bodies up to this size keep their operation's label (at most 256 of them, some 1 MB):
front ends send the same few bodies all day, and reading the JSON and the query again
for each was some 2 % of a small read's CPU."""


def operation_name(body: bytes) -> str:
    """The operation a GraphQL POST body runs, as a label value."""
    if len(body) <= OPERATION_MEMO_BODY_BYTES:
        return _memo_operation_name(body)
    return _operation_name(body)


@lru_cache(maxsize=256)
def _memo_operation_name(body: bytes) -> str:
    return _operation_name(body)


def _operation_name(body: bytes) -> str:
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "invalid"
    if not isinstance(request, dict):
        return "invalid"
    name = request.get("operationName")
    if isinstance(name, str) and name:
        return _operations(name)
    query = request.get("query")
    if not isinstance(query, str):
        return "persisted" if request.get("documentId") or request.get("extensions") else "none"
    match = _OPERATION.search(query)
    return _operations(match.group(1)) if match else "anonymous"


def error_codes(body: bytes) -> list[str]:
    """``extensions.code`` of every error in a GraphQL response body."""
    if b'"errors"' not in body:
        return []
    try:
        response = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    items = response if isinstance(response, list) else [response]
    codes = []
    for item in items:
        if not isinstance(item, dict):
            continue
        for error in item.get("errors") or ():
            if isinstance(error, dict):
                extensions = error.get("extensions")
                code = extensions.get("code") if isinstance(extensions, dict) else None
                codes.append(_codes(code) if isinstance(code, str) else "NONE")
    return codes


class MetricsMiddleware:
    """Measure every HTTP request; for ``POST /graphql`` also its operation and errors.

    The request body is read by the app as usual; this middleware keeps the chunks it
    passes on (bounded by ``max_body_bytes``) and reads the operation name from them
    when the response starts (a body that is not JSON: ``invalid``). The response body is
    kept, to count its errors, only when it is JSON."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        graphql = scope["path"] == "/graphql" and scope["method"] == "POST"
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        received = 0
        status = 500
        keep_response = False

        async def watching_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request" and received <= self.max_body_bytes:
                chunk = message.get("body", b"")
                received += len(chunk)
                request_chunks.append(chunk)
            return message

        operation = ""

        def read_operation() -> str:
            if received > self.max_body_bytes:
                return "too_large"
            return operation_name(b"".join(request_chunks))

        async def watching_send(message: Message) -> None:
            nonlocal status, keep_response, operation
            if message["type"] == "http.response.start":
                status = message["status"]
                if graphql:
                    # The body has been read; the request's span still records.
                    operation = read_operation()
                    _annotate_span(operation)
                keep_response = any(
                    key.lower() == b"content-type" and value.startswith(_GRAPHQL_MEDIA)
                    for key, value in message.get("headers", ())
                )
            elif message["type"] == "http.response.body" and keep_response:
                response_chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, watching_receive if graphql else receive, watching_send)
        finally:
            elapsed = time.perf_counter() - started
            if graphql:
                operation = operation or read_operation()
                count, latency = _graphql_series(operation, status)
            else:
                method = scope["method"] if scope["method"] in _METHODS else "other"
                count, latency = _http_series(route_of(scope["path"]), method, status)
            count.inc()
            latency.observe(elapsed)
            if response_chunks:
                for code in error_codes(b"".join(response_chunks)):
                    _error_series(code).inc()


# The labelled children, looked up once (``labels()`` takes a lock and builds a key).
_children: dict[tuple[str, ...], Any] = {}


def _graphql_series(operation: str, status: int) -> tuple[Any, Any]:
    key = ("graphql", operation, str(status))
    series = _children.get(key)
    if series is None:
        series = _children[key] = (
            GRAPHQL_REQUESTS.labels(operation, str(status)),
            GRAPHQL_LATENCY.labels(operation),
        )
    return series


def _http_series(route: str, method: str, status: int) -> tuple[Any, Any]:
    key = ("http", route, method, str(status))
    series = _children.get(key)
    if series is None:
        series = _children[key] = (
            HTTP_REQUESTS.labels(route, method, str(status)),
            HTTP_LATENCY.labels(route),
        )
    return series


def _error_series(code: str) -> Any:
    key = ("error", code)
    series = _children.get(key)
    if series is None:
        series = _children[key] = GRAPHQL_ERRORS.labels(code)
    return series


def _annotate_span(operation: str) -> None:
    """Name the request's OpenTelemetry span after the operation (when tracing is on)."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return
    span = trace.get_current_span()  # type: ignore[attr-defined]
    if span.is_recording():
        span.set_attribute("graphql.operation.name", operation)
        span.update_name(f"POST /graphql {operation}")


_engines: weakref.WeakSet[Any] = weakref.WeakSet()


def _pool_counts() -> tuple[int, int]:
    """(checked out, open) connections, from the pools themselves (counting events
    drifts: SQLAlchemy checks in a connection whose checkout failed)."""
    checked_out = opened = 0
    for sync_engine in list(_engines):
        pool = sync_engine.pool
        if hasattr(pool, "checkedout") and hasattr(pool, "overflow"):
            checked_out += pool.checkedout()
            opened += pool.size() + pool.overflow()
    return checked_out, opened


def _pool_numbers(returning: int = 0) -> None:
    """Set the open / checked-out gauges now. ``returning``: connections being checked
    in, still counted by their pool."""
    checked_out, opened = _pool_counts()
    POOL_CHECKED_OUT.set(max(checked_out - returning, 0))
    POOL_OPEN.set(max(opened, 0))


def instrument_pool(engine: AsyncEngine, *, pool_size: int, max_overflow: int) -> None:
    """Keep the pool gauges up to date (every process its own numbers, for its one
    engine; multiprocess mode sums them). One process: read from the pool when
    ``/metrics`` is scraped. Several: each process writes its numbers to the shared
    files at every checkout and checkin (the scrape runs in one process and cannot ask
    the others' pools) — some microseconds a request that one process does not pay."""
    POOL_SIZE.set(pool_size)
    POOL_MAX.set(pool_size + max_overflow)
    sync_engine = engine.sync_engine
    _engines.add(sync_engine)
    if not os.environ.get(MULTIPROC_ENV):
        POOL_CHECKED_OUT.set_function(lambda: max(_pool_counts()[0], 0))
        POOL_OPEN.set_function(lambda: max(_pool_counts()[1], 0))
        return

    @event.listens_for(sync_engine, "checkout")
    def _checkout(*_args: Any) -> None:
        _pool_numbers()

    @event.listens_for(sync_engine, "checkin")
    def _checkin(*_args: Any) -> None:
        _pool_numbers(returning=1)

    @event.listens_for(sync_engine, "close")
    def _close(*_args: Any) -> None:
        _pool_numbers()


def registry() -> CollectorRegistry:
    if not os.environ.get(MULTIPROC_ENV):
        return REGISTRY
    shared = CollectorRegistry()
    multiprocess.MultiProcessCollector(shared)  # type: ignore[no-untyped-call]
    return shared


def metrics_response(headers: Headers, *, access: str, token: str) -> Response:
    """``/metrics``: the text format, to whoever ``access`` lets read it."""
    if access == "token":
        scheme, _, presented = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode(), token.encode()
        ):
            return JSONResponse(
                {
                    "errors": [
                        {
                            "message": "メトリクスの読み取りには KYODO_METRICS_TOKEN が必要です。",
                            "extensions": {"code": "UNAUTHENTICATED"},
                        }
                    ]
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    return Response(
        generate_latest(registry()),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
