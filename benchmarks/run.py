"""Speed and memory goals, measured on the demo data (``make bench``).

Each benchmark runs an operation the users depend on several times against a scratch
database (SQLite, and PostgreSQL when reachable), reports the median and the worst run,
and fails (exit 1) when a goal is missed. Timings belong here, never in the test suite.

Then bulk partner writes against the database's own floor (``benchmarks.bulk``,
PostgreSQL), ``kyodo import agreements`` on 10,000 partners
(``benchmarks.agreements_import``, PostgreSQL), and the expensive-query case
(``benchmarks.hostile``): hostile anonymous requests on a generated database of 10,000
partners with agreements of 100 parties; no accepted one may take more than 0.5 s of
server time. On the same database, the disaster office's own lists
(``benchmarks.office_lists``: the reminders, the calendar, the lists of what is in force),
each within 0.5 s.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from rich.console import Console
from rich.table import Table

from benchmarks.office_lists import print_office
from kyodo.domain.enums import Role
from kyodo.schema import schema
from kyodo.schema.compiled import COMPILED
from kyodo.schema.context import Context, Principal
from kyodo.server.collector import tune_collector
from kyodo.server.db import make_engine, make_sessionmaker
from tests.conftest import alembic_config, pg_available, scratch_database

ADMIN = Principal(name="bench", role=Role.ADMIN)
DISASTER_OFFICE = Principal(name="bench-bousai", role=Role.DISASTER_OFFICE)
ON = date(2022, 3, 10)


@dataclass(frozen=True)
class Goal:
    name: str
    median_ms: float
    max_ms: float
    peak_mib: float


DISASTER_LOOKUP = """
{ disasterSupport(categories: [SUPPLIES, TRANSPORT, MEDICAL_AID], on: "2022-03-10") {
    partner { name district phone } agreement { title concludedOnWareki }
    supportCategories emergencyContacts { name phone availableAroundTheClock }
    contactsVerifiedOn contactsStale } }
"""
PARTNER_PAGE = """
{ partners(first: 100) { totalCount edges { node {
    name nameKana fields { name } contacts { name phone }
    agreements(first: 3) { title parties { name } supportCategories } } } } }
"""
AGREEMENT_PAGE = """
{ agreements(first: 100, filter: {categories: [DISASTER_SUPPORT]}) { totalCount edges { node {
    title isInForce currentTermEndsOn contactsStale parties { name } supportCategories
    emergencyContacts { name phone } department { name } } } } }
"""
SEARCH = """
{ partners(first: 20, filter: {search: "ﾄﾏｺﾏｲ"}) { totalCount edges { node { name } } } }
"""
UPSERT = """
mutation ($rows: [PartnerUpsertInput!]!) {
  partnersUpsert(input: $rows) { created updated unchanged errors { code field } } }
