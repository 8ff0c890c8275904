"""The authorisation matrix (schema/permissions.py), field by field and role by role.

Three tables below are the matrix as the API enforces it: every Query, Mutation and
Subscription field, for PUBLIC, STAFF (of the owning department, and of another one, for
mutations), DISASTER_OFFICE, INTEGRATION and ADMIN. An allowed call succeeds; a refused
query or subscription is a top-level FORBIDDEN error on its field; a refused mutation
returns FORBIDDEN in its payload and changes nothing (rows, the target's version, the
audit log).

Then the node lookups and nested fields through which PUBLIC could otherwise reach what
the matrix withholds: unpublished collaborations, individuals (volunteers), contact data,
and internal records (subsidies, endorsements, proposals, audit events).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import build_schema
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from strawberry.types import ExecutionResult

from domain.agreements.models import Agreement
from domain.audit.log import record_event
from domain.audit.models import AuditEvent
from domain.collaborations.models import Collaboration
from domain.disasters.models import (
    CapacityReport,
    ContactVerification,
    DisasterEvent,
    SupportRequest,
)
from domain.endorsements.models import EndorsementApplication
from domain.enums import (
    AgreementCategory,
    AgreementStatus,
    CollaborationStatus,
    DisasterKind,
    PartnerKind,
    ProposalChannel,
    ProposalKind,
    Role,
    SubsidyApplicationStatus,
    SupportAnswer,
    SupportCategory,
    SupportRequestStatus,
)
from domain.events import ChangeEvent
from domain.partners.models import Partner
from domain.proposals.models import Proposal
from domain.reference.models import Department
from domain.subsidies.models import SubsidyApplication, SubsidyProgram
from schema import schema
from schema.context import ANONYMOUS, Principal
from schema.node import to_global_id
from schema.subscriptions import SubscriptionContext
from tests.conftest import CHANGE_EVENTS, GraphQLClient
from tests.schema.agreements.factories import make_agreement
from tests.schema.collaborations.factories import make_collaboration, make_department, make_partner
from tests.schema.subsidies.factories import make_application, make_program

CONTRACT = Path(__file__).resolve().parents[2].parent / "shared" / "contract" / "schema.graphql"
TODAY = date(2022, 3, 10)
Y, N = True, False


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def gid(type_name: str, row: Any) -> str:
    assert row.id is not None
    return str(to_global_id(type_name, row.id))


# ================================================================== who is calling

STAFF_OWN, STAFF_OTHER = "STAFF(own)", "STAFF(other)"
QUERY_ROLES = ("PUBLIC", "STAFF", "DISASTER_OFFICE", "INTEGRATION", "ADMIN")
MUTATION_ROLES = ("PUBLIC", STAFF_OWN, STAFF_OTHER, "DISASTER_OFFICE", "INTEGRATION", "ADMIN")


def principal(role: str, *, own: str = "machizukuri", other: str = "seishonen") -> Principal:
    """The caller for a column of the matrix; STAFF columns are bound to a department."""
    match role:
        case "PUBLIC":
            return ANONYMOUS
        case "STAFF" | "STAFF(own)":
            return Principal(name="担当課の職員", role=Role.STAFF, department_code=own)
        case "STAFF(other)":
            return Principal(name="他課の職員", role=Role.STAFF, department_code=other)
        case "DISASTER_OFFICE":
            return Principal(
                name="危機管理室", role=Role.DISASTER_OFFICE, department_code="kikikanri"
            )
        case "INTEGRATION":
            return Principal(name="連携スクリプト", role=Role.INTEGRATION)
        case "ADMIN":
            return Principal(name="管理者", role=Role.ADMIN)
    raise AssertionError(role)


def cases(matrix: dict[str, tuple[bool, ...]], roles: tuple[str, ...]) -> list[Any]:
    """One test case per field and role of a matrix."""
    return [
        pytest.param(
            field, role, allowed, id=f"{field}-{role}-{'allowed' if allowed else 'denied'}"
        )
        for field, row in matrix.items()
        for role, allowed in zip(roles, row, strict=True)
    ]


# ================================================================== queries

# fmt: off
QUERY_MATRIX: dict[str, tuple[bool, ...]] = {
    #                          PUBLIC STAFF DISASTER INTEGRATION ADMIN
    "node":                    (Y,    Y,    Y,       Y,          Y),
    "nodes":                   (Y,    Y,    Y,       Y,          Y),
    "viewer":                  (Y,    Y,    Y,       Y,          Y),
    "collaborationForms":      (Y,    Y,    Y,       Y,          Y),
    "enumLabels":              (Y,    Y,    Y,       Y,          Y),
    "departments":             (Y,    Y,    Y,       Y,          Y),
    "collaborationFields":     (Y,    Y,    Y,       Y,          Y),
    "collaborations":          (Y,    Y,    Y,       Y,          Y),
    "agreements":              (Y,    Y,    Y,       Y,          Y),
    "partners":                (Y,    Y,    Y,       Y,          Y),
    "disasterSupport":         (N,    Y,    Y,       N,          Y),
    "subsidyPrograms":         (N,    Y,    N,       N,          Y),
    "subsidyApplications":     (N,    Y,    N,       N,          Y),
    "endorsementApplications": (N,    Y,    N,       N,          Y),
    "proposals":               (N,    Y,    N,       N,          Y),
    "partnerConcentration":    (N,    Y,    N,       N,          Y),
    "partnerSuggestions":      (N,    Y,    N,       N,          Y),
    "partnerNetwork":          (N,    Y,    N,       N,          Y),
    "auditEvents":             (N,    N,    N,       N,          Y),
    "disasterEvents":          (N,    Y,    Y,       N,          Y),
    "openSupportRequests":     (N,    Y,    Y,       N,          Y),
    "contactsDue":             (N,    Y,    Y,       N,          Y),
    "agreementsDue":           (N,    Y,    Y,       N,          Y),
}
# fmt: on

# One representative operation per field. ``$id`` is a published demo collaboration.
QUERIES: dict[str, str] = {
    "node": "query ($id: ID!) { node(id: $id) { id } }",
    "nodes": "query ($id: ID!) { nodes(ids: [$id]) { id } }",
    "viewer": "{ viewer { role } }",
    "collaborationForms": "{ collaborationForms { form } }",
    "enumLabels": "{ enumLabels { enum value label } }",
    "departments": "{ departments { code } }",
    "collaborationFields": "{ collaborationFields { code } }",
    "collaborations": "{ collaborations(first: 1) { totalCount } }",
    "agreements": "{ agreements(first: 1) { totalCount edges { node { title } } } }",
    "partners": "{ partners(first: 1) { totalCount edges { node { name } } } }",
    "disasterSupport": '{ disasterSupport(on: "2022-03-10") { supportCategories } }',
    "subsidyPrograms": "{ subsidyPrograms { name } }",
    "subsidyApplications": "{ subsidyApplications(first: 1) { totalCount } }",
    "endorsementApplications": "{ endorsementApplications(first: 1) { totalCount } }",
    "proposals": "{ proposals(first: 1) { totalCount } }",
    "partnerConcentration": (
        "{ partnerConcentration(fromFiscalYear: 2019, toFiscalYear: 2021) { consecutiveYears } }"
    ),
    "partnerSuggestions": '{ partnerSuggestions(fieldCodes: ["safety"]) { score } }',
    "partnerNetwork": "{ partnerNetwork { links { sharedCollaborationCount } } }",
    "auditEvents": "{ auditEvents(first: 1) { totalCount } }",
    "disasterEvents": "{ disasterEvents { name } }",
    "openSupportRequests": "{ openSupportRequests { what } }",
    "contactsDue": '{ contactsDue(asOf: "2022-03-10") { staleOn } }',
    "agreementsDue": '{ agreementsDue(asOf: "2022-03-10") { kind dueOn } }',
}

QUERY_CASES = cases(QUERY_MATRIX, QUERY_ROLES)


async def demo_id(session: AsyncSession, model: Any, external_id: str) -> int:
    pk = (
        await session.execute(sa.select(model.id).where(model.external_id == external_id))
    ).scalar_one()
    return int(pk)


@pytest.mark.parametrize(("field", "role", "allowed"), QUERY_CASES)
async def test_query_field_access(
    session: AsyncSession, gql: GraphQLClient, field: str, role: str, allowed: bool
) -> None:
    # given a published demo collaboration (for node/nodes)
    pk = await demo_id(session, Collaboration, "demo-collab-kadan-supporter")
    variables = {"id": str(to_global_id("Collaboration", pk))} if "$id" in QUERIES[field] else None
    # when
    result = await gql.raw(QUERIES[field], variables, today=TODAY, principal=principal(role))
    # then
    if allowed:
        assert result["errors"] == []
        assert result["data"][field] not in (None, [None])
    else:
        assert [(e["path"], e["extensions"].get("code")) for e in result["errors"]] == [
            ([field], "FORBIDDEN")
        ]
        assert result["errors"][0]["message"] == "この情報を見る権限がありません。"


# ================================================================== subscriptions

# fmt: off
SUBSCRIPTION_MATRIX: dict[str, tuple[bool, ...]] = {
    #                   PUBLIC STAFF DISASTER INTEGRATION ADMIN
    "agreementChanged": (Y,    Y,    Y,       Y,          Y),
    "contactsVerified": (N,    Y,    Y,       N,          Y),
    "supportRequestChanged": (N, Y,    Y,       N,          Y),
}
# fmt: on

SUBSCRIPTIONS: dict[str, str] = {
    "agreementChanged": "subscription { agreementChanged { kind agreement { title } } }",
    "contactsVerified": "subscription { contactsVerified { kind agreement { title } } }",
    "supportRequestChanged": "subscription { supportRequestChanged { kind request { what } } }",
}
# The change each subscription is sent: (topic, kind, entity type, its table).
SUBSCRIPTION_EVENTS: dict[str, tuple[str, str, str, type[Any]]] = {
    "agreementChanged": ("agreement", "CONTACTS_VERIFIED", "Agreement", Agreement),
    "contactsVerified": ("agreement", "CONTACTS_VERIFIED", "Agreement", Agreement),
    "supportRequestChanged": ("support_request", "ANSWERED", "SupportRequest", SupportRequest),
}

SUBSCRIPTION_CASES = cases(SUBSCRIPTION_MATRIX, QUERY_ROLES)


@dataclass
class OneEvent:
    """An event source (schema.subscriptions.EventSource) that announces one change."""

    event: ChangeEvent

    async def listen(self, topic: str) -> AsyncIterator[ChangeEvent]:
        if topic == self.event.topic:
            yield self.event


@pytest.mark.parametrize(("field", "role", "allowed"), SUBSCRIPTION_CASES)
async def test_subscription_field_access(
    session: AsyncSession, field: str, role: str, allowed: bool
) -> None:
    # given a demo record the subscription follows, just changed
    topic, kind, entity_type, table = SUBSCRIPTION_EVENTS[field]
    pk = await session.scalar(sa.select(sa.func.min(table.id)))
    assert pk is not None
    event = ChangeEvent(topic, kind, entity_type, pk, datetime.now(UTC))

    @asynccontextmanager
    async def this_session() -> AsyncIterator[AsyncSession]:
        yield session

    context = SubscriptionContext(
        session=session,
        principal=principal(role),
        events=OneEvent(event),
        sessions=this_session,
    )
    # when
    stream = await schema.subscribe(SUBSCRIPTIONS[field], context_value=context)
    results = [stream] if isinstance(stream, ExecutionResult) else [r async for r in stream]
    # then
    assert len(results) == 1
    errors = [(e.path, (e.extensions or {}).get("code")) for e in results[0].errors or []]
    if allowed:
        assert errors == []
        assert results[0].data is not None
        assert results[0].data[field]["kind"] == kind
    else:
        assert errors == [([field], "FORBIDDEN")]
        assert results[0].errors is not None
        assert results[0].errors[0].message == "この情報を見る権限がありません。"


# ================================================================== mutations

# fmt: off
MUTATION_MATRIX: dict[str, tuple[bool, ...]] = {
    #                                 PUBLIC STAFF  STAFF    DISASTER INTEGRATION ADMIN
    #                                        (own)  (other)
    "partnerCreate":                  (N,     Y,     Y,       N,       Y,          Y),
    "partnerUpdate":                  (N,     Y,     Y,       N,       Y,          Y),
    "partnersUpsert":                 (N,     Y,     Y,       N,       Y,          Y),
    "partnerDelete":                  (N,     Y,     Y,       N,       N,          Y),
    "collaborationCreate":            (N,     Y,     N,       N,       N,          Y),
    "collaborationUpdate":            (N,     Y,     N,       N,       N,          Y),
    "collaborationTransition":        (N,     Y,     N,       N,       N,          Y),
    "collaborationReportProgress":    (N,     Y,     N,       N,       N,          Y),
    "collaborationEvaluate":          (N,     Y,     N,       N,       N,          Y),
    "agreementCreate":                (N,     Y,     N,       N,       N,          Y),
    "agreementUpdate":                (N,     Y,     N,       N,       N,          Y),
    "agreementConclude":              (N,     Y,     N,       N,       N,          Y),
    "agreementTerminate":             (N,     Y,     N,       N,       N,          Y),
    "agreementVerifyContacts":        (N,     Y,     N,       Y,       N,          Y),
    "agreementTransition":            (N,     Y,     N,       N,       N,          Y),
    "subsidyProgramCreate":           (N,     Y,     N,       N,       N,          Y),
    "subsidyApplicationSubmit":       (N,     Y,     N,       N,       N,          Y),
    "subsidyApplicationStartReview":  (N,     Y,     N,       N,       N,          Y),
    "subsidyApplicationDecide":       (N,     Y,     N,       N,       N,          Y),
    "subsidyApplicationReport":       (N,     Y,     N,       N,       N,          Y),
    "subsidyApplicationSettle":       (N,     Y,     N,       N,       N,          Y),
    "subsidyApplicationWithdraw":     (N,     Y,     N,       N,       N,          Y),
    "endorsementApplicationSubmit":   (N,     Y,     N,       N,       N,          Y),
    "endorsementApplicationDecide":   (N,     Y,     N,       N,       N,          Y),
    "endorsementApplicationWithdraw": (N,     Y,     N,       N,       N,          Y),
    "proposalSubmit":                 (N,     Y,     N,       N,       N,          Y),
    "proposalRespond":                (N,     Y,     N,       N,       N,          Y),
    "disasterEventCreate":            (N,     N,     N,       Y,       N,          Y),
    "disasterEventClose":             (N,     N,     N,       Y,       N,          Y),
    "supportRequestCreate":           (N,     N,     N,       Y,       N,          Y),
    "supportRequestAnswer":           (N,     N,     N,       Y,       N,          Y),
    "supportRequestDeliver":          (N,     N,     N,       Y,       N,          Y),
    "supportRequestClose":            (N,     N,     N,       Y,       N,          Y),
    "supportRequestCancel":           (N,     N,     N,       Y,       N,          Y),
    "contactVerificationRecord":      (N,     Y,     Y,       Y,       N,          Y),
    "capacityReportRecord":           (N,     Y,     Y,       Y,       N,          Y),
}
# fmt: on

MUTATION_CASES = cases(MUTATION_MATRIX, MUTATION_ROLES)


@dataclass
class World:
    """Rows every mutation case may use: the owning department, another department (whose
    staff must be refused), and an organisation partner without history."""

    own: Department
    other: Department
    partner: Partner


@dataclass(frozen=True)
class Probe:
    """What a mutation would change: a table's row count and one row's version."""

    model: Any
    pk: int | None = None


Prepare = Callable[[AsyncSession, World], Awaitable[tuple[dict[str, Any], Probe]]]


@dataclass(frozen=True)
class Operation:
    document: str
    prepare: Prepare


OPERATIONS: dict[str, Operation] = {}


def operation(
    field: str, arguments: str, call: str, selection: str
) -> Callable[[Prepare], Prepare]:
    """Register the representative call of a mutation field and how to set it up."""
    document = (
        f"mutation ({arguments}) {{ {field}({call}) {{ {selection} errors {{ code message }} }} }}"
    )

    def register(prepare: Prepare) -> Prepare:
        OPERATIONS[field] = Operation(document, prepare)
        return prepare

    return register


# ------------------------------------------------------------------ partners


@operation("partnerCreate", "$input: PartnerInput!", "input: $input", "partner { id }")
async def _partner_create(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables = {"input": {"kind": "CITIZEN_GROUP", "name": unique("（テスト）権限確認の会")}}
    return variables, Probe(Partner)


@operation(
    "partnerUpdate",
    "$id: ID!, $v: Int!, $input: PartnerInput!",
    "id: $id, expectedVersion: $v, input: $input",
    "partner { id }",
)
async def _partner_update(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    target = world.partner
    variables = {
        "id": gid("Partner", target),
        "v": target.version,
        "input": {"kind": "CITIZEN_GROUP", "name": unique("（テスト）改名した会")},
    }
    return variables, Probe(Partner, target.id)


@operation(
    "partnersUpsert",
    "$rows: [PartnerUpsertInput!]!",
    "input: $rows",
    "created partners { id }",
)
async def _partners_upsert(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    row = {"kind": "NPO", "name": unique("（テスト）連携NPO"), "externalId": unique("test-ext")}
    return {"rows": [row]}, Probe(Partner)


@operation(
    "partnerDelete", "$id: ID!, $v: Int!", "id: $id, expectedVersion: $v", "deleted partner { id }"
)
async def _partner_delete(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    target = world.partner
    return {"id": gid("Partner", target), "v": target.version}, Probe(Partner, target.id)


# ------------------------------------------------------------------ collaborations


@operation(
    "collaborationCreate", "$input: CollaborationInput!", "input: $input", "collaboration { id }"
)
async def _collaboration_create(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    variables = {
        "input": {
            "title": unique("（テスト）新しい協働事業"),
            "forms": ["CO_HOSTING"],
            "departmentCode": world.own.code,
        }
    }
    return variables, Probe(Collaboration)


@operation(
    "collaborationUpdate",
    "$id: ID!, $v: Int!, $input: CollaborationInput!",
    "id: $id, expectedVersion: $v, input: $input",
    "collaboration { id }",
)
async def _collaboration_update(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    target = await make_collaboration(
        session, department=world.own, status=CollaborationStatus.PLANNING, ready=False
    )
    variables = {
        "id": gid("Collaboration", target),
        "v": target.version,
        "input": {
            "title": unique("（テスト）改めた協働事業"),
            "forms": ["CO_HOSTING"],
            "departmentCode": world.own.code,
        },
    }
    return variables, Probe(Collaboration, target.id)


@operation(
    "collaborationTransition",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v, to: CANCELLED",
    "collaboration { id }",
)
async def _collaboration_transition(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    target = await make_collaboration(
        session, department=world.own, status=CollaborationStatus.PLANNING
    )
    return {"id": gid("Collaboration", target), "v": target.version}, Probe(
        Collaboration, target.id
    )


@operation(
    "collaborationReportProgress",
    "$id: ID!",
    'id: $id, reportedOn: "2022-03-01", note: "予定どおり進んでいる"',
    "collaboration { id }",
)
async def _collaboration_report_progress(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    target = await make_collaboration(
        session, department=world.own, status=CollaborationStatus.ACTIVE
    )
    return {"id": gid("Collaboration", target)}, Probe(Collaboration, target.id)


@operation(
    "collaborationEvaluate",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, input: { evaluatedOn: "2022-03-01", '
    'outcomes: "参加者が増えた", partnerFeedback: "来年も続けたい" }',
    "collaboration { id }",
)
async def _collaboration_evaluate(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    target = await make_collaboration(
        session, department=world.own, status=CollaborationStatus.COMPLETED
    )
    return {"id": gid("Collaboration", target), "v": target.version}, Probe(
        Collaboration, target.id
    )


# ------------------------------------------------------------------ agreements


def agreement_input(world: World) -> dict[str, Any]:
    return {
        "title": unique("（テスト）協定"),
        "category": "OTHER",
        "partyIds": [gid("Partner", world.partner)],
        "departmentCode": world.own.code,
    }


async def an_agreement(
    session: AsyncSession, world: World, status: AgreementStatus
) -> tuple[dict[str, Any], Probe]:
    in_force = status is AgreementStatus.IN_FORCE
    target = await make_agreement(
        session,
        department=world.own,
        category=AgreementCategory.OTHER,
        status=status,
        parties=[world.partner],
        concluded_on=date(2020, 4, 1) if in_force else None,
        effective_from=date(2020, 4, 1) if in_force else None,
    )
    return {"id": gid("Agreement", target), "v": target.version}, Probe(Agreement, target.id)


@operation("agreementCreate", "$input: AgreementInput!", "input: $input", "agreement { id }")
async def _agreement_create(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return {"input": agreement_input(world)}, Probe(Agreement)


@operation(
    "agreementUpdate",
    "$id: ID!, $v: Int!, $input: AgreementInput!",
    "id: $id, expectedVersion: $v, input: $input",
    "agreement { id }",
)
async def _agreement_update(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables, probe = await an_agreement(session, world, AgreementStatus.DRAFT)
    return {**variables, "input": agreement_input(world)}, probe


@operation(
    "agreementConclude",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, concludedOn: "2022-03-01"',
    "agreement { id }",
)
async def _agreement_conclude(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_agreement(session, world, AgreementStatus.DRAFT)


@operation(
    "agreementTerminate",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, terminatedOn: "2022-03-31", reason: "事業の終了"',
    "agreement { id }",
)
async def _agreement_terminate(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_agreement(session, world, AgreementStatus.IN_FORCE)


@operation(
    "agreementVerifyContacts",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, verifiedOn: "2022-03-01", emergencyContacts: '
    '[{ name: "デモ 担当", phone: "000-0000-0001", isEmergencyContact: true }]',
    "agreement { id }",
)
async def _agreement_verify_contacts(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    return await an_agreement(session, world, AgreementStatus.IN_FORCE)


@operation(
    "agreementTransition",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v, to: NEGOTIATING",
    "agreement { id }",
)
async def _agreement_transition(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    return await an_agreement(session, world, AgreementStatus.DRAFT)


# ------------------------------------------------------------------ subsidies

EXPENSE = "会場費"


async def a_program(session: AsyncSession, world: World) -> SubsidyProgram:
    return await make_program(
        session,
        department=world.own,
        name=unique("（テスト）補助金"),
        allowed_expense_categories=[EXPENSE],
    )


async def an_application(
    session: AsyncSession, world: World, status: SubsidyApplicationStatus
) -> tuple[dict[str, Any], Probe]:
    granted = status in (SubsidyApplicationStatus.APPROVED, SubsidyApplicationStatus.REPORTED)
    target = await make_application(
        session,
        program=await a_program(session, world),
        applicant=world.partner,
        status=status,
        granted_amount_yen=100_000 if granted else None,
        planned=[(EXPENSE, 100_000)],
        actual=[(EXPENSE, 90_000)] if status is SubsidyApplicationStatus.REPORTED else (),
    )
    return {"id": gid("SubsidyApplication", target), "v": target.version}, Probe(
        SubsidyApplication, target.id
    )


@operation(
    "subsidyProgramCreate", "$input: SubsidyProgramInput!", "input: $input", "program { id }"
)
async def _subsidy_program_create(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    variables = {
        "input": {
            "name": unique("（テスト）新しい補助金"),
            "departmentCode": world.own.code,
            "fiscalYear": 2022,
            "budgetYen": 1_000_000,
            "allowedExpenseCategories": [EXPENSE],
        }
    }
    return variables, Probe(SubsidyProgram)


@operation(
    "subsidyApplicationSubmit",
    "$input: SubsidyApplicationInput!",
    "input: $input",
    "application { id }",
)
async def _subsidy_application_submit(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    program = await a_program(session, world)
    variables = {
        "input": {
            "programId": gid("SubsidyProgram", program),
            "applicantId": gid("Partner", world.partner),
            "title": unique("（テスト）地域清掃"),
            "purpose": "公園をきれいにする",
            "totalProjectCostYen": 300_000,
            "requestedAmountYen": 100_000,
            "expenses": [{"category": EXPENSE, "amountYen": 300_000}],
            "submittedOn": "2021-05-01",
        }
    }
    return variables, Probe(SubsidyApplication)


@operation(
    "subsidyApplicationStartReview",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v",
    "application { id }",
)
async def _subsidy_start_review(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    return await an_application(session, world, SubsidyApplicationStatus.SUBMITTED)


@operation(
    "subsidyApplicationDecide",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, approve: false, reason: "予算の都合で見送る"',
    "application { id }",
)
async def _subsidy_decide(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_application(session, world, SubsidyApplicationStatus.SUBMITTED)


@operation(
    "subsidyApplicationReport",
    "$id: ID!, $v: Int!",
    f'id: $id, expectedVersion: $v, actualExpenses: [{{ category: "{EXPENSE}", amountYen: 90000 }}]',
    "application { id }",
)
async def _subsidy_report(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_application(session, world, SubsidyApplicationStatus.APPROVED)


@operation(
    "subsidyApplicationSettle",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v, settledAmountYen: 90000",
    "application { id }",
)
async def _subsidy_settle(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_application(session, world, SubsidyApplicationStatus.REPORTED)


@operation(
    "subsidyApplicationWithdraw",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v",
    "application { id }",
)
async def _subsidy_withdraw(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_application(session, world, SubsidyApplicationStatus.SUBMITTED)


# ------------------------------------------------------------------ endorsements


async def an_endorsement(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    assert world.partner.id is not None and world.own.id is not None
    target = EndorsementApplication(
        event_name=unique("（テスト）清掃イベント"),
        organizer_id=world.partner.id,
        department_id=world.own.id,
        event_starts_on=date(2022, 6, 1),
        purpose="まちをきれいにする",
        submitted_on=date(2022, 3, 1),
    )
    session.add(target)
    await session.flush()
    return {"id": gid("EndorsementApplication", target), "v": target.version}, Probe(
        EndorsementApplication, target.id
    )


@operation(
    "endorsementApplicationSubmit",
    "$input: EndorsementApplicationInput!",
    "input: $input",
    "application { id }",
)
async def _endorsement_submit(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables = {
        "input": {
            "eventName": unique("（テスト）環境フェア"),
            "organizerId": gid("Partner", world.partner),
            "departmentCode": world.own.code,
            "eventStartsOn": "2022-06-01",
            "purpose": "環境について考える",
            "disqualifiers": [],
        }
    }
    return variables, Probe(EndorsementApplication)


@operation(
    "endorsementApplicationDecide",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v, approve: false, contributesToCityPolicy: false, "
    'reason: "市の施策との関わりが薄い"',
    "application { id }",
)
async def _endorsement_decide(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await an_endorsement(session, world)


@operation(
    "endorsementApplicationWithdraw",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v",
    "application { id }",
)
async def _endorsement_withdraw(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    return await an_endorsement(session, world)


# ------------------------------------------------------------------ proposals


@operation("proposalSubmit", "$input: ProposalInput!", "input: $input", "proposal { id }")
async def _proposal_submit(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables = {
        "input": {
            "title": unique("（テスト）公園にベンチを"),
            "body": "公園にベンチを増やしてほしい。",
            "kind": "PLAN",
            "channel": "DIRECT",
            "departmentCode": world.own.code,
        }
    }
    return variables, Probe(Proposal)


@operation(
    "proposalRespond",
    "$id: ID!, $v: Int!",
    "id: $id, expectedVersion: $v, input: { decision: UNDER_CONSIDERATION }",
    "proposal { id }",
)
async def _proposal_respond(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    assert world.own.id is not None
    target = Proposal(
        title=unique("（テスト）提案"),
        body="駅前に花壇を。",
        kind=ProposalKind.PLAN,
        channel=ProposalChannel.LETTER,
        received_on=date(2022, 3, 1),
        department_id=world.own.id,
    )
    session.add(target)
    await session.flush()
    return {"id": gid("Proposal", target), "v": target.version}, Probe(Proposal, target.id)


# ------------------------------------------------------------------ the activation log


async def an_event(session: AsyncSession) -> DisasterEvent:
    event = DisasterEvent(name=unique("（テスト）訓練"), kind=DisasterKind.EXERCISE,
                          started_on=date(2022, 3, 1))  # fmt: skip
    session.add(event)
    await session.flush()
    return event


async def a_request(
    session: AsyncSession, world: World, status: SupportRequestStatus, answer: Any = None
) -> tuple[dict[str, Any], Probe]:
    event = await an_event(session)
    agreement = await make_agreement(
        session,
        department=world.own,
        parties=[world.partner],
        support=[SupportCategory.SUPPLIES],
        concluded_on=date(2020, 4, 1),
        effective_from=date(2020, 4, 1),
    )
    assert event.id is not None and agreement.id is not None and world.partner.id is not None
    moment = datetime(2022, 3, 1, 0, 0, tzinfo=UTC)
    target = SupportRequest(
        event_id=event.id,
        agreement_id=agreement.id,
        partner_id=world.partner.id,
        category=SupportCategory.SUPPLIES,
        what="飲料水",
        requested_by="テスト",
        requested_at=moment,
        status=status,
        answer=answer,
        answered_at=moment if answer else None,
        delivered_at=moment if status is SupportRequestStatus.DELIVERED else None,
    )
    session.add(target)
    await session.flush()
    return {"id": gid("SupportRequest", target), "v": target.version}, Probe(
        SupportRequest, target.id
    )


@operation(
    "disasterEventCreate",
    "$input: DisasterEventInput!",
    "input: $input",
    "event { id }",
)
async def _event_create(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables = {
        "input": {"name": unique("（テスト）訓練"), "kind": "EXERCISE", "startedOn": "2022-03-01"}
    }
    return variables, Probe(DisasterEvent)


@operation(
    "disasterEventClose",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, closedOn: "2022-03-02"',
    "event { id }",
)
async def _event_close(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    target = await an_event(session)
    return {"id": gid("DisasterEvent", target), "v": target.version}, Probe(
        DisasterEvent, target.id
    )


@operation(
    "supportRequestCreate",
    "$input: SupportRequestInput!",
    "input: $input",
    "request { id }",
)
async def _request_create(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    variables, _probe = await a_request(session, world, SupportRequestStatus.CLOSED)
    stored = (
        await session.execute(sa.select(SupportRequest).order_by(SupportRequest.id.desc()).limit(1))  # type: ignore[union-attr]
    ).scalar_one()
    variables = {
        "input": {
            "eventId": str(to_global_id("DisasterEvent", stored.event_id)),
            "agreementId": str(to_global_id("Agreement", stored.agreement_id)),
            "partnerId": gid("Partner", world.partner),
            "category": "SUPPLIES",
            "what": "毛布",
            "requestedAt": "2022-03-02T09:00:00+09:00",
        }
    }
    return variables, Probe(SupportRequest)


@operation(
    "supportRequestAnswer",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, answer: ACCEPTED, answeredAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_answer(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(session, world, SupportRequestStatus.REQUESTED)


@operation(
    "supportRequestDeliver",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, deliveredAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_deliver(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(
        session, world, SupportRequestStatus.ANSWERED, answer=SupportAnswer.ACCEPTED
    )


@operation(
    "supportRequestClose",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, closedAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_close(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(
        session, world, SupportRequestStatus.DELIVERED, answer=SupportAnswer.ACCEPTED
    )


@operation(
    "supportRequestCancel",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, reason: "訓練の中止", cancelledAt: "2022-03-02T09:00:00+09:00"',
    "request { id }",
)
async def _request_cancel(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return await a_request(session, world, SupportRequestStatus.REQUESTED)


@operation(
    "contactVerificationRecord",
    "$id: ID!",
    'partnerId: $id, verifiedOn: "2022-03-01", outcome: REACHED',
    "verification { verifiedOn }",
)
async def _verification_record(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return {"id": gid("Partner", world.partner)}, Probe(ContactVerification)


@operation(
    "capacityReportRecord",
    "$id: ID!",
    'input: { partnerId: $id, item: "毛布", quantity: 100, unit: "枚", reportedOn: "2022-03-01" }',
    "report { item }",
)
async def _capacity_record(session: AsyncSession, world: World) -> tuple[dict[str, Any], Probe]:
    return {"id": gid("Partner", world.partner)}, Probe(CapacityReport)


# ------------------------------------------------------------------ the test


@dataclass(frozen=True)
class Snapshot:
    change_events: int
    rows: int
    target_version: int | None


async def snapshot(session: AsyncSession, probe: Probe) -> Snapshot:
    """What the database holds, read with plain SQL (never the session's cached objects)."""
    change_events = await session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
    )
    rows = await session.scalar(sa.select(sa.func.count()).select_from(probe.model))
    version = None
    if probe.pk is not None:
        version = await session.scalar(
            sa.select(probe.model.version).where(probe.model.id == probe.pk)
        )
    return Snapshot(int(change_events or 0), int(rows or 0), version)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    partner = await make_partner(session, unique("（テスト）協働パートナー"))
    return World(
        own=await make_department(session, "（テスト）担当課"),
        other=await make_department(session, "（テスト）他課"),
        partner=partner,
    )


