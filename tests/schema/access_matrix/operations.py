"""One prepared call of every mutation for the access matrix (``operation`` registers each in
``OPERATIONS``): its variables, and the probe that tells whether it changed anything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import (
    AgreementCategory,
    AgreementStatus,
    CollaborationStatus,
    ProposalChannel,
    ProposalKind,
    SubsidyApplicationStatus,
)
from kyodo.domain.partners.models import Partner
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.subsidies.models import SubsidyApplication, SubsidyProgram
from tests.schema.agreements.factories import make_agreement
from tests.schema.collaborations.factories import make_collaboration
from tests.schema.subsidies.factories import make_application, make_program

from .support import (
    Probe,
    World,
    gid,
    operation,
    unique,
)


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


@operation(
    "collaborationScreen",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, input: { addedGrounds: [POLITICAL_ACTIVITY], note: "後援会" }',
    "collaboration { id }",
)
async def _collaboration_screen(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    return await _collaboration_transition(session, world)


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
    "subsidyProgramUpdate",
    "$id: ID!, $v: Int!",
    'id: $id, expectedVersion: $v, input: {name: "（テスト）改名した補助金"}',
    "program { id }",
)
async def _subsidy_program_update(
    session: AsyncSession, world: World
) -> tuple[dict[str, Any], Probe]:
    target = await a_program(session, world)
    return {"id": gid("SubsidyProgram", target), "v": target.version}, Probe(
        SubsidyProgram, target.id
    )


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
