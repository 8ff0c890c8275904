"""Bulk partner writes against the database's own floor (``make bench``, PostgreSQL).

10,000 partners, each with two fields of collaboration and two contacts, written

- through ``partnersUpsert`` (10 calls of 1,000 rows, each its own transaction, as an
  integration script sends them), first creating, then again (all unchanged);
- through ``kyodo import partners`` (one 10,000-line JSON Lines file, one transaction), first
  creating, then again;

and the same rows written by raw asyncpg: ``executemany`` of the three INSERTs (the
floor of a first load), and ``INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING``
(the floor of a re-run, where every row is already there). Goal: each kyodo path
≤ 3× its floor. The floors get every value precomputed (sort keys, search text), so
they measure only the database's share.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from kyodo.domain.enums import Role
from kyodo.domain.partners.service import derived_columns
from kyodo.schema import schema
from kyodo.schema.context import Context, Principal
from kyodo.server.collector import tune_collector
from kyodo.server.db import make_engine, make_sessionmaker

ROWS = 10_000
PER_CALL = 1_000
GOAL_RATIO = 3.0
RUNS = 3
ADMIN = Principal(name="bench", role=Role.ADMIN)
FIELD_CODES = ("safety", "elderly")

UPSERT = """
mutation ($rows: [PartnerUpsertInput!]!) {
  partnersUpsert(input: $rows) { created updated unchanged errors { code field } } }
"""


def partner_rows(n: int = ROWS) -> list[dict[str, Any]]:
    """The rows as ``PartnerUpsertInput``."""
    return [
        {
            "kind": "NEIGHBORHOOD_ASSOCIATION",
            "name": f"（デモ）一括町内会{i}",
            "nameKana": f"いっかつちょうないかい{i}",
            "externalId": f"bulk-{i:05d}",
            "district": "中央",
            "phone": "0144-00-0000",
            "fieldCodes": list(FIELD_CODES),
            "contacts": [
                {"name": f"デモ 会長{i}", "role": "会長", "phone": "000-0000-0001"},
                {"name": f"デモ 副会長{i}", "role": "副会長", "phone": "000-0000-0002"},
            ],
        }
        for i in range(n)
    ]


def partner_jsonl(rows: list[dict[str, Any]]) -> bytes:
    """The same rows as a JSON Lines file for ``kyodo import partners`` (contacts are
    read from JSON files only, so not from a CSV)."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode()


@dataclass
class Measured:
    name: str
    timings_ms: list[float]
    cpu_ms: list[float]
    """This process's CPU time of each run (the floors' work is mostly the server's): on
    a shared, loaded machine it moves less than the wall time."""

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)


async def _reset(engine: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "DELETE FROM contact WHERE partner_id IN "
                "(SELECT id FROM partner WHERE external_id LIKE 'bulk-%')"
            )
        )
        await conn.execute(
            sa.text(
                "DELETE FROM partner_field WHERE partner_id IN "
                "(SELECT id FROM partner WHERE external_id LIKE 'bulk-%')"
            )
        )
        await conn.execute(sa.text("DELETE FROM partner WHERE external_id LIKE 'bulk-%'"))
        await conn.execute(sa.text("DELETE FROM audit_event WHERE action = 'partners.upsert'"))


Runs = tuple[list[float], list[float]]
"""Wall and CPU milliseconds of each run."""


async def _timed(operation: Callable[[], Awaitable[None]], runs: Runs) -> None:
    cpu, started = time.process_time(), time.perf_counter()
    await operation()
    runs[0].append((time.perf_counter() - started) * 1000)
    runs[1].append((time.process_time() - cpu) * 1000)


async def _twice(
    engine: Any, first: Callable[[], Awaitable[None]], again: Callable[[], Awaitable[None]]
) -> tuple[Runs, Runs]:
    """Runs of a first load (on an empty slate) and of the same load again."""
    firsts: Runs = ([], [])
    agains: Runs = ([], [])
    for _ in range(RUNS):
        await _reset(engine)
        await _timed(first, firsts)
        await _timed(again, agains)
    await _reset(engine)
    return firsts, agains


