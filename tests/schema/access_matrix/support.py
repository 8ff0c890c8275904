"""Helpers shared by the tests of this package (The authorisation matrix (schema/permissions.py), field by field and role by role)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import (
    Role,
)
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.schema.context import ANONYMOUS, Principal
from kyodo.schema.node import to_global_id

CONTRACT = Path(__file__).resolve().parents[3].parent / "shared" / "contract" / "schema.graphql"


TODAY = date(2022, 3, 10)


Y, N = True, False


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def gid(type_name: str, row: Any) -> str:
    assert row.id is not None
    return str(to_global_id(type_name, row.id))


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
    "disasterSupportNeedingReview": (N, Y,  Y,       N,          Y),
    "subsidyPrograms":         (Y,    Y,    Y,       Y,          Y),
    "subsidyApplications":     (N,    Y,    N,       N,          Y),
    "endorsementApplications": (N,    Y,    N,       N,          Y),
    "proposals":               (Y,    Y,    Y,       Y,          Y),
    "collaborationStats":      (Y,    Y,    Y,       Y,          Y),
    "collaborationReviewsDue": (N,    Y,    N,       N,          Y),
    "partnerConcentration":    (N,    Y,    N,       N,          Y),
    "partnerSuggestions":      (N,    Y,    N,       N,          Y),
    "partnerNetwork":          (N,    Y,    N,       N,          Y),
    "auditEvents":             (N,    N,    N,       N,          Y),
    "disasterEvents":          (N,    Y,    Y,       N,          Y),
    "openSupportRequests":     (N,    Y,    Y,       N,          Y),
    "contactsDue":             (N,    Y,    Y,       N,          Y),
    "agreementsDue":           (N,    Y,    Y,       N,          Y),
}


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
    "disasterSupportNeedingReview": (
        '{ disasterSupportNeedingReview(on: "2022-03-10") { reason } }'
    ),
    "subsidyPrograms": "{ subsidyPrograms { name } }",
    "subsidyApplications": "{ subsidyApplications(first: 1) { totalCount } }",
    "endorsementApplications": "{ endorsementApplications(first: 1) { totalCount } }",
    "proposals": "{ proposals(first: 1) { totalCount } }",
    "collaborationStats": "{ collaborationStats { total } }",
    "collaborationReviewsDue": '{ collaborationReviewsDue(asOf: "2022-03-10") { dueOn } }',
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


# fmt: off
SUBSCRIPTION_MATRIX: dict[str, tuple[bool, ...]] = {
    #                   PUBLIC STAFF DISASTER INTEGRATION ADMIN
    "agreementChanged": (Y,    Y,    Y,       Y,          Y),
    "contactsVerified": (N,    Y,    Y,       N,          Y),
    "supportRequestChanged": (N, Y,    Y,       N,          Y),
}


SUBSCRIPTIONS: dict[str, str] = {
    "agreementChanged": "subscription { agreementChanged { kind agreement { title } } }",
    "contactsVerified": "subscription { contactsVerified { kind agreement { title } } }",
    "supportRequestChanged": "subscription { supportRequestChanged { kind request { what } } }",
}


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
    "collaborationScreen":            (N,     Y,     N,       N,       N,          Y),
    "collaborationPublish":           (N,     Y,     N,       N,       N,          Y),
    "collaborationRecordReview":      (N,     Y,     N,       N,       N,          Y),
    "agreementCreate":                (N,     Y,     N,       N,       N,          Y),
    "agreementUpdate":                (N,     Y,     N,       N,       N,          Y),
    "agreementConclude":              (N,     Y,     N,       N,       N,          Y),
    "agreementTerminate":             (N,     Y,     N,       N,       N,          Y),
    "agreementVerifyContacts":        (N,     Y,     N,       Y,       N,          Y),
    "agreementTransition":            (N,     Y,     N,       N,       N,          Y),
    "subsidyProgramCreate":           (N,     Y,     N,       N,       N,          Y),
    "subsidyProgramUpdate":           (N,     Y,     N,       N,       N,          Y),
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
