"""``disasterSupport``: the disaster lookup's (agreement, party) pairs in one statement,
folded by the domain's own rules (``domain.agreements.lookup``)."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import in_force, lookup
from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.disasters.capacity import capacity_on
from kyodo.domain.disasters.contacts import standing_on
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Fallback, FetchBuilder, Request, Writer
from kyodo.schema.compiled.roots.connections import _const
from kyodo.schema.compiled.writers import ObjectShape, completer, read_then, serializer
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

    entry = planner.object_type(get_named_type(definition.type).name)
    builder = planner.builder("AgreementParty")
    builder.need("agreement_id", "partner_id")
    # What the lookup's own rules read, whatever the selection.
    partner = FetchBuilder(entity("Partner"))
    partner.need("id", "sort_key")
    agreement = FetchBuilder(entity("Agreement"))
    agreement.need("id", "contacts_verified_on", *in_force.TERM_FIELDS)
    listed, own = FetchBuilder(entity("Contact")), FetchBuilder(entity("Contact"))
    listed.need("agreement_id")
    # The partner's calls (always: they rank the rows) and capacity reports (when
    # selected), read along (no statement of their own); domain.disasters folds them as
    # the Strawberry path does.
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
        "checks": builder.relation("contact_checks", checks)[0],
    }
    # The contacts and the capacity reports only when the selection writes them: the
    # lookup's order does not read them (two and one correlated subqueries per pair).
    fields: list[tuple[str, Writer]] = []
    for field_key, name, sub, field_definition in planner.selected(entry, details, fields, _const):
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
            if "listed" not in keys:
                keys["listed"] = builder.relation("listed_contacts", listed)[0]
                keys["own"] = builder.relation("own_emergency_contacts", own)[0]
            shape = planner.entity_shape("Contact", sub, listed)
            fields.append((field_key, _emergency_contacts(field_definition, shape)))
        elif name == "capacity":
            if "capacity" not in keys:
                keys["capacity"] = builder.relation("capacity_reports", reports)[0]
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
    entries = ObjectShape(entry.name)
    entries.fields = fields
    complete_entries = completer(definition.type, entries.seal().write)

    async def prepare(request: Request) -> None:
        wanted, on, district = site.value(request)

        def conditions() -> list[Any]:
            candidates = in_force.agreements_maybe_in_force_on(
                on, lookup.disaster_conditions(wanted, district)
            )
            return lookup.disaster_party_conditions(
                AgreementParty, agreement_ids=candidates, district=district
            )

        # The conditions are a function of the arguments' values: built (and their
        # SQLAlchemy cache keys computed) once for them.
        read = request.query.all(
            builder.fetch,
            conditions=conditions,
            order_by=(),
            key=("disasterSupport", None if wanted is None else tuple(wanted), on, district),
        )
        request.slots[slot] = (read, wanted, on)

    def write(request: Request) -> Any:
        read, wanted, on = request.slots[slot]
        agreement_of, categories_of = keys["agreement"], keys["support_categories"]
        # An agreement binds many parties, a partner is party to many agreements: each
        # is judged once, and an agreement in force has its categories put in order once
        # (None: not in force on the day).
        in_order: dict[int, list[Any] | None] = {}
        pairs = []
        for pair in read.value:
            if pair.agreement_id not in in_order:
                kept = agreement_in_force_on(getattr(pair, agreement_of), on)
                in_order[pair.agreement_id] = (
                    in_category_order(getattr(pair, categories_of)) if kept else None
                )
            if in_order[pair.agreement_id] is not None:
                pairs.append(pair)
        standings: dict[int, Any] = {}
        capacity: dict[int, Any] = {}
        reports_of = keys.get("capacity")
        for p in pairs:
            if p.partner_id not in standings:
                standings[p.partner_id] = standing_on(getattr(p, keys["checks"]), on)
                if reports_of is not None:
                    capacity[p.partner_id] = capacity_on(getattr(p, reports_of), on)
        listed_of, own_of = keys.get("listed"), keys.get("own")
        rows = lookup.disaster_rows(
            (
                lookup.DisasterParty(
                    partner=getattr(pair, keys["partner"]),
                    agreement=getattr(pair, agreement_of),
                    support_categories=in_order[pair.agreement_id] or [],
                    listed=getattr(pair, listed_of) if listed_of else [],
                    own=getattr(pair, own_of) if own_of else [],
                )
                for pair in pairs
            ),
            wanted=wanted,
            on=on,
            standings=standings,
            capacity=capacity,
        )
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