async def measure(url: str) -> list[tuple[Measured, Measured]]:
    """(kyodo path, its floor) pairs: first loads and re-runs of API and import."""
    from kyodo.domain.exchange.partners_import import import_partners
    from kyodo.domain.exchange.reading import read_table
    from kyodo.domain.transactions import begin_write
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    async with maker() as session:
        await load_demo_data(session)
        await session.commit()
    rows = partner_rows()
    data = partner_jsonl(rows)

    async def api() -> None:
        for start in range(0, len(rows), PER_CALL):
            async with maker() as session:
                context = Context(session=session, principal=ADMIN)
                result = await schema.execute(
                    UPSERT,
                    variable_values={"rows": rows[start : start + PER_CALL]},
                    context_value=context,
                )
                assert not result.errors, result.errors
                assert not result.data["partnersUpsert"]["errors"], result.data  # type: ignore[index]

    async def cli_import() -> None:
        table = read_table(data, name="partners.jsonl")
        async with maker() as session:
            await begin_write(session)
            await import_partners(session, table=table, dry_run=False, actor="bench")
            await session.commit()

    floors = _Floors(engine, rows)
    try:
        await floors.prepare()
        api_first, api_again = await _twice(engine, api, api)
        import_first, import_again = await _twice(engine, cli_import, cli_import)
        # The re-run floor runs with every row already there, as the kyodo re-runs do.
        floor_first, floor_again = await _twice(engine, floors.executemany, floors.unnest_nothing)
    finally:
        await engine.dispose()
    executemany = Measured("asyncpg executemany", *floor_first)
    unnest = Measured("unnest … ON CONFLICT DO NOTHING", *floor_again)
    return [
        (
            Measured(f"partnersUpsert {ROWS:,} ({ROWS // PER_CALL} × {PER_CALL:,})", *api_first),
            executemany,
        ),
        (Measured("partnersUpsert again (all unchanged)", *api_again), unnest),
        (Measured(f"kyodo import partners, {ROWS:,}-line JSON Lines", *import_first), executemany),
        (Measured("kyodo import partners again (all unchanged)", *import_again), unnest),
    ]


