"""Connections as ``schema.pagination`` writes them: the page (:class:`PageData`), its
``pageInfo`` and edges with their keyset cursors, and the read of one page of a list in
the request's one statement (``domain.pagination``'s window)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.ordering import Ordering
from kyodo.domain.pagination import Keyset, PageRequest, Window
from kyodo.schema.compiled.plan import Planner
from kyodo.schema.compiled.request import Fallback, FetchBuilder, Request, Writer
from kyodo.schema.compiled.writers import ObjectShape, completer
from kyodo.schema.context import Context
from kyodo.schema.pagination import page_request


@dataclass(frozen=True, slots=True)
class PageData:
    """A page as ``schema.pagination.connection`` writes it. ``window``: where a page
    read with cursors lies (None: the first page, nothing precedes it)."""

    rows: list[Any]
    total: int | None
    ordering: Ordering | None = None
    window: Window | None = None

    @property
    def has_next(self) -> bool:
        if self.window is not None:
            return self.window.has_next
        assert self.total is not None
        return len(self.rows) < self.total

    @property
    def has_previous(self) -> bool:
        return self.window is not None and self.window.has_previous

    def cursor(self, index: int) -> str:
        """The same keyset cursor ``schema.pagination.connection`` writes."""
        assert self.ordering is not None
        return self.ordering.cursor(self.ordering.values_of(self.rows[index]))


def plan_connection(
    planner: Planner,
    definition: GraphQLField,
    details: Sequence[FieldDetails],
    item: Callable[[Sequence[FieldDetails]], ObjectShape],
    keys: Callable[[], None] | None = None,
) -> tuple[bool, Callable[[PageData, Request], dict[str, Any]]]:
    """(whether the total is needed, the writer of the connection) for a ``Connection``
    of ``schema.pagination``; ``item`` plans the node of the edges; ``keys`` makes the
    rows carry their sort keys, for cursors (None: cursors are not compiled here)."""
    connection = planner.object_type(get_named_type(definition.type).name)
    fields: list[tuple[str, Callable[[PageData, Request], Any]]] = []
    needs_total = False
    for key, name, sub, field_definition in planner.selected(connection, details, fields, _const):
        if name == "totalCount":
            needs_total = True
            fields.append((key, lambda data, _request: data.total))
        elif name == "pageInfo":
            uses_total, write_info = _page_info(planner, field_definition, sub, keys)
            needs_total = needs_total or uses_total
            fields.append((key, write_info))
        elif name == "edges":
            fields.append((key, _edges(planner, field_definition, sub, item, keys)))
        else:
            raise Fallback(f"{connection.name}.{name} is not compiled")

    def write(data: PageData, request: Request) -> dict[str, Any]:
        return {key: writer(data, request) for key, writer in fields}

    return needs_total, write


def _cursors(keys: Callable[[], None] | None) -> None:
    if keys is None:
        raise Fallback("cursors of this connection are not compiled")
    keys()


def _const(value: Any) -> Callable[..., Any]:
    return lambda *_args: value


def _page_info(
    planner: Planner,
    definition: GraphQLField,
    details: Sequence[FieldDetails],
    keys: Callable[[], None] | None,
) -> tuple[bool, Callable[[PageData, Request], Any]]:
    type_ = planner.object_type(get_named_type(definition.type).name)
    fields: list[tuple[str, Callable[[PageData], Any]]] = []
    needs_total = False
    for key, name, _sub, _definition in planner.selected(type_, details, fields, _const):
        if name == "hasNextPage":
            needs_total = True
            fields.append((key, lambda data: data.has_next))
        elif name == "hasPreviousPage":
            fields.append((key, lambda data: data.has_previous))
        elif name == "startCursor":
            _cursors(keys)
            fields.append((key, lambda data: data.cursor(0) if data.rows else None))
        elif name == "endCursor":
            _cursors(keys)
            fields.append(
                (key, lambda data: data.cursor(len(data.rows) - 1) if data.rows else None)
            )
        else:
            raise Fallback(f"PageInfo.{name} is not compiled")
    return needs_total, lambda data, _request: {key: get(data) for key, get in fields}


def _edges(
    planner: Planner,
    definition: GraphQLField,
    details: Sequence[FieldDetails],
    item: Callable[[Sequence[FieldDetails]], ObjectShape],
    keys: Callable[[], None] | None,
) -> Callable[[PageData, Request], Any]:
    edge = planner.object_type(get_named_type(definition.type).name)
    fields: list[tuple[str, Callable[[int, Any, PageData, Request], Any]]] = []
    nodes: list[tuple[str, Writer]] = []
    for key, name, sub, node_definition in planner.selected(edge, details, fields, _const):
        if name == "cursor":
            _cursors(keys)
            fields.append((key, lambda i, _row, data, _request: data.cursor(i)))
        elif name == "node":
            complete = completer(node_definition.type, item(sub).write)
            nodes.append((key, complete))
            fields.append((key, lambda _i, row, _data, request, c=complete: c(row, request)))
        else:
            raise Fallback(f"{edge.name}.{name} is not compiled")
    if len(nodes) == 1 and len(fields) == 1:
        # The usual selection, ``edges { node { ... } }``: each edge written directly.
        ((node_key, node),) = nodes

        def write_nodes(data: PageData, request: Request) -> list[dict[str, Any]]:
            return [{node_key: node(row, request)} for row in data.rows]

        return write_nodes

    def write(data: PageData, request: Request) -> list[dict[str, Any]]:
        return [
            {key: writer(i, row, data, request) for key, writer in fields}
            for i, row in enumerate(data.rows)
        ]

    return write


def _page_args(kwargs: dict[str, Any], _context: Context | None) -> PageRequest:
    return page_request(
        kwargs.get("first"), kwargs.get("after"), kwargs.get("last"), kwargs.get("before")
    )


def first_page(kwargs: dict[str, Any], _context: Context | None = None) -> PageRequest:
    """The page the arguments ask for, when it is the first of the list; a nested page
    read with cursors (``after``, ``before``, ``last``) is Strawberry's to answer."""
    page = _page_args(kwargs, _context)
    if not page.plain:
        raise Fallback("cursor or backward page")
    return page


