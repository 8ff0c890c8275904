"""Log lines operators can follow: a timestamp, the level, the request id, then the text.

``2024-04-01T09:00:00.123+0900 INFO [3f2a…] kyodo.graphql: expected error FORBIDDEN at auditEvents``

- :data:`request_id` holds the id of the request being served (set by
  ``server.middleware.RequestIdMiddleware``; ``-`` outside a request). The
  :class:`RequestIdFilter` on the handler copies it into every record, from any logger —
  ours, uvicorn's (``uvicorn.error``, ``uvicorn.access``), SQLAlchemy's, Strawberry's.
- :func:`logging_config` is the ``logging.config.dictConfig`` document; ``kyodo serve``
  hands it to uvicorn (``log_config=``), so uvicorn's own lines look the same, and the
  other commands apply it with :func:`configure_logging`.
- ``KYODO_SQL_ECHO=true`` logs each SQL statement at INFO (``sqlalchemy.engine``);
  parameter values are never logged (``hide_parameters``, see ``server.db``).
"""

from __future__ import annotations

import logging
import logging.config
import sys
import time
from contextvars import ContextVar
from typing import IO, Any

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
        local = time.localtime(record.created)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", local)
        return f"{stamp}.{int(record.msecs):03d}{time.strftime('%z', local)}"

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return super().format(record)


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


def logging_config(level: str = "info", *, sql_echo: bool = False) -> dict[str, Any]:
    """The dictConfig document for the service and the CLI."""
    level = level.upper()
    handler = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"kyodo": {"()": Formatter}},
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


def configure_logging(level: str = "info", *, sql_echo: bool = False) -> None:
    logging.config.dictConfig(logging_config(level, sql_echo=sql_echo))


__all__ = [
    "FORMAT",
    "Formatter",
    "RequestIdFilter",
    "StderrHandler",
    "configure_logging",
    "logging_config",
    "request_id",
]
