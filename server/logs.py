"""Log lines operators can follow: a timestamp, the level, the request id, then the text.

``2024-04-01T09:00:00.123+0900 INFO [3f2a…] kyodo.graphql: expected error FORBIDDEN at auditEvents``

- :data:`request_id` holds the id of the request being served (set by
  ``server.middleware.RequestIdMiddleware``; ``-`` outside a request). The
  :class:`RequestIdFilter` on the handler copies it into every record, from any logger —
  ours, uvicorn's (``uvicorn.error``, ``uvicorn.access``), SQLAlchemy's, Strawberry's.
- :func:`logging_config` is the ``logging.config.dictConfig`` document; ``kyodo serve``
  hands it to uvicorn (``log_config=``), so uvicorn's own lines look the same, and the
  other commands apply it with :func:`configure_logging`.
- ``KYODO_LOG_FORMAT=json`` writes one JSON object per line instead (:class:`JsonFormatter`):
  ``{"timestamp": "...", "level": "INFO", "logger": "kyodo.graphql", "message": "...",
  "request_id": "3f2a…"}``, plus ``exception`` (the traceback), the access log's
  ``method``/``path``/``status``/``client``, and ``trace_id``/``span_id`` while an
  OpenTelemetry span is recording (server/tracing.py). Plain text stays the default.
- ``KYODO_SQL_ECHO=true`` logs each SQL statement at INFO (``sqlalchemy.engine``);
  parameter values are never logged (``hide_parameters``, see ``server.db``).
"""

from __future__ import annotations

import json
import logging
import logging.config
import sys
import time
from contextvars import ContextVar
from typing import IO, Any, Literal

request_id: ContextVar[str] = ContextVar("kyodo_request_id", default="-")

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Give every record the current request id (``record.request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class Formatter(logging.Formatter):
    """:data:`FORMAT`, with ISO 8601 local timestamps to the millisecond and the offset."""

    def __init__(self) -> None:
        super().__init__(FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _timestamp(record.created, record.msecs)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return super().format(record)


def _timestamp(created: float, msecs: float) -> str:
    local = time.localtime(created)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", local)
    return f"{stamp}.{int(msecs):03d}{time.strftime('%z', local)}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (Loki, Fluent Bit, CloudWatch...)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": _timestamp(record.created, record.msecs),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _version, status = args
            entry.update(client=client, method=method, path=path, status=status)
        trace = _trace_ids()
        if trace:
            entry.update(trace)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _trace_ids() -> dict[str, str] | None:
    """The current OpenTelemetry span's ids, when the extra is installed and a span
    is recording."""
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()  # type: ignore[attr-defined]
    if not context.is_valid:
        return None
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when the line is written (not when the
    handler was made), so redirected or captured stderr keeps working."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


LogFormat = Literal["text", "json"]


def logging_config(
    level: str = "info", *, sql_echo: bool = False, log_format: LogFormat = "text"
) -> dict[str, Any]:
    """The dictConfig document for the service and the CLI."""
    level = level.upper()
    handler = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"kyodo": {"()": JsonFormatter if log_format == "json" else Formatter}},
        "handlers": {
            "stderr": {"()": StderrHandler, "filters": ["request_id"], "formatter": "kyodo"}
        },
        "loggers": {
            "uvicorn": handler,
            "uvicorn.error": {"level": level},
            "uvicorn.access": handler,
            "alembic": {"level": "INFO"},
            "sqlalchemy.engine.Engine": {"level": "INFO" if sql_echo else "WARNING"},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def configure_logging(
    level: str = "info", *, sql_echo: bool = False, log_format: LogFormat = "text"
) -> None:
    logging.config.dictConfig(logging_config(level, sql_echo=sql_echo, log_format=log_format))


__all__ = [
    "FORMAT",
    "Formatter",
    "JsonFormatter",
    "RequestIdFilter",
    "StderrHandler",
    "configure_logging",
    "logging_config",
    "request_id",
]
