"""The root fields the compiled path answers, each as its Strawberry resolver does.

Arguments go through the resolver's own conversions (``page_request``, the filter
inputs' ``to_spec``), the lists through the list services' own conditions and order
(``domain.partners.service.list_conditions``...), pages through ``schema.pagination``'s
cursors and ``domain.pagination.Page``: one definition of each, whichever path runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import in_force, lookup
from kyodo.domain.agreements import service as agreements
from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.agreements.service import AgreementFilterSpec
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.collaborations import service as collaborations
from kyodo.domain.disasters.capacity import capacity_on
from kyodo.domain.disasters.contacts import standing_on
from kyodo.domain.ordering import Ordering
from kyodo.domain.pagination import Keyset, PageRequest, Window
from kyodo.domain.partners import service as partners
from kyodo.domain.partners.service import PartnerFilterSpec
from kyodo.domain.read.models import entity
from kyodo.domain.reference.service import department_order, field_order
from kyodo.schema.compiled.plan import (
    ArgSite,
    Fallback,
    FetchBuilder,
    ObjectShape,
    Planner,
    Request,
    RootPlan,
    Writer,
    completer,
    serializer,
)
from kyodo.schema.context import Context
from kyodo.schema.node import NODE_KINDS, from_global_id
from kyodo.schema.pagination import page_request
from kyodo.schema.permissions import can_read_internal
from kyodo.schema.reference.queries import collaboration_form_infos
from kyodo.schema.root import MAX_NODES, viewer_of


def plan_root(planner: Planner, key: str, details: Sequence[FieldDetails]) -> RootPlan:
    name = details[0].node.name.value
    if name == "__typename":
        return RootPlan(key, _nothing, lambda _request: "Query")
    root = ROOTS.get(name)
    if root is None:
        raise Fallback(f"Query.{name} is not compiled")
    query_type = planner.schema.query_type
    assert query_type is not None
    definition = planner.field(query_type, details)
    return root(planner, key, details, definition)


async def _nothing(_request: Request) -> None:
    return None


# ---------------------------------------------------------------- connections


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
    for key, sub in planner.subfields(connection, details).items():
        name = sub[0].node.name.value
        if name == "__typename":
            fields.append((key, _const(connection.name)))
            continue
        field_definition = planner.field(connection, sub)
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
    for key, sub in planner.subfields(type_, details).items():
        name = sub[0].node.name.value
        if name == "__typename":
            fields.append((key, _const(type_.name)))
            continue
        planner.field(type_, sub)
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
    for key, sub in planner.subfields(edge, details).items():
        name = sub[0].node.name.value
        if name == "__typename":
            fields.append((key, _const(edge.name)))
            continue
        node_definition = planner.field(edge, sub)
        if name == "cursor":
            _cursors(keys)
            fields.append((key, lambda i, _row, data, _request: data.cursor(i)))
        elif name == "node":
            complete = completer(node_definition.type, item(sub).write)
            fields.append((key, lambda _i, row, _data, request, c=complete: c(row, request)))
        else:
            raise Fallback(f"{edge.name}.{name} is not compiled")

    def write(data: PageData, request: Request) -> list[dict[str, Any]]:
        return [
            {key: writer(i, row, data, request) for key, writer in fields}
            for i, row in enumerate(data.rows)
        ]

    return write


# ---------------------------------------------------------------- lists of entities


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


def _partners(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``PartnerQueries.partners``."""
    builder = planner.builder("Partner")
    needs_total, write_connection = plan_connection(
        planner,
        definition,
        details,
        lambda sub: planner.entity_shape("Partner", sub, builder),
        _needs(builder, *partners.ALL_ORDERINGS),
    )

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        filter_, order = kwargs.get("filter"), kwargs.get("order_by")
        return (
            _page_args(kwargs, context),
            filter_.to_spec() if filter_ else PartnerFilterSpec(),
            order.to_spec() if order else None,
        )

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        page, spec, order = site.value(request)
        context = request.context
        conditions = await context.run(
            partners.list_conditions,
            spec=spec,
            today=context.today,
            visibility=request.query.viewer.partners,
        )
        request.slots[slot] = _read_page(
            request, builder, conditions, partners.list_ordering(order), page, needs_total
        )

    def write(request: Request) -> Any:
        return write_connection(_page_data(request.slots[slot]), request)

    return RootPlan(key, prepare, write)


