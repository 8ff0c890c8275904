"""Reading fetches: every root of one request in one statement.

A :class:`ReadQuery` gathers every root of a request (a page, rows by id, a whole list)
as scalar subqueries of ONE ``SELECT``, runs it, and decodes the JSON into rows. What a
root reads is a :class:`~domain.read.selection.Fetch` (built once per planned document,
the relation arguments of one request coming separately, by
:class:`~domain.read.selection.Nested`); its JSON element is built by
:mod:`domain.read.element`. The built columns and statements are cached, least recently
used out.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.read.element import ELEMENT_CACHE_SIZE, _Compiler
from kyodo.domain.read.entity import Conditions, Viewer
from kyodo.domain.read.raw import NotRaw, RawPostgreSQL
from kyodo.domain.read.selection import Args, Fetch, Nested
from kyodo.domain.read.sql import JsonSQL


def _loads(text: str) -> Any:
    """The statement's JSON: orjson (some 5 times faster than ``json``); what it refuses
    goes through ``json``. (Both databases' integers fit in 64 bits, which orjson reads
    exactly; beyond them it would read a float.)"""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


_by_ids: OrderedDict[Hashable, Any] = OrderedDict()
"""``ReadQuery.by_ids`` columns, by what they are built from (least recently used out)."""
_selects: OrderedDict[Hashable, tuple[tuple[Any, ...], Any]] = OrderedDict()
"""Statements over reused columns only, by the columns' identities (the entry holds the
columns, so no other object can take their ids while it lives)."""


def _remember(cache: OrderedDict[Hashable, Any], key: Hashable, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > ELEMENT_CACHE_SIZE:
        cache.popitem(last=False)


_pages: OrderedDict[Hashable, list[Any]] = OrderedDict()
"""``ReadQuery.page`` / ``ReadQuery.all`` columns, by what they are built from."""


def _frozen(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    hash(value)  # TypeError: not a value to key on
    return value


def _clauses_key(clauses: Sequence[Any]) -> Hashable:
    """What ``clauses`` compile to and bind: their SQLAlchemy cache keys (the SQL's shape)
    with the values of their bound parameters. Two lists with equal keys are the same
    SQL with the same values. TypeError when a value does not hash."""
    parts: list[Hashable] = []
    for clause in clauses:
        cache_key = clause._generate_cache_key()
        if cache_key is None:  # not cacheable: never reused
            raise TypeError("no cache key")
        parts.append(
            (cache_key.key, tuple(_frozen(bind.effective_value) for bind in cache_key.bindparams))
        )
    return tuple(parts)


@dataclass(eq=False)
class _Slot:
    columns: list[Any]
    finish: Callable[[list[Any]], Any]
    value: Any = None
    reused: bool = False
    """Its columns came from a cache (the same objects as in an earlier request)."""


class ReadQuery:
    """The roots of one request, read with one statement."""

    def __init__(
        self,
        session: AsyncSession,
        viewer: Viewer,
        args: Args | None = None,
        raw: RawPostgreSQL | None = None,
    ) -> None:
        self.session = session
        # The session's asyncpg connection (autocommit): the statement goes to it directly.
        self.raw = raw
        self.sql = JsonSQL(session.get_bind().dialect.name)
        self.viewer = viewer
        self.args: dict[Nested, Any] = dict(args or {})
        self._compiler = _Compiler(self.sql, viewer, self.args)
        self._slots: list[_Slot] = []

    def _add(
        self, columns: list[Any], finish: Callable[[list[Any]], Any], reused: bool = False
    ) -> _Slot:
        slot = _Slot(columns, finish, reused=reused)
        self._slots.append(slot)
        return slot

    def page(
        self,
        fetch: Fetch,
        *,
        conditions: Conditions,
        order_by: Sequence[Any],
        limit: int,
        offset: int,
        count: bool,
        within: Sequence[Any] = (),
        positions: Sequence[Any | None] = (),
        reverse: bool = False,
    ) -> _Slot:
        """One page of ``fetch.entity`` (the model itself, unaliased, so that the list
        service's own conditions and order apply) and, with ``count``, the total.
        ``within``: the page's window (keyset conditions, not counted in the total);
        ``positions``: conditions whose rows are counted too (None: not counted);
        ``reverse``: the page was read backwards. Value: (total or None, rows, the
        counts of ``positions``)."""
        model = fetch.entity.model
        counted = ([()] if count else []) + [(c,) for c in positions if c is not None]

        def build() -> list[Any]:
            base = sa.select(sa.true()).select_from(model).where(*conditions, *within)
            item, element = self._compiler.root_element(fetch)
            items = self.sql.page(
                element, item, base, model.id, order_by, limit=limit, offset=offset
            )
            columns = [self.sql.text(items)]
            for extra in counted:
                counter = sa.select(sa.func.count()).select_from(model).where(*conditions, *extra)
                columns.append(counter.scalar_subquery())
            return columns

        columns, reused = self._columns(
            build,
            "page",
            fetch,
            lambda: (
                _clauses_key(conditions),
                _clauses_key(within),
                _clauses_key(order_by),
                _clauses_key([c for c in positions if c is not None]),
                limit,
                offset,
                count,
            ),
        )

        def finish(values: list[Any]) -> tuple[int | None, list[Any], list[int | None]]:
            rows = [fetch.decode(item) for item in _loads(values[0])]
            if reverse:
                rows.reverse()
            numbers = iter(values[1:])
            total = next(numbers) if count else None
            return total, rows, [None if c is None else next(numbers) for c in positions]

        return self._add(columns, finish, reused=reused)

    def all(
        self,
        fetch: Fetch,
        *,
        conditions: Conditions | Callable[[], Conditions],
        order_by: Sequence[Any],
        key: Hashable | None = None,
    ) -> _Slot:
        """Every row of ``fetch.entity`` meeting ``conditions``, in order. Value: rows.

        ``key``: what ``conditions`` (then a function building them) and ``order_by``
        are a function of, e.g. the request's argument values: the columns built for the
        same key before are reused without building the clauses or their SQLAlchemy
        cache keys again (which costs more than the rest of a small read)."""
        model = fetch.entity.model

        def build() -> list[Any]:
            where = conditions() if callable(conditions) else conditions
            base = sa.select(sa.true()).select_from(model).where(*where)
            items = self.sql.many(self._compiler.root_element(fetch, model)[1], base, order_by)
            return [self.sql.text(items)]

        def arguments() -> Hashable:
            if key is not None:
                return ("key", key)
            assert not callable(conditions), "conditions built on demand need a key"
            return (_clauses_key(conditions), _clauses_key(order_by))

        columns, reused = self._columns(build, "all", fetch, arguments)

        def finish(values: list[Any]) -> list[Any]:
            return [fetch.decode(item) for item in _loads(values[0])]

        return self._add(columns, finish, reused=reused)

    def _columns(
        self,
        build: Callable[[], list[Any]],
        kind: str,
        fetch: Fetch,
        arguments: Callable[[], Hashable],
    ) -> tuple[list[Any], bool]:
        """The columns ``build`` makes, reused when a request before built them from the
        same fetch, dialect, viewer, relation arguments and ``arguments`` (clauses keyed
        by their SQL and bound values): the same objects, whose SQLAlchemy cache key is
        computed once, as for :meth:`by_ids`. (columns, whether they were reused)."""
        try:
            key: Hashable = (
                kind,
                fetch,
                self.sql.postgresql,
                self.viewer,
                tuple(_frozen(self.args.get(nested)) for nested in fetch.all_nested),
                arguments(),
            )
            found = _pages.get(key)
        except TypeError:  # a value that does not hash: built anew
            return build(), False
        if found is not None:
            _pages.move_to_end(key)
            return found, True
        columns = build()
        _remember(_pages, key, columns)
        return columns, False

    def by_ids(self, fetch: Fetch, ids: Sequence[int]) -> _Slot:
        """The rows of these ids the viewer may see. Value: {id: row}. ``fetch`` must
        select ``id``.

        The column is a function of the fetch, the dialect, the viewer, the relation
        arguments and the ids only (visibility is the viewer's), so it is built once for
        them and reused: the same expression object, whose SQLAlchemy cache key is
        computed once (``node(id:)`` is what front ends send most)."""
        wanted = tuple(sorted(set(ids)))
        key: Hashable | None = (
            fetch,
            self.sql.postgresql,
            self.viewer,
            tuple(self.args.get(nested) for nested in fetch.all_nested),
            wanted,
        )
        try:
            column = _by_ids.get(key)
        except TypeError:  # arguments that do not hash: built anew
            column, key = None, None
        reused = column is not None
        if column is None:
            model = fetch.entity.model
            base = (
                sa.select(model.id)
                .select_from(model)
                .where(model.id.in_(wanted), *fetch.entity.visible(model, self.viewer))
            )
            element = self._compiler.root_element(fetch, model)[1]
            column = self.sql.text(self.sql.many(element, base, (model.id,)))
            if key is not None:
                _remember(_by_ids, key, column)
        position = fetch.columns.index("id")

        def finish(values: list[Any]) -> dict[int, Any]:
            rows = [fetch.decode(item) for item in _loads(values[0])]
            return {row[position]: row for row in rows}

        return self._add([column], finish, reused=reused)

    async def run(self) -> None:
        if not self._slots:
            return
        columns = tuple(column for slot in self._slots for column in slot.columns)
        # The same columns (reused by ``by_ids``): the same statement object, whose
        # SQLAlchemy cache key is not computed again.
        key = tuple(map(id, columns))
        found = _selects.get(key)
        kept = True
        if found is None or any(a is not b for a, b in zip(found[0], columns, strict=True)):
            found = (columns, sa.select(*columns))
            kept = all(slot.reused for slot in self._slots)
            if kept:
                _remember(_selects, key, found)
        row = None
        if self.raw is not None:
            try:
                row = tuple(await self.raw.fetchrow(found[1], kept=kept))
            except NotRaw:
                if self.raw.leased is not None:
                    raise
                row = None
        if row is None:
            row = (await self.session.execute(found[1])).one()
        start = 0
        for slot in self._slots:
            end = start + len(slot.columns)
            slot.value = slot.finish(list(row[start:end]))
            start = end
