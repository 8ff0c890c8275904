"""Core statements run on the asyncpg connection itself (PostgreSQL, autocommit).

A request of the HTTP edge's fast path (``server.fast_reads``) sends two statements: the
read and the personal-data log. Through the ORM session each costs about 0.3 ms of
Python besides its round trip (session state, the result's wrapping, the greenlet
bridge, the DBAPI adapter); on asyncpg directly, under 0.1 ms. :class:`RawPostgreSQL`
compiles a statement as SQLAlchemy's ``Connection.execute`` does — the same compiled
cache (the engine's), the same parameters (extracted from the statement's cache key),
the same bind processors and expansion of ``IN`` lists — and hands the SQL and the
positional values to asyncpg, which keeps its own prepared statements per connection.

The fast path leases its connection from the pool (:meth:`RawPostgreSQL.lease`), which
costs a fifth of opening and closing a session; a statement a leased connection cannot
send is never sent through the session instead (``NotRaw`` is raised to the caller, and
the request goes the normal way). Otherwise only for a session in autocommit (each
statement commits itself): on a connection in
a transaction SQLAlchemy's adapter begins the transaction lazily, at its own first
statement, which a raw statement would run before. Nor while anything listens to the
engine's statements (OpenTelemetry's instrumentation, tests counting statements): they
would not see these. Anything this module does not
recognise (a statement needing ``executemany``, a SQLAlchemy whose internals differ)
is ``NotRaw``: the caller runs it through the session as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.util import greenlet_spawn

COMPILED_CACHE_SIZE = 256
"""As many as the read query keeps statements (``domain.read.fetch._selects``): an entry
holds its statement, so a larger cache would keep evicted statements alive."""
_compiled: OrderedDict[tuple[int, int], tuple[Any, str, list[Any]]] = OrderedDict()
"""Text and values of statements sent without parameters, by (dialect, statement) identity."""


class NotRaw(Exception):
    """This statement goes through the session."""


class RawPostgreSQL:
    """The session's own asyncpg connection, for statements SQLAlchemy compiles."""

    sent = 0
    """Statements sent this way by this process (tests, diagnostics)."""

    def __init__(
        self,
        driver: Any,
        dialect: Any,
        compiled_cache: Any,
        adapter: Any = None,
        *,
        leased: Any = None,
    ) -> None:
        self.driver = driver
        self.dialect = dialect
        self.compiled_cache = compiled_cache
        # The pool's connection this was taken from by :meth:`lease` (None: the session's
        # own). A leased connection stands apart from the session, so a statement it
        # cannot send must not go through the session instead (its transaction would
        # neither be the same nor commit): callers re-raise ``NotRaw`` then.
        self.leased = leased
        # SQLAlchemy's adapter of the connection: its prepared statements (an LRU by SQL
        # text, per connection) serve both ways. asyncpg's own cache would not keep the
        # large statements (over 15 KB) a nested read compiles to: prepared (and planned)
        # again at every request.
        self.adapter = adapter if hasattr(adapter, "_prepare") else None

    async def _prepared(self, text: str) -> Any:
        if self.adapter is not None:
            invalidated = getattr(self.dialect, "_invalidate_schema_cache_asof", 0)
            prepared, _attributes = await self.adapter._prepare(text, invalidated)
            return prepared
        return await self.driver.prepare(text)

    @classmethod
    async def of(cls, session: AsyncSession) -> RawPostgreSQL | None:
        """The raw connection of a PostgreSQL session in autocommit, else None."""
        connection = await session.connection()
        sync = connection.sync_connection
        if sync is None or sync.dialect.name != "postgresql":
            return None
        if sync.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            return None
        raw = await connection.get_raw_connection()
        driver = getattr(raw, "driver_connection", None)
        if driver is None or not hasattr(driver, "fetchrow"):
            return None
        dispatch = sync.engine.dispatch
        if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
            # Someone watches the statements (tracing, a test): they all go the usual way.
            return None
        return cls(driver, sync.dialect, sync.engine._compiled_cache, raw.dbapi_connection)

    @classmethod
    async def lease(cls, engine: AsyncEngine) -> RawPostgreSQL | None:
        """A connection of ``engine``'s pool for the statements of one request, outside
        any session: each statement commits itself (asyncpg begins no transaction of its
        own). Checking one out this way costs a fifth of a session's
        ``connection()`` and ``close()``, most of a small read's fixed cost. None when
        the engine is not PostgreSQL on asyncpg, or while anything listens to its
        statements (tracing, tests counting them: they would not see these). Give it
        back with :meth:`release`."""
        sync = engine.sync_engine
        if sync.dialect.name != "postgresql" or sync.dialect.driver != "asyncpg":
            return None
        if sync.dispatch.before_cursor_execute or sync.dispatch.after_cursor_execute:
            return None
        pooled = await engine.raw_connection()
        driver = getattr(pooled, "driver_connection", None)
        if driver is None or not hasattr(driver, "fetchrow"):
            await greenlet_spawn(pooled.close)
            return None
        return cls(
            driver, sync.dialect, sync._compiled_cache, pooled.dbapi_connection, leased=pooled
        )

    async def release(self) -> None:
        """Back to the pool (a leased connection; nothing for the session's own)."""
        pooled, self.leased = self.leased, None
        if pooled is not None:
            await greenlet_spawn(pooled.close)

    def sql(
        self, statement: Any, params: Mapping[str, Any] | None = None, *, kept: bool = False
    ) -> tuple[str, list[Any]]:
        """The SQL text and positional values SQLAlchemy would send for ``statement``.

        ``kept``: the caller keeps ``statement`` and sends it again (the read query's
        reused statements). A statement without ``params`` holds all its values, and
        Core statements are immutable: the same object compiles to the same text and
        values every time, so they are kept, by the statement's identity (the entry
        holds the statement, so no other object can take its id while the entry
        lives), least recently used out."""
        if params or not kept:
            return self._sql(statement, params)
        key = (id(self.dialect), id(statement))
        found = _compiled.get(key)
        if found is not None and found[0] is statement:
            _compiled.move_to_end(key)
            return found[1], found[2]
        text, values = self._sql(statement, None)
        _compiled[key] = (statement, text, values)
        while len(_compiled) > COMPILED_CACHE_SIZE:
            _compiled.popitem(last=False)
        return text, values

    def _sql(self, statement: Any, params: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
        keys = sorted(params) if params else []
        try:
            compiled, extracted, collected, _hit = statement._compile_w_cache(
                dialect=self.dialect,
                compiled_cache=self.compiled_cache,
                column_keys=keys,
                for_executemany=False,
                schema_translate_map=None,
            )
            values = compiled.construct_params(
                params,
                extracted_parameters=extracted,
                escape_names=False,
                _collected_params=collected,
            )
            processors = compiled._bind_processors
            text = compiled.string
            if compiled.literal_execute_params or compiled.post_compile_params:
                expanded = compiled._process_parameters_for_postcompile(values)
                text = expanded.statement
                processors = {**processors, **expanded.processors}
                positions = expanded.positiontup
            else:
                positions = compiled.positiontup
            if not compiled.positional or positions is None or compiled.schema_translate_map:
                raise NotRaw("not a plain positional statement")
            return text, [
                processors[key](values[key]) if key in processors else values[key]
                for key in positions
            ]
        except NotRaw:
            raise
        except (AttributeError, TypeError, KeyError, ValueError) as error:
            raise NotRaw(f"{type(error).__name__}: {error}") from error

    async def fetchrow(
        self, statement: Any, params: Mapping[str, Any] | None = None, *, kept: bool = False
    ) -> Any:
        text, values = self.sql(statement, params, kept=kept)
        RawPostgreSQL.sent += 1
        return await (await self._prepared(text)).fetchrow(*values)

    async def execute(self, statement: Any, params: Mapping[str, Any] | None = None) -> None:
        text, values = self.sql(statement, params)
        RawPostgreSQL.sent += 1
        await (await self._prepared(text)).fetch(*values)
