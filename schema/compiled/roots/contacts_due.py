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

from kyodo.domain.agreements.calendar import check_within
from kyodo.domain.disasters import contacts
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, Request, Writer
from kyodo.schema.compiled.roots.entries import entries
from kyodo.schema.compiled.roots.parties import PartyPairs
from kyodo.schema.compiled.writers import completer
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
    pairs = PartyPairs(planner, once=True)

    def calls(name: str, sub: list[FieldDetails], field: GraphQLField) -> Writer | None:
        """``ContactDue.calls``: the partner's calls, read for its standing in the order
        made (``PartyPairs.checks``), latest first as ``contacts.calls_by_partner``."""
        if name != "calls":
            return None
        shape = planner.entity_shape("ContactVerification", sub, pairs.checks)
        complete = completer(field.type, shape.write)
        checks_of = attrgetter(pairs.checks_of)
        return lambda due, request: complete(checks_of(due.partner)[::-1], request)

    fields = pairs.entry_fields(
        planner.object_type(get_named_type(definition.type).name),
        details,
        entities=("partner", "agreements"),
        scalars=_SCALARS,
        own=calls,
    )

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        as_of = kwargs.get("as_of") or context.today
        within_days = kwargs["within_days"]
        check_within(as_of, within_days, most=contacts.MAX_WITHIN_DAYS)
        return as_of, within_days

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()
    complete_entries = entries(definition, fields)

    async def prepare(request: Request) -> None:
        as_of, within_days = site.value(request)
        read = pairs.read(
            request,
            as_of,
            contacts.due_agreements,
            district=None,
            key=("contactsDue", as_of),
        )
        request.slots[slot] = (read, as_of, within_days)

    def write(request: Request) -> Any:
        read, as_of, within_days = request.slots[slot]
        # In agreement order, as the domain reads them (a partner's agreements listed so).
        kept = pairs.pairs(read, as_of)
        kept.sort(key=lambda pair: (pair.row.agreement_id, pair.row.partner_id))
        due = contacts.due_from_pairs(
            ((pair.partner, pair.agreement) for pair in kept),
            pairs.standings(kept, as_of),
            as_of=as_of,
            within_days=within_days,
        )
        return complete_entries(due, request)

    return RootPlan(key, prepare, write)