@pytest.mark.parametrize(("field", "role", "allowed"), MUTATION_CASES)
async def test_mutation_field_access(
    session: AsyncSession,
    gql: GraphQLClient,
    world: World,
    field: str,
    role: str,
    allowed: bool,
) -> None:
    # given the mutation's target, committed so that it outlives any rollback
    op = OPERATIONS[field]
    variables, probe = await op.prepare(session, world)
    await session.commit()
    caller = principal(role, own=world.own.code, other=world.other.code)
    before = await snapshot(session, probe)
    # when
    result = await gql.raw(op.document, variables, today=TODAY, principal=caller)
    # then
    assert result["errors"] == []
    payload = result["data"][field]
    after = await snapshot(session, probe)
    if allowed:
        assert payload["errors"] == []
        assert after.change_events == before.change_events + 1  # one audit event
        assert (after.rows, after.target_version) != (before.rows, before.target_version)
    else:
        assert payload["errors"] == [
            {"code": "FORBIDDEN", "message": "この操作を行う権限がありません。"}
        ]
        # the payload carries nothing else: no record, no counts
        assert not any(value for key, value in payload.items() if key != "errors")
        assert after == before


# ------------------------------------------------------------------ the tables are complete


def root_fields(sdl: str) -> tuple[set[str], set[str]]:
    built = build_schema(sdl)
    assert built.query_type is not None and built.mutation_type is not None
    return set(built.query_type.fields), set(built.mutation_type.fields)