def _read_page(
    request: Request,
    builder: FetchBuilder,
    conditions: Sequence[Any],
    ordering: Ordering,
    page: PageRequest,
    count: bool,
) -> tuple[Any, Ordering, Keyset | None]:
    """The read of one page of a list (``domain.pagination.paginate``'s, in the request's
    one statement): the first rows, or with cursors the keyset window and its counts."""
    if page.plain:
        read = request.query.page(
            builder.fetch,
            conditions=conditions,
            order_by=ordering.order_by(),
            limit=page.limit,
            offset=0,
            count=count,
        )
        return read, ordering, None
    keyset = Keyset.of(ordering, page)
    read = request.query.page(
        builder.fetch,
        conditions=conditions,
        order_by=keyset.order_by,
        limit=page.limit,
        offset=0,
        count=True,
        within=keyset.within,
        positions=(keyset.at_or_before, keyset.before),
        reverse=page.backwards,
    )
    return read, ordering, keyset


def _page_data(slot: tuple[Any, Ordering, Keyset | None]) -> PageData:
    read, ordering, keyset = slot
    total, rows, counts = read.value
    if keyset is None:
        return PageData(rows, total, ordering)
    return PageData(rows, total, ordering, keyset.window(total, *counts))


def _needs(builder: FetchBuilder, *orderings: Ordering) -> Callable[[], None]:
    """What fetches the sort keys of ``orderings`` with the rows, for their cursors."""

    def need() -> None:
        for ordering in orderings:
            names = ordering.names
            assert names is not None, ordering.name
            builder.need(*names)

    return need
