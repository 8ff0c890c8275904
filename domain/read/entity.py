"""What a read model is made of: the viewer, an entity, its relations and their links.

:mod:`domain.read.models` declares the entities of the domain with these; the link
factories here (:func:`to_one`, :func:`rows_of`, :func:`through`) are the shapes most
relations share, so each relation states only its keys and its order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kyodo.domain.read.values import Decoder, decoder_for
from kyodo.domain.visibility import PartnerVisibility

Conditions = list[sa.ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Viewer:
    """What a caller may see of the rows themselves (the fields are the schema's business)."""

    partners: PartnerVisibility
    """Which partners exist for the caller (``domain.visibility``: no volunteers for PUBLIC)."""
    reads_internal: bool = False
    """What only the city's staff reads: unpublished collaborations, proposals
    (``schema.permissions.READ_INTERNAL``)."""
    reads_disaster: bool = False
    """The activation log (disaster events, support requests): the disaster office's and
    the city staff's (``schema.permissions.READ_DISASTER``)."""
    reads_audit: bool = False
    """The audit log (``schema.permissions.READ_AUDIT``: ADMIN)."""


def partner_visible_conditions(partner: Any, viewer: Viewer) -> Conditions:
    """The one partner-visibility rule (``domain.visibility``), on ``partner``'s alias."""
    return viewer.partners.conditions(partner)


def no_conditions(_row: Any, _viewer: Viewer) -> Conditions:
    return []


@dataclass(frozen=True, slots=True)
class Link:
    """How a relation reaches its rows from one parent row: the FROM/WHERE of a select
    (its columns are replaced) and the order of the rows."""

    select: sa.Select[Any]
    order_by: Sequence[Any] = ()


LinkFn = Callable[[Any, Any, Any, Viewer], Link]
"""(parent alias, child alias, the relation's arguments, viewer) -> Link."""

Order = Callable[[Any], Sequence[Any]]
"""The order of a relation's rows, on the child's alias."""

Where = Callable[[Any, Any, Viewer], Conditions]
"""More conditions of a link: (parent alias, child alias, viewer) -> conditions."""


def _unordered(_child: Any) -> Sequence[Any]:
    return ()


def _nothing_more(_parent: Any, _child: Any, _viewer: Viewer) -> Conditions:
    return []


def rows_of(
    child_key: str,
    parent_key: str = "id",
    order: Order = _unordered,
    where: Where = _nothing_more,
) -> LinkFn:
    """The rows whose ``child_key`` equals the parent's ``parent_key`` (and ``where``),
    in ``order``: a parent's own rows by their foreign key, by default."""

    def link(parent: Any, child: Any, _args: Any, viewer: Viewer) -> Link:
        select = (
            sa.select(sa.true())
            .select_from(child)
            .where(
                getattr(child, child_key) == getattr(parent, parent_key),
                *where(parent, child, viewer),
            )
        )
        return Link(select, order(child))

    return link


def to_one(target_key: str) -> LinkFn:
    """A to-one relation through the parent's foreign key ``target_key``."""
    return rows_of("id", target_key)


def _no_arguments(_target: Any, _args: Any) -> Conditions:
    return []


def through(
    model: Any,
    parent_key: str,
    target_key: str,
    order: Order,
    narrowed: Callable[[Any, Any], Conditions] = _no_arguments,
) -> LinkFn:
    """The rows a link table ``model`` joins to the parent: its ``parent_key`` names the
    parent, its ``target_key`` the row; ``narrowed``: conditions on the row from the
    relation's arguments."""

    def link(parent: Any, target: Any, args: Any, _viewer: Viewer) -> Link:
        joined = aliased(model)
        select = (
            sa.select(sa.true())
            .select_from(target)
            .join(joined, getattr(joined, target_key) == target.id)
            .where(getattr(joined, parent_key) == parent.id, *narrowed(target, args))
        )
        return Link(select, order(target))

    return link


@dataclass(frozen=True, slots=True)
class Relation:
    name: str
    target: str
    many: bool
    link: LinkFn
    scalar: str | None = None
    """A list (or one) of this target column's values instead of rows."""
    count: bool = False
    """How many rows the link reaches, instead of the rows."""
    aggregate: Callable[[Any], Any] | None = None
    """An aggregate over the rows the link reaches (on the child's alias) instead of the
    rows, e.g. a sum."""
    value: Callable[[Any, Any], Any] | None = None
    """A value computed for each row the link reaches, on (the parent's alias, the
    child's), instead of the rows: a list of them, in the link's order."""
    paged: bool = False
    """One page of the rows and their total; its arguments are ``(PageRequest, the link's
    own arguments)``."""
    limited: bool = False
    """At most some of the rows (a list no rule bounds): its arguments are ``(the most
    rows or None, the link's own arguments)``."""
    unaliased: bool = False
    """The rows are read from the model itself, not an alias, so that a list service's
    own conditions (written on the model) apply; the link must correlate explicitly."""

    @property
    def has_rows(self) -> bool:
        return (
            self.scalar is None and not self.count and self.aggregate is None and self.value is None
        )


@dataclass(eq=False)
class Entity:
    name: str
    model: Any
    relations: dict[str, Relation] = field(default_factory=dict)
    visible: Callable[[Any, Viewer], Conditions] = no_conditions
    decoders: Mapping[str, Decoder | None] = field(init=False)

    json_columns: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        table = self.model.__table__
        # Bytes (a 協定書's PDF) never travel in the JSON of a read: not readable here.
        readable = [c for c in table.columns if not isinstance(c.type, sa.LargeBinary)]
        self.decoders = {column.name: decoder_for(column) for column in readable}
        self.json_columns = frozenset(c.name for c in table.columns if isinstance(c.type, sa.JSON))

    def alias(self) -> Any:
        """A fresh anonymous alias (SQLAlchemy names it when the statement compiles)."""
        return aliased(self.model)

    def column(self, source: Any, name: str) -> Any:
        return getattr(source, name)
