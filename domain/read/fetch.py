"""Fetches: what one selection needs of an entity, compiled into one statement.

A :class:`Fetch` is built once per planned document (it holds no argument values); the
relation arguments of one request come separately (``args``, by :class:`Nested`). A
:class:`ReadQuery` gathers every root of a request (a page, rows by id, a whole list)
as scalar subqueries of ONE ``SELECT``, runs it, and decodes the JSON into rows.

Rows are named tuples whose fields are the fetched columns (named as on the model,
typed as the ORM types them) followed by one field per nested relation.
"""

from __future__ import annotations

import json
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.read.entity import Conditions, Entity, Viewer
from kyodo.domain.read.models import entity
from kyodo.domain.read.raw import NotRaw, RawPostgreSQL
from kyodo.domain.read.sql import JsonSQL, flatten
from kyodo.domain.read.values import Decoder


@dataclass(frozen=True, slots=True, eq=False)
class Nested:
    """A relation of a fetch: its rows' own fetch, or None for a scalar relation."""

    relation: str
    fetch: Fetch | None = None
    key: str = "nested"
    """The row attribute the relation's value arrives in."""


@dataclass(eq=False)
class Fetch:
    entity: Entity
    columns: tuple[str, ...]
    nested: tuple[Nested, ...] = ()
    row_type: Any = field(init=False, repr=False)
    decode: Callable[[Any], Any] = field(init=False, repr=False)
    """JSON value -> row."""

    def __post_init__(self) -> None:
        for name in self.columns:
            if name not in self.entity.decoders:
                raise KeyError(f"{self.entity.name} has no column {name!r}")
        for nested in self.nested:
            relation = self.entity.relations[nested.relation]
            if relation.has_rows != (nested.fetch is not None):
                raise ValueError(f"{self.entity.name}.{nested.relation}: fetch mismatch")
        self.row_type = _row_type((*self.columns, *(n.key for n in self.nested)))
        self.all_nested: tuple[Nested, ...] = tuple(
            found
            for nested in self.nested
            for found in (nested, *(nested.fetch.all_nested if nested.fetch else ()))
        )
        self.decode = self._decoder()

    @property
    def width(self) -> int:
        return len(self.columns) + len(self.nested)

    def _decoder(self) -> Callable[[Any], Any]:
        steps: list[tuple[int, Callable[[Any], Any]]] = [
            (i, decoder)
            for i, name in enumerate(self.columns)
            if (decoder := self.entity.decoders[name]) is not None
        ]
        base = len(self.columns)
        for j, nested in enumerate(self.nested):
            relation = self.entity.relations[nested.relation]
            if relation.count or relation.aggregate is not None:
                continue  # a number, as it comes
            if nested.fetch is not None:
                item = nested.fetch.decode
            else:
                assert relation.scalar is not None
                scalar = entity(relation.target).decoders[relation.scalar]
                item = scalar if scalar is not None else _same
            if relation.paged:
                steps.append((base + j, _page(item)))
            else:
                steps.append((base + j, _many(item) if relation.many else _optional(item)))
        width, make = self.width, self.row_type._make

        def decode(value: Any) -> Any:
            values = flatten(value, width)
            for i, step in steps:
                values[i] = step(values[i])
            return make(values)

        return decode


def _same(value: Any) -> Any:
    return value


def _loads(text: str) -> Any:
    """The statement's JSON: orjson (some 5 times faster than ``json``); what it refuses
    (an integer beyond 64 bits) goes through ``json``."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _many(item: Decoder) -> Decoder:
    return lambda values: [item(v) for v in values]


def _page(item: Decoder) -> Decoder:
    """[total, [rows]] -> (total, rows)."""
    return lambda value: (value[0], [item(v) for v in value[1]])


def _optional(item: Decoder) -> Decoder:
    return lambda value: None if value is None else item(value)


@lru_cache(maxsize=1024)
def _row_type(names: tuple[str, ...]) -> Any:
    return namedtuple("Row", names)


Args = Mapping[Nested, Any]
"""Each relation's arguments for this request (e.g. the statuses of Partner.agreements)."""


ELEMENT_CACHE_SIZE = 256
_elements: OrderedDict[Hashable, tuple[Any, Any]] = OrderedDict()


