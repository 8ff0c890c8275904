"""collaborationUpdate: what is kept, what is replaced, the rules on every path, versions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.node import to_global_id

from .test_mutations_helpers import (
    REASONS,
    UPDATE,
    audit_count,
    codes_and_fields,
    create,
    created_in,
    events_of,
    read,
    ready_input,
    world,
)

# The required fields of CollaborationInput, as a front end re-sends them.
REQUIRED = ("title", "forms", "departmentCode")


def _required(collaboration: dict[str, Any], **changes: Any) -> dict[str, Any]:
    base = {
        "title": collaboration["title"],
        "forms": collaboration["forms"],
        "departmentCode": collaboration["department"]["code"],
    }
    return base | changes


async def _update(
    gql: Any, collaboration: dict[str, Any], input: dict[str, Any], version: int | None = None
) -> dict[str, Any]:
    data = await gql(
        UPDATE,
        {
            "id": collaboration["id"],
            "v": collaboration["version"] if version is None else version,
            "input": input,
        },
    )
    return data["collaborationUpdate"]


async def _refused(
    session: AsyncSession,
    gql: Any,
    collaboration: dict[str, Any],
    input: dict[str, Any],
    version: int | None = None,
) -> list[tuple[str, list[str] | None]]:
    """Send an update that must be refused; check nothing changed; return the errors."""
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)
    payload = await _update(gql, collaboration, input, version)
    assert payload["collaboration"] is None
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events
    return codes_and_fields(payload["errors"])


# ------------------------------------------------------------------ allowed


async def test_update_changes_what_is_sent_and_keeps_the_rest(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    payload = await _update(gql, collaboration, _required(collaboration, title="新しい事業名"))

    # then
    assert payload["errors"] == []
    updated = payload["collaboration"]
    assert updated["title"] == "新しい事業名"
    assert updated["version"] == collaboration["version"] + 1
    unchanged = {k: v for k, v in collaboration.items() if k not in ("title", "version")}
    assert {k: v for k, v in updated.items() if k not in ("title", "version")} == unchanged


async def test_update_writes_one_audit_event_with_before_and_after(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    events = await audit_count(session)

    # when
    await _update(
        gql, collaboration, _required(collaboration, title="新しい事業名", purpose="新しい目的")
    )

    # then
    assert await audit_count(session) == events + 1
    event = (await events_of(session, collaboration["id"]))[-1]
    assert event.action == "collaboration.update"
    assert event.entity_type == "Collaboration"
    assert event.changes == {
        "title": {"before": "まちかどミーティング（テスト）", "after": "新しい事業名"},
        "purpose": {"before": "地域の課題を一緒に話し合う", "after": "新しい目的"},
    }


async def test_update_replaces_the_participations_and_audits_both_lists(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    new = [{"partnerId": w.partner_ids[1], "role": "広報", "isLead": True}]

    # when
    payload = await _update(gql, collaboration, _required(collaboration, participations=new))

    # then
    assert [
        (p["partner"]["id"], p["role"], p["isLead"])
        for p in payload["collaboration"]["participations"]
    ] == [(w.partner_ids[1], "広報", True)]
    event = (await events_of(session, collaboration["id"]))[-1]
    changes = event.changes or {}
    assert [p["role"] for p in changes["participations"]["before"]] == ["進行"]
    assert [p["role"] for p in changes["participations"]["after"]] == ["広報"]


async def test_update_replaces_forms_and_fields(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    payload = await _update(
        gql, collaboration, _required(collaboration, forms=["CONSIGNMENT"], fieldCodes=[])
    )

    # then
    assert payload["collaboration"]["forms"] == ["CONSIGNMENT"]
    assert payload["collaboration"]["fields"] == []


async def test_update_keeps_budget_amounts_left_out_and_clears_nulls(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    payload = await _update(
        gql,
        collaboration,
        _required(
            collaboration, budget={"totalYen": 300_000, "partnerShareYen": None}, summary=None
        ),
    )

    # then
    assert payload["collaboration"]["budget"] == {
        "totalYen": 300_000,
        "cityShareYen": 120_000,
        "partnerShareYen": None,
    }
    assert payload["collaboration"]["summary"] is None


async def test_update_moves_a_fiscal_year_that_followed_the_start_date(
    session: AsyncSession, gql: Any
) -> None:
    # given: created without a fiscal year, so it follows startsOn (2021-06-01 → 2021)
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    payload = await _update(
        gql, collaboration, _required(collaboration, startsOn="2022-05-01", endsOn="2023-02-28")
    )

    # then
    assert payload["collaboration"]["fiscalYear"] == 2022


async def test_update_keeps_a_fiscal_year_set_by_hand(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w, fiscalYear=2020))

    # when
    payload = await _update(
        gql, collaboration, _required(collaboration, startsOn="2022-05-01", endsOn="2023-02-28")
    )

    # then
    assert payload["collaboration"]["fiscalYear"] == 2020


async def test_update_may_leave_a_planning_collaboration_incomplete(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    payload = await _update(gql, collaboration, _required(collaboration, purpose=None))

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["readiness"] == {"ready": False, "missing": ["PURPOSE"]}


async def test_update_of_an_active_collaboration_that_keeps_it_ready_is_allowed(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when
    payload = await _update(gql, collaboration, _required(collaboration, plan="年5回に増やす"))

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["plan"] == "年5回に増やす"
    assert payload["collaboration"]["status"] == "ACTIVE"


# ------------------------------------------------------------------ refused


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"title": " "}, ("REQUIRED", ["input", "title"]), id="blank-title"),
        pytest.param({"forms": []}, ("REQUIRED", ["input", "forms"]), id="no-form"),
        pytest.param(
            {"departmentCode": "no-such-department"},
            ("NOT_FOUND", ["input", "departmentCode"]),
            id="unknown-department",
        ),
        pytest.param(
            {"fieldCodes": ["no-such-field"]},
            ("NOT_FOUND", ["input", "fieldCodes"]),
            id="unknown-field",
        ),
        pytest.param(
            {"budget": {"cityShareYen": -100}},
            ("INVALID", ["input", "budget", "cityShareYen"]),
            id="negative-amount",
        ),
        pytest.param(
            {"endsOn": "2021-05-31"},
            ("INVALID", ["input", "endsOn"]),
            id="end-moved-before-start",
        ),
        pytest.param(
            {"startsOn": "2022-04-01"},
            ("INVALID", ["input", "startsOn"]),
            id="start-moved-after-end",
        ),
        pytest.param(
            {"participations": [{"partnerId": str(to_global_id("Partner", 999_999_999))}]},
            ("NOT_FOUND", ["input", "participations", "0", "partnerId"]),
            id="unknown-partner",
        ),
        pytest.param(
            {"participations": [{"partnerId": "garbage"}]},
            ("INVALID", ["input", "participations", "0", "partnerId"]),
            id="unreadable-partner-id",
        ),
        pytest.param(
            {"forms": ["CO_HOSTING", "ENDORSEMENT"]},
            ("FINANCIAL_SUPPORT_NOT_ALLOWED", ["input", "budget", "cityShareYen"]),
            id="endorsement-added-while-the-city-pays",
        ),
    ],
)
async def test_update_refuses_invalid_input_and_changes_nothing(
    session: AsyncSession,
    gql: Any,
    changes: dict[str, Any],
    expected: tuple[str, list[str]],
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    errors = await _refused(session, gql, collaboration, _required(collaboration, **changes))

    # then
    assert errors == [expected]


async def test_update_refuses_the_same_partner_twice(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    twice = [{"partnerId": w.partner_ids[2], "role": "運営"}] * 2

    # when
    errors = await _refused(
        session, gql, collaboration, _required(collaboration, participations=twice)
    )

    # then
    assert errors == [("DUPLICATE", ["input", "participations", "1", "partnerId"])]


async def test_update_refuses_a_stale_version(session: AsyncSession, gql: Any) -> None:
    # given: someone else changed the collaboration after it was read
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    assert (await _update(gql, collaboration, _required(collaboration, plan="別の人の変更")))[
        "errors"
    ] == []
    latest = await read(gql, collaboration["id"])

    # when
    errors = await _refused(
        session, gql, latest, _required(collaboration, title="古い版からの変更"), version=1
    )

    # then
    assert errors == [("VERSION_CONFLICT", ["expectedVersion"])]


async def test_update_refuses_an_unknown_collaboration(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    missing = str(to_global_id("Collaboration", 999_999_999))
    events = await audit_count(session)

    # when
    data = await gql(
        UPDATE,
        {"id": missing, "v": 1, "input": ready_input(w)},
    )

    # then
    assert codes_and_fields(data["collaborationUpdate"]["errors"]) == [("NOT_FOUND", ["id"])]
    assert await audit_count(session) == events


async def test_update_refuses_an_id_that_is_not_a_collaborations(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)

    # when
    data = await gql(UPDATE, {"id": w.partner_ids[0], "v": 1, "input": ready_input(w)})

    # then
    assert codes_and_fields(data["collaborationUpdate"]["errors"]) == [("INVALID", ["id"])]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"purpose": "  "}, [("NOT_READY", ["input", "purpose"])], id="purpose"),
        pytest.param({"plan": None}, [("NOT_READY", ["input", "plan"])], id="plan"),
        pytest.param(
            {"budget": {"totalYen": None}},
            [("NOT_READY", ["input", "budget", "totalYen"])],
            id="cost",
        ),
        pytest.param({"endsOn": None}, [("NOT_READY", ["input", "startsOn"])], id="period"),
        pytest.param(
            {"responsibility": ""},
            [("NOT_READY", ["input", "responsibility"])],
            id="responsibility",
        ),
        pytest.param(
            {"participations": []},
            [("NOT_READY", ["input", "participations"])] * 2,
            id="roles",
        ),
        pytest.param(
            {"budget": {"partnerShareYen": None}},
            [("NOT_READY", ["input", "budget", "partnerShareYen"])],
            id="co-hosting-shares",
        ),
        pytest.param(
            {
                "forms": ["CO_HOSTING", "BUSINESS_COOPERATION"],
                "participations": [{"role": "進行", "isLead": False, **REASONS}],
            },
            [("NOT_READY", ["input", "participations"])],
            id="business-cooperation-lead",
        ),
    ],
)
async def test_update_of_an_active_collaboration_must_keep_it_ready(
    session: AsyncSession,
    gql: Any,
    changes: dict[str, Any],
    expected: list[tuple[str, list[str]]],
) -> None:
    # given: rules 2 and 3 hold for a running project on every edit, not only at the start
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")
    if "participations" in changes:
        changes = changes | {
            "participations": [
                p | {"partnerId": w.partner_ids[0]} for p in changes["participations"]
            ]
        }

    # when
    errors = await _refused(session, gql, collaboration, _required(collaboration, **changes))

    # then
    assert errors == expected
