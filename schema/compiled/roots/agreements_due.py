"""``agreementsDue``: the notice and renewal calendar, folded by the domain's own rules
(``domain.agreements.calendar``) over what one statement reads.

Which agreements have a date in the window is decided first, on their term columns only
(``calendar.agreement_ids_due``, one narrow statement, as on the Strawberry path); then
those agreements with the columns and relations the selection needs, the parties that
make them need reviewing and the collaborations due for review come in one statement.
On the 10,000-partner database the Strawberry path built a type per agreement, party and
field (over a second for a calendar that names each agreement's parties)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLField, get_named_type
from graphql.execution.collect_fields import FieldDetails
from sqlmodel import col

from kyodo.domain.agreements import calendar, in_force, standing
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import Planner, RootPlan
from kyodo.schema.compiled.request import ArgSite, FetchBuilder, Request
from kyodo.schema.compiled.roots.entries import entries, entry_fields
from kyodo.schema.context import Context
from kyodo.schema.permissions import can_read_internal

_SCALARS = {
    "kind": "kind",
    "kindLabel": "kind_label",
    "dueOn": "due_on",
    "dueOnWareki": "due_on_wareki",
    "termEndsOn": "term_ends_on",
    "needsReview": "needs_review",
    "reviewReason": "review_reason",
}
"""AgreementDue's scalar fields and where ``AgreementDueType.from_item`` reads them on
the domain's ``DueItem``."""


def _agreements_due(
    planner: Planner, key: str, details: Sequence[FieldDetails], definition: GraphQLField
) -> RootPlan:
    """``CalendarQueries.agreements_due``: ``calendar.due_items`` over the agreements of
    ``calendar.agreement_ids_due`` (with what ``agreement_items`` reads, whatever the
    selection), their parties of ``calendar.needing_review_conditions`` and the
    collaborations of ``calendar.review_conditions``."""
    agreements = planner.builder("Agreement")
    agreements.need("id", *in_force.TERM_FIELDS, "notice_days")
    collaborations = planner.builder("Collaboration")
    collaborations.need("id", "review_due_on")
    # The pairs whose party makes its agreement need reviewing: the statuses decide
    # needsReview and reviewReason (the parties' order only the iCal feed reads).
    review = planner.builder("AgreementParty")
    review.need("agreement_id")
    party = FetchBuilder(entity("Partner"))
    party.need("id", "status")
    party_of = review.relation("partner", party)[0]
    fields = entry_fields(
        planner,
        planner.object_type(get_named_type(definition.type).name),
        details,
        {"agreement": agreements, "collaboration": collaborations},
        _SCALARS,
    )

    def arguments(kwargs: dict[str, Any], context: Context) -> Any:
        as_of = kwargs.get("as_of") or context.today
        last = calendar.check_window(as_of, kwargs["within_days"])
        return as_of, last, can_read_internal(context)

    site = ArgSite(planner, details, definition, arguments)
    slot = planner.slot()
    complete_entries = entries(definition, fields)

    async def prepare(request: Request) -> None:
        as_of, last, include_internal = site.value(request)
        ids = tuple(await request.context.run(calendar.agreement_ids_due, as_of=as_of, last=last))
        query = request.query
        read_agreements = query.all(
            agreements.fetch,
            conditions=lambda: [col(Agreement.id).in_(ids)],
            order_by=(),
            key=("agreementsDue", ids),
        )
        read_review = query.all(
            review.fetch,
            conditions=lambda: calendar.needing_review_conditions(ids),
            order_by=(),
            key=("agreementsDue", ids, standing.NEEDS_REVIEW_STATUSES),
        )
        read_collaborations = query.all(
            collaborations.fetch,
            conditions=lambda: calendar.review_conditions(
                as_of, last, include_internal=include_internal
            ),
            order_by=(),
            key=("agreementsDue", as_of, last, include_internal),
        )
        request.slots[slot] = (read_agreements, read_review, read_collaborations, as_of, last)

    def write(request: Request) -> Any:
        read_agreements, read_review, read_collaborations, as_of, last = request.slots[slot]
        needing_review: dict[int, list[Any]] = {}
        for pair in read_review.value:
            needing_review.setdefault(pair.agreement_id, []).append(getattr(pair, party_of))
        items = calendar.due_items(
            read_agreements.value,
            read_collaborations.value,
            as_of=as_of,
            last=last,
            needing_review=needing_review,
        )
        return complete_entries(items, request)

    return RootPlan(key, prepare, write)