class _Compiler:
    """Builds the JSON element of a fetch on a source (the model or an alias).

    Building the expression (ORM aliases, adapted columns) costs more than running it,
    so an element is built once per fetch, source, dialect, viewer and relation
    arguments, and reused: Core expressions are immutable, and SQLAlchemy then finds the
    compiled statement in its own cache.
    """

    def __init__(self, sql: JsonSQL, viewer: Viewer, args: Args) -> None:
        self.sql = sql
        self.viewer = viewer
        self.args = args

    def alias(self, target: Entity) -> Any:
        return target.alias()

    def root_element(self, fetch: Fetch, source: Any = None) -> tuple[Any, Any]:
        """(source, element): on ``source``, or on a fresh alias of the fetch's entity."""
        key = (
            fetch,
            source,
            self.sql.postgresql,
            self.viewer,
            tuple(self.args.get(nested) for nested in fetch.all_nested),
        )
        try:
            found = _elements.get(key)
        except TypeError:  # arguments that do not hash (lists in a filter): build anew
            return self._build(fetch, source)
        if found is None:
            found = self._build(fetch, source)
            _elements[key] = found
            while len(_elements) > ELEMENT_CACHE_SIZE:
                _elements.popitem(last=False)
        else:
            _elements.move_to_end(key)
        return found

    def _build(self, fetch: Fetch, source: Any) -> tuple[Any, Any]:
        source = self.alias(fetch.entity) if source is None else source
        return source, self.element(fetch, source)

    def page_of(
        self,
        fetch: Fetch,
        item: Any,
        element: Any,
        select: sa.Select[Any],
        key: Any,
        order_by: Sequence[Any],
        *,
        limit: int,
        offset: int,
        correlate: Any = None,
    ) -> Any:
        """The JSON of one page: ``select``'s keys for the page, then ``element`` on the
        rows of ``item`` (an alias) having those keys."""
        keys = self.sql.page_keys(
            select, key, order_by, limit=limit, offset=offset, correlate=correlate
        )
        rows = keys.join(item, item.id == keys.c.key)
        return self.sql.page(element, rows, keys)

    def element(self, fetch: Fetch, source: Any) -> sa.ColumnElement[Any]:
        entity_ = fetch.entity
        values: list[Any] = [
            self.sql.embed(entity_.column(source, name))
            if name in entity_.json_columns
            else entity_.column(source, name)
            for name in fetch.columns
        ]
        values.extend(self.nested(fetch.entity, nested, source) for nested in fetch.nested)
        return self.sql.array(values)

    def nested(self, parent: Entity, nested: Nested, source: Any) -> Any:
        relation = parent.relations[nested.relation]
        target = entity(relation.target)
        child = target.model if relation.unaliased else self.alias(target)
        arguments = self.args.get(nested)
        limit = None
        if relation.paged:
            assert nested.fetch is not None and arguments is not None
            page, arguments = arguments
        elif relation.limited and arguments is not None:
            limit, arguments = arguments
        link = relation.link(source, child, arguments, self.viewer)
        if relation.count:
            return link.select.with_only_columns(sa.func.count()).scalar_subquery()
        if relation.aggregate is not None:
            aggregate = relation.aggregate(child)
            return link.select.with_only_columns(aggregate).scalar_subquery()
        if relation.paged:
            assert nested.fetch is not None
            item = self.alias(target)
            items = self.page_of(
                nested.fetch,
                item,
                self.element(nested.fetch, item),
                link.select,
                child.id,
                link.order_by,
                limit=page.limit,
                offset=0,  # the compiled path pages no further (cursors: Strawberry)
                correlate=source,
            )
            # Correlated explicitly: the link may read the model itself, which an
            # enclosing query may read too (it must not be taken for that one).
            total = (
                link.select.with_only_columns(sa.func.count()).correlate(source).scalar_subquery()
            )
            return self.sql.array([total, items])
        if nested.fetch is None:
            assert relation.scalar is not None
            element = target.column(child, relation.scalar)
            json_element = False
        else:
            element = self.element(nested.fetch, child)
            json_element = True
        if relation.many:
            return self.sql.many(
                element,
                link.select,
                link.order_by,
                json_element=json_element,
                correlate=source,
                limit=limit,
            )
        if not json_element:
            return link.select.with_only_columns(element).limit(1).scalar_subquery()
        return self.sql.one(element, link.select)


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
            items = self._compiler.page_of(
                fetch, item, element, base, model.id, order_by, limit=limit, offset=offset
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

    def all(self, fetch: Fetch, *, conditions: Conditions, order_by: Sequence[Any]) -> _Slot:
        """Every row of ``fetch.entity`` meeting ``conditions``, in order. Value: rows."""
        model = fetch.entity.model

        def build() -> list[Any]:
            base = sa.select(sa.true()).select_from(model).where(*conditions)
            items = self.sql.many(self._compiler.root_element(fetch, model)[1], base, order_by)
            return [self.sql.text(items)]

        columns, reused = self._columns(
            build, "all", fetch, lambda: (_clauses_key(conditions), _clauses_key(order_by))
        )

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
        if found is None or any(a is not b for a, b in zip(found[0], columns, strict=True)):
            found = (columns, sa.select(*columns))
            if all(slot.reused for slot in self._slots):
                _remember(_selects, key, found)
        row = None
        if self.raw is not None:
            try:
                row = tuple(await self.raw.fetchrow(found[1]))
            except NotRaw:
                row = None
        if row is None:
            row = (await self.session.execute(found[1])).one()
        start = 0
        for slot in self._slots:
            end = start + len(slot.columns)
            slot.value = slot.finish(list(row[start:end]))
            start = end
