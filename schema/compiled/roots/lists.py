"""The lists at the root: the paged connections (``partners``, ``agreements``,
``collaborations``, ``proposals``, ``endorsementApplications``, ``auditEvents``,
``subsidyApplications``) through the list services' own conditions and order,
and the whole lists (``departments``, ``collaborationFields``, ``subsidyPrograms``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import service as agreements
from kyodo.domain.agreements.service import AgreementFilterSpec
from kyodo.domain.audit import service as audit
from kyodo.domain.collaborations import service as collaborations
from kyodo.domain.disasters import service as disasters
from kyodo.domain.endorsements import service as endorsements
from kyodo.domain.enums import EndorsementStatus, ProposalStatus
from kyodo.domain.ordering import Ordering
from kyodo.domain.pagination import PageRequest
from kyodo.domain.partners import service as partners
from kyodo.domain.partners.service import PartnerFilterSpec
from kyodo.domain.proposals import service as proposals
from kyodo.domain.subsidies import service as subsidies
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Fallback, Request
from kyodo.schema.compiled.roots.connections import (
    _needs,
    _page_args,
    _page_data,
    _read_page,
    plan_connection,
)
from kyodo.schema.compiled.writers import completer
from kyodo.schema.context import Context
from kyodo.schema.node import decode_optional_id
from kyodo.schema.permissions import can_read_internal

ListRead = Callable[[Request, Any], Awaitable[tuple[PageRequest, Sequence[Any], Ordering]]]
"""From a request and its bound arguments: (the page, the list's conditions, its order)."""


RootPlanner = Callable[[Planner, str, Sequence[FieldDetails], GraphQLField], RootPlan]
"""Plans one root field (``ROOTS``' values)."""


def _connection_root(
    type_name: str,
    orderings: Sequence[Ordering],
    arguments: Callable[[dict[str, Any], Context], Any],
    read: ListRead,
) -> RootPlanner:
    """A paged root list of ``type_name`` rows: ``arguments`` binds the field's arguments,
    ``read`` turns them into the page, conditions and order; ``orderings``: every order
    the list may take (their keys are fetched, for cursors)."""

    def plan(
        planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
    ) -> RootPlan:
        builder = planner.builder(type_name)
        needs_total, write_connection = plan_connection(
            planner,
            definition,
            details,
            lambda sub: planner.entity_shape(type_name, sub, builder),
            _needs(builder, *orderings),
        )
        site = ArgSite(planner, details, definition, arguments)
        slot = planner.slot()

        async def prepare(request: Request) -> None:
            page, conditions, ordering = await read(request, site.value(request))
            request.slots[slot] = _read_page(
                request, builder, conditions, ordering, page, needs_total
            )

        def write(request: Request) -> Any:
            return write_connection(_page_data(request.slots[slot]), request)

        return RootPlan(key, prepare, write)

    return plan


async def _filtered(
    request: Request, list_conditions: Callable[..., Awaitable[Sequence[Any]]], spec: Any
) -> Sequence[Any]:
    """The conditions of a filter ``spec`` as the list's resolver reads them: on the
    request's today, with the partners the viewer may see."""
    context = request.context
    return await context.run(
        list_conditions, spec=spec, today=context.today, visibility=request.query.viewer.partners
    )


def _partner_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    filter_, order = kwargs.get("filter"), kwargs.get("order_by")
    return (
        _page_args(kwargs, context),
        filter_.to_spec() if filter_ else PartnerFilterSpec(),
        order.to_spec() if order else None,
    )


async def _read_partners(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, spec, order = bound
    conditions = await _filtered(request, partners.list_conditions, spec)
    return page, conditions, partners.list_ordering(order)


_partners = _connection_root("Partner", partners.ALL_ORDERINGS, _partner_arguments, _read_partners)
"""``PartnerQueries.partners``."""


def _agreement_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    filter_ = kwargs.get("filter")
    return _page_args(kwargs, context), filter_.to_spec() if filter_ else AgreementFilterSpec()


async def _read_agreements(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, spec = bound
    conditions = await _filtered(request, agreements.list_conditions, spec)
    return page, conditions, agreements.LIST_ORDERING


_agreements = _connection_root(
    "Agreement", (agreements.LIST_ORDERING,), _agreement_arguments, _read_agreements
)
"""``AgreementQueries.agreements``."""


def _collaboration_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    from kyodo.schema.collaborations.inputs import CollaborationFilterInput
    from kyodo.schema.collaborations.types import public_only

    spec = (kwargs.get("filter") or CollaborationFilterInput()).to_spec(
        department_id=None, public_only=public_only(context)
    )
    return _page_args(kwargs, context), spec


async def _read_collaborations(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, spec = bound
    conditions = collaborations.list_conditions(spec, request.query.viewer.partners)
    return page, conditions, collaborations.list_ordering()


_collaborations = _connection_root(
    "Collaboration",
    (collaborations.list_ordering(),),
    _collaboration_arguments,
    _read_collaborations,
)
"""``CollaborationQueries.collaborations`` (``resolve_collaborations``)."""


def _proposal_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    statuses = [ProposalStatus(s) for s in kwargs.get("statuses") or ()]
    answered_only = not can_read_internal(context)
    return _page_args(kwargs, context), statuses, kwargs.get("department_codes"), answered_only


async def _read_proposals(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, statuses, department_codes, answered_only = bound
    conditions = proposals.list_conditions(
        statuses=statuses, department_codes=department_codes, answered_only=answered_only
    )
    return page, conditions, proposals.LIST_ORDERING


_proposals = _connection_root(
    "Proposal", (proposals.LIST_ORDERING,), _proposal_arguments, _read_proposals
)
"""``ProposalQueries.proposals``."""


def _endorsement_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    statuses = [EndorsementStatus(s) for s in kwargs.get("statuses") or ()]
    return _page_args(kwargs, context), statuses


async def _read_endorsements(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, statuses = bound
    return page, endorsements.list_conditions(statuses), endorsements.LIST_ORDERING


_endorsement_applications = _connection_root(
    "EndorsementApplication",
    (endorsements.LIST_ORDERING,),
    _endorsement_arguments,
    _read_endorsements,
)
"""``EndorsementQueries.endorsement_applications``."""


def _audit_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    from kyodo.schema.audit.queries import audited_entity

    # a broken id raises here: Strawberry answers with its error
    return _page_args(kwargs, context), *audited_entity(kwargs.get("entity_id"))


async def _read_audit_events(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, entity_type, pk = bound
    return page, audit.list_conditions(entity_type, pk), audit.LIST_ORDERING


_audit_events = _connection_root(
    "AuditEvent", (audit.LIST_ORDERING,), _audit_arguments, _read_audit_events
)
"""``AuditQueries.audit_events``."""


def _application_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    program_id = decode_optional_id(kwargs.get("program_id"), "SubsidyProgram")
    return _page_args(kwargs, context), program_id, list(kwargs.get("statuses") or ())


async def _read_applications(
    request: Request, bound: Any
) -> tuple[PageRequest, Sequence[Any], Ordering]:
    page, program_id, statuses = bound
    conditions = subsidies.application_conditions(program_id, statuses)
    return page, conditions, subsidies.APPLICATION_ORDERING


_subsidy_applications = _connection_root(
    "SubsidyApplication",
    (subsidies.APPLICATION_ORDERING,),
    _application_arguments,
    _read_applications,
)
"""``SubsidyQueries.subsidy_applications``."""


def _entity_list(
    entity_name: str,
    order: Callable[[], list[Any]],
    *,
    arguments: Callable[[dict[str, Any], Context], Hashable] | None = None,
    conditions: Callable[[Any], list[Any]] = lambda _value: [],
    arrange: Callable[[list[Any]], list[Any]] | None = None,
    arranged_by: Sequence[str] = (),
) -> RootPlanner:
    """A whole list of ``entity_name`` rows (as the GraphQL type of that name), in
    ``order``: without arguments (``departments``, ``collaborationFields``), or with
    ``arguments`` (the resolver's keyword arguments → one value) from which
    ``conditions`` builds the list's conditions, as the domain's read does
    (``subsidyPrograms``, ``disasterEvents``, ``openSupportRequests``). ``arrange``:
    what the domain's read does to the rows after (the live view's order), reading the
    columns ``arranged_by`` whatever the selection."""

    def plan(
        planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
    ) -> RootPlan:
        if arguments is None and definition.args:
            raise Fallback(f"Query.{details[0].node.name.value} takes arguments")
        builder = planner.builder(entity_name)
        builder.need(*arranged_by)
        shape = planner.entity_shape(entity_name, details, builder)
        complete = completer(definition.type, shape.write)
        site = ArgSite(planner, details, definition, arguments or (lambda _kwargs, _c: None))
        slot = planner.slot()

        async def prepare(request: Request) -> None:
            value = site.value(request)
            request.slots[slot] = request.query.all(
                builder.fetch,
                conditions=lambda: conditions(value),
                order_by=order(),
                key=(entity_name, value),
            )

        def write(request: Request) -> Any:
            rows = request.slots[slot].value
            return complete(arrange(list(rows)) if arrange else rows, request)

        return RootPlan(key, prepare, write)

    return plan


def _fiscal_year(kwargs: dict[str, Any], _context: Context) -> Any:
    return kwargs.get("fiscal_year")


_subsidy_programs = _entity_list(
    "SubsidyProgram",
    subsidies.program_order,
    arguments=_fiscal_year,
    conditions=lambda fiscal_year: subsidies.program_conditions(fiscal_year=fiscal_year),
)
"""``SubsidyQueries.subsidy_programs``."""


def _event_id(kwargs: dict[str, Any], _context: Context) -> int | None:
    """A malformed eventId is Strawberry's INVALID (the request falls back)."""
    return decode_optional_id(kwargs.get("event_id"), "DisasterEvent")


_disaster_events = _entity_list(
    "DisasterEvent",
    disasters.event_order,
    arguments=lambda kwargs, _context: kwargs["open_only"],
    conditions=lambda open_only: disasters.event_conditions(open_only=open_only),
)
"""``DisasterQueries.disaster_events``: the latest first."""

_open_support_requests = _entity_list(
    "SupportRequest",
    disasters.request_order,
    arguments=_event_id,
    conditions=disasters.open_request_conditions,
    arrange=disasters.in_live_order,
    arranged_by=disasters.LIVE_ORDER_READS,
)
"""``DisasterQueries.open_support_requests``: the activation log's live view."""
