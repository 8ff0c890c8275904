"""collaborationTransition: the status machine (rule 4), readiness (rules 2, 3), rule 5."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from .test_mutations_helpers import (
    REASONS,
    TRANSITION,
    audit_count,
    codes_and_fields,
    create,
    created_in,
    evaluate,
    events_of,
    read,
    ready_input,
    world,
)


async def _transition(
    gql: Any, collaboration: dict[str, Any], to: str, version: int | None = None
) -> dict[str, Any]:
    data = await gql(
        TRANSITION,
        {
            "id": collaboration["id"],
            "v": collaboration["version"] if version is None else version,
            "to": to,
        },
    )
    return data["collaborationTransition"]


async def _refused(
    session: AsyncSession,
    gql: Any,
    collaboration: dict[str, Any],
    to: str,
    version: int | None = None,
) -> list[tuple[str, list[str] | None]]:
    """Ask for a transition that must be refused; check nothing changed; return the errors."""
    stored, events = await read(gql, collaboration["id"]), await audit_count(session)
    payload = await _transition(gql, collaboration, to, version)
    assert payload["collaboration"] is None
    assert await read(gql, collaboration["id"]) == stored
    assert await audit_count(session) == events
    return codes_and_fields(payload["errors"])


# ------------------------------------------------------------------ allowed


async def test_a_ready_collaboration_starts(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))

    # when
    payload = await _transition(gql, collaboration, "ACTIVE")

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["status"] == "ACTIVE"
    assert payload["collaboration"]["version"] == collaboration["version"] + 1
    assert (await read(gql, collaboration["id"]))["status"] == "ACTIVE"


async def test_a_transition_writes_one_audit_event_with_the_status_change(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w))
    events = await audit_count(session)

    # when
    await _transition(gql, collaboration, "ACTIVE")

    # then
    assert await audit_count(session) == events + 1
    event = (await events_of(session, collaboration["id"]))[-1]
    assert event.action == "collaboration.transition"
    assert event.entity_type == "Collaboration"
    assert event.changes == {"status": {"before": "PLANNING", "after": "ACTIVE"}}


@pytest.mark.parametrize(
    ("start", "to"),
    [("ACTIVE", "COMPLETED"), ("PLANNING", "CANCELLED"), ("ACTIVE", "CANCELLED")],
)
async def test_the_status_machine_allows(
    session: AsyncSession, gql: Any, start: str, to: str
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, start)

    # when
    payload = await _transition(gql, collaboration, to)

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["status"] == to


async def test_an_evaluated_collaboration_becomes_evaluated(
    session: AsyncSession, gql: Any
) -> None:
    # given: rule 5 — the evaluation states outcomes and the partner's view
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")
    collaboration = await evaluate(gql, collaboration)

    # when
    payload = await _transition(gql, collaboration, "EVALUATED")

    # then
    assert payload["errors"] == []
    assert payload["collaboration"]["status"] == "EVALUATED"


@pytest.mark.parametrize(
    ("forms", "extra"),
    [
        pytest.param(
            ["COMMITTEE"], {"committee": {"name": "協議会", "kind": "COUNCIL"}}, id="council"
        ),
        pytest.param(
            ["COMMITTEE"],
            {
                "committee": {
                    "name": "樽前アートフォトコンテスト実行委員会",
                    "kind": "EXECUTIVE_COMMITTEE",
                    "dissolvesOn": "2022-03-31",
                }
            },
            id="executive-committee",
        ),
        pytest.param(["BUSINESS_COOPERATION"], {}, id="business-cooperation-with-a-lead"),
        pytest.param(["CONSIGNMENT"], {}, id="consignment-with-responsibility"),
        pytest.param(
            ["ENDORSEMENT"],
            {"budget": {"totalYen": 0, "cityShareYen": None, "partnerShareYen": None}},
            id="endorsement-without-money",
        ),
        pytest.param(["AGREEMENT", "SUBSIDY"], {}, id="agreement-and-subsidy"),
    ],
)
async def test_each_form_starts_when_its_own_rules_hold(
    session: AsyncSession, gql: Any, forms: list[str], extra: dict[str, Any]
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w, forms=forms, **extra))

    # when
    payload = await _transition(gql, collaboration, "ACTIVE")

    # then
    assert payload["errors"] == []


# ------------------------------------------------------------------ refused


async def test_starting_names_every_missing_readiness_item(session: AsyncSession, gql: Any) -> None:
    # given: rule 2 (第4章(2)) — nothing but the title, forms and department is set
    w = await world(session)
    collaboration = await create(
        gql, {"title": "構想中の事業", "forms": ["AGREEMENT"], "departmentCode": w.department_code}
    )

    # when
    errors = await _refused(session, gql, collaboration, "ACTIVE")

    # then: one NOT_READY per missing item, pointing at the input that fills it
    assert errors == [
        ("NOT_READY", ["input", "purpose"]),
        ("NOT_READY", ["input", "plan"]),
        ("NOT_READY", ["input", "budget", "totalYen"]),
        ("NOT_READY", ["input", "startsOn"]),
        ("NOT_READY", ["input", "responsibility"]),
        ("NOT_READY", ["input", "participations"]),
        ("NOT_READY", ["input", "cityCanDo"]),
        ("NOT_READY", ["input", "participations"]),
    ]


async def test_starting_needs_every_partners_role(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    collaboration = await create(
        gql,
        ready_input(
            w,
            participations=[
                {"partnerId": w.partner_ids[0], "role": "進行", "isLead": True, **REASONS},
                {"partnerId": w.partner_ids[1], **REASONS},
            ],
        ),
    )

    # when
    errors = await _refused(session, gql, collaboration, "ACTIVE")

    # then
    assert errors == [("NOT_READY", ["input", "participations"])]


@pytest.mark.parametrize(
    ("forms", "extra", "expected"),
    [
        pytest.param(
            ["CO_HOSTING"],
            {"budget": {"totalYen": 100_000, "cityShareYen": 50_000, "partnerShareYen": None}},
            [("NOT_READY", ["input", "budget", "partnerShareYen"])],
            id="co-hosting-needs-both-shares",
        ),
        pytest.param(
            ["COMMITTEE"],
            {},
            [("NOT_READY", ["input", "committee", "name"])],
            id="committee-needs-a-named-body",
        ),
        pytest.param(
            ["COMMITTEE"],
            {"committee": {"name": "実行委員会", "kind": "EXECUTIVE_COMMITTEE"}},
            [("NOT_READY", ["input", "committee", "dissolvesOn"])],
            id="executive-committee-needs-a-dissolution-date",
        ),
        pytest.param(
            ["BUSINESS_COOPERATION"],
            {"participations": [{"partnerId": "p0", "role": "運営", "isLead": False, **REASONS}]},
            [("NOT_READY", ["input", "participations"])],
            id="business-cooperation-needs-a-lead-partner",
        ),
        pytest.param(
            ["CONSIGNMENT"],
            {"responsibility": None},
            [
                ("NOT_READY", ["input", "responsibility"]),
                ("NOT_READY", ["input", "responsibility"]),
            ],
            id="consignment-needs-responsibility",
        ),
    ],
)
async def test_starting_checks_the_form_specific_rules(
    session: AsyncSession,
    gql: Any,
    forms: list[str],
    extra: dict[str, Any],
    expected: list[tuple[str, list[str]]],
) -> None:
    # given: rule 3 (第3章)
    w = await world(session)
    if "participations" in extra:
        parts = [p | {"partnerId": w.partner_ids[0]} for p in extra["participations"]]
        extra = extra | {"participations": parts}
    collaboration = await create(gql, ready_input(w, forms=forms, **extra))

    # when
    errors = await _refused(session, gql, collaboration, "ACTIVE")

    # then
    assert errors == expected


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("PLANNING", "COMPLETED"),
        ("PLANNING", "EVALUATED"),
        ("PLANNING", "PLANNING"),
        ("ACTIVE", "PLANNING"),
        ("ACTIVE", "EVALUATED"),
        ("COMPLETED", "ACTIVE"),
        ("COMPLETED", "CANCELLED"),
        ("EVALUATED", "COMPLETED"),
        ("CANCELLED", "ACTIVE"),
        ("CANCELLED", "PLANNING"),
    ],
)
async def test_the_status_machine_refuses(
    session: AsyncSession, gql: Any, start: str, to: str
) -> None:
    # given: rule 4
    w = await world(session)
    collaboration = await created_in(gql, w, start)

    # when
    errors = await _refused(session, gql, collaboration, to)

    # then
    assert errors == [("INVALID_TRANSITION", ["to"])]


async def test_completing_the_evaluation_step_needs_an_evaluation(
    session: AsyncSession, gql: Any
) -> None:
    # given: rule 5 (第4章(4)) — completed, not yet evaluated
    w = await world(session)
    collaboration = await created_in(gql, w, "COMPLETED")

    # when
    errors = await _refused(session, gql, collaboration, "EVALUATED")

    # then
    assert errors == [("EVALUATION_REQUIRED", ["to"])]


async def test_a_transition_from_a_stale_version_is_refused(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await created_in(gql, w, "ACTIVE")

    # when: the client still holds the PLANNING version
    errors = await _refused(
        session, gql, collaboration, "COMPLETED", version=collaboration["version"] - 1
    )

    # then
    assert errors == [("VERSION_CONFLICT", ["expectedVersion"])]


async def test_transition_error_messages_say_what_is_missing_in_japanese(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    collaboration = await create(gql, ready_input(w, purpose=None))

    # when
    payload = await _transition(gql, collaboration, "ACTIVE")

    # then
    [error] = payload["errors"]
    assert "目的" in error["message"]
