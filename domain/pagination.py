"""Pagination done in SQL, both ways, on keyset cursors.

A list has an :class:`domain.ordering.Ordering`, whose keyset cursors say where a page
starts: "after this cursor" is a WHERE on the keys rather than an offset.

Windows follow the Relay cursor connections spec: ``after`` and ``before`` cut the list
to the rows strictly between them; ``first`` keeps the first rows of that window,
``last`` the last ones. The page also knows its position in the whole list (counted in
the same statement as the total), which gives ``hasPreviousPage``/``hasNextPage``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.ordering import Ordering

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


# ------------------------------------------------------------------ pages


@dataclass(frozen=True, slots=True)
class PageRequest:
    """``first`` or ``last`` rows of the window between the ``after`` and ``before``
    cursors (still encoded: the list's ordering reads them). Exactly one of ``first``
    and ``last`` is set."""

    first: int | None = DEFAULT_PAGE_SIZE
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @property
    def limit(self) -> int:
        return self.first if self.first is not None else self.last or 0

    @property
    def backwards(self) -> bool:
        return self.last is not None

    @property
    def plain(self) -> bool:
        """The first rows of the whole list: what any read path answers without cursors."""
        return self.after is None and self.before is None and not self.backwards


FIRST_PAGE = PageRequest()


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    """The position of the first item in the whole list."""
    keys: list[tuple[Any, ...]] = field(default_factory=list)
    """The sort keys of each item (what its cursor encodes)."""
    ordering: Ordering | None = None
    has_previous: bool = False
    has_next: bool = False

    def cursor(self, index: int) -> str:
        assert self.ordering is not None
        return self.ordering.cursor(self.keys[index])


@dataclass(frozen=True, slots=True)
class Window:
    """Where a page lies in a list of ``total`` rows: the window between the cursors is
    positions ``[start, stop)``; the page is ``[offset, offset + size)``."""

    total: int
    start: int
    stop: int
    page: PageRequest

    @property
    def offset(self) -> int:
        if self.page.backwards:
            return max(self.stop - self.page.limit, self.start)
        return self.start

    @property
    def size(self) -> int:
        return max(0, min(self.page.limit, self.stop - self.start))

    @property
    def has_previous(self) -> bool:
        # last: rows of the window before the page (the spec); first: rows before `after`.
        return self.offset > (self.start if self.page.backwards else 0)

    @property
    def has_next(self) -> bool:
        end = self.offset + self.size
        return end < (self.total if self.page.backwards else self.stop)

    def result(
        self, items: list[Any], keys: list[tuple[Any, ...]], ordering: Ordering
    ) -> Page[Any]:
        """The page of ``items`` (in list order) and their sort keys."""
        return Page(
            items=items,
            total=self.total,
            offset=self.offset,
            keys=keys,
            ordering=ordering,
            has_previous=self.has_previous,
            has_next=self.has_next,
        )


@dataclass(frozen=True, slots=True)
class Keyset:
    """The SQL of one page request over an ordering, for any read path."""

    ordering: Ordering
    page: PageRequest
    at_or_before: sa.ColumnElement[bool] | None
    """Rows up to and including ``after`` (their count is where the window starts)."""
    before: sa.ColumnElement[bool] | None
    """Rows before ``before`` (their count is where the window stops)."""

    @classmethod
    def of(cls, ordering: Ordering, page: PageRequest) -> Keyset:
        """INVALID (DomainError) when a cursor is not one of this ordering."""
        at_or_before = None
        if page.after is not None:
            at_or_before = sa.not_(ordering.after(ordering.parse(page.after)))
        before = None
        if page.before is not None:
            before = ordering.before(ordering.parse(page.before))
        return cls(ordering, page, at_or_before, before)

    @property
    def within(self) -> list[sa.ColumnElement[bool]]:
        """The WHERE of the window's rows."""
        found = []
        if self.at_or_before is not None:
            found.append(sa.not_(self.at_or_before))
        if self.before is not None:
            found.append(self.before)
        return found

    @property
    def order_by(self) -> list[Any]:
        """The ORDER BY to read the page in (backwards: the ordering reversed; LIMIT
        ``page.limit`` then keeps the page's rows)."""
        return self.ordering.order_by(reverse=self.page.backwards)

    def window(self, total: int, start: int | None, stop: int | None) -> Window:
        """From the counts of the list, of ``at_or_before`` and of ``before``."""
        return Window(
            total=total,
            start=int(start or 0) if self.at_or_before is not None else 0,
            stop=int(stop or 0) if self.before is not None else total,
            page=self.page,
        )

    def result(self, window: Window, rows: list[Any], keys: list[tuple[Any, ...]]) -> Page[Any]:
        """The page of ``rows`` (read in ``order_by``) and their sort keys."""
        if self.page.backwards:
            rows, keys = rows[::-1], keys[::-1]
        return window.result(rows, keys, self.ordering)


def _counted(condition: sa.ColumnElement[bool] | None) -> Any:
    if condition is None:
        return sa.literal(0)
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _counted_over(condition: sa.ColumnElement[bool] | None, parent: Any) -> Any:
    if condition is None:
        return sa.literal(0)
    return sa.func.sum(sa.case((condition, 1), else_=0)).over(partition_by=parent)


async def paginate(
    session: AsyncSession, stmt: sa.Select[Any], ordering: Ordering, page: PageRequest
) -> Page[Any]:
    """One page of ``stmt`` (a filtered ``select(Model)``, not yet ordered), plus the
    total and the page's position: two statements."""
    keyset = Keyset.of(ordering, page)
    counts = stmt.with_only_columns(
        sa.func.count(),
        _counted(keyset.at_or_before),
        _counted(keyset.before),
        maintain_column_froms=True,
    ).order_by(None)
    window = keyset.window(*(await session.execute(counts)).one())
    rows: list[Any] = []
    if window.size:
        query = (
            stmt.add_columns(*ordering.labelled())
            .where(*keyset.within)
            .order_by(*keyset.order_by)
            .limit(window.size)
        )
        rows = list((await session.execute(query)).all())
    return keyset.result(window, [row[0] for row in rows], [tuple(row[1:]) for row in rows])


async def paginate_per_parent(
    session: AsyncSession,
    stmt: sa.Select[Any],
    parent: Any,
    ordering: Ordering,
    requests: Sequence[tuple[Any, PageRequest]],
) -> dict[tuple[Any, PageRequest], Page[Any]]:
    """One page per (parent, request) of ``requests``, ``stmt`` selecting the
    rows of all of them (one entity, filtered, not ordered; ``parent`` the column naming
    the parent). Parents asking for the same window share one statement, numbered with
    ``ROW_NUMBER()`` per parent; each parent's first row comes too, carrying its counts
    even when the page is past the end."""
    groups: dict[PageRequest, set[Any]] = {}
    for key, page in requests:
        groups.setdefault(page, set()).add(key)
    found: dict[tuple[Any, PageRequest], Page[Any]] = {}
    for page, parents in groups.items():
        keyset = Keyset.of(ordering, page)
        at_or_before, before = keyset.at_or_before, keyset.before
        numbered = stmt.where(parent.in_(sorted(parents))).add_columns(
            parent.label("page_parent"),
            sa.func.row_number()
            .over(partition_by=parent, order_by=ordering.order_by())
            .label("page_n"),
            sa.func.count().over(partition_by=parent).label("page_total"),
            _counted_over(at_or_before, parent).label("page_start"),
            _counted_over(before, parent).label("page_stop"),
            *ordering.labelled(),
        )
        ranked = numbered.subquery()
        entity: Any = sa.orm.aliased(stmt.column_descriptions[0]["entity"], ranked)
        n, start, stop = ranked.c.page_n, ranked.c.page_start, ranked.c.page_stop
        columns: list[Any] = [entity, ranked.c.page_parent, n, ranked.c.page_total, start]
        if before is None:
            stop = ranked.c.page_total
        if page.backwards:
            wanted = sa.and_(n > stop - page.limit, n > start, n <= stop)
        else:
            wanted = sa.and_(n > start, n <= start + page.limit, n <= stop)
        key_columns = [ranked.c[f"page_k{i}"] for i in range(len(ordering.keys))]
        query = (
            sa.select(*columns, stop, *key_columns)
            .where(sa.or_(n == 1, wanted))
            .order_by(ranked.c.page_parent, n)
        )
        rows: dict[Any, list[Any]] = {key: [] for key in parents}
        windows: dict[Any, Window] = {}
        for item, key, number, total, first, last, *keys in await session.execute(query):
            window = Window(total=int(total), start=int(first), stop=int(last), page=page)
            windows[key] = window
            if window.offset < number <= window.offset + window.size:
                rows.setdefault(key, []).append((item, tuple(keys)))
        for key in parents:
            window = windows.get(key, Window(total=0, start=0, stop=0, page=page))
            found[(key, page)] = window.result(
                [item for item, _keys in rows[key]], [keys for _item, keys in rows[key]], ordering
            )
    return found


KeyGetter = Callable[[Any], tuple[Any, ...]]
