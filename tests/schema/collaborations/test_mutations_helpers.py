"""Shared operations and builders for the collaboration mutation tests (no tests here).

Rows are made through the API where that is simple (a collaboration and its status
changes), and with the factories where the API has no say (departments, fields,
partners, subsidy programs). Factory rows are committed before the mutation under
test: a refused mutation rolls its session back, and must not take them with it.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.collaborations.models import Collaboration
from kyodo.schema.node import from_global_id, to_global_id
from tests.conftest import CHANGE_EVENTS

from .factories import make_department, make_field, make_partner

DETAIL = """
  id title summary forms status fiscalYear startsOn endsOn purpose plan responsibility
  department { code }
  fields { code }
  budget { totalYen cityShareYen partnerShareYen }
  committee { name kind establishedOn dissolvesOn }
  subsidyProgram { id }
  participations { partner { id } role isLead costShareYen }
  progressReports { reportedOn note }
  evaluation { evaluatedOn outcomes partnerFeedback lessons rating }
  readiness { ready missing }
  reviewDueOn isPublic version
"""
ERRORS = "errors { field code message }"

CREATE = f"""
mutation ($input: CollaborationInput!) {{
  collaborationCreate(input: $input) {{ collaboration {{ {DETAIL} }} {ERRORS} }}
}}
"""
UPDATE = f"""
mutation ($id: ID!, $v: Int!, $input: CollaborationInput!) {{
  collaborationUpdate(id: $id, expectedVersion: $v, input: $input) {{
    collaboration {{ {DETAIL} }} {ERRORS}
  }}
}}
"""
TRANSITION = f"""
mutation ($id: ID!, $v: Int!, $to: CollaborationStatus!) {{
  collaborationTransition(id: $id, expectedVersion: $v, to: $to) {{
    collaboration {{ {DETAIL} }} {ERRORS}
  }}
}}
"""
REPORT = f"""
mutation ($id: ID!, $on: Date!, $note: String!, $v: Int) {{
  collaborationReportProgress(id: $id, reportedOn: $on, note: $note, expectedVersion: $v) {{
    collaboration {{ {DETAIL} }} {ERRORS}
  }}
}}
"""
EVALUATE = f"""
mutation ($id: ID!, $v: Int!, $input: EvaluationInput!) {{
  collaborationEvaluate(id: $id, expectedVersion: $v, input: $input) {{
    collaboration {{ {DETAIL} }} {ERRORS}
  }}
}}
"""
READ = f"""
query ($id: ID!) {{ node(id: $id) {{ ... on Collaboration {{ {DETAIL} }} }} }}
"""


@dataclass
class World:
    """Reference rows one test owns: a department, a field and three partners."""

    department_code: str
    field_code: str
    partner_ids: list[str]


async def world(session: AsyncSession) -> World:
    department = await make_department(session)
    field = await make_field(session)
    partners = [await make_partner(session) for _ in range(3)]
    await session.commit()
    return World(
        department_code=department.code,
        field_code=field.code,
        partner_ids=[str(to_global_id("Partner", p.id)) for p in partners if p.id is not None],
    )


# 第2章1: why this partner, and its capacity; every participation needs both to start.
REASONS = {"reason": "地区の課題をよく知っている", "capacity": "毎月の定例会を自分たちで開いている"}


def ready_input(w: World, **overrides: Any) -> dict[str, Any]:
    """A CollaborationInput that satisfies readiness (第4章(1)(2), 第2章1) for a CO_HOSTING project."""
    data: dict[str, Any] = {
        "title": "まちかどミーティング（テスト）",
        "summary": "町内会と市が一緒に開く話し合いの場",
        "forms": ["CO_HOSTING"],
        "departmentCode": w.department_code,
        "fieldCodes": [w.field_code],
        "startsOn": "2021-06-01",
        "endsOn": "2022-02-28",
        "purpose": "地域の課題を一緒に話し合う",
        "plan": "年4回、各地区で開く",
        "budget": {"totalYen": 200_000, "cityShareYen": 120_000, "partnerShareYen": 80_000},
        "responsibility": "会場と周知は市、進行は町内会",
        "participations": [
            {
                "partnerId": w.partner_ids[0],
                "role": "進行",
                "isLead": True,
                "costShareYen": 80_000,
                **REASONS,
            }
        ],
        "cityCanDo": "会場の確保と市の広報紙での周知",
        "cityCannotDo": "町内会の会員集めや会費の徴収",
        "isPublic": True,
    }
    data.update(deepcopy(overrides))
    return data


def pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


async def create(gql: Any, input: dict[str, Any]) -> dict[str, Any]:
    data = await gql(CREATE, {"input": input})
    payload = data["collaborationCreate"]
    assert payload["errors"] == []
    return payload["collaboration"]


async def transition(gql: Any, collaboration: dict[str, Any], to: str) -> dict[str, Any]:
    data = await gql(
        TRANSITION, {"id": collaboration["id"], "v": collaboration["version"], "to": to}
    )
    payload = data["collaborationTransition"]
    assert payload["errors"] == []
    return payload["collaboration"]


async def evaluate(gql: Any, collaboration: dict[str, Any], **input: Any) -> dict[str, Any]:
    evaluation = {
        "evaluatedOn": "2022-03-20",
        "outcomes": "4回で延べ120人が参加した",
        "partnerFeedback": "来年も続けたい",
        "lessons": "周知は回覧板が効いた",
        "rating": 4,
    } | input
    data = await gql(
        EVALUATE,
        {"id": collaboration["id"], "v": collaboration["version"], "input": evaluation},
    )
    payload = data["collaborationEvaluate"]
    assert payload["errors"] == []
    return payload["collaboration"]


async def created_in(gql: Any, w: World, status: str, **overrides: Any) -> dict[str, Any]:
    """A ready collaboration moved through the status machine to ``status``."""
    collaboration = await create(gql, ready_input(w, **overrides))
    path = {
        "PLANNING": [],
        "ACTIVE": ["ACTIVE"],
        "COMPLETED": ["ACTIVE", "COMPLETED"],
        "EVALUATED": ["ACTIVE", "COMPLETED", "EVALUATED"],
        "CANCELLED": ["CANCELLED"],
    }[status]
    for step in path:
        if step == "EVALUATED":
            collaboration = await evaluate(gql, collaboration)
        collaboration = await transition(gql, collaboration, step)
    return collaboration


async def read(gql: Any, global_id: str) -> dict[str, Any]:
    return (await gql(READ, {"id": global_id}))["node"]


async def audit_count(session: AsyncSession) -> int:
    return int(
        (
            await session.execute(
                sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
            )
        ).scalar_one()
    )


async def collaboration_count(session: AsyncSession) -> int:
    stmt = sa.select(sa.func.count()).select_from(Collaboration)
    return int((await session.execute(stmt)).scalar_one())


async def events_of(session: AsyncSession, global_id: str) -> list[AuditEvent]:
    """The audit events of one collaboration, oldest first."""
    stmt = (
        sa.select(AuditEvent)
        .where(
            col(AuditEvent.entity_type) == "Collaboration",
            CHANGE_EVENTS,
            col(AuditEvent.entity_id) == str(pk(global_id)),
        )
        .order_by(col(AuditEvent.id))
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


def codes_and_fields(errors: list[dict[str, Any]]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in errors]
