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

The collaboration office's 第4章 analyses run beside them, as STAFF: the fixed-partner
findings of ten fiscal years with their review dates (``partnerConcentration``) and the
partner network (``partnerNetwork``: 500 partners, 5,000 links) over the 2,000
generated collaborations of five partners each.
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
STAFF = Principal(name="bench-kyodo", role=Role.STAFF, department_code="kyodo")
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

ANALYSES = {
    "partnerConcentration (10 years, reviews)": """
{ partnerConcentration(fromFiscalYear: 2015, toFiscalYear: 2024, minConsecutiveYears: 2) {
    department { name } partner { name kind } fiscalYears consecutiveYears
    collaborationCount lastReviewedOn nextReviewDueOn } }""",
    "partnerNetwork": """
{ partnerNetwork { nodes { id name kind district }
    links { sourceId targetId sharedCollaborationCount } } }""",
}
"""Read as STAFF: the disaster office does not read the analyses."""


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


async def _run(maker: Any, query: str, principal: Principal) -> tuple[Any, str]:
    async with maker() as session:
        context = Context(session=session, principal=principal)
        result = await schema.execute(query, context_value=context)
        if result.errors:
            raise RuntimeError(result.errors)
        await session.rollback()
        return result.data, str(context.compiled_outcome)


async def measure(maker: Any) -> list[Outcome]:
    outcomes = []
    runs = [(name, query, OFFICE) for name, query in LISTS.items()]
    runs += [(name, query, STAFF) for name, query in ANALYSES.items()]
    for name, query, principal in runs:
        # warm plans, caches and connections
        data, path = await _run(maker, query, principal)
        (root,) = data.values()
        if isinstance(root, list):
            items = len(root)
        else:
            items = root["totalCount"] if "totalCount" in root else len(root["links"])
        outcome = Outcome(name, path, items, len(orjson.dumps(data)) / 1024)
        for _ in range(RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            await _run(maker, query, principal)
            outcome.wall_ms.append((time.perf_counter() - started) * 1000)
            outcome.cpu_ms.append((time.process_time() - cpu) * 1000)
        outcomes.append(outcome)
    return outcomes


def print_office(console: Console, backend: str, outcomes: list[Outcome]) -> bool:
    table = Table(
        title=f"the disaster office's lists and the 第4章 analyses, 10,000 partners — {backend}"
    )
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