def subscription_fields(sdl: str) -> set[str]:
    subscription_type = build_schema(sdl).subscription_type
    return set(subscription_type.fields) if subscription_type is not None else set()


def test_the_matrix_names_every_query_mutation_and_subscription_field_of_the_live_schema() -> None:
    # given
    queries, mutations = root_fields(schema.as_str())
    subscriptions = subscription_fields(schema.as_str())
    # then: a new field must be placed in the matrix before it ships
    assert set(QUERY_MATRIX) == queries
    assert set(QUERIES) == queries
    assert set(MUTATION_MATRIX) == mutations
    assert set(OPERATIONS) == mutations
    assert set(SUBSCRIPTION_MATRIX) == subscriptions
    assert set(SUBSCRIPTIONS) == subscriptions


def test_the_matrix_names_every_field_of_the_contract() -> None:
    if not CONTRACT.exists():
        pytest.skip(f"no contract at {CONTRACT}")
    # given
    queries, mutations = root_fields(CONTRACT.read_text(encoding="utf-8"))
    # then
    assert queries <= set(QUERY_MATRIX)
    assert mutations <= set(MUTATION_MATRIX)
    assert subscription_fields(CONTRACT.read_text(encoding="utf-8")) <= set(SUBSCRIPTION_MATRIX)


