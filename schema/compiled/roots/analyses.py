"""``partnerConcentration``, ``partnerNetwork`` and ``partnerSuggestions``: the 第4章
analyses, decided by the domain by ids (``analyses.concentrated_pairs``,
``network.network_graph``, ``analyses.suggested``), then the departments, partners and
fields they name read with what the selection needs.

On the 10,000-partner database the Strawberry path built a type per partner and link
and resolved each field on its own: some 100 ms for a network of 500 partners and 5,000
links, 80 for the concentration findings of ten years."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.collaborations import analyses, network
from kyodo.domain.collaborations.reviews import PairReview, reviews_by_pair
from kyodo.domain.japanese import fiscal_year_of
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Request, Writer
from kyodo.schema.compiled.roots.entries import entries, entry_fields
from kyodo.schema.compiled.writers import read_then
from kyodo.schema.context import Context
from kyodo.schema.node import to_global_id


def _root(
    planner: Planner,
    details: Sequence[FieldDetails],
    definition: GraphQLField,
    fields: list[tuple[str, Writer]],
    defaulted: tuple[str, int],
) -> tuple[ArgSite, int, Writer]:
    """What both analyses' plans hold: where their arguments are read (as the resolver
    hands them to the domain: an explicit null for the ``defaulted`` argument means its
    default, as leaving it out does), their slot, and the writer of their value."""
    name, default = defaulted

    def arguments(kwargs: dict[str, Any], _context: Context) -> dict[str, Any]:
        value = kwargs.get(name)
        kwargs[name] = default if value is None else value
        return kwargs

    site = ArgSite(planner, details, definition, arguments)
    return site, planner.slot(), entries(definition, fields)


@dataclass(frozen=True, slots=True)
class _Finding:
    """A finding as written: the domain's pair, its rows, and its reviews if selected."""

    pair: analyses.ConcentratedPair
    department: Any
    partner: Any
    review: PairReview | None


_FINDING_SCALARS = {
    "fiscalYears": "pair.fiscal_years",
    "consecutiveYears": "pair.consecutive_years",
    "collaborationCount": "pair.collaboration_count",
    "lastReviewedOn": "review.last_reviewed_on",
    "nextReviewDueOn": "review.next_review_due_on",
}
"""ConcentrationFinding's leaves, and where they are read on a :class:`_Finding`."""

_REVIEW_FIELDS = frozenset({"lastReviewedOn", "nextReviewDueOn"})
"""Leaves read from the pair's reviews (``reviews.reviews_by_pair``, one grouped
statement for every finding, as the Strawberry path's DataLoader batches it)."""


