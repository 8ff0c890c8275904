"""``disasterSupport`` and its other half ``disasterSupportNeedingReview``: the disaster
lookup's (agreement, party) pairs in one statement, folded by the domain's own rules
(``domain.agreements.lookup``, ``domain.disasters.review``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import lookup
from kyodo.domain.disasters import review
from kyodo.domain.disasters.capacity import capacity_on
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, FetchBuilder, Request, Writer
from kyodo.schema.compiled.roots.entries import entries
from kyodo.schema.compiled.roots.parties import PartyPairs
from kyodo.schema.compiled.writers import ObjectShape, completer, read_then
from kyodo.schema.context import Context


def _disaster_support(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``AgreementQueries.disaster_support``: the domain's rules
    (``domain.agreements.lookup.disaster_support``), read as (agreement, party) pairs
    in one statement: the pairs of every agreement that may be in force on the day
    (``agreements_maybe_in_force_on``, a superset in SQL), each with its agreement's term
    columns, kept when ``terms.agreement_in_force_on`` says so (renewals, month ends)."""
    from kyodo.schema.compiled.types import in_category_order

    pairs = PartyPairs(planner, once=False)
    builder = pairs.builder
    categories_of = builder.relation("support_categories", None)[0]
    keys: dict[str, str] = {}
    listed, own = FetchBuilder(entity("Contact")), FetchBuilder(entity("Contact"))
    listed.need("agreement_id")
    reports = FetchBuilder(entity("CapacityReport"))
    reports.need("id", "item", "quantity", "unit", "reported_on", "note")

    # The contacts and the capacity reports (read along, no statement of their own) only
    # when the selection writes them: the lookup's order does not read them (two and one
    # correlated subqueries per pair); domain.disasters folds them as the Strawberry path
    # does.
    def entry_field(
        name: str, sub: list[FieldDetails], field_definition: GraphQLField
    ) -> Writer | None:
        if name == "emergencyContacts":
            if "listed" not in keys:
                keys["listed"] = builder.relation("listed_contacts", listed)[0]
                keys["own"] = builder.relation("own_emergency_contacts", own)[0]
            shape = planner.entity_shape("Contact", sub, listed)
            return _emergency_contacts(field_definition, shape)
        if name == "capacity":
            if "capacity" not in keys:
                keys["capacity"] = builder.relation("capacity_reports", reports)[0]
            # CapacityReport rows: the type's fields are their own attributes
            shape = planner.value_shape(get_named_type(field_definition.type).name, sub)
            return _attribute("capacity", completer(field_definition.type, shape.write))
        return None

    fields = pairs.entry_fields(
        planner.object_type(get_named_type(definition.type).name),
        details,
        entities=("partner", "agreement"),
        scalars=_ENTRY_SCALARS,
        own=entry_field,
    )
    own.need(*listed.columns)  # the same writer serves both lists

    slot, prepare = _lookup_read(planner, details, definition, pairs, needing_review=False)
    complete_entries = entries(definition, fields)

    def write(request: Request) -> Any:
        read, wanted, on = request.slots[slot]
        kept = pairs.pairs(read, on)
        # An agreement in force has its categories put in order once.
        in_order: dict[int, list[Any]] = {}
        for pair in kept:
            if pair.row.agreement_id not in in_order:
                in_order[pair.row.agreement_id] = in_category_order(
                    getattr(pair.row, categories_of)
                )
        capacity: dict[int, Any] = {}
        reports_of = keys.get("capacity")
        if reports_of is not None:
            for pair in kept:
                if pair.row.partner_id not in capacity:
                    capacity[pair.row.partner_id] = capacity_on(getattr(pair.row, reports_of), on)
        listed_of, own_of = keys.get("listed"), keys.get("own")
        rows = lookup.disaster_rows(
            (
                lookup.DisasterParty(
                    partner=pair.partner,
                    agreement=pair.agreement,
                    support_categories=in_order[pair.row.agreement_id],
                    listed=getattr(pair.row, listed_of) if listed_of else [],
                    own=getattr(pair.row, own_of) if own_of else [],
                )
                for pair in kept
            ),
            wanted=wanted,
            on=on,
            standings=pairs.standings(kept, on),
            capacity=capacity,
        )
        return complete_entries(rows, request)

    return RootPlan(key, prepare, write)


