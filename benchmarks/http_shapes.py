"""The peer benchmark's four shapes through the whole ASGI app, response cache off and on.

``../shared/bench/queries/k_*.graphql`` (list, one, deep, disaster) are sent as ADMIN
(as ``../shared/bench/peer.sh`` sends them) to the app ``create_app`` builds from the
settings, in process (httpx's ASGI transport: no sockets, no uvicorn), one request after
another. Every request pays what a served one pays: middleware, the token check, the
session, GraphQL, the personal-data access log, the JSON encoding. For each shape and
setting: requests per second (median of rounds), the median time, and SQL statements per
request as SQLAlchemy sends them (on PostgreSQL without BEGIN and COMMIT, which asyncpg
sends itself; SQLite's BEGIN counts). With the cache on, every request after the first is a repeated read.

Figures, not goals: the goals of issue 9 are relative to PostGraphile and measured by
``../shared/bench/peer.sh``; here they are followed from one change to the next without
a second server. Every shape reads personal data as ADMIN, so even an answer from the
cache writes its access-log entries (one statement). A shape the API refuses is shown
with its code and not measured. Every request after the first is answered by the fast
path (``server.fast_reads``); "fast" is the share it answered.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

QUERIES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "queries"
SHAPES = ("list", "one", "deep", "disaster")
ROUNDS = 5
SECONDS_PER_ROUND = 0.6


@dataclass
class Measured:
    shape: str
    cache: bool
    rps: float
    median_ms: float
    statements: float
    refused: str | None = None
    fast: float = 0.0
    """Share of the measured requests the fast path answered."""


def shape_queries() -> dict[str, str]:
    if not QUERIES.is_dir():
        return {}
    return {
        shape: (QUERIES / f"k_{shape}.graphql").read_text(encoding="utf-8")
        for shape in SHAPES
        if (QUERIES / f"k_{shape}.graphql").exists()
    }


async def _token(url: str) -> str:
    from kyodo.domain.auth import service as tokens
    from kyodo.domain.enums import Role
    from kyodo.server.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            _row, plaintext = await tokens.create_token(session, name="bench", role=Role.ADMIN)
            await session.commit()
            return plaintext
    finally:
        await engine.dispose()


async def measure_shapes(url: str) -> list[Measured]:
    """Each shape with the cache off, then on (one app per setting, built as served)."""
    from kyodo.server.app import create_app
    from kyodo.server.db import make_engine, make_sessionmaker
    from kyodo.server.settings import Settings

    queries = shape_queries()
    token = await _token(url)
    results: list[Measured] = []
    for cache in (False, True):
        settings = Settings(DATABASE_URL=url, KYODO_RESPONSE_CACHE=cache)
        engine = make_engine(
            url,
            statement_timeout_ms=settings.statement_timeout_ms,
            sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            **settings.engine_options(),
        )
        statements = [0]

        def count(*_args: Any, statements: list[int] = statements) -> None:
            statements[0] += 1

        sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
        app = create_app(settings, sessionmaker=make_sessionmaker(engine))
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(
                    transport=transport,
                    base_url="http://bench",
                    headers={"Authorization": f"Bearer {token}"},
                ) as client:
                    for shape, query in queries.items():
                        fast = app.state.fast_reads
                        before = fast.answered + fast.passed, fast.answered
                        measured = await _measure(client, shape, query, cache, statements)
                        total = fast.answered + fast.passed - before[0]
                        measured.fast = (fast.answered - before[1]) / total if total else 0.0
                        results.append(measured)
        finally:
            await engine.dispose()
    return results


async def _measure(
    client: httpx.AsyncClient, shape: str, query: str, cache: bool, statements: list[int]
) -> Measured:
    async def once() -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query})
        return dict(response.json())

    first = await once()
    if first.get("errors"):
        code = (first["errors"][0].get("extensions") or {}).get("code", "error")
        return Measured(shape, cache, 0, 0, 0, refused=str(code))
    for _ in range(3):
        await once()
    statements[0] = 0
    await once()
    per_request = statements[0]
    rates: list[float] = []
    timings: list[float] = []
    for _ in range(ROUNDS):
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < SECONDS_PER_ROUND:
            t = time.perf_counter()
            await once()
            timings.append((time.perf_counter() - t) * 1000)
            count += 1
        rates.append(count / (time.perf_counter() - started))
    return Measured(shape, cache, statistics.median(rates), statistics.median(timings), per_request)


def cache_speedups(results: list[Measured]) -> dict[str, float]:
    off = {m.shape: m for m in results if not m.cache and m.refused is None}
    return {
        m.shape: m.rps / off[m.shape].rps
        for m in results
        if m.cache and m.refused is None and m.shape in off and off[m.shape].rps
    }


__all__ = ["Measured", "cache_speedups", "measure_shapes", "shape_queries"]


def print_shapes(console: Any, backend: str, results: list[Measured]) -> None:
    from rich.table import Table

    speedups = cache_speedups(results)
    table = Table(
        title=f"peer shapes through the ASGI app, as ADMIN, one request at a time — {backend}"
    )
    for column in ("shape", "cache", "req/s", "median ms", "SQL/req", "cache on / off", "fast"):
        table.add_column(column)
    for m in sorted(results, key=lambda m: (SHAPES.index(m.shape), m.cache)):
        if m.refused is not None:
            table.add_row(
                m.shape, "on" if m.cache else "off", f"refused: {m.refused}", "", "", "", ""
            )
            continue
        ratio = f"{speedups[m.shape]:.1f}×" if m.cache and m.shape in speedups else ""
        table.add_row(
            m.shape,
            "on" if m.cache else "off",
            f"{m.rps:.0f}",
            f"{m.median_ms:.1f}",
            f"{m.statements:g}",
            ratio,
            f"{m.fast:.0%}",
        )
    console.print(table)


def main() -> int:
    """``python -m benchmarks.http_shapes``: this part of ``make bench`` alone."""
    import asyncio
    import logging
    import tempfile

    from alembic import command
    from rich.console import Console

    from benchmarks.run import load_demo
    from tests.conftest import alembic_config, pg_available, scratch_database

    logging.basicConfig(level=logging.WARNING)
    console = Console(width=170)
    for backend in ["sqlite"] + (["postgresql"] if pg_available() is None else []):
        with tempfile.TemporaryDirectory() as tmp, scratch_database(backend, Path(tmp)) as url:
            command.upgrade(alembic_config(url), "head")
            asyncio.run(load_demo(url))
            print_shapes(console, backend, asyncio.run(measure_shapes(url)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
