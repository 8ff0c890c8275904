"""The (agreement, party) pairs ``disasterSupport`` and ``contactsDue`` read in one
statement: the parties of the disaster-support agreements that may be in force on a day
(a superset in SQL), kept when ``terms.agreement_in_force_on`` says so (renewals, month
ends). The pairs' partners and agreements come in the same statement, each once, with
what the domain's rules read whatever the selection (the partner's sort key and calls,
the agreement's own check and term): an agreement binds up to 100 parties and a partner
may be party to hundreds of agreements, so carrying them on every pair read and wrote
each many times over (the reminders' 27,000 pairs on the benchmark's 10,000 partners)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from operator import attrgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from graphql import GraphQLObjectType
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import in_force, lookup, standing
from kyodo.domain.agreements.models import Agreement, AgreementParty
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.batches import loose
from kyodo.domain.disasters.contacts import ContactStanding, standing_on
from kyodo.domain.partners.models import Partner
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import Planner
from kyodo.schema.compiled.request import FetchBuilder, Request, Writer
from kyodo.schema.compiled.roots.entries import Field, entry_fields


class Pair(NamedTuple):
    """One (agreement, party) pair as read: the ``AgreementParty`` row (with the
    relations the root added to :attr:`PartyPairs.builder`), its partner and agreement."""

    row: Any
    partner: Any
    agreement: Any


class PartyPairs:
    """One root's read of pairs: ``builder`` (``AgreementParty``; the root adds relations
    of its own to it), ``partner`` (with its calls) and ``agreement``.

    ``once``: each partner and agreement is read once, beside the pairs, instead of on
    every pair. It pays where they repeat (the reminders: 27,000 pairs of 200 agreements
    of 100 parties on the benchmark's data, 419 → 157 ms); where they hardly do (the
    disaster lookup on the peer benchmark's data: 1,027 pairs, 751 partners, 737
    agreements) the two extra subqueries cost more than they save (demo data: 2.2 → 2.6
    ms), so the lookup reads them on each pair."""

    def __init__(self, planner: Planner, *, once: bool) -> None:
        self.planner = planner
        self.once = once
        self.builder = planner.builder("AgreementParty")
        self.builder.need("agreement_id", "partner_id")
        if once:
            self.partner = planner.builder("Partner")
            self.agreement = planner.builder("Agreement")
        else:
            self.partner = FetchBuilder(entity("Partner"))
            self.agreement = FetchBuilder(entity("Agreement"))
            self.partner_of = self.builder.relation("partner", self.partner)[0]
            self.agreement_of = self.builder.relation("agreement", self.agreement)[0]
        self.partner.need("id", "sort_key")
        self.agreement.need("id", "contacts_verified_on", *in_force.TERM_FIELDS)
        self.checks = FetchBuilder(entity("ContactVerification"))
        self.checks.need("id", "verified_on", "outcome")
        self.checks_of = self.partner.relation("contact_checks", self.checks)[0]

    def entry_fields(
        self,
        entry: GraphQLObjectType,
        details: Sequence[FieldDetails],
        entities: Sequence[str],
        scalars: dict[str, str],
        own: Field | None = None,
    ) -> list[tuple[str, Writer]]:
        """:func:`entries.entry_fields`, ``entities`` naming the entry's fields that are
        the pair's partner or agreement(s)."""
        builders = {
            name: self.partner if name == "partner" else self.agreement for name in entities
        }
        return entry_fields(self.planner, entry, details, builders, scalars, own)

    def read(
        self,
        request: Request,
        on: date,
        agreements: Callable[[], Sequence[Any]],
        *,
        district: str | None,
        key: Hashable,
        needing_review: bool = False,
    ) -> tuple[Any, ...]:
        """The pairs of the agreements meeting ``agreements()`` (conditions on
        ``Agreement``) that may be in force on ``on``, of ``district`` when given, with
        their partners and agreements (one slot of the request's statement, or three
        when read ``once``; see :meth:`pairs`); with ``needing_review`` the other pairs,
        those whose party is DISSOLVED or INACTIVE. The conditions are a function of ``key``
        (the arguments' values) and of which statuses count against a party
        (``standing``'s one predicate): built, and their SQLAlchemy cache keys computed,
        once for them."""

        def candidates() -> Any:
            return in_force.agreements_maybe_in_force_on(on, agreements())

        def conditions() -> list[Any]:
            return lookup.disaster_party_conditions(
                AgreementParty,
                agreement_ids=candidates(),
                district=district,
                needing_review=needing_review,
            )

        def of_pairs(model: Any, column: Any) -> Callable[[], list[Any]]:
            # the partners or agreements of the pairs, and only those
            return lambda: [loose(model.id).in_(sa.select(loose(column)).where(*conditions()))]

        query, kept = request.query, (key, needing_review, standing.NEEDS_REVIEW_STATUSES)
        pairs = query.all(self.builder.fetch, conditions=conditions, order_by=(), key=kept)
        if not self.once:
            return (pairs,)
        return (
            pairs,
            query.all(
                self.partner.fetch,
                conditions=of_pairs(Partner, AgreementParty.partner_id),
                order_by=(),
                key=("partners", kept),
            ),
            query.all(
                self.agreement.fetch,
                conditions=of_pairs(Agreement, AgreementParty.agreement_id),
                order_by=(),
                key=("agreements", kept),
            ),
        )

    def pairs(self, read: tuple[Any, ...], on: date) -> list[Pair]:
        """The pairs read whose agreement is in force on ``on``, in the order read, each
        with its partner and agreement: an agreement binds many parties, and is judged
        once."""
        rows = read[0].value
        if self.once:
            partners = {partner.id: partner for partner in read[1].value}
            agreements = {agreement.id: agreement for agreement in read[2].value}
            found = [(row, partners[row.partner_id], agreements[row.agreement_id]) for row in rows]
        else:
            partner_of, agreement_of = attrgetter(self.partner_of), attrgetter(self.agreement_of)
            found = [(row, partner_of(row), agreement_of(row)) for row in rows]
        judged: dict[int, bool] = {}
        kept = []
        for row, partner, agreement in found:
            in_force_on = judged.get(row.agreement_id)
            if in_force_on is None:
                in_force_on = judged[row.agreement_id] = agreement_in_force_on(agreement, on)
            if in_force_on:
                kept.append(Pair(row, partner, agreement))
        return kept

    def standings(self, pairs: Iterable[Pair], on: date) -> dict[int, ContactStanding]:
        """Each partner's standing on ``on``, from its calls: a partner is party to many
        agreements, and is folded once."""
        standings: dict[int, ContactStanding] = {}
        for pair in pairs:
            if pair.row.partner_id not in standings:
                standings[pair.row.partner_id] = standing_on(
                    getattr(pair.partner, self.checks_of), on
                )
        return standings
