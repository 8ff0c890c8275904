"""``contactsDue``: the yearly contact check's reminders, the (agreement, party) pairs in
one statement, folded by the domain's own rules (``domain.disasters.contacts``).

On the 10,000-partner database the Strawberry path answered some 1,600 reminders in
half a second, nearly all of it building a type per partner and agreement and resolving
their fields one by one; here the pairs come with the columns the selection needs and
the answer is written from them."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import in_force, lookup, standing
from kyodo.domain.agreements.calendar import check_within
from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.disasters import contacts
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Fallback, FetchBuilder, Request, Writer
from kyodo.schema.compiled.roots.connections import _const
from kyodo.schema.compiled.writers import ObjectShape, completer, read_then, serializer
from kyodo.schema.context import Context

_SCALARS = {
    "contactsVerifiedOn": "verified_on",
    "staleOn": "stale_on",
    "stale": "stale",
    "lastCheckedOn": "standing.last_checked_on",
    "lastCheckOutcome": "standing.last_outcome",
    "reachable": "standing.reachable",
}
"""ContactDue's scalar fields and where ``ContactDueType.from_row`` reads them on the
domain's ``ContactDue``."""


def _contacts_due(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``ContactQueries.contacts_due``: the parties of the disaster-support agreements
    that may be in force on the day (a superset in SQL, decided per pair by
    ``terms.agreement_in_force_on``), each with what the rules read (the partner's sort
    key, the agreement's own check and term, the partner's calls), then
    ``contacts.due_from_pairs`` as on the Strawberry path."""
    entry = planner.object_type(get_named_type(definition.type).name)
    builder = planner.builder("AgreementParty")
    builder.need("agreement_id", "partner_id")
    partner = FetchBuilder(entity("Partner"))
    partner.need("id", "sort_key")
    agreement = FetchBuilder(entity("Agreement"))
    agreement.need("id", "contacts_verified_on", *in_force.TERM_FIELDS)
    checks = FetchBuilder(entity("ContactVerification"))
    checks.need("id", "verified_on", "outcome")
    partner_of = builder.relation("partner", partner)[0]
    agreement_of = builder.relation("agreement", agreement)[0]
    checks_of = builder.relation("contact_checks", checks)[0]
    fields: list[tuple[str, Writer]] = []
    for field_key, name, sub, field_definition in planner.selected(entry, details, fields, _const):
        if name in ("partner", "agreements"):
            target = partner if name == "partner" else agreement
            shape = planner.entity_shape(get_named_type(field_definition.type).name, sub, target)
            complete = completer(field_definition.type, shape.write)
            fields.append((field_key, read_then(attrgetter(name), complete)))
        elif name in _SCALARS:
            serialize = serializer(field_definition.type)
            complete = completer(field_definition.type, lambda v, _r, s=serialize: s(v))
            fields.append((field_key, read_then(attrgetter(_SCALARS[name]), complete)))
        else:
            raise Fallback(f"{entry.name}.{name} is not compiled")

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        as_of = kwargs.get("as_of") or context.today
        within_days = kwargs["within_days"]
        check_within(as_of, within_days, most=contacts.MAX_WITHIN_DAYS)
        return as_of, within_days

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()
    entries = ObjectShape(entry.name)
    entries.fields = fields
    complete_entries = completer(definition.type, entries.seal().write)

    async def prepare(request: Request) -> None:
        as_of, within_days = site.value(request)

        def conditions() -> list[Any]:
            candidates = in_force.agreements_maybe_in_force_on(as_of, contacts.due_agreements())
            return lookup.disaster_party_conditions(
                AgreementParty, agreement_ids=candidates, district=None
            )

        # The conditions are a function of the day and of which statuses count against
        # a party (standing's one predicate): built once for them.
        read = request.query.all(
            builder.fetch,
            conditions=conditions,
            order_by=(),
            key=("contactsDue", as_of, standing.NEEDS_REVIEW_STATUSES),
        )
        request.slots[slot] = (read, as_of, within_days)

    def write(request: Request) -> Any:
        read, as_of, within_days = request.slots[slot]
        in_force_on: dict[int, bool] = {}
        pairs = []
        standings = {}
        # In agreement order, as the domain reads them (a partner's agreements listed so).
        for pair in sorted(read.value, key=attrgetter("agreement_id", "partner_id")):
            kept = in_force_on.get(pair.agreement_id)
            if kept is None:
                kept = in_force_on[pair.agreement_id] = agreement_in_force_on(
                    getattr(pair, agreement_of), as_of
                )
            if not kept:
                continue
            pairs.append((getattr(pair, partner_of), getattr(pair, agreement_of)))
            if pair.partner_id not in standings:
                standings[pair.partner_id] = contacts.standing_on(getattr(pair, checks_of), as_of)
        due = contacts.due_from_pairs(pairs, standings, as_of=as_of, within_days=within_days)
        return complete_entries(due, request)

    return RootPlan(key, prepare, write)
