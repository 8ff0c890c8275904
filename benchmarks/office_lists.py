"""The disaster office's own lists on 10,000 partners (``make bench``).

Besides the peer benchmark's four shapes, the office reads the yearly contact check's
reminders (``contactsDue``), the notice and renewal calendar (``agreementsDue``), the
agreements that need reviewing, and the lists filtered to what is in force. On the
generated database of ``benchmarks.bigdata`` (5,200 disaster-support agreements, most
renewed a fiscal year at a time, contacts confirmed in the last few years or never, one
counterparty in a hundred dissolved or inactive), each is run as the office
(DISASTER_OFFICE) through the schema, ``RUNS`` times: the median, the worst run, the
CPU time of this process and the size of the answer, and whether the compiled read path
answered it. Goal: each within ``GOAL_MS`` of server time, as for the hostile shapes
(on the peer benchmark's 10,000 partners the calendar took 1.2 s through the resolvers
before it was compiled). Here 200 agreements bind 100 parties each, so the reminders
read some 27,000 (agreement, party) pairs and the calendar writes 3.7 MB.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from kyodo.domain.enums import Role
from kyodo.schema import schema
from kyodo.schema.context import Context, Principal

OFFICE = Principal(name="bench-bousai", role=Role.DISASTER_OFFICE)
GOAL_MS = 500.0
RUNS = 5

LISTS = {
    "contactsDue (60 days)": """
{ contactsDue(asOf: "2026-12-01", withinDays: 60) {
    partner { name district } agreements { title } staleOn lastCheckedOn } }""",
    "agreementsDue (120 days)": """
{ agreementsDue(asOf: "2026-12-01", withinDays: 120) {
    kind dueOn dueOnWareki needsReview reviewReason
    agreement { title parties { name status } } } }""",
    "disasterSupportNeedingReview": """
{ disasterSupportNeedingReview(on: "2026-12-01") {
    partner { name } agreement { title } partnerStatus reason } }""",
    "agreements in force (page of 20)": """
{ agreements(first: 20, filter: {inForceOn: "2026-12-01"}) {
    totalCount edges { node { title currentTermEndsOn } } } }""",
    "partners with an agreement in force": """
{ partners(first: 20, filter: {hasAgreementInForce: true}) {
    totalCount edges { node { name } } } }""",
}


@dataclass
class Outcome:
    name: str
    path: str
    items: int
    kib: float
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def ok(self) -> bool:
        return self.median_ms <= GOAL_MS


async def _run(maker: Any, query: str) -> tuple[Any, str]:
    async with maker() as session:
        context = Context(session=session, principal=OFFICE)
        result = await schema.execute(query, context_value=context)
        if result.errors:
            raise RuntimeError(result.errors)
        await session.rollback()
        return result.data, str(context.compiled_outcome)


async def measure(maker: Any) -> list[Outcome]:
    outcomes = []
    for name, query in LISTS.items():
        data, path = await _run(maker, query)  # warm plans, caches and connections
        (root,) = data.values()
        items = len(root) if isinstance(root, list) else root["totalCount"]
        outcome = Outcome(name, path, items, len(orjson.dumps(data)) / 1024)
        for _ in range(RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            await _run(maker, query)
            outcome.wall_ms.append((time.perf_counter() - started) * 1000)
            outcome.cpu_ms.append((time.process_time() - cpu) * 1000)
        outcomes.append(outcome)
    return outcomes


def print_office(console: Console, backend: str, outcomes: list[Outcome]) -> bool:
    table = Table(title=f"the disaster office's lists, 10,000 partners — {backend}")
    for column in ("list", "path", "items", "KiB", "median ms", "max ms", "CPU ms", "goal"):
        table.add_column(column)
    table.add_column("ok")
    for o in outcomes:
        table.add_row(
            o.name,
            o.path,
            f"{o.items:,}",
            f"{o.kib:.0f}",
            f"{o.median_ms:.1f}",
            f"{max(o.wall_ms):.1f}",
            f"{statistics.median(o.cpu_ms):.1f}",
            f"≤ {GOAL_MS:.0f} ms",
            "✓" if o.ok else "✗",
        )
    console.print(table)
    return all(o.ok for o in outcomes)
