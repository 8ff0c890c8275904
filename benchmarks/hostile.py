"""The expensive-query case: hostile anonymous requests on 10,000 partners (``make bench``).

Every shape is sent as an anonymous caller through the whole app (``create_app``, its
default limits, in-process ASGI), on the generated database of ``benchmarks.bigdata``
whose agreements of 100 parties let nested lists fan out. A shape with a size parameter
is sent at the largest size the cost limiter accepts from an anonymous caller (the worst
it lets through); the others as they are. Each is sent ``RUNS`` times; its time is the
median (a run slowed by another process on the machine is not the request's), the worst
run and the CPU time of this process are shown too. The goal: no accepted (executed)
request takes more than ``GOAL_MS`` of server time; refused ones are refused at once.
"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa
from graphql import (
    FragmentDefinitionNode,
    OperationDefinitionNode,
    get_introspection_query,
    parse,
)

from kyodo.domain.enums import Role
from kyodo.schema import schema
from kyodo.schema.extensions import MAX_COST_PUBLIC, estimate_cost

GOAL_MS = 500.0
REFUSED_GOAL_MS = 50.0
RUNS = 7


def _gid(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def _ids(values: Sequence[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


@dataclass(frozen=True)
class Data:
    big_agreements: list[str]
    """Global ids of agreements of 100 parties."""
    hubs: list[str]
    """Global ids of organisations party to many of them."""


@dataclass(frozen=True)
class Shape:
    name: str
    query: Callable[[Data, int], str]
    sizes: Sequence[int] = (0,)
    """Sizes to try, growing: the largest accepted one is sent."""


def _aliases(n: int, field: str) -> str:
    return " ".join(f"a{i}: {field}" for i in range(n))


SHAPES = [
    Shape(
        "the issue's: node → parties → agreements → parties",
        lambda d, _n: (
            f'{{ node(id: "{d.big_agreements[0]}") {{ ... on Agreement {{ '
            "parties { agreements { parties { name } } } } } }"
        ),
    ),
    Shape(
        "the issue's through nodes(3 ids)",
        lambda d, _n: (
            f"{{ nodes(ids: [{_ids(d.big_agreements[:3])}]) {{ ... on Agreement {{ "
            "parties { agreements { parties { name } } } } } }"
        ),
    ),
    Shape(
        "node → parties → agreements(first: n) → parties",
        lambda d, n: (
            f'{{ node(id: "{d.big_agreements[0]}") {{ ... on Agreement {{ '
            f"parties {{ name agreements(first: {n}) {{ title parties {{ name }} }} }} }} }} }}"
        ),
        range(0, 101),
    ),
    Shape(
        "node → parties × 15 aliased agreements(first: n)",
        lambda d, n: (
            f'{{ node(id: "{d.big_agreements[0]}") {{ ... on Agreement {{ parties {{ '
            + _aliases(15, f"agreements(first: {n}) {{ id title }}")
            + " } } } }"
        ),
        range(0, 101),
    ),
    Shape(
        "nodes(n agreements of 100) → parties",
        lambda d, n: (
            f"{{ nodes(ids: [{_ids(d.big_agreements[:n])}]) {{ ... on Agreement {{ "
            "title parties { id name kind district status } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "nodes(n hub partners) → agreements → parties",
        lambda d, n: (
            f"{{ nodes(ids: [{_ids(d.hubs[:n])}]) {{ ... on Partner {{ "
            "name agreements(first: 1) { title parties { name } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "search, first: n → parties × 15 aliased names",
        lambda _d, n: (
            f'{{ agreements(first: {n}, filter: {{search: "広域"}}) {{ totalCount '
            "edges { node { title parties { " + _aliases(15, "name") + " } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "search with a 200-character pattern",
        lambda _d, _n: (
            '{ agreements(first: 100, filter: {search: "'
            + "ベンチ協定" * 40
            + '"}) { totalCount edges { node { title } } } }'
        ),
    ),
    Shape(
        "n aliased searches counting matches",
        lambda _d, n: (
            "{ "
            + _aliases(n, 'agreements(first: 1, filter: {search: "協定1"}) { totalCount }')
            + " }"
        ),
        range(1, 16),
    ),
    Shape(
        "n aliased inForceOn counting matches",
        lambda _d, n: (
            "{ "
            + _aliases(n, 'agreements(first: 1, filter: {inForceOn: "2022-03-10"}) { totalCount }')
            + " }"
        ),
        range(1, 16),
    ),
    Shape(
        "inForceOn, first: n → parties",
        lambda _d, n: (
            f'{{ agreements(first: {n}, filter: {{inForceOn: "2022-03-10"}}) {{ '
            "totalCount edges { node { title parties { name } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "partners(first: n) → agreements(first: 1) → parties",
        lambda _d, n: (
            f"{{ partners(first: {n}) {{ edges {{ node {{ name "
            "agreements(first: 1) { title parties { name } } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "partners search, first: n → fields, 5 agreements",
        lambda _d, n: (
            f'{{ partners(first: {n}, filter: {{search: "べんち"}}) {{ totalCount '
            "edges { node { name nameKana fields { name } agreements(first: 5) { title } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "collaborations search, first: n → participations → partner → agreements",
        lambda _d, n: (
            f'{{ collaborations(first: {n}, filter: {{search: "ベンチ"}}) {{ edges {{ '
            "node { title participations { partner { name agreements(first: 2) { title } } } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "deep: agreements(first: n) → 6 levels of lists",
        lambda _d, n: (
            f"{{ agreements(first: {n}) {{ edges {{ node {{ parties {{ "
            "agreements(first: 1) { collaboration { participations { partner { name "
            "agreements(first: 1) { title } } } } } } } } } }"
        ),
        range(1, 101),
    ),
    Shape(
        "introspection (outside production)",
        lambda _d, _n: get_introspection_query(),
    ),
    Shape(
        "deep collaborators (not for anonymous)",
        lambda d, _n: (
            f"{{ nodes(ids: [{_ids(d.hubs[:100])}]) {{ ... on Partner {{ "
            "collaborators(first: 100) { partner { collaborators(first: 100) { partner { name "
            "} } } } } } }"
        ),
    ),
]


def anonymous_cost(query: str) -> int:
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return estimate_cost(schema._schema, operation, fragments, role=Role.PUBLIC).work


def worst_accepted(shape: Shape, data: Data) -> tuple[int, str, int]:
    """(size, query, estimate) at the largest size accepted, else at the first size."""
    chosen: tuple[int, str, int] | None = None
    for size in shape.sizes:
        query = shape.query(data, size)
        cost = anonymous_cost(query)
        if cost > MAX_COST_PUBLIC:
            break
        chosen = (size, query, cost)
    if chosen is None:
        query = shape.query(data, shape.sizes[0])
        return shape.sizes[0], query, anonymous_cost(query)
    return chosen


@dataclass
class Outcome:
    shape: Shape
    size: int
    cost: int
    codes: list[str]
    status: int
    bytes: int
    wall_ms: list[float]
    cpu_ms: list[float]

    data: bool = False

    @property
    def accepted(self) -> bool:
        """Executed: refused operations (limits) answer no data at all."""
        return self.data

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def ok(self) -> bool:
        # The median of the runs: one run slowed by another process is not the request's.
        return self.median_ms <= (GOAL_MS if self.accepted else REFUSED_GOAL_MS)


async def load_data(maker: Any) -> Data:
    async with maker() as session:
        big = (
            await session.execute(
                sa.text(
                    "SELECT id FROM agreement WHERE external_id LIKE 'bigbench-ag-%' "
                    "AND id IN (SELECT agreement_id FROM agreement_party GROUP BY agreement_id "
                    "HAVING count(*) = 100) ORDER BY id"
                )
            )
        ).scalars()
        hubs = (
            await session.execute(
                sa.text(
                    "SELECT partner_id FROM agreement_party GROUP BY partner_id "
                    "ORDER BY count(*) DESC, partner_id LIMIT 100"
                )
            )
        ).scalars()
        return Data([_gid("Agreement", i) for i in big], [_gid("Partner", i) for i in hubs])


async def run_shapes(client: httpx.AsyncClient, data: Data) -> list[Outcome]:
    outcomes = []
    for shape in SHAPES:
        size, query, cost = worst_accepted(shape, data)
        await client.post("/graphql", json={"query": query})  # warm caches
        wall: list[float] = []
        cpu: list[float] = []
        response = None
        for _ in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = await client.post("/graphql", json={"query": query})
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response is not None
        body = response.json()
        codes = sorted({str(e.get("extensions", {}).get("code")) for e in body.get("errors", [])})
        outcomes.append(
            Outcome(
                shape,
                size,
                cost,
                codes,
                response.status_code,
                len(response.content),
                wall,
                cpu,
                data=body.get("data") is not None,
            )
        )
    return outcomes
