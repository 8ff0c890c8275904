"""Both read paths answer alike: the compiled path and Strawberry's resolvers (issue 9).

Hypothesis draws valid documents from the live schema (tests/schema/compiled/documents.py)
with arguments from the demo data. Each runs for every role — PUBLIC, STAFF of two
departments, DISASTER_OFFICE, INTEGRATION, ADMIN — once with the compiled path on and
once with it off, on the backend's database, and the two answers must be identical:
the data (as JSON, key order included), the errors with their messages, paths and
codes, and the personal-data reads the access log recorded.

The test also counts how many (document, role) pairs the compiled path answered itself
and requires a high share, so it cannot pass by always falling back. Examples are
derandomized (the same documents on every run); ``KYODO_FUZZ=deep`` draws ten times as
many new ones at random.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from graphql import parse, validate
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.audit.log import PERSONAL_DATA_READ
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import PartnerKind, Role
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.subsidies.models import SubsidyProgram
from kyodo.schema import schema
from kyodo.schema.compiled import COMPILED
from kyodo.schema.context import Context, Principal
from kyodo.schema.node import to_global_id

from .documents import Document, Pools, documents

DEEP = os.environ.get("KYODO_FUZZ") == "deep"
EXAMPLES = 3000 if DEEP else 300
TODAY = date(2025, 1, 15)
MIN_COMPILED_SHARE = 0.5
EXPECTED_REFUSALS = (
    "fallback: DomainError:",
    "fallback: GraphQLError:",
    "fallback: StrawberryGraphQLError:",
)
"""The errors a refused argument raises on the compiled path, as on Strawberry's."""
"""Of the (valid document, role) pairs, at least this many the compiled path answers."""


def fixed(values: list[Any], size: int) -> list[Any]:
    """Exactly ``size`` values (repeated when fewer), so that the same draws make the same
    documents whatever rows other tests left in the shared database."""
    return [values[i % len(values)] for i in range(size)]


async def load_pools(session: AsyncSession) -> Pools:
    async def ids(type_name: str, model: Any, *where: Any, limit: int = 6) -> list[str]:
        stmt = sa.select(model.id).where(*where).order_by(model.id).limit(limit)
        found = [to_global_id(type_name, pk) for pk in (await session.execute(stmt)).scalars()]
        return fixed(found, limit)

    async def codes(model: Any) -> list[str]:
        stmt = sa.select(model.code).order_by(model.id).limit(5)
        return fixed(list((await session.execute(stmt)).scalars()), 5)

    organisations = await ids("Partner", Partner, Partner.kind != PartnerKind.INDIVIDUAL)
    agreements = await ids("Agreement", Agreement)
    with_contacts = await ids(
        "Agreement", Agreement, Agreement.id.in_(sa.select(sa.text("agreement_id FROM contact")))
    )
    # Districts of the demo's first partners (rows other tests add come later).
    districts = set(
        (
            await session.execute(
                sa.select(Partner.district)
                .where(Partner.district.is_not(None))
                .order_by(Partner.id)
                .limit(60)
            )
        ).scalars()
    )
    corporate = (
        await session.execute(
            sa.select(Partner.corporate_number)
            .where(Partner.corporate_number.is_not(None))
            .order_by(Partner.id)
            .limit(3)
        )
    ).scalars()
    return Pools(
        ids={
            "Partner": organisations,
            "Individual": await ids("Partner", Partner, Partner.kind == PartnerKind.INDIVIDUAL),
            "Agreement": agreements + with_contacts,
            "Collaboration": await ids("Collaboration", Collaboration, limit=3)
            + await ids(
                "Collaboration", Collaboration, Collaboration.is_public.is_(False), limit=3
            ),
            "Department": await ids("Department", Department, limit=2),
            "CollaborationField": await ids("CollaborationField", CollaborationField, limit=2),
            "SubsidyProgram": await ids("SubsidyProgram", SubsidyProgram, limit=1),
            "Unknown": [to_global_id("Partner", 999_999), "eHg", to_global_id("Contact", 1)],
        },
        districts=[*fixed(sorted(d for d in districts if d), 6), "どこにもない地区"],
        department_codes=[*(await codes(Department))[:4], "no-such-department"],
        field_codes=[*(await codes(CollaborationField))[:5], "no-such-field"],
        corporate_numbers=[*fixed([c for c in corporate if c], 3), "8700110005901"],
        cursors=await cursors(session),
    )


