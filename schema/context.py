"""The per-request context: one session, the caller, and the request's DataLoaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types import Info as _Info

from kyodo.domain.enums import Role
from kyodo.domain.japanese import TOKYO

P = ParamSpec("P")
K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")

BatchFn = Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[Any]]]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling. ``name`` goes into audit events."""

    name: str
    role: Role
    department_code: str | None = None


ANONYMOUS = Principal(name="anonymous", role=Role.PUBLIC)


def today_in_tokyo() -> date:
    return datetime.now(TOKYO).date()


@dataclass
class Context:
    session: AsyncSession
    principal: Principal = ANONYMOUS
    request: Any = None
    request_id: str = ""
    today: date = field(default_factory=today_in_tokyo)
    # Answer queries the compiled read path covers without Strawberry's resolvers
    # (schema.compiled); off: every query runs through Strawberry (KYODO_COMPILED_READS).
    compiled_reads: bool = True
    # "compiled", or "fallback: <why>" once the compiled path has looked at the request.
    compiled_outcome: str | None = None
    # One AsyncSession cannot run two statements at once, but GraphQL resolves sibling
    # fields concurrently: every database call of the request goes through this lock.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Database calls started by ``run`` and not finished yet (see ``settle``).
    _running: set[asyncio.Future[Any]] = field(default_factory=set)
    _loaders: dict[Any, DataLoader[Any, Any]] = field(default_factory=dict)
    # (entity type, primary key) -> personal-data fields this request returned (APPI log).
    personal_reads: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    # Set by schema.mutation.MutationExecutor while a top-level mutation field runs:
    # run_mutation then leaves its write uncommitted (uncommitted_write), and the
    # executor commits it once the field's answer is built, or rolls it back.
    commit_after_answer: bool = False
    uncommitted_write: bool = False
    # The GraphQL names of the running mutation field's arguments (set by
    # MutationExecutor): schema.errors.input_path places the domain's problems on them.
    arguments: frozenset[str] = frozenset()
    # Set by the HTTP edge: starts the request's time limit, called once the operation is
    # known to be a query (schema.extensions.QueryTimeLimit). Mutations are never cut short.
    start_time_limit: Callable[[], None] | None = None
    # The app instance's response cache (schema.response_cache.ResponseStore); None: off.
    response_store: Any = None
    # The data version read along with the token (server.auth), at the start of the
    # request's transaction; None: the response cache reads it itself.
    data_version: int | None = None
    # The estimated-cost cap of a caller with a token (KYODO_MAX_COST_AUTHENTICATED,
    # schema.extensions.QueryCostLimiter); 0: none. Anonymous callers always have one.
    max_cost_authenticated: int = 0
    # Set when the answer came from the response cache.
    response_cache_hit: bool = False
    # The session's asyncpg connection when the HTTP edge's fast path reads in
    # autocommit (domain.read.raw): its read and its access log go to it directly.
    raw_sql: Any = None
    # The personal-data reads the access log took for this request (the response cache
    # keeps them with the answer, to log them again when it serves it).
    logged_reads: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def note_personal_read(self, entity_type: str, pk: int, field_name: str) -> None:
        self.personal_reads.setdefault((entity_type, pk), set()).add(field_name)

    @property
    def lock(self) -> asyncio.Lock:
        return self._lock

    @property
    def actor(self) -> str:
        """How the caller appears in audit events."""
        return self.principal.name

    def clear_loaders(self) -> None:
        self._loaders.clear()

    async def run(self, fn: Callable[..., Awaitable[R]], /, *args: Any, **kwargs: Any) -> R:
        """Call a domain function ``fn(session, *args, **kwargs)`` under the session lock.

        The call runs in its own task, shielded: when one field fails, graphql-core
        cancels its sibling resolvers, and a cancellation landing inside a statement left
        the AsyncSession half-way through a state change, so closing it at the end of the
        request failed. A cancelled resolver now stops waiting; its call finishes on its
        own, and ``settle`` waits for it before the session is used or closed again.
        """

        async def locked() -> R:
            async with self._lock:
                return await fn(self.session, *args, **kwargs)

        task = asyncio.ensure_future(locked())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for database calls still running (their callers were cancelled; what
        they return or raise is no longer wanted)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def loader(self, batch: BatchFn) -> DataLoader[Any, Any]:
        """The request's DataLoader over a domain batch getter ``batch(session, keys)``."""
        loader = self._loaders.get(batch)
        if loader is None:

            async def load(keys: list[Any]) -> Sequence[Any]:
                return await self.run(batch, keys)

            loader = DataLoader(load_fn=load)
            self._loaders[batch] = loader
        return loader


Info = _Info[Context, None]