def _partner_concentration(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``CollaborationQueries.partner_concentration``."""
    departments = planner.builder("Department")
    departments.need("id")
    partners = planner.builder("Partner")
    partners.need("id")
    finding = planner.object_type(get_named_type(definition.type).name)
    fields = entry_fields(
        planner,
        finding,
        details,
        {"department": departments, "partner": partners},
        _FINDING_SCALARS,
    )
    selected = {sub[0].node.name.value for sub in planner.subfields(finding, details).values()}
    with_reviews = not selected.isdisjoint(_REVIEW_FIELDS)

    defaulted = ("min_consecutive_years", analyses.DEFAULT_MIN_CONSECUTIVE_YEARS)
    site, slot, complete = _root(planner, details, definition, fields, defaulted)

    async def prepare(request: Request) -> None:
        pairs = await request.context.run(analyses.concentrated_pairs, **site.value(request))
        reads = None
        found_reviews: list[PairReview] | None = None
        if pairs and with_reviews:
            found_reviews = await request.context.run(
                reviews_by_pair, [(p.department_id, p.partner_id) for p in pairs]
            )
        if pairs:
            query = request.query
            reads = (
                query.by_ids(departments.fetch, [p.department_id for p in pairs]),
                query.by_ids(partners.fetch, [p.partner_id for p in pairs]),
            )
        request.slots[slot] = (pairs, reads, found_reviews)

    def write(request: Request) -> Any:
        pairs, reads, found_reviews = request.slots[slot]
        found = []
        if reads is not None:
            department_rows, partner_rows = reads[0].value, reads[1].value
            reviews = found_reviews or [None] * len(pairs)
            found = [
                _Finding(
                    p, department_rows.get(p.department_id), partner_rows.get(p.partner_id), review
                )
                for p, review in zip(pairs, reviews, strict=True)
            ]
        return complete(found, request)

    return RootPlan(key, prepare, write)


@dataclass(frozen=True, slots=True)
class _Network:
    nodes: list[Any]
    links: list[_Link]


@dataclass(frozen=True, slots=True)
class _Link:
    source_id: str
    target_id: str
    shared_collaboration_count: int


_LINK_SCALARS = {
    "sourceId": "source_id",
    "targetId": "target_id",
    "sharedCollaborationCount": "shared_collaboration_count",
}


def _partner_network(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``CollaborationQueries.partner_network``."""
    partners = planner.builder("Partner")
    partners.need("id")

    def own(name: str, sub: list[FieldDetails], field: GraphQLField) -> Writer | None:
        if name != "links":
            return None
        link = planner.object_type(get_named_type(field.type).name)
        return read_then(
            attrgetter("links"), entries(field, entry_fields(planner, link, sub, {}, _LINK_SCALARS))
        )

    fields = entry_fields(
        planner,
        planner.object_type(get_named_type(definition.type).name),
        details,
        {"nodes": partners},
        {},
        own,
    )

    defaulted = ("min_shared_collaborations", network.DEFAULT_MIN_SHARED_COLLABORATIONS)
    site, slot, complete = _root(planner, details, definition, fields, defaulted)

    async def prepare(request: Request) -> None:
        graph = await request.context.run(network.network_graph, **site.value(request))
        read = request.query.by_ids(partners.fetch, graph.node_ids) if graph.node_ids else None
        request.slots[slot] = (graph, read)

    def write(request: Request) -> Any:
        graph, read = request.slots[slot]
        rows = read.value if read is not None else {}
        network = _Network(
            nodes=[rows.get(pk) for pk in graph.node_ids],
            links=[
                _Link(
                    to_global_id("Partner", link.source_id),
                    to_global_id("Partner", link.target_id),
                    link.shared_collaboration_count,
                )
                for link in graph.links
            ],
        )
        return complete(network, request)

    return RootPlan(key, prepare, write)


@dataclass(frozen=True, slots=True)
class _Suggestion:
    """A suggestion as written: the domain's, with its partner and field rows."""

    suggested: analyses.Suggested
    partner: Any
    matching_fields: list[Any]


_SUGGESTION_SCALARS = {
    "lastFiscalYearWithDepartment": "suggested.last_fiscal_year_with_department",
    "score": "suggested.score",
}


def _partner_suggestions(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``CollaborationQueries.partner_suggestions``."""
    partners = planner.builder("Partner")
    partners.need("id")
    fields_of = planner.builder("CollaborationField")
    fields_of.need("id")

    fields = entry_fields(
        planner,
        planner.object_type(get_named_type(definition.type).name),
        details,
        {"partner": partners, "matchingFields": ("matching_fields", fields_of)},
        _SUGGESTION_SCALARS,
    )
    defaulted = ("first", analyses.DEFAULT_SUGGESTIONS)
    site, slot, complete = _root(planner, details, definition, fields, defaulted)

    async def prepare(request: Request) -> None:
        found = await request.context.run(
            analyses.suggested,
            **site.value(request),
            current_fiscal_year=fiscal_year_of(request.context.today),
        )
        reads = None
        if found:
            query = request.query
            field_ids = sorted({pk for s in found for pk in s.field_ids})
            reads = (
                query.by_ids(partners.fetch, [s.partner_id for s in found]),
                query.by_ids(fields_of.fetch, field_ids),
            )
        request.slots[slot] = (found, reads)

    def write(request: Request) -> Any:
        found, reads = request.slots[slot]
        suggestions = []
        if reads is not None:
            partner_rows, field_rows = reads[0].value, reads[1].value
            suggestions = [
                _Suggestion(
                    s, partner_rows.get(s.partner_id), [field_rows.get(pk) for pk in s.field_ids]
                )
                for s in found
            ]
        return complete(suggestions, request)

    return RootPlan(key, prepare, write)
