"""Helpers shared by the tests of this package (Every date the API accepts lies in the range the city's data can hold (issue 8, item 1)).

The cases are here; the rows they run against are in world.py, ``Case`` and the
builders of its operation in builders.py (re-exported here).
"""

from __future__ import annotations

from typing import Any

from .builders import (
    ERRORS,
    Build,
    Case,
    _agreement_create,
    _agreement_field,
    _agreement_filter,
    _agreement_update,
    _collaboration_create,
    _collaboration_update,
    _conclude,
    _endorsement_submit,
    _simple,
)
from .world import World, _world

__all__ = [
    "CASES",
    "ERRORS",
    "OUT_OF_RANGE",
    "Build",
    "Case",
    "World",
    "_collaboration_create",
    "_errors_of",
    "_world",
]

OUT_OF_RANGE = ["1872-12-31", "3000-01-01"]


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