# ================================================================== node lookups and nested fields

NODE = "query ($id: ID!) { node(id: $id) { id __typename } }"
NODES = "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }"


async def node_visible(gql: GraphQLClient, global_id: str, role: str) -> bool:
    """Whether ``role`` sees the object through both ``node`` and ``nodes``."""
    single = await gql(NODE, {"id": global_id}, principal=principal(role))
    many = await gql(NODES, {"ids": [global_id]}, principal=principal(role))
    assert (single["node"] is None) == (many["nodes"] == [None])
    return single["node"] is not None


@pytest.mark.parametrize(
    ("role", "visible"),
    [("PUBLIC", N), ("DISASTER_OFFICE", N), ("INTEGRATION", N), ("STAFF", Y), ("ADMIN", Y)],
)
async def test_an_unpublished_collaboration_is_a_null_node_outside_the_city_staff(
    session: AsyncSession, gql: GraphQLClient, role: str, visible: bool
) -> None:
    # given a demo collaboration not yet published
    pk = await demo_id(session, Collaboration, "demo-collab-tarumae-photo-2022")
    assert (
        await session.scalar(
            sa.select(col(Collaboration.is_public)).where(col(Collaboration.id) == pk)
        )
        is False
    )
    # when / then
    assert await node_visible(gql, str(to_global_id("Collaboration", pk)), role) is visible


