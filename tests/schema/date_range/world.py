"""The rows every case needs: one of each kind whose Date inputs are sent out of range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.disasters.models import DisasterEvent
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import AgreementStatus, CollaborationStatus, DisasterKind, SupportCategory
from kyodo.schema.node import to_global_id

from ..agreements import factories as agreement_factories
from ..collaborations import factories as collaboration_factories
from ..subsidies import factories as subsidy_factories


@dataclass
class World:
    department: str
    partner: str
    draft_agreement: str
    in_force_agreement: str
    planning_collaboration: str
    active_collaboration: str
    completed_collaboration: str
    program: str
    subsidy_application: str
    endorsement_application: str
    event: str


async def _world(session: AsyncSession) -> World:
    department = await agreement_factories.make_department(session)
    partner = await agreement_factories.make_partner(session, "日付テスト（デモ）")
    draft = await agreement_factories.make_agreement(
        session, department=department, status=AgreementStatus.DRAFT, parties=[partner]
    )
    in_force = await agreement_factories.make_agreement(
        session,
        department=department,
        parties=[partner],
        support=[SupportCategory.SUPPLIES],
    )
    collaborations = {
        status: await collaboration_factories.make_collaboration(
            session, department=department, status=status, parts=[partner]
        )
        for status in (
            CollaborationStatus.PLANNING,
            CollaborationStatus.ACTIVE,
            CollaborationStatus.COMPLETED,
        )
    }
    program = await subsidy_factories.make_program(
        session, department=department, name=agreement_factories.unique("日付テスト補助金")
    )
    application = await subsidy_factories.make_application(
        session, program=program, applicant=partner
    )
    endorsement = EndorsementApplication(
        event_name="日付テストの催し（デモ）",
        organizer_id=partner.id,
        department_id=department.id,
        event_starts_on=date(2022, 5, 1),
        purpose="テスト",
        submitted_on=date(2022, 4, 1),
    )
    session.add(endorsement)
    event = DisasterEvent(name="日付テストの訓練（デモ）", kind=DisasterKind.EXERCISE,
                          started_on=date(2022, 3, 1))  # fmt: skip
    session.add(event)
    await session.flush()
    await session.commit()
    g = agreement_factories.gid
    assert application.id is not None and endorsement.id is not None and program.id is not None
    return World(
        department=department.code,
        partner=g("Partner", partner),
        draft_agreement=g("Agreement", draft),
        in_force_agreement=g("Agreement", in_force),
        planning_collaboration=collaboration_factories.gid(
            "Collaboration", collaborations[CollaborationStatus.PLANNING]
        ),
        active_collaboration=collaboration_factories.gid(
            "Collaboration", collaborations[CollaborationStatus.ACTIVE]
        ),
        completed_collaboration=collaboration_factories.gid(
            "Collaboration", collaborations[CollaborationStatus.COMPLETED]
        ),
        program=str(to_global_id("SubsidyProgram", program.id)),
        subsidy_application=str(to_global_id("SubsidyApplication", application.id)),
        endorsement_application=str(to_global_id("EndorsementApplication", endorsement.id)),
        event=str(to_global_id("DisasterEvent", event.id)),
    )