async def cursors(session: AsyncSession) -> dict[str, list[str]]:
    """Cursors of the demo's rows by connection (the partners' mostly in the default
    order, one in another: refused there), and cursors every list refuses: an offset
    cursor of before keyset cursors, and garbage."""
    from kyodo.domain.agreements.service import LIST_ORDERING as AGREEMENTS
    from kyodo.domain.audit.service import LIST_ORDERING as AUDIT_EVENTS
    from kyodo.domain.collaborations.service import list_ordering
    from kyodo.domain.endorsements.models import EndorsementApplication
    from kyodo.domain.endorsements.service import LIST_ORDERING as ENDORSEMENTS
    from kyodo.domain.partners.service import PartnerOrderField, PartnerOrderSpec
    from kyodo.domain.partners.service import list_ordering as partner_ordering
    from kyodo.domain.proposals.models import Proposal
    from kyodo.domain.proposals.service import LIST_ORDERING as PROPOSALS
    from kyodo.domain.subsidies.models import SubsidyApplication
    from kyodo.domain.subsidies.service import APPLICATION_ORDERING

    async def of(model: Any, ordering: Any, count: int = 4) -> list[str]:
        stmt = sa.select(model).order_by(model.id).limit(count)
        rows = (await session.execute(stmt)).scalars()
        return fixed([ordering.cursor(ordering.values_of(row)) for row in rows], count)

    updated = partner_ordering(PartnerOrderSpec(PartnerOrderField.UPDATED_AT, True))
    return {
        "PartnerConnection": await of(Partner, partner_ordering(None), 3)
        + await of(Partner, updated, 1),
        "AgreementConnection": await of(Agreement, AGREEMENTS),
        "CollaborationConnection": await of(Collaboration, list_ordering()),
        "ProposalConnection": await of(Proposal, PROPOSALS),
        "EndorsementApplicationConnection": await of(EndorsementApplication, ENDORSEMENTS),
        "SubsidyApplicationConnection": await of(SubsidyApplication, APPLICATION_ORDERING),
        # the demo has no audit events (other tests add some): a cursor of its own
        "AuditEventConnection": [AUDIT_EVENTS.cursor([datetime(2024, 4, 1, tzinfo=UTC), 1])],
        "*": ["b2Zmc2V0OjI", "not-a-cursor"],
    }


async def principals(session: AsyncSession) -> list[Principal]:
    codes = list((await session.execute(sa.select(Department.code).limit(2))).scalars())
    return [
        Principal(name="fuzz-public", role=Role.PUBLIC),
        Principal(name="fuzz-staff-a", role=Role.STAFF, department_code=codes[0]),
        Principal(name="fuzz-staff-b", role=Role.STAFF, department_code=codes[1]),
        Principal(name="fuzz-bousai", role=Role.DISASTER_OFFICE),
        Principal(name="fuzz-integration", role=Role.INTEGRATION),
        Principal(name="fuzz-admin", role=Role.ADMIN),
    ]


