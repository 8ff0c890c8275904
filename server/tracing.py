"""OpenTelemetry tracing, optional: ``pip install 'kyodo[otel]'``.

On when ``KYODO_TRACING=true``, or when it is unset and the standard variables ask for
traces (``OTEL_TRACES_EXPORTER``, ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; ``OTEL_SDK_DISABLED=true`` turns it off). Each
request becomes a server span (OpenTelemetry's ASGI middleware; GraphQL requests are
named after their operation, ``POST /graphql partners``) with a child span per SQL
statement (SQLAlchemy instrumentation, no parameter values). The probes and /metrics
are not traced.

The exporter follows the standard variables: ``OTEL_TRACES_EXPORTER`` = ``otlp``
(default; OTLP over HTTP/protobuf to ``OTEL_EXPORTER_OTLP_ENDPOINT``, default
``http://localhost:4318``), ``console`` or ``none``; ``OTEL_SERVICE_NAME`` (default
``kyodo``) and ``OTEL_RESOURCE_ATTRIBUTES`` describe the service; sampling follows
``OTEL_TRACES_SAMPLER``.
"""

from __future__ import annotations

import importlib.util
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
    from starlette.middleware import Middleware

REQUIRED = (
    "opentelemetry.sdk",
    "opentelemetry.instrumentation.asgi",
    "opentelemetry.instrumentation.sqlalchemy",
)
NOT_TRACED = "livez,readyz,metrics"
"""Paths (regular expressions, comma-separated) left out of traces."""

_provider: Any = None


def missing_extra() -> str | None:
    """Why tracing cannot be turned on here, or None."""
    for module in REQUIRED:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return (
                "トレース（KYODO_TRACING / OTEL_*）には OpenTelemetry が必要です: "
                "pip install 'kyodo[otel]' を実行するか、KYODO_TRACING=false にしてください。"
            )
    return None


def tracer_provider() -> Any:
    """This process's TracerProvider, made once from the OTEL_* variables (and made
    the global one, so that log lines carry the trace id)."""
    global _provider
    if _provider is None:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

        resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or "kyodo"})
        provider = TracerProvider(resource=resource)
        names = os.environ.get("OTEL_TRACES_EXPORTER") or "otlp"
        for name in (part.strip().lower() for part in names.split(",")):
            if name == "otlp":
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )

                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            elif name == "console":
                provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        trace.set_tracer_provider(provider)
        _provider = provider
    return _provider


def use_provider(provider: Any) -> None:
    """Trace into ``provider`` instead (tests: an in-memory exporter)."""
    global _provider
    _provider = provider


def middleware() -> Middleware:
    """The ASGI middleware that makes a server span of each request."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from starlette.middleware import Middleware

    return Middleware(
        OpenTelemetryMiddleware,
        tracer_provider=tracer_provider(),
        excluded_urls=NOT_TRACED,
        exclude_spans=["receive", "send"],
    )


def instrument_engine(engine: AsyncEngine) -> None:
    """A span per SQL statement of ``engine`` (its statements, never their values)."""
    from opentelemetry import trace
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    tracer = trace.get_tracer("kyodo.sqlalchemy", tracer_provider=tracer_provider())
    usage = get_meter("kyodo.sqlalchemy").create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    EngineTracer(tracer, engine.sync_engine, usage)