@pytest.mark.parametrize(
    ("role", "visible"),
    [("PUBLIC", N), ("DISASTER_OFFICE", Y), ("INTEGRATION", Y), ("STAFF", Y), ("ADMIN", Y)],
)
async def test_an_individual_is_a_null_node_for_the_public(
    session: AsyncSession, gql: GraphQLClient, role: str, visible: bool
) -> None:
    # given a demo volunteer
    pk = await demo_id(session, Partner, "demo-partner-volunteer-01")
    # when / then
    assert await node_visible(gql, str(to_global_id("Partner", pk)), role) is visible


ORGANISATION_PERSONAL = """
query ($id: ID!) {
  node(id: $id) {
    ... on Partner {
      name kind
      externalId representative phone email
      address { postalCode prefecture city street }
      contacts { name role phone email }
    }
  }
}
"""


async def test_the_public_sees_an_organisation_but_none_of_its_contact_data(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a demo organisation with a representative, contacts, phone and e-mail
    pk = await demo_id(session, Partner, "demo-partner-rengokai")
    variables = {"id": str(to_global_id("Partner", pk))}
    seeded = {
        "externalId": "demo-partner-rengokai",
        "representative": "デモ 和子",
        "phone": "000-0100-0005",
        "email": "rengokai@example.jp",
        "contact phone": "000-0110-0005",
        "contact email": "rengokai-kaicho@example.jp",
        "prefecture": "北海道",
    }
    # when
    visible = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Partner { name kind } } }",
        variables,
        principal=ANONYMOUS,
    )
    result = await gql.raw(ORGANISATION_PERSONAL, variables, principal=ANONYMOUS)
    # then the organisation itself is public
    assert visible["node"] == {"name": "（デモ）苫小牧市町内会連合会", "kind": "OTHER_ORGANIZATION"}
    # but every contact field is refused (contacts is non-null, so its refusal nulls the node)
    assert sorted((e["path"], e["extensions"]["code"]) for e in result["errors"]) == sorted(
        (["node", field], "FORBIDDEN")
        for field in ("externalId", "representative", "phone", "email", "address", "contacts")
    )
    # and no seeded personal value appears anywhere in the response
    serialized = json.dumps(result, ensure_ascii=False)
    assert [what for what, value in seeded.items() if value in serialized] == []
    # while STAFF, sending the same query, does get them (the query itself is right)
    staff = await gql(ORGANISATION_PERSONAL, variables, principal=principal("STAFF"))
    serialized = json.dumps(staff, ensure_ascii=False)
    assert [what for what, value in seeded.items() if value not in serialized] == []