def _lookup_arguments(kwargs: dict[str, Any], context: Context) -> Any:
    """The lookup's arguments as its resolver reads them (``disaster_lookup``): the
    categories wanted, the day (today when omitted), the district."""
    wanted = lookup.disaster_wanted(kwargs.get("categories"))
    on = lookup.disaster_day(kwargs.get("on") or context.today)
    return wanted, on, kwargs.get("district")


def _lookup_read(
    planner: Planner,
    details: Sequence[FieldDetails],
    definition: GraphQLField,
    pairs: PartyPairs,
    *,
    needing_review: bool,
) -> tuple[int, Callable[[Request], Awaitable[None]]]:
    """Where the lookup's arguments are read, and its read of the pairs
    (``needing_review``: the other half's): (the slot it keeps (the read, the categories
    wanted, the day) in, the prepare step)."""
    site = ArgSite(planner, details, definition, _lookup_arguments)
    slot = planner.slot()

    async def prepare(request: Request) -> None:
        wanted, on, district = site.value(request)
        read = pairs.read(
            request,
            on,
            lambda: lookup.disaster_conditions(wanted, district),
            district=district,
            needing_review=needing_review,
            key=(needing_review, None if wanted is None else tuple(wanted), on, district),
        )
        request.slots[slot] = (read, wanted, on)

    return slot, prepare


def _disaster_support_needing_review(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``DisasterReviewQueries.disaster_support_needing_review``: the pairs the lookup
    leaves out (the party DISSOLVED or INACTIVE, ``needing_review``), of the same
    agreements, in one statement; kept and ordered by the domain
    (``domain.disasters.review.review_rows``). Such parties are few: each pair carries
    its partner and agreement."""
    from kyodo.schema.compiled.types import in_category_order

    pairs = PartyPairs(planner, once=False)
    pairs.partner.need("status")  # partnerStatus and reason
    categories_of = pairs.builder.relation("support_categories", None)[0]
    fields = pairs.entry_fields(
        planner.object_type(get_named_type(definition.type).name),
        details,
        entities=("partner", "agreement"),
        scalars=_REVIEW_SCALARS,
    )
    slot, prepare = _lookup_read(planner, details, definition, pairs, needing_review=True)
    complete_entries = entries(definition, fields)

    def write(request: Request) -> Any:
        read, _wanted, on = request.slots[slot]
        kept = pairs.pairs(read, on)
        categories = {
            pair.row.agreement_id: in_category_order(getattr(pair.row, categories_of))
            for pair in kept
        }
        rows = review.review_rows(((pair.agreement, pair.partner) for pair in kept), categories)
        return complete_entries(rows, request)

    return RootPlan(key, prepare, write)


_REVIEW_SCALARS = {
    "supportCategories": "support_categories",
    "partnerStatus": "partner_status",
    "reason": "reason",
}
"""DisasterReviewEntry's own fields, where they are on ``review.DisasterReviewRow``."""


_ENTRY_SCALARS = {
    "supportCategories": "support_categories",
    "contactsVerifiedOn": "contacts_verified_on",
    "contactsStale": "contacts_stale",
    "lastCheckedOn": "last_checked_on",
    "lastCheckOutcome": "last_check_outcome",
    "reachable": "reachable",
}
"""DisasterSupportEntry's fields that are the row's own values, and where they are on
the domain's ``DisasterSupportRow``."""


def _attribute(name: str, complete: Writer) -> Writer:
    return read_then(attrgetter(name), complete)


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
