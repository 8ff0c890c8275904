"""The JSON element of a fetch: one SQL expression that builds a row, its nested
relations included, as JSON in the database (built once, then reused from a cache)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import sqlalchemy as sa

from kyodo.domain.read.entity import Entity, Viewer
from kyodo.domain.read.models import entity
from kyodo.domain.read.selection import Args, Fetch, Nested
from kyodo.domain.read.sql import ONE, JsonSQL

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
            items = self.sql.page(
                self.element(nested.fetch, item),
                item,
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
        if nested.fetch is None and relation.value is not None:
            element = relation.value(source, child)
            json_element = False
        elif nested.fetch is None:
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
            return link.select.with_only_columns(element).limit(ONE).scalar_subquery()
        return self.sql.one(element, link.select)