"""


def upsert_rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": "NEIGHBORHOOD_ASSOCIATION",
            "name": f"（デモ）ベンチ町内会{i}",
            "nameKana": f"べんちちょうないかい{i}",
            "externalId": f"bench-{i:05d}",
            "district": "中央",
            "fieldCodes": ["safety"],
            "contacts": [{"name": f"デモ 連絡{i}", "phone": "000-0000-0001"}],
        }
        for i in range(n)
    ]


GOALS = [
    # The disaster office looks this up under stress: it must answer at once.
    Goal("disasterSupport (3 categories)", median_ms=100, max_ms=500, peak_mib=20),
    Goal("partners page of 100 with relations", median_ms=400, max_ms=900, peak_mib=80),
    Goal("agreements page of 100 with relations", median_ms=400, max_ms=900, peak_mib=80),
    Goal("kana search", median_ms=60, max_ms=200, peak_mib=20),
    Goal("partnersUpsert 1000 rows, then unchanged", median_ms=2500, max_ms=4000, peak_mib=64),
]


async def execute(
    maker: Any, query: str, variables: Any, principal: Principal, *, compiled: bool = True
) -> None:
    async with maker() as session:
        context = Context(session=session, principal=principal, today=ON)
        context.compiled_reads = compiled
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors:
            raise RuntimeError(result.errors)
        if compiled and context.compiled_outcome != COMPILED:
            raise RuntimeError(f"not answered by the compiled path: {context.compiled_outcome}")
        await session.rollback()


# The four shapes of the peer benchmark (../shared/bench, PostGraphile 5 side by side),
# measured in-process: the compiled read path against Strawberry's resolvers, as ADMIN.
PEER_QUERIES = Path(__file__).resolve().parents[2] / "shared" / "bench" / "queries"
PEER_SHAPES = ("list", "one", "deep", "disaster")
PEER_RUNS = 40


def peer_queries() -> dict[str, str]:
    if not PEER_QUERIES.is_dir():
        return {}
    queries = {
        shape: (PEER_QUERIES / f"k_{shape}.graphql").read_text()
        for shape in PEER_SHAPES
        if (PEER_QUERIES / f"k_{shape}.graphql").exists()
    }
    if "deep" in queries:
        # k_deep asks for every agreement at both levels, which the cost limit refuses
        # since it counts a partner's agreements at their real bound (issue 8): the same
        # shape with the two agreement lists limited, as tests/schema/compiled does.
        deep = queries["deep"].replace("partners(first: 60)", "partners(first: 20)")
        queries["deep"] = deep.replace("agreements {", "agreements(first: 3) {")
    return queries


async def compare_paths(
    maker: Any, engine: Any, queries: dict[str, str]
) -> list[tuple[str, float, float, int, int]]:
    """(shape, compiled median ms, Strawberry median ms, statements per request on each)
    with the runs of the two paths interleaved, so that both see the same machine."""
    from sqlalchemy import event

    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    results = []
    for shape, query in queries.items():
        timings: dict[bool, list[float]] = {True: [], False: []}
        per_request: dict[bool, int] = {}
        for compiled in (True, False):  # warm plans, caches and connections
            await execute(maker, query, None, ADMIN, compiled=compiled)
            event.listen(engine.sync_engine, "before_cursor_execute", count)
            statements[0] = 0
            await execute(maker, query, None, ADMIN, compiled=compiled)
            event.remove(engine.sync_engine, "before_cursor_execute", count)
            per_request[compiled] = statements[0]
        for _ in range(PEER_RUNS):
            for compiled in (True, False):
                started = time.perf_counter()
                await execute(maker, query, None, ADMIN, compiled=compiled)
                timings[compiled].append((time.perf_counter() - started) * 1000)
        results.append(
            (
                shape,
                statistics.median(timings[True]),
                statistics.median(timings[False]),
                per_request[True],
                per_request[False],
            )
        )
    return results


async def measure(runs: int, operation: Callable[[], Awaitable[None]]) -> tuple[list[float], float]:
    """Timings of ``runs`` runs, then the Python heap's peak over one more traced run
    (tracing slows everything, so it is kept out of the timings)."""
    await operation()  # warm caches and connections
    timings: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        await operation()
        timings.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    await operation()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return timings, peak / (1024 * 1024)


async def run_backend(
    url: str,
) -> tuple[list[tuple[Goal, list[float], float]], list[tuple[str, float, float, int, int]]]:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    async with maker() as session:
        await load_demo_data(session)
        await session.commit()
    await analyze(engine)
    rows = upsert_rows(1000)

    async def upsert_twice() -> None:
        # First load creates (rolled back afterwards), the second in the same
        # transaction finds everything unchanged: both halves of a re-sync.
        async with maker() as session:
            for _ in range(2):
                context = Context(session=session, principal=ADMIN, today=ON)
                result = await schema.execute(
                    UPSERT, variable_values={"rows": rows}, context_value=context
                )
                assert not result.errors, result.errors
            await session.rollback()
            async with engine.begin() as conn:
                from sqlalchemy import text

                await conn.execute(
                    text(
                        "DELETE FROM contact WHERE partner_id IN (SELECT id FROM partner WHERE external_id LIKE 'bench-%')"
                    )
                )
                await conn.execute(
                    text(
                        "DELETE FROM partner_field WHERE partner_id IN (SELECT id FROM partner WHERE external_id LIKE 'bench-%')"
                    )
                )
                await conn.execute(text("DELETE FROM partner WHERE external_id LIKE 'bench-%'"))
                await conn.execute(text("DELETE FROM audit_event WHERE action = 'partners.upsert'"))

    operations: list[tuple[Goal, int, Callable[[], Awaitable[None]]]] = [
        (GOALS[0], 30, lambda: execute(maker, DISASTER_LOOKUP, None, DISASTER_OFFICE)),
        (GOALS[1], 15, lambda: execute(maker, PARTNER_PAGE, None, ADMIN)),
        (GOALS[2], 15, lambda: execute(maker, AGREEMENT_PAGE, None, ADMIN)),
        (GOALS[3], 30, lambda: execute(maker, SEARCH, None, ADMIN)),
        (GOALS[4], 3, upsert_twice),
    ]
    results = []
    try:
        # On the demo data as loaded (before the upsert benchmark churns the partner table).
        paths = await compare_paths(maker, engine, peer_queries())
        for goal, runs, operation in operations:
            timings, peak = await measure(runs, operation)
            results.append((goal, timings, peak))
    finally:
        await engine.dispose()
    return results, paths


async def analyze(engine: Any) -> None:
    """Planner statistics, as a database in service has them (autovacuum gathers them
    within a minute of a bulk load). Without them PostgreSQL plans the correlated
    subqueries of the compiled read path blind (a hash join rebuilt per parent row):
    the hostile "15 aliased agreements" request took 1.8 s instead of 14 ms."""
    from sqlalchemy import text

    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


async def run_hostile(url: str) -> tuple[dict[str, int], list[Any], list[Any]]:
    """The hostile anonymous shapes, then the disaster office's lists
    (``benchmarks.office_lists``), on one generated database of 10,000 partners."""
    from benchmarks.bigdata import load_big_data
    from benchmarks.hostile import load_data, run_shapes
    from benchmarks.office_lists import measure as measure_office
    from kyodo.seeds.loader import load_demo_data
    from kyodo.server.app import create_app
    from kyodo.server.settings import Settings

    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    try:
        async with maker() as session:
            await load_demo_data(session)
            counts = await load_big_data(session)
            await session.commit()
        await analyze(engine)
        data = await load_data(maker)
        office = await measure_office(maker)
    finally:
        await engine.dispose()
    # Each shape is sent several times: with the response cache on, all but the first
    # would be repeated reads, and the worst a request can cost would go unmeasured.
    app = create_app(Settings(DATABASE_URL=url, KYODO_RESPONSE_CACHE=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return counts, await run_shapes(client, data), office


async def load_demo(url: str) -> None:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            await load_demo_data(session)
            await session.commit()
    finally:
        await engine.dispose()


def print_hostile(
    console: Console, backend: str, counts: dict[str, int], outcomes: list[Any]
) -> bool:
    from benchmarks.hostile import GOAL_MS, REFUSED_GOAL_MS

    table = Table(
        title=f"expensive queries, anonymous — {backend}: {counts['partners']:,} partners, "
        f"{counts['agreements']:,} agreements ({counts['agreement_parties']:,} parties)"
    )
    for column in ("shape", "size", "estimate", "answer", "median ms", "max ms", "CPU ms", "KiB"):
        table.add_column(column)
    table.add_column("ok")
    for o in outcomes:
        table.add_row(
            o.shape.name,
            str(o.size) if len(o.shape.sizes) > 1 else "",
            f"{o.cost:,}",
            ("data" if o.accepted else str(o.status)) + "".join(f" {c}" for c in o.codes),
            f"{o.median_ms:.1f}",
            f"{max(o.wall_ms):.1f}",
            f"{statistics.median(o.cpu_ms):.1f}",
            f"{o.bytes / 1024:.0f}",
            "✓" if o.ok else "✗",
        )
    console.print(table)
    accepted = [o for o in outcomes if o.accepted]
    refused = [o for o in outcomes if not o.accepted]
    if accepted:
        worst = max(accepted, key=lambda o: o.median_ms)
        console.print(
            f"worst accepted anonymous request ({backend}): {worst.median_ms:.1f} ms median, "
            f"{max(worst.wall_ms):.1f} ms at worst, {statistics.median(worst.cpu_ms):.1f} ms CPU "
            f"(goal ≤ {GOAL_MS:.0f} ms) — {worst.shape.name}"
        )
    if refused:
        slowest = max(refused, key=lambda o: o.median_ms)
        console.print(
            f"slowest refusal ({backend}): {slowest.median_ms:.1f} ms "
            f"(goal ≤ {REFUSED_GOAL_MS:.0f} ms) — {slowest.shape.name}"
        )
    return all(o.ok for o in outcomes)


def main() -> int:
    console = Console()
    if not console.is_terminal:  # make's output, a log: wide tables stay readable
        console = Console(width=170)
    # The server's log is written as in production (its cost is part of the timings),
    # to a file instead of between the tables.
    log_file = Path(tempfile.gettempdir()) / "kyodo-bench-server.log"
    logging.basicConfig(filename=log_file, filemode="w", level=logging.WARNING, force=True)
    console.print(f"server log of this run: {log_file}")
    # The collector as `kyodo serve` and every command run it (server/collector.py).
    tune_collector()
    failed = False
    backends = ["sqlite"] + (["postgresql"] if pg_available() is None else [])
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp, scratch_database(backend, Path(tmp)) as url:
            command.upgrade(alembic_config(url), "head")
            counts, outcomes, office = asyncio.run(run_hostile(url))
        failed |= not print_hostile(console, backend, counts, outcomes)
        failed |= not print_office(console, backend, office)
    from benchmarks.http_shapes import measure_shapes, print_shapes

    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp, scratch_database(backend, Path(tmp)) as url:
            command.upgrade(alembic_config(url), "head")
            asyncio.run(load_demo(url))
            print_shapes(console, backend, asyncio.run(measure_shapes(url)))
    from benchmarks.peer_recorded import print_recorded

    print_recorded(console)
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp, scratch_database(backend, Path(tmp)) as url:
            command.upgrade(alembic_config(url), "head")
            results, paths = asyncio.run(run_backend(url))
        table = Table(title=f"kyodo benchmarks — {backend}")
        for column in ("operation", "median ms", "max ms", "peak MiB", "goal", "ok"):
            table.add_column(column)
        for goal, timings, peak in results:
            median, worst = statistics.median(timings), max(timings)
            ok = median <= goal.median_ms and worst <= goal.max_ms and peak <= goal.peak_mib
            failed |= not ok
            table.add_row(
                goal.name,
                f"{median:.1f}",
                f"{worst:.1f}",
                f"{peak:.1f}",
                f"≤{goal.median_ms:.0f} / ≤{goal.max_ms:.0f} ms, ≤{goal.peak_mib:.0f} MiB",
                "✓" if ok else "✗",
            )
        console.print(table)
        failed |= print_paths(console, backend, paths)
    if "postgresql" in backends:
        # Bulk partner writes against asyncpg's own floor (benchmarks.bulk).
        from benchmarks.bulk import measure as measure_bulk
        from benchmarks.bulk import print_bulk

        with tempfile.TemporaryDirectory() as tmp, scratch_database("postgresql", Path(tmp)) as url:
            command.upgrade(alembic_config(url), "head")
            failed |= not print_bulk(console, asyncio.run(measure_bulk(url)))
        # kyodo import agreements on 10,000 partners (benchmarks.agreements_import).
        from benchmarks.agreements_import import measure as measure_agreements
        from benchmarks.agreements_import import print_agreements_import

        with tempfile.TemporaryDirectory() as tmp, scratch_database("postgresql", Path(tmp)) as url:
            command.upgrade(alembic_config(url), "head")
            results = asyncio.run(measure_agreements(url))
            failed |= not print_agreements_import(console, results)
    return 1 if failed else 0


def print_paths(
    console: Console, backend: str, paths: list[tuple[str, float, float, int, int]]
) -> bool:
    """The peer shapes on both read paths; the compiled path must be the faster one."""
    if not paths:
        console.print(f"(peer shapes skipped: no {PEER_QUERIES})")
        return False
    table = Table(
        title=f"compiled read path vs Strawberry — {backend}, {PEER_RUNS} runs each, ADMIN"
    )
    for column in (
        "shape",
        "compiled ms",
        "Strawberry ms",
        "speed-up",
        "SQL compiled / Strawberry",
        "ok",
    ):
        table.add_column(column)
    failed = False
    for shape, compiled, strawberry, compiled_sql, strawberry_sql in paths:
        ok = compiled <= strawberry
        failed |= not ok
        table.add_row(
            shape,
            f"{compiled:.1f}",
            f"{strawberry:.1f}",
            f"{strawberry / compiled:.1f}×",
            f"{compiled_sql} / {strawberry_sql}",
            "✓" if ok else "✗",
        )
    console.print(table)
    return failed


if __name__ == "__main__":
    sys.exit(main())
