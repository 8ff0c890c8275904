"""``kyodo serve``: serve the GraphQL API."""

from __future__ import annotations

import asyncio

import typer

from kyodo.server.cli.common import console
from kyodo.server.settings import get_settings

# How long a worker process may take to start (imports, lifespan) before uvicorn replaces it.
WORKER_START_SECONDS = 60


def serve(
    host: str = typer.Option(None, help="Bind address (default KYODO_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default KYODO_PORT or 8000)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
    workers: int = typer.Option(
        None,
        min=1,
        help="Server processes (default KYODO_WORKERS or 1); each has its own connection "
        "pool and keeps no state, so any of them may answer any request.",
    ),
) -> None:
    """API を提供する / Serve the GraphQL API (GraphiQL at /graphql outside production).

    Refuses to start on a database that is missing or not migrated (run kyodo db upgrade).
    """
    import uvicorn

    from kyodo.server.preflight import require_migrated
    from kyodo.server.settings import ConfigurationError

    settings = get_settings()
    try:
        settings.check_ready_to_serve()
    except ConfigurationError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    processes = workers or settings.workers
    if reload and processes > 1:
        console.print("[red]--reload は 1 プロセスでのみ使えます（--workers 1）。[/red]")
        raise typer.Exit(2)
    # Serving a database that is missing or not at this code's migration head would
    # answer "Unexpected error." to every query while /healthz said ok: refuse instead.
    asyncio.run(require_migrated(settings.database_url))
    from kyodo.server.logs import logging_config
    from kyodo.server.metrics_processes import cleanup_multiprocess, prepare_multiprocess

    # Several workers count into files of one shared directory (server/metrics.py).
    shared = prepare_multiprocess(processes) if settings.metrics_access != "off" else None
    try:
        # uvloop and httptools (uvicorn[standard]) are picked up when installed.
        uvicorn.run(
            "kyodo.server.app:serving_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            reload=reload,
            workers=processes,
            # A worker has this long to import and start before it is replaced: on a busy
            # machine start-up takes more than uvicorn's 5 s, and a shorter wait kills and
            # restarts every worker in a loop that never serves.
            timeout_worker_healthcheck=WORKER_START_SECONDS,
            # A WebSocket message (a subscription) is bounded like a request body.
            ws_max_size=settings.max_body_bytes,
            log_level=settings.log_level,
            # Every line, uvicorn's included: timestamp, level, request id (server/logs.py).
            log_config=logging_config(
                settings.log_level, sql_echo=settings.sql_echo, log_format=settings.log_format
            ),
        )
    finally:
        cleanup_multiprocess(shared)