def draw_documents(pools: Pools) -> list[Document]:
    """The examples, drawn up front (derandomized) so the comparison can run async."""
    drawn: list[Document] = []
    graphql_schema = schema._schema

    @settings(
        max_examples=EXAMPLES,
        derandomize=not DEEP,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(document=documents(graphql_schema, pools))
    def collect(document: Document) -> None:
        drawn.append(document)

    collect()
    return drawn


@dataclass
class Answer:
    data: str
    errors: list[tuple[str, Any, Any]]
    reads: list[tuple[str, str, tuple[str, ...]]]
    outcome: str | None


async def answer(
    session: AsyncSession, document: Document, principal: Principal, *, compiled: bool
) -> Answer:
    watermark = (await session.execute(sa.select(sa.func.max(AuditEvent.id)))).scalar() or 0
    context = Context(session=session, principal=principal, today=TODAY)
    context.compiled_reads = compiled
    result = await schema.execute(
        document.query,
        variable_values=document.variables,
        context_value=context,
        operation_name="Q",
    )
    # As the HTTP view does before the session is used again: a resolver graphql-core
    # cancelled may still be finishing its statement (``Context.run``); reading the log
    # beside it was "another operation is in progress" on PostgreSQL, now and then.
    await context.settle()
    events = (
        await session.execute(
            sa.select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.changes).where(
                AuditEvent.id > watermark, AuditEvent.action == PERSONAL_DATA_READ
            )
        )
    ).all()
    errors = [
        (
            e.message,
            e.path,
            {k: v for k, v in (e.extensions or {}).items() if k != "requestId"},
        )
        for e in result.errors or []
    ]
    return Answer(
        data=json.dumps(result.data, ensure_ascii=False),
        errors=errors,
        reads=sorted((t, i, tuple(c["fields"])) for t, i, c in events),
        outcome=context.compiled_outcome,
    )


def is_valid(document: Document) -> bool:
    return not validate(schema._schema, parse(document.query))


async def test_the_compiled_path_answers_every_document_as_strawberry_does(
    session: AsyncSession,
) -> None:
    # given: valid documents on the demo data, and every role
    pools = await load_pools(session)
    callers = await principals(session)
    drawn = draw_documents(pools)
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    valid = 0
    for document in drawn:
        if not is_valid(document):
            outcomes["invalid document"] += 1
            continue
        valid += 1
        for principal in callers:
            # when
            strawberry = await answer(session, document, principal, compiled=False)
            compiled = await answer(session, document, principal, compiled=True)
            # then
            assert compiled.data == strawberry.data, f"{principal.role}: {document}"
            # (in any order: the order of a response's errors means nothing). When a
            # non-null error nulls the whole answer, graphql-core cancels the other root
            # fields, so which errors are reported depends on which resolver failed
            # first: where Strawberry answered both times (a fallback), that is its own.
            nulled_twice = compiled.data == strawberry.data == "null"
            if not (nulled_twice and str(compiled.outcome).startswith("fallback")):
                assert sorted(compiled.errors, key=repr) == sorted(strawberry.errors, key=repr), (
                    f"{principal.role}: {document}"
                )
            assert compiled.reads == strawberry.reads, f"{principal.role}: {document}"
            outcome = compiled.outcome or "not looked at (refused before execution)"
            outcomes[outcome[:60]] += 1
    elapsed = time.perf_counter() - started
    answered = outcomes[COMPILED]
    pairs = valid * len(callers)
    share = answered / pairs if pairs else 0.0
    print(
        f"\ndifferential: {len(drawn)} documents ({valid} valid) x {len(callers)} roles "
        f"in {elapsed:.1f} s; compiled answered {answered}/{pairs} = {share:.0%}"
    )
    for reason, count in outcomes.most_common():
        print(f"  {count:5d}  {reason}")
    assert valid >= len(drawn) * 0.7
    assert share >= MIN_COMPILED_SHARE, outcomes
    # A refusal (an argument Strawberry or the domain refuses) may leave a request to
    # Strawberry; an error of the compiled path's own never may.
    unexpected = [
        reason
        for reason in outcomes
        if re.match(r"fallback: \w+(Error|Exception):", reason)
        and not reason.startswith(EXPECTED_REFUSALS)
    ]
    assert not unexpected, unexpected
