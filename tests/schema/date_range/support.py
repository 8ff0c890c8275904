"""Helpers shared by the tests of this package (Every date the API accepts lies in the range the city's data can hold (issue 8, item 1))."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.disasters.models import DisasterEvent
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import AgreementStatus, CollaborationStatus, DisasterKind, SupportCategory
from kyodo.schema.node import to_global_id

from ..agreements import factories as agreement_factories
from ..collaborations import factories as collaboration_factories
from ..subsidies import factories as subsidy_factories

OUT_OF_RANGE = ["1872-12-31", "3000-01-01"]


ERRORS = "errors { field code message }"


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


Build = Callable[[World, str], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """One Date input: where the schema has it, the path its error names, the label its
    message uses, and an operation that sends ``day`` there (everything else valid)."""

    input: str  # as test_every_date_input_is_covered names it
    field: list[str]
    label: str
    build: Build

    @property
    def root(self) -> str:
        return self.input.split(".")[1]

    @property
    def is_mutation(self) -> bool:
        return self.input.startswith("Mutation.")

    def __str__(self) -> str:
        return self.input


def _collaboration_input(w: World, **dates: Any) -> dict[str, Any]:
    return {
        "title": "日付のテスト（デモ）",
        "forms": ["CO_HOSTING"],
        "departmentCode": w.department,
        **dates,
    }


def _agreement_input(w: World, **dates: Any) -> dict[str, Any]:
    return {
        "title": "日付のテスト協定（デモ）",
        "category": "DISASTER_SUPPORT",
        "partyIds": [w.partner],
        "departmentCode": w.department,
        **dates,
    }


def _collaboration_create(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        dates = {"committee": {"name": "会", "kind": "COUNCIL", name: day}}
        if name not in ("establishedOn", "dissolvesOn"):
            dates = {name: day}
        return (
            "mutation ($input: CollaborationInput!) { collaborationCreate(input: $input) "
            f"{{ collaboration {{ id }} {ERRORS} }} }}",
            {"input": _collaboration_input(w, **dates)},
        )

    return build


def _collaboration_update(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        _, variables = _collaboration_create(name)(w, day)
        return (
            "mutation ($id: ID!, $input: CollaborationInput!) { collaborationUpdate("
            f"id: $id, expectedVersion: 1, input: $input) {{ collaboration {{ id }} {ERRORS} }} }}",
            {"id": w.planning_collaboration, **variables},
        )

    return build


def _agreement_create(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            "mutation ($input: AgreementInput!) { agreementCreate(input: $input) "
            f"{{ agreement {{ id }} {ERRORS} }} }}",
            {"input": _agreement_input(w, **{name: day})},
        )

    return build


def _agreement_update(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            "mutation ($id: ID!, $input: AgreementInput!) { agreementUpdate(id: $id, "
            f"expectedVersion: 1, input: $input) {{ agreement {{ id }} {ERRORS} }} }}",
            {"id": w.draft_agreement, "input": _agreement_input(w, **{name: day})},
        )

    return build


def _conclude(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        dates = {"concludedOn": "2022-04-01", name: day}
        return (
            "mutation ($id: ID!, $concludedOn: Date!, $effectiveFrom: Date) { agreementConclude("
            "id: $id, expectedVersion: 1, concludedOn: $concludedOn, effectiveFrom: $effectiveFrom)"
            f" {{ agreement {{ id }} {ERRORS} }} }}",
            {"id": w.draft_agreement, **dates},
        )

    return build


def _endorsement_submit(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        data = {
            "eventName": "日付テストの催し（デモ）",
            "organizerId": w.partner,
            "departmentCode": w.department,
            "eventStartsOn": "2022-05-01",
            "purpose": "テスト",
            "disqualifiers": [],
            name: day,
        }
        return (
            "mutation ($input: EndorsementApplicationInput!) { endorsementApplicationSubmit("
            f"input: $input) {{ application {{ id }} {ERRORS} }} }}",
            {"input": data},
        )

    return build


def _agreement_filter(name: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            "query ($filter: AgreementFilter) { agreements(filter: $filter) { totalCount } }",
            {"filter": {name: day}},
        )

    return build


def _agreement_field(selection: str) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return (
            f"query ($id: ID!, $day: Date) {{ node(id: $id) {{ ... on Agreement {{ {selection} }} }} }}",
            {"id": w.in_force_agreement, "day": day},
        )

    return build


def _simple(document: str, **variables: Callable[[World], Any]) -> Build:
    def build(w: World, day: str) -> tuple[str, dict[str, Any]]:
        return document, {"day": day} | {k: f(w) for k, f in variables.items()}

    return build


CASES = [
    *(
        Case(
            f"Mutation.collaborationCreate.input.{'.'.join(field[1:])}",
            field,
            label,
            _collaboration_create(name),
        )
        for name, field, label in (
            ("startsOn", ["input", "startsOn"], "始まりの日"),
            ("endsOn", ["input", "endsOn"], "終わりの日"),
            ("reviewDueOn", ["input", "reviewDueOn"], "見直す日"),
            ("establishedOn", ["input", "committee", "establishedOn"], "会の設立日"),
            ("dissolvesOn", ["input", "committee", "dissolvesOn"], "会の解散日"),
        )
    ),
    *(
        Case(
            f"Mutation.collaborationUpdate.input.{'.'.join(field[1:])}",
            field,
            label,
            _collaboration_update(name),
        )
        for name, field, label in (
            ("startsOn", ["input", "startsOn"], "始まりの日"),
            ("endsOn", ["input", "endsOn"], "終わりの日"),
            ("reviewDueOn", ["input", "reviewDueOn"], "見直す日"),
            ("establishedOn", ["input", "committee", "establishedOn"], "会の設立日"),
            ("dissolvesOn", ["input", "committee", "dissolvesOn"], "会の解散日"),
        )
    ),
    Case(
        "Mutation.collaborationReportProgress.reportedOn",
        ["reportedOn"],
        "進捗の報告日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { collaborationReportProgress(id: $id, "
            f'reportedOn: $day, note: "順調") {{ collaboration {{ id }} {ERRORS} }} }}',
            id=lambda w: w.active_collaboration,
        ),
    ),
    Case(
        "Mutation.collaborationEvaluate.input.evaluatedOn",
        ["input", "evaluatedOn"],
        "評価日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { collaborationEvaluate(id: $id, expectedVersion: 1,"
            ' input: { evaluatedOn: $day, outcomes: "効果", partnerFeedback: "意見" }) '
            f"{{ collaboration {{ id }} {ERRORS} }} }}",
            id=lambda w: w.completed_collaboration,
        ),
    ),
    Case(
        "Mutation.collaborationScreen.input.screenedOn",
        ["input", "screenedOn"],
        "確認した日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { collaborationScreen(id: $id, expectedVersion: 1,"
            " input: { addedGrounds: [], screenedOn: $day }) "
            f"{{ collaboration {{ id }} {ERRORS} }} }}",
            id=lambda w: w.active_collaboration,
        ),
    ),
    *(
        Case(
            f"Mutation.agreementCreate.input.{name}",
            ["input", name],
            label,
            _agreement_create(name),
        )
        for name, label in (
            ("effectiveFrom", "効力の始まる日"),
            ("effectiveUntil", "期間の終わりの日"),
        )
    ),
    *(
        Case(
            f"Mutation.agreementUpdate.input.{name}",
            ["input", name],
            label,
            _agreement_update(name),
        )
        for name, label in (
            ("effectiveFrom", "効力の始まる日"),
            ("effectiveUntil", "期間の終わりの日"),
        )
    ),
    Case(
        "Mutation.agreementConclude.concludedOn",
        ["concludedOn"],
        "締結日",
        _conclude("concludedOn"),
    ),
    Case(
        "Mutation.agreementConclude.effectiveFrom",
        ["effectiveFrom"],
        "効力の始まる日",
        _conclude("effectiveFrom"),
    ),
    Case(
        "Mutation.agreementTerminate.terminatedOn",
        ["terminatedOn"],
        "解約日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { agreementTerminate(id: $id, expectedVersion: 1, "
            f'terminatedOn: $day, reason: "事業の終了") {{ agreement {{ id }} {ERRORS} }} }}',
            id=lambda w: w.in_force_agreement,
        ),
    ),
    Case(
        "Mutation.agreementVerifyContacts.verifiedOn",
        ["verifiedOn"],
        "連絡先を確認した日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { agreementVerifyContacts(id: $id, expectedVersion: 1,"
            ' verifiedOn: $day, emergencyContacts: [{ name: "担当（デモ）", phone: "000-0000-0001" }])'
            f" {{ agreement {{ id }} {ERRORS} }} }}",
            id=lambda w: w.in_force_agreement,
        ),
    ),
    Case(
        "Mutation.subsidyProgramCreate.input.applicationDeadline",
        ["input", "applicationDeadline"],
        "申請の締め切り",
        _simple(
            "mutation ($dept: String!, $day: Date!) { subsidyProgramCreate(input: { name: "
            '"日付テスト制度", departmentCode: $dept, fiscalYear: 2022, budgetYen: 100000, '
            "allowedExpenseCategories: [], applicationDeadline: $day }) "
            f"{{ program {{ id }} {ERRORS} }} }}",
            dept=lambda w: w.department,
        ),
    ),
    Case(
        "Mutation.subsidyApplicationSubmit.input.submittedOn",
        ["input", "submittedOn"],
        "申請日",
        _simple(
            "mutation ($program: ID!, $partner: ID!, $day: Date!) { subsidyApplicationSubmit("
            'input: { programId: $program, applicantId: $partner, title: "日付テスト事業", '
            'purpose: "テスト", totalProjectCostYen: 1000, requestedAmountYen: 500, expenses: [], '
            f"submittedOn: $day }}) {{ application {{ id }} {ERRORS} }} }}",
            program=lambda w: w.program,
            partner=lambda w: w.partner,
        ),
    ),
    Case(
        "Mutation.subsidyApplicationDecide.decidedOn",
        ["decidedOn"],
        "決定日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { subsidyApplicationDecide(id: $id, expectedVersion: 1,"
            f' approve: false, reason: "予算不足", decidedOn: $day) {{ application {{ id }} {ERRORS} }} }}',
            id=lambda w: w.subsidy_application,
        ),
    ),
    *(
        Case(
            f"Mutation.endorsementApplicationSubmit.input.{name}",
            ["input", name],
            label,
            _endorsement_submit(name),
        )
        for name, label in (("eventStartsOn", "行事の始まる日"), ("eventEndsOn", "行事の終わる日"))
    ),
    Case(
        "Mutation.endorsementApplicationDecide.decidedOn",
        ["decidedOn"],
        "決定日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { endorsementApplicationDecide(id: $id, "
            'expectedVersion: 1, approve: false, contributesToCityPolicy: false, reason: "対象外",'
            f" decidedOn: $day) {{ application {{ id }} {ERRORS} }} }}",
            id=lambda w: w.endorsement_application,
        ),
    ),
    Case(
        "Mutation.proposalSubmit.input.receivedOn",
        ["input", "receivedOn"],
        "受け付けた日",
        _simple(
            "mutation ($dept: String!, $day: Date!) { proposalSubmit(input: { title: "
            '"日付テストの提案", body: "本文", kind: PLAN, channel: LETTER, '
            f"departmentCode: $dept, receivedOn: $day }}) {{ proposal {{ id }} {ERRORS} }} }}",
            dept=lambda w: w.department,
        ),
    ),
    *(
        Case(f"Query.agreements.filter.{name}", ["filter", name], label, _agreement_filter(name))
        for name, label in (
            ("inForceOn", "効力のある日"),
            ("termEndsBy", "期間の終わりの期限"),
            ("contactsStaleAsOf", "連絡先の確認を見る日"),
        )
    ),
    Case(
        "Query.disasterSupport.on",
        ["on"],
        "日付",
        _simple("query ($day: Date) { disasterSupport(on: $day) { partner { name } } }"),
    ),
    Case(
        "Query.disasterSupportNeedingReview.on",
        ["on"],
        "日付",
        _simple("query ($day: Date) { disasterSupportNeedingReview(on: $day) { reason } }"),
    ),
    Case("Agreement.isInForce.on", ["on"], "効力を見る日", _agreement_field("isInForce(on: $day)")),
    Case(
        "Agreement.currentTermEndsOn.asOf",
        ["asOf"],
        "期間を見る日",
        _agreement_field("currentTermEndsOn(asOf: $day)"),
    ),
    Case(
        "Agreement.noticeDeadlineOn.asOf",
        ["asOf"],
        "期間を見る日",
        _agreement_field("noticeDeadlineOn(asOf: $day)"),
    ),
    Case(
        "Mutation.disasterEventCreate.input.startedOn",
        ["input", "startedOn"],
        "発生日",
        _simple(
            'mutation ($day: Date!) { disasterEventCreate(input: { name: "日付テスト", '
            f"kind: EXERCISE, startedOn: $day }}) {{ event {{ id }} {ERRORS} }} }}"
        ),
    ),
    Case(
        "Mutation.disasterEventClose.closedOn",
        ["closedOn"],
        "終了日",
        _simple(
            "mutation ($id: ID!, $day: Date!) { disasterEventClose(id: $id, expectedVersion: 1, "
            f"closedOn: $day) {{ event {{ id }} {ERRORS} }} }}",
            id=lambda w: w.event,
        ),
    ),
    Case(
        "Mutation.contactVerificationRecord.verifiedOn",
        ["verifiedOn"],
        "確認した日",
        _simple(
            "mutation ($p: ID!, $day: Date!) { contactVerificationRecord(partnerId: $p, "
            f"verifiedOn: $day, outcome: REACHED) {{ verification {{ verifiedOn }} {ERRORS} }} }}",
            p=lambda w: w.partner,
        ),
    ),
    Case(
        "Mutation.capacityReportRecord.input.reportedOn",
        ["input", "reportedOn"],
        "報告日",
        _simple(
            "mutation ($p: ID!, $day: Date!) { capacityReportRecord(input: { partnerId: $p, "
            'item: "毛布", quantity: 1, unit: "枚", reportedOn: $day }) '
            f"{{ report {{ item }} {ERRORS} }} }}",
            p=lambda w: w.partner,
        ),
    ),
    *(
        Case(
            f"Query.{root}.asOf",
            ["asOf"],
            "基準日",
            _simple(f"query ($day: Date) {{ {root}(asOf: $day) {{ __typename }} }}"),
        )
        for root in ("contactsDue", "agreementsDue", "collaborationReviewsDue")
    ),
    *(
        Case(
            f"Mutation.collaborationRecordReview.input.{name}",
            ["input", name],
            label,
            _simple(
                "mutation ($id: ID!, $day: Date!) { collaborationRecordReview(id: $id,"
                f" expectedVersion: 1, input: {{ {name}: $day, {other} }}) "
                f"{{ collaboration {{ id }} {ERRORS} }} }}",
                id=lambda w: w.active_collaboration,
            ),
        )
        for name, label, other in (
            ("reviewedOn", "見直した日", 'nextReviewDueOn: "2999-12-31"'),
            ("nextReviewDueOn", "次に見直す日", 'reviewedOn: "2022-03-01"'),
        )
    ),
    Case(
        "Agreement.contactsStale.asOf",
        ["asOf"],
        "連絡先の確認を見る日",
        _agreement_field("contactsStale(asOf: $day)"),
    ),
]


def _errors_of(case: Case, result: dict[str, Any]) -> list[dict[str, Any]]:
    """The refusals: the payload's UserErrors for a mutation, else the top-level errors
    (code and field in their extensions)."""
    if case.is_mutation:
        assert not result["errors"], result["errors"]
        payload = result["data"][case.root]
        assert next(v for k, v in payload.items() if k != "errors") is None, payload
        return payload["errors"]
    return [{"message": e["message"], **e["extensions"]} for e in result["errors"]]
