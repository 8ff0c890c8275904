"""Probes for orchestrators and load balancers: ``/livez`` and ``/readyz``.

- ``/livez``: the process is alive and its event loop answers. It touches nothing else
  (no database): restarting the app would not cure a database outage, so a liveness
  probe must not fail because of one.
- ``/readyz``: this instance can serve: the database answers within
  :data:`READY_TIMEOUT_S` and is migrated to this code's head. Else 503 with the reason
  as JSON (``reason``: ``database_unavailable``, ``timeout``, ``not_migrated``,
  ``migration_pending`` or ``unknown_revision``) and a Japanese ``message``; take the
  instance out of rotation, don't restart it.
- ``/healthz`` (server/app.py) stays as it was: the database answers ``SELECT 1``.

Both are answered by ``server.operations.OperationsMiddleware`` before the rest of the
middleware: no session, no token check, no CORS, no request log line.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import JSONResponse

from kyodo.schema.database_trouble import database_trouble
from kyodo.server.guards import trouble_headers

log = logging.getLogger("kyodo.probes")

READY_TIMEOUT_S = 2.0
"""Longest /readyz waits for the database (orchestrators give up after a few seconds)."""
NO_STORE = {"Cache-Control": "no-store"}


def livez() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def _not_ready(reason: str, message: str, headers: dict[str, str] | None = None, **extra: Any):
    log.warning("not ready: %s: %s", reason, message)
    return JSONResponse(
        {"status": "unavailable", "reason": reason, "message": message, **extra},
        status_code=503,
        headers={**NO_STORE, **(headers or {})},
    )


async def _current_revisions(session: AsyncSession) -> tuple[str, ...] | None:
    """The database's Alembic revisions; None when it was never migrated."""
    connection = await session.connection()
    has_table = await connection.run_sync(
        lambda sync: sa.inspect(sync).has_table("alembic_version")
    )
    if not has_table:
        return None
    rows = await session.execute(sa.text("SELECT version_num FROM alembic_version"))
    return tuple(row[0] for row in rows)


async def readyz(maker: async_sessionmaker[AsyncSession]) -> JSONResponse:
    from kyodo.server.migrations_config import script_directory

    scripts = script_directory()
    head = scripts.get_current_head()
    try:
        async with asyncio.timeout(READY_TIMEOUT_S), maker() as session:
            current = await _current_revisions(session)
    except TimeoutError:
        return _not_ready(
            "timeout",
            f"データベースが {READY_TIMEOUT_S:g} 秒以内に応答しません。",
            trouble_headers("DATABASE_UNAVAILABLE"),
        )
    except Exception as error:
        trouble = database_trouble(error)
        if trouble is None:
            # A probe answers, whatever happened (a missing PostgreSQL database...).
            log.exception("readiness check failed")
            return _not_ready(
                "database_error",
                f"データベースを確認できません（{type(error).__name__}）。",
            )
        return _not_ready(
            "database_unavailable",
            trouble.message,
            trouble_headers(trouble.code),
            code=trouble.code,
        )
    if current == (head,):
        return JSONResponse({"status": "ok", "revision": head}, headers=NO_STORE)
    if not current:
        return _not_ready(
            "not_migrated",
            "データベースが移行されていません。kyodo db upgrade を実行してください。",
            head=head,
        )
    known = {script.revision for script in scripts.walk_revisions()}
    if any(revision not in known for revision in current):
        return _not_ready(
            "unknown_revision",
            "データベースはこの kyodo の知らないリビジョンまで移行されています"
            "（より新しい版の kyodo によるものです）。",
            current=list(current),
            head=head,
        )
    return _not_ready(
        "migration_pending",
        "データベースが最新まで移行されていません。kyodo db upgrade を実行してください。",
        current=list(current),
        head=head,
    )
