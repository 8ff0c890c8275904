"""The activation log (応援要請, rule 21): events, requests under agreements, the status
machine, the live view of open requests, and the after-action export."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.disasters.models import DisasterEvent, SupportRequest
from kyodo.domain.enums import PartnerStatus, Role, SupportCategory
from kyodo.domain.exchange.disaster_exports import export_support_requests
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.domain.partners.models import Partner
from kyodo.schema.context import ANONYMOUS, Principal
from tests.conftest import CHANGE_EVENTS
from tests.schema.agreements.factories import gid, make_agreement, make_department, make_partner

TODAY = date(2024, 9, 1)
OFFICE = Principal(name="危機管理室 テスト", role=Role.DISASTER_OFFICE, department_code="kikikanri")

CREATE_EVENT = """
mutation ($input: DisasterEventInput!) {
  disasterEventCreate(input: $input) {
    event { id name kind kindLabel startedOn districts version }
    errors { code field message }
  }
}"""
CREATE_REQUEST = """
mutation ($input: SupportRequestInput!) {
  supportRequestCreate(input: $input) {
    request { id status statusLabel category what quantity unit requestedBy requestedAt
              version partner { name } agreement { title } event { name } }
    errors { code field message }
  }
}"""
ANSWER = """
mutation ($id: ID!, $v: Int!, $answer: SupportAnswer!, $at: DateTime) {
  supportRequestAnswer(id: $id, expectedVersion: $v, answer: $answer, answeredAt: $at) {
    request { status answer answerLabel answeredAt answeredBy version }
    errors { code field message }
  }
}"""
DELIVER = """
mutation ($id: ID!, $v: Int!, $at: DateTime) {
  supportRequestDeliver(id: $id, expectedVersion: $v, deliveredAt: $at, note: "避難所に搬入") {
    request { status deliveredAt deliveredBy deliveryNote version }
    errors { code field message }
  }
}"""
CLOSE = """
mutation ($id: ID!, $v: Int!, $at: DateTime) {
  supportRequestClose(id: $id, expectedVersion: $v, closedAt: $at) {
    request { status closedAt closedBy version }
    errors { code field message }
  }
}"""
CANCEL = """
mutation ($id: ID!, $v: Int!, $reason: String!, $at: DateTime) {
  supportRequestCancel(id: $id, expectedVersion: $v, reason: $reason, cancelledAt: $at) {
    request { status closeNote version }
    errors { code field message }
  }
}"""
CLOSE_EVENT = """
mutation ($id: ID!, $v: Int!, $on: Date!) {
  disasterEventClose(id: $id, expectedVersion: $v, closedOn: $on) {
    event { closedOn version }
    errors { code field message }
  }
}"""
OPEN = """
query ($id: ID) { openSupportRequests(eventId: $id) { what status } }"""


@pytest.fixture
async def world(session: AsyncSession) -> dict[str, Any]:
    """A department, two partners, a disaster-support agreement in force from 2020 with
    the first as party (supplies, transport), and an open event of 2024-08-30."""
    department = await make_department(session)
    party = await make_partner(session, "（テスト）防災スーパー")
    other = await make_partner(session, "（テスト）協定外の会社")
    agreement = await make_agreement(
        session,
        department=department,
        parties=[party],
        support=[SupportCategory.SUPPLIES, SupportCategory.TRANSPORT],
        concluded_on=date(2020, 4, 1),
        effective_from=date(2020, 4, 1),
        effective_until=date(2024, 8, 31),
    )
    event = DisasterEvent(name="（テスト）大雨", kind="FLOOD", started_on=date(2024, 8, 30))
    session.add(event)
    await session.flush()
    ids = {
        "event": gid("DisasterEvent", event),
        "agreement": gid("Agreement", agreement),
        "party": gid("Partner", party),
        "other": gid("Partner", other),
    }
    # committed (a savepoint of the test's transaction), so that a refused mutation's
    # rollback keeps it
    await session.commit()
    return {"party": party, "ids": ids}


def request_input(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "eventId": world["ids"]["event"],
        "agreementId": world["ids"]["agreement"],
        "partnerId": world["ids"]["party"],
        "category": "SUPPLIES",
        "what": "飲料水（2リットル）",
        "quantity": 200,
        "unit": "本",
        "requestedAt": "2024-08-31T09:30:00+09:00",
        **overrides,
    }


async def change_events(session: AsyncSession) -> int:
    stmt = sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
    return int(await session.scalar(stmt) or 0)


async def count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def test_an_event_is_opened_with_its_districts_folded(gql: Any, session: AsyncSession):
    before = await change_events(session)
    data = await gql(
        CREATE_EVENT,
        {
            "input": {
                "name": "（テスト）地震",
                "kind": "EARTHQUAKE",
                "startedOn": "2024-08-31",
                "districts": ["中央 ", "中央", "ＮＯＲＴＨ"],
            }
        },
        today=TODAY,
        principal=OFFICE,
    )
    payload = data["disasterEventCreate"]
    assert payload["errors"] == []
    assert payload["event"]["kindLabel"] == "地震"
    assert payload["event"]["districts"] == ["中央", "NORTH"]
    assert await change_events(session) == before + 1


async def test_an_event_cannot_start_in_the_future_or_outside_the_calendar(gql: Any):
    for day, message_part in (("2024-09-02", "まだ来ていない日"), ("1800-01-01", "1873-01-01")):
        data = await gql(
            CREATE_EVENT,
            {"input": {"name": "（テスト）", "kind": "OTHER", "startedOn": day}},
            today=TODAY,
            principal=OFFICE,
        )
        [error] = data["disasterEventCreate"]["errors"]
        assert (error["code"], error["field"]) == ("INVALID", ["input", "startedOn"])
        assert message_part in error["message"]


async def test_a_request_goes_from_requested_to_closed_with_time_and_actor(
    gql: Any, session: AsyncSession, world: dict[str, Any]
):
    # given an open event and an agreement in force
    before = await change_events(session)
    event_id = world["ids"]["event"]
    # when the office asks, the partner accepts, delivers, and the office closes
    created = (
        await gql(CREATE_REQUEST, {"input": request_input(world)}, today=TODAY, principal=OFFICE)
    )["supportRequestCreate"]
    assert created["errors"] == []
    request = created["request"]
    assert request["status"] == "REQUESTED"
    assert request["statusLabel"] == "要請済み"
    assert request["requestedBy"] == "危機管理室 テスト"
    assert request["requestedAt"] == "2024-08-31T09:30:00+09:00"
    assert request["partner"] == {"name": "（テスト）防災スーパー"}
    rid = request["id"]
    assert [
        r["what"]
        for r in (await gql(OPEN, {"id": event_id}, principal=OFFICE))["openSupportRequests"]
    ] == ["飲料水（2リットル）"]

    answered = (
        await gql(
            ANSWER,
            {"id": rid, "v": 1, "answer": "ACCEPTED", "at": "2024-08-31T09:45:00+09:00"},
            today=TODAY,
            principal=OFFICE,
        )
    )["supportRequestAnswer"]
    assert answered["errors"] == []
    assert answered["request"]["answerLabel"] == "受諾"
    assert answered["request"]["answeredBy"] == "危機管理室 テスト"
    delivered = (
        await gql(
            DELIVER,
            {"id": rid, "v": 2, "at": "2024-08-31T15:00:00+09:00"},
            today=TODAY,
            principal=OFFICE,
        )
    )["supportRequestDeliver"]
    assert delivered["errors"] == []
    assert delivered["request"]["status"] == "DELIVERED"
    closed = (
        await gql(
            CLOSE,
            {"id": rid, "v": 3, "at": "2024-09-01T09:00:00+09:00"},
            today=TODAY,
            principal=OFFICE,
        )
    )["supportRequestClose"]
    assert closed["errors"] == []
    assert closed["request"]["status"] == "CLOSED"
    assert closed["request"]["version"] == 4
    # then four audit events, and the live view is empty again
    assert await change_events(session) == before + 4
    assert (await gql(OPEN, {"id": event_id}, principal=OFFICE))["openSupportRequests"] == []
    # and a closed request is read-only
    again = (
        await gql(CANCEL, {"id": rid, "v": 4, "reason": "取消し"}, today=TODAY, principal=OFFICE)
    )["supportRequestCancel"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]


async def test_a_request_needs_an_agreement_in_force_a_party_and_a_covered_category(
    gql: Any, session: AsyncSession, world: dict[str, Any]
):
    rows, events = await count(session, SupportRequest), await change_events(session)
    cases = [
        # the agreement ended on 2024-08-31: not in force on 2024-09-01
        (
            {"requestedAt": "2024-09-01T08:00:00+09:00"},
            ["input", "agreementId"],
            "効力がありません",
        ),
        ({"partnerId": world["ids"]["other"]}, ["input", "partnerId"], "相手方ではありません"),
        ({"category": "MEDICAL_AID"}, ["input", "category"], "対象にしていません"),
        ({"requestedAt": "2024-08-29T23:00:00+09:00"}, ["input", "requestedAt"], "発生日"),
        (
            {"requestedAt": "2024-09-02T08:00:00+09:00"},
            ["input", "requestedAt"],
            "まだ来ていない日",
        ),
        ({"quantity": 0}, ["input", "quantity"], "1以上"),
        ({"what": " "}, ["input", "what"], "要請の内容"),
        ({"eventId": "bogus"}, ["input", "eventId"], ""),
    ]
    for overrides, field, message_part in cases:
        data = await gql(
            CREATE_REQUEST,
            {"input": request_input(world, **overrides)},
            today=TODAY,
            principal=OFFICE,
        )
        payload = data["supportRequestCreate"]
        assert payload["request"] is None
        assert [e["field"] for e in payload["errors"]] == [field], overrides
        assert message_part in payload["errors"][0]["message"]
    # nothing was written
    assert (await count(session, SupportRequest), await change_events(session)) == (rows, events)


async def test_a_dissolved_party_is_not_asked(
    gql: Any, session: AsyncSession, world: dict[str, Any]
):
    await session.execute(
        sa.update(Partner)
        .where(Partner.id == world["party"].id)
        .values(status=PartnerStatus.DISSOLVED)
    )
    await session.commit()
    data = await gql(CREATE_REQUEST, {"input": request_input(world)}, today=TODAY, principal=OFFICE)
    [error] = data["supportRequestCreate"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID", ["input", "partnerId"])
    assert "協定の見直しが必要" in error["message"]


async def make_request(gql: Any, world: dict[str, Any], **overrides: Any) -> str:
    data = await gql(
        CREATE_REQUEST, {"input": request_input(world, **overrides)}, today=TODAY, principal=OFFICE
    )
    assert data["supportRequestCreate"]["errors"] == []
    return str(data["supportRequestCreate"]["request"]["id"])


async def test_the_status_machine_refuses_skipped_steps(
    gql: Any, session: AsyncSession, world: dict[str, Any]
):
    rid = await make_request(gql, world)
    # closing or delivering an unanswered request
    for document, name in ((CLOSE, "supportRequestClose"), (DELIVER, "supportRequestDeliver")):
        data = await gql(document, {"id": rid, "v": 1}, today=TODAY, principal=OFFICE)
        assert [e["code"] for e in data[name]["errors"]] == ["INVALID_TRANSITION"]
    # an answer before the request was made
    early = await gql(
        ANSWER,
        {"id": rid, "v": 1, "answer": "DECLINED", "at": "2024-08-31T09:00:00+09:00"},
        today=TODAY,
        principal=OFFICE,
    )
    [error] = early["supportRequestAnswer"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID", ["answeredAt"])
    assert "要請日時" in error["message"]
    # a stale version
    stale = await gql(
        ANSWER, {"id": rid, "v": 7, "answer": "DECLINED"}, today=TODAY, principal=OFFICE
    )
    assert [e["code"] for e in stale["supportRequestAnswer"]["errors"]] == ["VERSION_CONFLICT"]
    # a declined request is not delivered, but closed
    declined = await gql(
        ANSWER,
        {"id": rid, "v": 1, "answer": "DECLINED", "at": "2024-08-31T10:00:00+09:00"},
        today=TODAY,
        principal=OFFICE,
    )
    assert declined["supportRequestAnswer"]["errors"] == []
    refused = await gql(DELIVER, {"id": rid, "v": 2}, today=TODAY, principal=OFFICE)
    assert [e["code"] for e in refused["supportRequestDeliver"]["errors"]] == ["INVALID_TRANSITION"]
    closed = await gql(
        CLOSE,
        {"id": rid, "v": 2, "at": "2024-08-31T10:05:00+09:00"},
        today=TODAY,
        principal=OFFICE,
    )
    assert closed["supportRequestClose"]["errors"] == []


async def test_cancelling_needs_a_reason(gql: Any, world: dict[str, Any]):
    rid = await make_request(gql, world)
    blank = await gql(
        CANCEL,
        {"id": rid, "v": 1, "reason": "　", "at": "2024-08-31T11:00:00+09:00"},
        today=TODAY,
        principal=OFFICE,
    )
    assert [(e["code"], e["field"]) for e in blank["supportRequestCancel"]["errors"]] == [
        ("REASON_REQUIRED", ["reason"])
    ]
    done = await gql(
        CANCEL,
        {"id": rid, "v": 1, "reason": "要請先を変えた", "at": "2024-08-31T11:00:00+09:00"},
        today=TODAY,
        principal=OFFICE,
    )
    assert done["supportRequestCancel"]["request"] == {
        "status": "CANCELLED",
        "closeNote": "要請先を変えた",
        "version": 2,
    }


async def test_an_event_closes_only_when_no_request_is_open(gql: Any, world: dict[str, Any]):
    rid = await make_request(gql, world)
    event_id = world["ids"]["event"]
    refused = await gql(
        CLOSE_EVENT, {"id": event_id, "v": 1, "on": "2024-09-01"}, today=TODAY, principal=OFFICE
    )
    [error] = refused["disasterEventClose"]["errors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert "1件" in error["message"]
    await gql(
        CANCEL,
        {"id": rid, "v": 1, "reason": "訓練終了", "at": "2024-08-31T12:00:00+09:00"},
        today=TODAY,
        principal=OFFICE,
    )
    closed = await gql(
        CLOSE_EVENT, {"id": event_id, "v": 1, "on": "2024-09-01"}, today=TODAY, principal=OFFICE
    )
    assert closed["disasterEventClose"]["event"] == {"closedOn": "2024-09-01", "version": 2}
    # and a closed event takes no more requests
    late = await gql(CREATE_REQUEST, {"input": request_input(world)}, today=TODAY, principal=OFFICE)
    assert [e["code"] for e in late["supportRequestCreate"]["errors"]] == ["INVALID_TRANSITION"]


async def test_the_demo_has_an_open_exercise_with_its_live_view(gql: Any):
    data = await gql(
        """{ disasterEvents { name kind closedOn openRequestCount
                               requests { status } }
             openSupportRequests { what status answer partner { name } } }""",
        principal=OFFICE,
    )
    events = data["disasterEvents"]
    assert [(e["kind"], e["closedOn"] is None) for e in events[:2]] == [
        ("EXERCISE", True),
        ("EXERCISE", False),
    ]
    assert events[0]["openRequestCount"] == 4
    assert len(events[1]["requests"]) == 6
    assert [r["status"] for r in data["openSupportRequests"]] == [
        "REQUESTED",
        "ANSWERED",
        "ANSWERED",
        "DELIVERED",
    ]


async def test_the_log_is_hidden_from_the_public_and_integrations(gql: Any, session: AsyncSession):
    pk = await session.scalar(sa.select(sa.func.min(SupportRequest.id)))
    from kyodo.schema.node import to_global_id

    for principal in (ANONYMOUS, Principal(name="連携", role=Role.INTEGRATION)):
        data = await gql(
            "query ($id: ID!) { node(id: $id) { id } }",
            {"id": str(to_global_id("SupportRequest", pk))},
            principal=principal,
        )
        assert data["node"] is None
        result = await gql.raw("{ openSupportRequests { what } }", principal=principal)
        assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_the_after_action_export_lists_every_request_of_the_demo_exercise(
    session: AsyncSession,
):
    export = await export_support_requests(session, fmt=ExportFormat.CSV, on=date(2022, 3, 10))
    text = export.body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("災害,種別,発生日,終了日,No,要請日時")
    assert export.rows == len(lines) - 1 == 6
    assert "2022-02-10 09:30" in lines[1] and "受諾" in lines[1] and "完了" in lines[1]
    assert "取消し" in text and "訓練シナリオの変更" in text
    # (the 2026 exercise started after 2022-03-10: not in that day's report)
    assert "令和8年度" not in text


async def test_every_demo_request_keeps_the_rules_of_a_request(session: AsyncSession):
    # the seeds bypass the commands: check them against the same rule
    from kyodo.domain import validation as v
    from kyodo.domain.disasters.commands import SupportRequestData
    from kyodo.domain.disasters.moments import tokyo_day
    from kyodo.domain.disasters.targets import check_request_target as _check_request_target

    stmt = sa.select(SupportRequest).where(SupportRequest.external_id.like("demo-%"))  # type: ignore[union-attr]
    rows = list((await session.execute(stmt)).scalars())
    assert len(rows) == 11
    for row in rows:
        problems = v.Problems()
        data = SupportRequestData(
            event_id=row.event_id,
            agreement_id=row.agreement_id,
            partner_id=row.partner_id,
            category=row.category,
            what=row.what,
        )
        await _check_request_target(session, data, tokyo_day(row.requested_at), problems)
        assert problems.items == [], row.external_id
        steps = [row.requested_at, row.answered_at, row.delivered_at, row.closed_at]
        present = [s for s in steps if s is not None]
        assert present == sorted(present), row.external_id


async def test_a_malformed_event_id_is_invalid_and_an_unknown_one_empty(gql: Any):
    from kyodo.schema.node import to_global_id

    bad = await gql.raw(OPEN, {"id": "bogus"}, principal=OFFICE)
    assert [(e["path"], e["extensions"]["code"]) for e in bad["errors"]] == [
        (["openSupportRequests"], "INVALID")
    ]
    unknown = await gql(OPEN, {"id": str(to_global_id("DisasterEvent", 999_999))}, principal=OFFICE)
    assert unknown["openSupportRequests"] == []


STILL_OPEN = {"REQUESTED", "ANSWERED", "DELIVERED"}
LIVE_VIEW_IN_FULL = """
query ($id: ID) {
  disasterEvents { __typename id name kind kindLabel startedOn districts note closedOn
                   version createdAt updatedAt openRequestCount
                   requests { id status what partner { name } }
                   openRequests: requests(openOnly: true) { id status } }
  open: disasterEvents(openOnly: true) { id }
  openSupportRequests(eventId: $id) {
    __typename id category what quantity unit status statusLabel requestedBy requestedAt
    answer answerLabel answeredAt answeredBy answerNote deliveredAt deliveredBy
    deliveryNote closedAt closedBy closeNote version createdAt updatedAt
    event { name kindLabel } agreement { title } partner { name phone }
  }
}
"""

NODES = """
query ($ids: [ID!]!) { nodes(ids: $ids) {
  ... on SupportRequest { what status partner { name } }
  ... on DisasterEvent { name districts openRequestCount requests(openOnly: false) { what } }
} }
"""


@pytest.mark.parametrize(
    "principal",
    [OFFICE, Principal(name="職員", role=Role.STAFF, department_code="kyodo")],
    ids=["office", "staff"],
)
async def test_the_live_view_is_the_same_on_both_paths(
    session: AsyncSession, principal: Principal
) -> None:
    from kyodo.schema.node import to_global_id
    from tests.schema.compiled.both_paths import both_paths

    # given the demo's two exercises and their requests
    events = list((await session.execute(sa.select(DisasterEvent.id))).scalars())
    # when / then: every event, each event, and an unknown one
    for event_id in [None, *events, 999_999]:
        variables = {
            "id": None if event_id is None else str(to_global_id("DisasterEvent", event_id))
        }
        data = await both_paths(session, LIVE_VIEW_IN_FULL, variables, principal=principal)
        assert len(data["disasterEvents"]) >= 2
        for event in data["disasterEvents"]:
            assert event["openRequestCount"] == len(event["openRequests"])
            open_ids = {r["id"] for r in event["requests"] if r["status"] in STILL_OPEN}
            assert open_ids == {r["id"] for r in event["openRequests"]}
        assert any(e["requests"] != e["openRequests"] for e in data["disasterEvents"])
    everything = await both_paths(session, LIVE_VIEW_IN_FULL, {"id": None}, principal=principal)
    assert [r["status"] for r in everything["openSupportRequests"]][:1] == ["REQUESTED"]


async def test_the_log_by_node_id_is_the_same_on_both_paths(session: AsyncSession) -> None:
    from kyodo.schema.node import to_global_id
    from tests.schema.compiled.both_paths import both_paths

    requests = list((await session.execute(sa.select(SupportRequest.id))).scalars())[:3]
    events = list((await session.execute(sa.select(DisasterEvent.id))).scalars())
    ids = [str(to_global_id("SupportRequest", pk)) for pk in requests]
    ids += [str(to_global_id("DisasterEvent", pk)) for pk in events]
    for principal in (OFFICE, ANONYMOUS, Principal(name="連携", role=Role.INTEGRATION)):
        data = await both_paths(session, NODES, {"ids": ids}, principal=principal)
        shown = [node for node in data["nodes"] if node is not None]
        assert len(shown) == (len(ids) if principal is OFFICE else 0)


async def test_the_live_view_is_compiled_whatever_fields_are_selected(
    session: AsyncSession,
) -> None:
    from tests.schema.compiled.both_paths import both_paths

    # when: the live view without the status its order reads
    data = await both_paths(session, "{ openSupportRequests { what unit } }", {}, principal=OFFICE)
    # then: compiled (both_paths checks), in the same order as Strawberry's
    assert data["openSupportRequests"]