async def internal_records(session: AsyncSession) -> dict[str, str]:
    """One global id per internal type: demo subsidy, endorsement and proposal rows, and an
    audit event written here."""
    ids: dict[str, str] = {}
    for type_name, model in (
        ("SubsidyProgram", SubsidyProgram),
        ("SubsidyApplication", SubsidyApplication),
        ("EndorsementApplication", EndorsementApplication),
        ("Proposal", Proposal),
    ):
        pk = await session.scalar(sa.select(sa.func.min(model.id)))
        assert pk is not None, f"the demo data has no {type_name}"
        ids[type_name] = str(to_global_id(type_name, pk))
    event = await record_event(
        session, actor="test", action="partner.update", entity_type="Partner", entity_id=1
    )
    assert event.id is not None
    ids["AuditEvent"] = str(to_global_id("AuditEvent", event.id))
    return ids


@pytest.mark.parametrize("type_name", ["SubsidyProgram", "SubsidyApplication",
                                       "EndorsementApplication", "Proposal", "AuditEvent"])  # fmt: skip
@pytest.mark.parametrize("role", ["PUBLIC", "DISASTER_OFFICE", "INTEGRATION", "STAFF", "ADMIN"])
async def test_internal_records_are_null_nodes_outside_the_city_staff(
    session: AsyncSession, gql: GraphQLClient, type_name: str, role: str
) -> None:
    # given
    global_id = (await internal_records(session))[type_name]
    readers = {"AuditEvent": {"ADMIN"}}.get(type_name, {"STAFF", "ADMIN"})
    # when / then
    assert await node_visible(gql, global_id, role) is (role in readers)


