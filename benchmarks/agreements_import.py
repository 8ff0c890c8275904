"""``kyodo import agreements`` on 10,000 partners (``make bench``, PostgreSQL).

The benchmark kit's build (``../shared/bench/lib/gen_data.py``): 10,000 partners imported
first (``kyodo import partners``, JSON Lines), then five files of 1,000 agreements —
three of disaster-support agreements (1–3 counterparties each, among the partners, 1–4
of the eight 協定区分 marked, a 締結日, a 外部ID), one of PARTNERSHIP and one of
FACILITY_USE agreements — each one transaction, as the CLI runs it; then the first file
again (every agreement recognised: nothing written). Beside them, the same kind of rows
through the commands one row at a time (``create_agreement``, ``conclude_agreement``:
how the import wrote before it was set-based, ``tests/exchange/agreements_by_command``),
on a file of ``BY_COMMAND_ROWS``, to compare per agreement.

Goal: a file of 1,000 agreements ≤ 2 s (median), its re-run ≤ 1 s; the commands' way
took 10–15 s a file.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from kyodo.domain.enums import AgreementCategory
from kyodo.server.collector import tune_collector
from kyodo.server.db import make_engine, make_sessionmaker

PARTNERS = 10_000
ROWS = 1_000
BY_COMMAND_ROWS = 100
GOAL_FILE_MS = 2_000
GOAL_AGAIN_MS = 1_000
TODAY = date(2026, 4, 1)
CATEGORY_LABELS = ["職員派遣", "物資供給", "物資運搬・輸送", "医療救護", "災害広報", "避難収容"]
CATEGORY_LABELS += ["ライフライン復旧", "その他"]
FILES: list[tuple[str, dict[str, Any]]] = [
    ("ds0", {}),
    ("ds1", {}),
    ("ds2", {}),
    ("pt0", {"category": AgreementCategory.PARTNERSHIP, "department": "kyodo"}),
    ("fu0", {"category": AgreementCategory.FACILITY_USE, "department": "machizukuri"}),
]


def agreements_csv(names: list[str], start: int, count: int, disaster: bool, rnd: Any) -> bytes:
    """Rows as gen_data.py writes them: 協定の名称, 協定相手方, the eight 協定区分, 締結日, 外部ID."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["協定の名称", "協定相手方", *CATEGORY_LABELS, "締結日", "外部ID"])
    for j in range(start, start + count):
        parties = rnd.sample(names, rnd.choices([1, 2, 3], [70, 20, 10])[0])
        marks = [""] * 8
        if disaster:
            for k in rnd.sample(range(8), rnd.randint(1, 4)):
                marks[k] = "○"
        day = f"{rnd.randint(2008, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        title = f"ベンチ協定{j}（{'災害時' if disaster else '連携'}）"
        writer.writerow([title, "、".join(parties), *marks, day, f"bench-ag-{j:05d}"])
    return out.getvalue().encode()


@dataclass
class Timed:
    name: str
    rows: int
    timings_ms: list[float]
    cpu_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def per_agreement(self) -> float:
        return self.median / self.rows


async def _timed(operation: Callable[[], Awaitable[None]], into: Timed) -> None:
    cpu, started = time.process_time(), time.perf_counter()
    await operation()
    into.timings_ms.append((time.perf_counter() - started) * 1000)
    into.cpu_ms.append((time.process_time() - cpu) * 1000)


async def measure(url: str) -> list[Timed]:
    """The five files, the first again, and the commands' way; on a migrated database."""
    from benchmarks.bulk import partner_jsonl, partner_rows
    from kyodo.domain.exchange import agreements_import
    from kyodo.domain.exchange.partners_import import import_partners
    from kyodo.domain.exchange.reading import read_table
    from kyodo.domain.transactions import begin_write
    from kyodo.seeds.loader import load_demo_data
    from tests.exchange.agreements_by_command import through_commands

    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    rows = partner_rows(PARTNERS)
    async with maker() as session:
        await load_demo_data(session)
        await session.commit()
    async with maker() as session:
        await begin_write(session)
        table = read_table(partner_jsonl(rows), name="partners.jsonl")
        await import_partners(session, table=table, dry_run=False, actor="bench")
        await session.commit()
    rnd = random.Random(42)
    names = [row["name"] for row in rows]
    files = [
        (name, options, agreements_csv(names, n * ROWS, ROWS, not options, rnd))
        for n, (name, options) in enumerate(FILES)
    ]
    by_command_file = agreements_csv(names, len(FILES) * ROWS, BY_COMMAND_ROWS, True, rnd)

    async def load(data: bytes, options: dict[str, Any], expect: int) -> None:
        table = read_table(data, name="agreements.csv")
        async with maker() as session:
            await begin_write(session)
            result = await agreements_import.import_agreements(
                session, table=table, dry_run=False, actor="bench", today=TODAY, **options
            )
            assert result.created == expect, result
            await session.commit()

    firsts = Timed(f"kyodo import agreements, {ROWS:,} a file (5 files)", ROWS, [], [])
    again = Timed("the first file again (all unchanged)", ROWS, [], [])
    commands = Timed(
        f"through the commands row by row ({BY_COMMAND_ROWS} rows, the former way)",
        BY_COMMAND_ROWS,
        [],
        [],
    )
    try:
        for _name, options, data in files:
            await _timed(partial(load, data, options, ROWS), firsts)
        await _timed(partial(load, files[0][2], {}, 0), again)
        plan = agreements_import.plan_agreements
        agreements_import.plan_agreements = through_commands(actor="bench", dry_run=False)
        try:
            await _timed(partial(load, by_command_file, {}, BY_COMMAND_ROWS), commands)
        finally:
            agreements_import.plan_agreements = plan
    finally:
        await engine.dispose()
    return [firsts, again, commands]


def print_agreements_import(console: Any, results: list[Timed]) -> bool:
    """The table; False when a goal is missed."""
    from rich.table import Table

    firsts, again, commands = results
    table = Table(
        title=f"kyodo import agreements — postgresql, {PARTNERS:,} partners, "
        f"files of {ROWS:,} agreements"
    )
    for column in ("import", "median ms", "cpu ms", "ms / agreement", "goal", "ok"):
        table.add_column(column)
    ok_all = True
    for timed, goal in ((firsts, GOAL_FILE_MS), (again, GOAL_AGAIN_MS), (commands, None)):
        ok = goal is None or timed.median <= goal
        ok_all &= ok
        table.add_row(
            timed.name,
            f"{timed.median:,.0f}",
            f"{statistics.median(timed.cpu_ms):,.0f}",
            f"{timed.per_agreement:.2f}",
            f"≤ {goal:,} ms" if goal is not None else "(reference)",
            "✓" if ok else "✗",
        )
    console.print(table)
    console.print(
        f"set-based vs row by row through the commands: "
        f"{commands.per_agreement / firsts.per_agreement:.0f}× faster per agreement"
    )
    return ok_all


def main() -> None:  # python -m benchmarks.agreements_import: this benchmark alone
    import tempfile
    from pathlib import Path

    from alembic import command
    from rich.console import Console

    from tests.conftest import alembic_config, pg_available, scratch_database

    if pg_available() is not None:
        raise SystemExit("PostgreSQL is not reachable: this benchmark needs it")
    tune_collector()  # as `kyodo import` runs (server/collector.py)
    with tempfile.TemporaryDirectory() as tmp, scratch_database("postgresql", Path(tmp)) as url:
        command.upgrade(alembic_config(url), "head")
        results = asyncio.run(measure(url))
    raise SystemExit(0 if print_agreements_import(Console(width=170), results) else 1)


if __name__ == "__main__":
    main()