class _Floors:
    """The same rows written by raw asyncpg, values precomputed."""

    def __init__(self, engine: Any, rows: list[dict[str, Any]]) -> None:
        self.engine = engine
        self.rows = rows
        self.field_ids: list[int] = []
        self.partners: list[tuple[Any, ...]] = []

    async def prepare(self) -> None:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                sa.text("SELECT code, id FROM collaboration_field WHERE code = ANY(:codes)"),
                {"codes": list(FIELD_CODES)},
            )
            by_code = dict(found.all())
        self.field_ids = [by_code[c] for c in FIELD_CODES]
        now = datetime.now(UTC)
        for row in self.rows:
            derived = derived_columns(row["name"], row["nameKana"])
            self.partners.append(
                (
                    row["kind"],
                    row["name"],
                    row["nameKana"],
                    derived["sort_key"],
                    derived["search_text"],
                    row["externalId"],
                    "ACTIVE",
                    row["district"],
                    row["phone"],
                    1,
                    now,
                    now,
                )
            )

    async def _raw(self, work: Callable[[Any], Awaitable[None]]) -> None:
        async with self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            async with driver.transaction():
                await work(driver)

    _PARTNER_COLUMNS = (
        "kind, name, name_kana, sort_key, search_text, external_id, status, district, phone, "
        "version, created_at, updated_at"
    )

    async def executemany(self) -> None:
        async def work(db: Any) -> None:
            await db.executemany(
                f"INSERT INTO partner ({self._PARTNER_COLUMNS}) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                self.partners,
            )
            ids = dict(
                await db.fetch(
                    "SELECT external_id, id FROM partner WHERE external_id = ANY($1::text[])",
                    [p[5] for p in self.partners],
                )
            )
            await db.executemany(
                "INSERT INTO partner_field (partner_id, field_id) VALUES ($1, $2)",
                [(ids[r["externalId"]], f) for r in self.rows for f in self.field_ids],
            )
            await db.executemany(
                "INSERT INTO contact (partner_id, position, name, role, phone, "
                "available_around_the_clock, is_emergency_contact) "
                "VALUES ($1, $2, $3, $4, $5, false, false)",
                [
                    (ids[r["externalId"]], i, c["name"], c["role"], c["phone"])
                    for r in self.rows
                    for i, c in enumerate(r["contacts"])
                ],
            )

        await self._raw(work)

    async def unnest_nothing(self) -> None:
        columns = list(zip(*self.partners, strict=True))
        contacts = [(r["externalId"], i, c) for r in self.rows for i, c in enumerate(r["contacts"])]

        async def work(db: Any) -> None:
            await db.execute(
                f"INSERT INTO partner ({self._PARTNER_COLUMNS}) "
                "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
                "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], "
                "$11::timestamptz[], $12::timestamptz[]) ON CONFLICT DO NOTHING",
                *[list(c) for c in columns],
            )
            await db.execute(
                "INSERT INTO partner_field (partner_id, field_id) "
                "SELECT p.id, f.id FROM unnest($1::text[]) AS r(external_id) "
                "JOIN partner p ON p.external_id = r.external_id "
                "CROSS JOIN unnest($2::int[]) AS f(id) ON CONFLICT DO NOTHING",
                [p[5] for p in self.partners],
                self.field_ids,
            )
            await db.execute(
                "INSERT INTO contact (partner_id, position, name, role, phone, "
                "available_around_the_clock, is_emergency_contact) "
                "SELECT p.id, r.position, r.name, r.role, r.phone, false, false "
                "FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) "
                "AS r(external_id, position, name, role, phone) "
                "JOIN partner p ON p.external_id = r.external_id "
                "WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.partner_id = p.id "
                "AND c.agreement_id IS NULL AND c.position = r.position)",
                [e for e, _i, _c in contacts],
                [i for _e, i, _c in contacts],
                [c["name"] for _e, _i, c in contacts],
                [c["role"] for _e, _i, c in contacts],
                [c["phone"] for _e, _i, c in contacts],
            )

        await self._raw(work)


def print_bulk(console: Any, results: list[tuple[Measured, Measured]]) -> bool:
    """The table; False when a kyodo path takes more than 3× its floor."""
    from rich.table import Table

    table = Table(
        title=f"bulk partner writes — postgresql, {ROWS:,} partners with 2 fields and "
        f"2 contacts each, median of {RUNS}"
    )
    for column in ("kyodo", "median ms", "cpu ms", "floor", "floor ms", "ratio", "goal", "ok"):
        table.add_column(column)
    ok_all = True
    for kyodo, floor in results:
        ratio = kyodo.median / floor.median
        ok = ratio <= GOAL_RATIO
        ok_all &= ok
        table.add_row(
            kyodo.name,
            f"{kyodo.median:,.0f}",
            f"{kyodo.cpu_median:,.0f}",
            floor.name,
            f"{floor.median:,.0f}",
            f"{ratio:.1f}×",
            f"≤ {GOAL_RATIO:.0f}×",
            "✓" if ok else "✗",
        )
    console.print(table)
    return ok_all


def main() -> None:  # python -m benchmarks.bulk: this benchmark alone
    import tempfile
    from pathlib import Path

    from alembic import command
    from rich.console import Console

    from tests.conftest import alembic_config, pg_available, scratch_database

    if pg_available() is not None:
        raise SystemExit("PostgreSQL is not reachable: the bulk benchmark needs it")
    # The collector as `kyodo serve` and `kyodo import` run it (server/collector.py).
    tune_collector()
    with tempfile.TemporaryDirectory() as tmp, scratch_database("postgresql", Path(tmp)) as url:
        command.upgrade(alembic_config(url), "head")
        results = asyncio.run(measure(url))
    raise SystemExit(0 if print_bulk(Console(width=170), results) else 1)


if __name__ == "__main__":
    main()
