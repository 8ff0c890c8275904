"""The (agreement, party) pairs ``disasterSupport`` and ``contactsDue`` read in one
statement: the parties of the disaster-support agreements that may be in force on a day
(a superset in SQL), each with what the domain's rules read whatever the selection (the
partner's sort key, the agreement's own check and term, the partner's calls), kept when
``terms.agreement_in_force_on`` says so (renewals, month ends)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from operator import attrgetter
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails

from kyodo.domain.agreements import in_force, lookup, standing
from kyodo.domain.agreements.models import AgreementParty
from kyodo.domain.agreements.terms import agreement_in_force_on
from kyodo.domain.disasters.contacts import ContactStanding, standing_on
from kyodo.domain.read.models import entity
from kyodo.schema.compiled.plan import Planner
from kyodo.schema.compiled.request import Fallback, FetchBuilder, Request, Writer
from kyodo.schema.compiled.roots.connections import _const
from kyodo.schema.compiled.writers import ObjectShape, completer, read_then, serializer

Field = Callable[[str, list[FieldDetails], GraphQLField], Writer | None]
"""The writer of one of a root's own entry fields (name, details, definition); None:
not compiled."""


class PartyPairs:
    """One root's read of pairs: ``builder`` (``AgreementParty``) with the pair's partner,
    agreement and the partner's calls; the root adds relations of its own to it."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.builder = planner.builder("AgreementParty")
        self.builder.need("agreement_id", "partner_id")
        self.partner = FetchBuilder(entity("Partner"))
        self.partner.need("id", "sort_key")
        self.agreement = FetchBuilder(entity("Agreement"))
        self.agreement.need("id", "contacts_verified_on", *in_force.TERM_FIELDS)
        checks = FetchBuilder(entity("ContactVerification"))
        checks.need("id", "verified_on", "outcome")
        self.partner_of = self.builder.relation("partner", self.partner)[0]
        self.agreement_of = self.builder.relation("agreement", self.agreement)[0]
        self.checks_of = self.builder.relation("contact_checks", checks)[0]

    def entry_fields(
        self,
        entry: GraphQLObjectType,
        details: Sequence[FieldDetails],
        entities: Sequence[str],
        scalars: dict[str, str],
        own: Field | None = None,
    ) -> list[tuple[str, Writer]]:
        """The selected fields of an entry: ``entities``, its partner or agreement(s)
        written from the pair's; ``scalars``, leaves read at the attribute named (dotted
        for a nested one); the others as ``own`` plans them."""
        fields: list[tuple[str, Writer]] = []
        for key, name, sub, definition in self.planner.selected(entry, details, fields, _const):
            writer: Writer | None = None
            if name in entities:
                writer = self._entity(name, sub, definition)
            elif name in scalars:
                writer = _scalar(scalars[name], definition)
            elif own is not None:
                writer = own(name, sub, definition)
            if writer is None:
                raise Fallback(f"{entry.name}.{name} is not compiled")
            fields.append((key, writer))
        return fields

    def _entity(self, name: str, details: list[FieldDetails], definition: GraphQLField) -> Writer:
        type_name = get_named_type(definition.type).name
        target = self.partner if type_name == "Partner" else self.agreement
        shape = self.planner.entity_shape(type_name, details, target)
        return read_then(attrgetter(name), completer(definition.type, shape.write))

    def read(
        self,
        request: Request,
        on: date,
        agreements: Callable[[], Sequence[Any]],
        *,
        district: str | None,
        key: Hashable,
    ) -> Any:
        """The pairs of the agreements meeting ``agreements()`` (conditions on
        ``Agreement``) that may be in force on ``on``, of ``district`` when given. The
        conditions are a function of ``key`` (the arguments' values) and of which
        statuses count against a party (``standing``'s one predicate): built, and their
        SQLAlchemy cache keys computed, once for them."""

        def conditions() -> list[Any]:
            candidates = in_force.agreements_maybe_in_force_on(on, agreements())
            return lookup.disaster_party_conditions(
                AgreementParty, agreement_ids=candidates, district=district
            )

        return request.query.all(
            self.builder.fetch,
            conditions=conditions,
            order_by=(),
            key=(key, standing.NEEDS_REVIEW_STATUSES),
        )

    def in_force(self, pairs: Iterable[Any], on: date) -> list[Any]:
        """The pairs whose agreement is in force on ``on``: an agreement binds many
        parties, and is judged once."""
        judged: dict[int, bool] = {}
        kept = []
        for pair in pairs:
            in_force_on = judged.get(pair.agreement_id)
            if in_force_on is None:
                in_force_on = judged[pair.agreement_id] = agreement_in_force_on(
                    getattr(pair, self.agreement_of), on
                )
            if in_force_on:
                kept.append(pair)
        return kept

    def standings(self, pairs: Iterable[Any], on: date) -> dict[int, ContactStanding]:
        """Each partner's standing on ``on``, from its calls: a partner is party to many
        agreements, and is folded once."""
        standings: dict[int, ContactStanding] = {}
        for pair in pairs:
            if pair.partner_id not in standings:
                standings[pair.partner_id] = standing_on(getattr(pair, self.checks_of), on)
        return standings


def _scalar(attribute: str, definition: GraphQLField) -> Writer:
    serialize = serializer(definition.type)
    complete = completer(definition.type, lambda v, _r, s=serialize: s(v))
    return read_then(attrgetter(attribute), complete)


def entries(definition: GraphQLField, fields: list[tuple[str, Writer]]) -> Writer:
    """The writer of the root's value, a list of entries each written with ``fields``."""
    shape = ObjectShape(get_named_type(definition.type).name)
    shape.fields = fields
    return completer(definition.type, shape.seal().write)