async def test_the_public_lists_only_published_collaborations(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given the demo data, with published and unpublished collaborations
    published = await session.scalar(
        sa.select(sa.func.count()).select_from(Collaboration).where(col(Collaboration.is_public))
    )
    everything = await session.scalar(sa.select(sa.func.count()).select_from(Collaboration))
    assert published is not None and everything is not None and published < everything
    query = """
    { collaborations(first: 100) { totalCount edges { node { title isPublic } } }
      departments { code collaborations(first: 20) { totalCount edges { node { isPublic } } } } }
    """
    # when
    public = await gql(query, principal=ANONYMOUS)
    staff = await gql(query, principal=principal("STAFF"))
    # then
    assert public["collaborations"]["totalCount"] == published
    assert staff["collaborations"]["totalCount"] == everything
    listed = [e["node"] for e in public["collaborations"]["edges"]]
    listed += [e["node"] for d in public["departments"] for e in d["collaborations"]["edges"]]
    assert listed and all(node["isPublic"] for node in listed)
    assert sum(d["collaborations"]["totalCount"] for d in public["departments"]) == published


PARTICIPANTS = """
query ($id: ID!) {
  node(id: $id) { ... on Collaboration { participations { partner { name kind } } } }
}
"""


async def test_collaboration_participations_hide_individuals_from_the_public(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given a published demo collaboration with a volunteer (デモ 花子) among its partners
    pk = await demo_id(session, Collaboration, "demo-collab-love-earth-2021")
    variables = {"id": str(to_global_id("Collaboration", pk))}
    # when
    public = await gql(PARTICIPANTS, variables, principal=ANONYMOUS)
    staff = await gql(PARTICIPANTS, variables, principal=principal("STAFF"))
    # then
    public_partners = [p["partner"] for p in public["node"]["participations"]]
    staff_partners = [p["partner"] for p in staff["node"]["participations"]]
    assert {"name": "デモ 花子", "kind": "INDIVIDUAL"} in staff_partners
    assert public_partners == [p for p in staff_partners if p["kind"] != "INDIVIDUAL"]
    assert public_partners
    assert "デモ 花子" not in json.dumps(public, ensure_ascii=False)


PARTIES = """
query ($id: ID!) { node(id: $id) { ... on Agreement { parties { name kind } } } }
"""


async def test_agreement_parties_hide_individuals_from_the_public(
    session: AsyncSession, gql: GraphQLClient
) -> None:
    # given an agreement with an organisation and an individual as parties
    department = await make_department(session)
    organisation = await make_partner(session, "（テスト）防災協力会")
    individual = await make_partner(session, "デモ 次郎", kind=PartnerKind.INDIVIDUAL)
    agreement = await make_agreement(
        session, department=department, parties=[organisation, individual]
    )
    variables = {"id": gid("Agreement", agreement)}
    # when
    public = await gql(PARTIES, variables, principal=ANONYMOUS)
    staff = await gql(PARTIES, variables, principal=principal("STAFF"))
    # then
    assert public["node"]["parties"] == [{"name": "（テスト）防災協力会", "kind": "CITIZEN_GROUP"}]
    assert staff["node"]["parties"] == [
        {"name": "（テスト）防災協力会", "kind": "CITIZEN_GROUP"},
        {"name": "デモ 次郎", "kind": "INDIVIDUAL"},
    ]


async def test_public_cannot_learn_what_an_individual_took_part_in(gql, session):
    # given a volunteer (an individual partner) of the demo data
    import sqlalchemy as sa

    from domain.enums import PartnerKind
    from domain.partners.models import Partner
    from schema.context import ANONYMOUS
    from schema.node import to_global_id

    individual = (
        await session.execute(
            sa.select(Partner).where(Partner.external_id == "demo-partner-volunteer-01")
        )
    ).scalar_one()
    assert individual.kind is PartnerKind.INDIVIDUAL
    partner_id = to_global_id("Partner", individual.id)
    # (staff can see that this volunteer took part in a published collaboration)
    seen = await gql(
        "query ($p: ID) { collaborations(filter: {partnerId: $p}) { edges { node { isPublic } } } }",
        {"p": partner_id},
    )
    assert any(e["node"]["isPublic"] for e in seen["collaborations"]["edges"])
    query = """query ($p: ID) {
      collaborations(filter: {partnerId: $p}) { totalCount }
      agreements(filter: {partnerId: $p}) { totalCount }
    }"""
    # when PUBLIC filters collaborations and agreements by that person's (guessable) id
    data = await gql(query, {"p": partner_id}, principal=ANONYMOUS)
    # then nothing is revealed
    assert data == {"collaborations": {"totalCount": 0}, "agreements": {"totalCount": 0}}