def _agreements(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``AgreementQueries.agreements``."""
    builder = planner.builder("Agreement")
    needs_total, write_connection = plan_connection(
        planner,
        definition,
        details,
        lambda sub: planner.entity_shape("Agreement", sub, builder),
        _needs(builder, agreements.LIST_ORDERING),
    )

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        filter_ = kwargs.get("filter")
        return _page_args(kwargs, context), filter_.to_spec() if filter_ else AgreementFilterSpec()

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        page, spec = site.value(request)
        context = request.context
        conditions = await context.run(
            agreements.list_conditions,
            spec=spec,
            today=context.today,
            visibility=request.query.viewer.partners,
        )
        request.slots[slot] = _read_page(
            request, builder, conditions, agreements.LIST_ORDERING, page, needs_total
        )

    def write(request: Request) -> Any:
        return write_connection(_page_data(request.slots[slot]), request)

    return RootPlan(key, prepare, write)


def _collaborations(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``CollaborationQueries.collaborations`` (``resolve_collaborations``)."""
    from kyodo.schema.collaborations.inputs import CollaborationFilterInput
    from kyodo.schema.collaborations.types import public_only

    builder = planner.builder("Collaboration")
    needs_total, write_connection = plan_connection(
        planner,
        definition,
        details,
        lambda sub: planner.entity_shape("Collaboration", sub, builder),
        _needs(builder, collaborations.list_ordering()),
    )

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        spec = (kwargs.get("filter") or CollaborationFilterInput()).to_spec(
            department_id=None, public_only=public_only(context)
        )
        return _page_args(kwargs, context), spec

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        page, spec = site.value(request)
        request.slots[slot] = _read_page(
            request,
            builder,
            collaborations.list_conditions(spec, request.query.viewer.partners),
            collaborations.list_ordering(),
            page,
            needs_total,
        )

    def write(request: Request) -> Any:
        return write_connection(_page_data(request.slots[slot]), request)

    return RootPlan(key, prepare, write)


def _proposals(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``ProposalQueries.proposals``."""
    from kyodo.domain.enums import ProposalStatus
    from kyodo.domain.proposals import service as proposals

    builder = planner.builder("Proposal")
    needs_total, write_connection = plan_connection(
        planner,
        definition,
        details,
        lambda sub: planner.entity_shape("Proposal", sub, builder),
        _needs(builder, proposals.LIST_ORDERING),
    )

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        statuses = [ProposalStatus(s) for s in kwargs.get("statuses") or ()]
        answered_only = not can_read_internal(context)
        return _page_args(kwargs, context), statuses, kwargs.get("department_codes"), answered_only

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        page, statuses, department_codes, answered_only = site.value(request)
        conditions = proposals.list_conditions(
            statuses=statuses, department_codes=department_codes, answered_only=answered_only
        )
        request.slots[slot] = _read_page(
            request, builder, conditions, proposals.LIST_ORDERING, page, needs_total
        )

    def write(request: Request) -> Any:
        return write_connection(_page_data(request.slots[slot]), request)

    return RootPlan(key, prepare, write)


def _entity_list(
    entity_name: str, type_name: str, order: Callable[[], list[Any]]
) -> Callable[[Planner, str, Sequence[FieldDetails], GraphQLField], RootPlan]:
    """A whole list without arguments (``departments``, ``collaborationFields``)."""

    def plan(
        planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
    ) -> RootPlan:
        if definition.args:
            raise Fallback(f"Query.{details[0].node.name.value} takes arguments")
        builder = planner.builder(entity_name)
        shape = planner.entity_shape(type_name, details, builder)
        complete = completer(definition.type, shape.write)
        slot = planner.slot()

        async def prepare(request: Request) -> None:
            request.slots[slot] = request.query.all(builder.fetch, conditions=[], order_by=order())

        def write(request: Request) -> Any:
            return complete(request.slots[slot].value, request)

        return RootPlan(key, prepare, write)

    return plan


def _subsidy_programs(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``SubsidyQueries.subsidy_programs``."""
    from kyodo.domain.subsidies import service as subsidies

    builder = planner.builder("SubsidyProgram")
    shape = planner.entity_shape("SubsidyProgram", details, builder)
    complete = completer(definition.type, shape.write)
    site = ArgSite(planner, details, definition, lambda kwargs, _context: kwargs.get("fiscal_year"))
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        conditions = subsidies.program_conditions(fiscal_year=site.value(request))
        request.slots[slot] = request.query.all(
            builder.fetch, conditions=conditions, order_by=subsidies.program_order()
        )

    return RootPlan(key, prepare, lambda request: complete(request.slots[slot].value, request))


# ---------------------------------------------------------------- node, nodes


def _node_types(
    planner: Planner, details: Sequence[FieldDetails], definition: GraphQLField
) -> dict[str, tuple[FetchBuilder, ObjectShape] | Fallback]:
    """A plan per type implementing Node that the selection may meet at run time; a
    type the compiled path cannot answer keeps its reason (only a request that hits
    it falls back)."""
    from kyodo.schema.compiled.types import TYPES

    interface = get_named_type(definition.type)
    plans: dict[str, tuple[FetchBuilder, ObjectShape] | Fallback] = {}
    for type_ in planner.schema.get_possible_types(interface):  # type: ignore[arg-type]
        assert isinstance(type_, GraphQLObjectType)
        spec = TYPES.get(type_.name)
        if spec is None:
            plans[type_.name] = Fallback(f"node of type {type_.name} is not compiled")
            continue
        try:
            builder = planner.builder(spec.entity)
            builder.need("id")
            plans[type_.name] = (builder, planner.entity_shape(type_.name, details, builder))
        except Fallback as reason:
            plans[type_.name] = reason
    return plans


def _node_lookup(
    plans: dict[str, tuple[FetchBuilder, ObjectShape] | Fallback],
) -> Callable[[Request, Sequence[str]], Callable[[], list[Any]]]:
    """Looks ids up, as ``schema.node.resolve_nodes`` does (unknown or invisible: null),
    one read per type; returns what writes the objects once the query ran."""

    def lookup(request: Request, ids: Sequence[str]) -> Callable[[], list[Any]]:
        wanted: list[tuple[str, int] | None] = []
        pks: dict[str, list[int]] = {}
        for global_id in ids:
            decoded = from_global_id(global_id)
            if decoded is None or decoded[0] not in NODE_KINDS:
                wanted.append(None)
                continue
            plan = plans.get(decoded[0])
            if plan is None or isinstance(plan, Fallback):
                raise plan or Fallback(f"node of type {decoded[0]}")
            wanted.append(decoded)
            pks.setdefault(decoded[0], []).append(decoded[1])
        reads = {}
        for type_name, type_pks in pks.items():
            builder, _shape = plans[type_name]  # type: ignore[misc]
            reads[type_name] = request.query.by_ids(builder.fetch, type_pks)

        def write() -> list[Any]:
            found: list[Any] = []
            for item in wanted:
                if item is None:
                    found.append(None)
                    continue
                row = reads[item[0]].value.get(item[1])
                _builder, shape = plans[item[0]]  # type: ignore[misc]
                found.append(None if row is None else shape.write(row, request))
            return found

        return write

    return lookup


def _node(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``RootQueries.node``."""
    lookup = _node_lookup(_node_types(planner, details, definition))
    site = ArgSite(planner, details, definition, lambda kwargs, _context: kwargs["id"])
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        request.slots[slot] = lookup(request, [site.value(request)])

    return RootPlan(key, prepare, lambda request: request.slots[slot]()[0])


def _nodes(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``RootQueries.nodes``: more than MAX_NODES ids is Strawberry's INVALID error."""
    lookup = _node_lookup(_node_types(planner, details, definition))

    def arguments(kwargs: dict[str, Any], _context: Context) -> list[str]:
        if len(kwargs["ids"]) > MAX_NODES:
            raise Fallback("too many ids")
        return list(kwargs["ids"])

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        request.slots[slot] = lookup(request, site.value(request))

    return RootPlan(key, prepare, lambda request: request.slots[slot]())


# ---------------------------------------------------------------- the disaster lookup


def _disaster_support(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``AgreementQueries.disaster_support``: the domain's rules
    (``domain.agreements.service.disaster_support``), read as (agreement, party) pairs
    in one statement: the pairs of every agreement that may be in force on the day
    (``agreements_maybe_in_force_on``, a superset in SQL), each with its agreement's term
    columns, kept when ``terms.agreement_in_force_on`` says so (renewals, month ends)."""
    from kyodo.schema.compiled.types import AGREEMENT, in_category_order

    entry = planner.object_type(get_named_type(definition.type).name)
    builder = planner.builder("AgreementParty")
    builder.need("agreement_id", "partner_id")
    # What the lookup's own rules read, whatever the selection.
    partner = FetchBuilder(entity("Partner"))
    partner.need("id", "sort_key")
    agreement = FetchBuilder(entity("Agreement"))
    agreement.need("id", "contacts_verified_on", *in_force.TERM_FIELDS, *AGREEMENT.check_needs)
    listed, own = FetchBuilder(entity("Contact")), FetchBuilder(entity("Contact"))
    listed.need("agreement_id")
    # The partner's calls and capacity reports, read along (no statement of their own);
    # domain.disasters folds them as the Strawberry path does.
    checks, reports = (
        FetchBuilder(entity("ContactVerification")),
        FetchBuilder(entity("CapacityReport")),
    )
    checks.need("id", "verified_on", "outcome")
    reports.need("id", "item", "quantity", "unit", "reported_on", "note")
    keys = {
        "partner": builder.relation("partner", partner)[0],
        "agreement": builder.relation("agreement", agreement)[0],
        "support_categories": builder.relation("support_categories", None)[0],
        "listed": builder.relation("listed_contacts", listed)[0],
        "own": builder.relation("own_emergency_contacts", own)[0],
        "checks": builder.relation("contact_checks", checks)[0],
        "capacity": builder.relation("capacity_reports", reports)[0],
    }
    fields: list[tuple[str, Writer]] = []
    for field_key, sub in planner.subfields(entry, details).items():
        name = sub[0].node.name.value
        if name == "__typename":
            fields.append((field_key, _const(entry.name)))
            continue
        field_definition = planner.field(entry, sub)
        if name in ("partner", "agreement"):
            target = partner if name == "partner" else agreement
            shape = planner.entity_shape(get_named_type(field_definition.type).name, sub, target)
            complete = completer(field_definition.type, shape.write)
            fields.append((field_key, _attribute(name, complete)))
        elif name in _ENTRY_SCALARS:
            serialize = serializer(field_definition.type)
            complete = completer(field_definition.type, lambda v, _r, s=serialize: s(v))
            python_name = field_definition.extensions["strawberry-definition"].python_name
            fields.append((field_key, _attribute(python_name, complete)))
        elif name == "emergencyContacts":
            shape = planner.entity_shape("Contact", sub, listed)
            fields.append((field_key, _emergency_contacts(field_definition, shape)))
        elif name == "capacity":
            # CapacityReport rows: the type's fields are their own attributes
            shape = planner.value_shape(get_named_type(field_definition.type).name, sub)
            fields.append(
                (field_key, _attribute("capacity", completer(field_definition.type, shape.write)))
            )
        else:
            raise Fallback(f"{entry.name}.{name} is not compiled")
    own.need(*listed.columns)  # the same writer serves both lists

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        wanted = lookup.disaster_wanted(kwargs.get("categories"))
        on = lookup.disaster_day(kwargs.get("on") or context.today)
        return wanted, on, kwargs.get("district")

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()
    complete_entries = completer(
        definition.type,
        lambda row, request: {key: writer(row, request) for key, writer in fields},
    )

    async def prepare(request: Request) -> None:
        wanted, on, district = site.value(request)
        candidates = in_force.agreements_maybe_in_force_on(
            on, lookup.disaster_conditions(wanted, district)
        )
        read = request.query.all(
            builder.fetch,
            conditions=lookup.disaster_party_conditions(
                AgreementParty, agreement_ids=candidates, district=district
            ),
            order_by=(),
        )
        request.slots[slot] = (read, wanted, on)

    def write(request: Request) -> Any:
        read, wanted, on = request.slots[slot]
        agreement_of = keys["agreement"]
        pairs = [
            pair for pair in read.value if agreement_in_force_on(getattr(pair, agreement_of), on)
        ]
        standings = {p.partner_id: standing_on(getattr(p, keys["checks"]), on) for p in pairs}
        capacity = {p.partner_id: capacity_on(getattr(p, keys["capacity"]), on) for p in pairs}
        rows = lookup.disaster_rows(
            (
                lookup.DisasterParty(
                    partner=getattr(pair, keys["partner"]),
                    agreement=getattr(pair, keys["agreement"]),
                    support_categories=in_category_order(getattr(pair, keys["support_categories"])),
                    listed=getattr(pair, keys["listed"]),
                    own=getattr(pair, keys["own"]),
                )
                for pair in pairs
            ),
            wanted=wanted,
            on=on,
            standings=standings,
            capacity=capacity,
        )
        for row in rows:
            # DisasterSupportEntryType.from_row builds the agreement's type eagerly.
            AGREEMENT.check(row.agreement)  # type: ignore[misc]
        return complete_entries(rows, request)

    return RootPlan(key, prepare, write)


_ENTRY_SCALARS = (
    "supportCategories",
    "contactsVerifiedOn",
    "contactsStale",
    "lastCheckedOn",
    "lastCheckOutcome",
    "reachable",
)
"""DisasterSupportEntry's fields that are the row's own values (DisasterSupportRow)."""


def _attribute(name: str, complete: Writer) -> Writer:
    return lambda row, request: complete(getattr(row, name), request)


def _emergency_contacts(definition: GraphQLField, shape: ObjectShape) -> Writer:
    """``DisasterSupportEntryType.emergency_contacts``: logged on the record the contacts
    belong to (``contacts_read_of``)."""
    from kyodo.schema.agreements.types import contacts_read_of

    complete = completer(definition.type, shape.write)

    def write(row: Any, request: Request) -> Any:
        if row.emergency_contacts:
            request.note(*contacts_read_of(row))
        return complete(row.emergency_contacts, request)

    return write


# ---------------------------------------------------------------- values without SQL


def _values(
    type_name: str, values: Callable[[Request], Any]
) -> Callable[[Planner, str, Sequence[FieldDetails], GraphQLField], RootPlan]:
    """Value objects the resolver builds without reading the database (``viewer``,
    ``collaborationForms``), built by the resolver's own function."""

    def plan(
        planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
    ) -> RootPlan:
        if definition.args:
            raise Fallback(f"Query.{details[0].node.name.value} takes arguments")
        shape = planner.value_shape(type_name, details)
        complete: Writer = completer(definition.type, shape.write)
        return RootPlan(key, _nothing, lambda request: complete(values(request), request))

    return plan


ROOTS: dict[str, Callable[[Planner, str, Sequence[FieldDetails], GraphQLField], RootPlan]] = {
    "partners": _partners,
    "agreements": _agreements,
    "collaborations": _collaborations,
    "proposals": _proposals,
    "subsidyPrograms": _subsidy_programs,
    "node": _node,
    "nodes": _nodes,
    "disasterSupport": _disaster_support,
    "departments": _entity_list("Department", "Department", department_order),
    "collaborationFields": _entity_list("CollaborationField", "CollaborationField", field_order),
    "viewer": _values("Viewer", lambda request: viewer_of(request.context.principal)),
    "collaborationForms": _values(
        "CollaborationFormInfo", lambda _request: collaboration_form_infos()
    ),
}
