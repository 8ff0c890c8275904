"""collaborationCreate: rule 1 (forms), the checks every input passes, and the audit event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.node import to_global_id

from ..subsidies.factories import make_program
from .factories import make_department
from .test_mutations_helpers import (
    CREATE,
    REASONS,
    World,
    audit_count,
    codes_and_fields,
    collaboration_count,
    create,
    events_of,
    pk,
    ready_input,
    world,
)


async def _refused(
    session: AsyncSession, gql: Any, input: dict[str, Any]
) -> list[tuple[str, list[str] | None]]:
    """Send a create that must be refused; check nothing was written; return the errors."""
    collaborations, events = await collaboration_count(session), await audit_count(session)
    data = await gql(CREATE, {"input": input})
    payload = data["collaborationCreate"]
    assert payload["collaboration"] is None
    assert await collaboration_count(session) == collaborations
    assert await audit_count(session) == events
    return codes_and_fields(payload["errors"])


async def test_create_stores_a_planning_collaboration_with_everything_sent(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    input = ready_input(
        w,
        participations=[
            {
                "partnerId": w.partner_ids[0],
                "role": "進行",
                "isLead": True,
                "costShareYen": 80_000,
                **REASONS,
            },
            {"partnerId": w.partner_ids[1], "role": "会場の準備", **REASONS},
        ],
        committee={"name": "まちかど実行委員会", "kind": "COUNCIL", "establishedOn": "2021-05-01"},
        reviewDueOn="2024-03-31",
    )

    # when
    collaboration = await create(gql, input)

    # then
    assert collaboration["status"] == "PLANNING"
    assert collaboration["version"] == 1
    assert collaboration["title"] == "まちかどミーティング（テスト）"
    assert collaboration["department"] == {"code": w.department_code}
    assert collaboration["fields"] == [{"code": w.field_code}]
    assert collaboration["budget"] == {
        "totalYen": 200_000,
        "cityShareYen": 120_000,
        "partnerShareYen": 80_000,
    }
    assert collaboration["committee"] == {
        "name": "まちかど実行委員会",
        "kind": "COUNCIL",
        "establishedOn": "2021-05-01",
        "dissolvesOn": None,
    }
    assert sorted(
        (p["partner"]["id"], p["role"], p["isLead"], p["costShareYen"])
        for p in collaboration["participations"]
    ) == sorted(
        [(w.partner_ids[0], "進行", True, 80_000), (w.partner_ids[1], "会場の準備", False, None)]
    )
    assert collaboration["reviewDueOn"] == "2024-03-31"
    assert collaboration["isPublic"] is True
    assert collaboration["readiness"] == {"ready": True, "missing": []}


async def test_create_writes_one_audit_event_with_the_new_values(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    events = await audit_count(session)

    # when
    collaboration = await create(gql, ready_input(w))

    # then
    assert await audit_count(session) == events + 1
    [event] = await events_of(session, collaboration["id"])
    assert event.action == "collaboration.create"
    assert event.entity_type == "Collaboration"
    assert event.entity_id == str(pk(collaboration["id"]))
    assert event.actor == "test-admin"
    changes = event.changes or {}
    assert changes["title"] == {"before": None, "after": "まちかどミーティング（テスト）"}
    assert changes["status"] == {"before": None, "after": "PLANNING"}
    assert changes["forms"] == {"before": None, "after": ["CO_HOSTING"]}
    assert changes["field_codes"] == {"before": None, "after": [w.field_code]}
    assert changes["participations"]["after"] == [
        {
            "partner_id": pk(w.partner_ids[0]),
            "role": "進行",
            "is_lead": True,
            "cost_share_yen": 80_000,
            "reason": REASONS["reason"],
            "capacity": REASONS["capacity"],
        }
    ]


async def test_create_combines_several_forms_once_each_in_the_guidelines_order(
    session: AsyncSession, gql: Any
) -> None:
    # given: rule 1 — a project may combine forms; a form sent twice counts once
    w = await world(session)

    # when
    collaboration = await create(
        gql, ready_input(w, forms=["CONSIGNMENT", "CO_HOSTING", "CONSIGNMENT"])
    )

    # then
    assert collaboration["forms"] == ["CO_HOSTING", "CONSIGNMENT"]


@pytest.mark.parametrize(
    ("starts_on", "fiscal_year"),
    [("2021-06-01", 2021), ("2022-01-15", 2021), ("2022-04-01", 2022)],
)
async def test_create_defaults_the_fiscal_year_to_the_one_the_start_falls_in(
    session: AsyncSession, gql: Any, starts_on: str, fiscal_year: int
) -> None:
    # given
    w = await world(session)

    # when
    collaboration = await create(gql, ready_input(w, startsOn=starts_on, endsOn="2023-03-31"))

    # then
    assert collaboration["fiscalYear"] == fiscal_year


async def test_create_keeps_a_fiscal_year_given_by_hand(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)

    # when
    collaboration = await create(gql, ready_input(w, fiscalYear=2020))

    # then
    assert collaboration["fiscalYear"] == 2020


async def test_create_accepts_an_incomplete_plan(session: AsyncSession, gql: Any) -> None:
    # given: while planning, readiness may still be missing (第4章(2) applies at the start)
    w = await world(session)

    # when
    collaboration = await create(
        gql, {"title": "構想中の事業", "forms": ["COMMITTEE"], "departmentCode": w.department_code}
    )

    # then
    assert collaboration["status"] == "PLANNING"
    assert collaboration["fiscalYear"] is None
    assert collaboration["readiness"]["missing"] == [
        "PURPOSE",
        "PLAN",
        "COST",
        "PERIOD",
        "RESPONSIBILITY",
        "ROLES",
        "CITY_ROLE",
        "PARTNER_REASONS",
    ]


async def test_create_allows_an_endorsement_without_city_money(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)

    # when
    collaboration = await create(
        gql,
        ready_input(
            w,
            forms=["ENDORSEMENT"],
            budget={"totalYen": 50_000, "cityShareYen": 0, "partnerShareYen": 50_000},
        ),
    )

    # then
    assert collaboration["budget"]["cityShareYen"] == 0


async def test_create_links_an_existing_subsidy_program(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    program = await make_program(
        session, department=await make_department(session), name="テスト助成金"
    )
    await session.commit()
    program_id = str(to_global_id("SubsidyProgram", program.id or 0))

    # when
    collaboration = await create(
        gql, ready_input(w, forms=["SUBSIDY"], subsidyProgramId=program_id)
    )

    # then
    assert collaboration["subsidyProgram"] == {"id": program_id}


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"title": "　 "}, ("REQUIRED", ["input", "title"]), id="blank-title"),
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
            {"budget": {"totalYen": -1}},
            ("INVALID", ["input", "budget", "totalYen"]),
            id="negative-total",
        ),
        pytest.param(
            {"startsOn": "2022-04-01", "endsOn": "2022-03-31"},
            ("INVALID", ["input", "endsOn"]),
            id="ends-before-start",
        ),
        pytest.param(
            {
                "committee": {
                    "name": "実行委員会",
                    "kind": "EXECUTIVE_COMMITTEE",
                    "establishedOn": "2021-05-01",
                    "dissolvesOn": "2021-04-30",
                }
            },
            ("INVALID", ["input", "committee", "dissolvesOn"]),
            id="committee-dissolves-before-established",
        ),
        pytest.param(
            {"committee": {"name": " ", "kind": "COUNCIL"}},
            ("REQUIRED", ["input", "committee", "name"]),
            id="blank-committee-name",
        ),
        pytest.param(
            {"fiscalYear": 21},
            ("INVALID", ["input", "fiscalYear"]),
            id="fiscal-year-not-a-western-year",
        ),
        pytest.param(
            {"subsidyProgramId": str(to_global_id("SubsidyProgram", 999_999_999))},
            ("NOT_FOUND", ["input", "subsidyProgramId"]),
            id="unknown-subsidy-program",
        ),
        pytest.param(
            {"subsidyProgramId": str(to_global_id("Partner", 1))},
            ("INVALID", ["input", "subsidyProgramId"]),
            id="subsidy-program-id-of-another-type",
        ),
        pytest.param(
            {"forms": ["ENDORSEMENT"], "budget": {"cityShareYen": 10_000}},
            ("FINANCIAL_SUPPORT_NOT_ALLOWED", ["input", "budget", "cityShareYen"]),
            id="endorsement-with-city-money",
        ),
    ],
)
async def test_create_refuses_invalid_input_and_writes_nothing(
    session: AsyncSession,
    gql: Any,
    overrides: dict[str, Any],
    expected: tuple[str, list[str]],
) -> None:
    # given
    w = await world(session)

    # when
    errors = await _refused(session, gql, ready_input(w, **overrides))

    # then
    assert errors == [expected]


def _participations(w: World, *items: dict[str, Any]) -> dict[str, Any]:
    return {"participations": [{"role": "運営"} | item for item in items]}


async def test_create_refuses_a_partner_that_does_not_exist(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    missing = str(to_global_id("Partner", 999_999_999))

    # when
    errors = await _refused(
        session,
        gql,
        ready_input(
            w, **_participations(w, {"partnerId": w.partner_ids[0]}, {"partnerId": missing})
        ),
    )

    # then
    assert errors == [("NOT_FOUND", ["input", "participations", "1", "partnerId"])]


@pytest.mark.parametrize("bad_id", ["not-an-id", str(to_global_id("Department", 1))])
async def test_create_refuses_a_partner_id_that_is_not_a_partners(
    session: AsyncSession, gql: Any, bad_id: str
) -> None:
    # given
    w = await world(session)

    # when
    errors = await _refused(
        session, gql, ready_input(w, **_participations(w, {"partnerId": bad_id}))
    )

    # then
    assert errors == [("INVALID", ["input", "participations", "0", "partnerId"])]


async def test_create_refuses_the_same_partner_twice(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    same = w.partner_ids[0]

    # when
    errors = await _refused(
        session,
        gql,
        ready_input(
            w,
            **_participations(
                w, {"partnerId": same}, {"partnerId": w.partner_ids[1]}, {"partnerId": same}
            ),
        ),
    )

    # then
    assert errors == [("DUPLICATE", ["input", "participations", "2", "partnerId"])]


async def test_create_refuses_a_negative_cost_share(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)

    # when
    errors = await _refused(
        session,
        gql,
        ready_input(w, **_participations(w, {"partnerId": w.partner_ids[0], "costShareYen": -5})),
    )

    # then
    assert errors == [("INVALID", ["input", "participations", "0", "costShareYen"])]


async def test_create_refuses_more_than_100_participations(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    many = [{"partnerId": w.partner_ids[0], "role": "運営"}] * 101

    # when
    errors = await _refused(session, gql, ready_input(w, participations=many))

    # then
    assert errors == [("INVALID", ["input", "participations"])]


async def test_create_reports_every_problem_at_once(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)

    # when
    errors = await _refused(
        session,
        gql,
        ready_input(
            w,
            title="",
            forms=[],
            departmentCode="no-such-department",
            budget={"partnerShareYen": -1},
            participations=[{"partnerId": "garbage", "role": "運営"}],
        ),
    )

    # then
    assert sorted(errors) == sorted(
        [
            ("INVALID", ["input", "participations", "0", "partnerId"]),
            ("REQUIRED", ["input", "title"]),
            ("REQUIRED", ["input", "forms"]),
            ("NOT_FOUND", ["input", "departmentCode"]),
            ("INVALID", ["input", "budget", "partnerShareYen"]),
        ]
    )


async def test_create_error_messages_are_plain_japanese(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)

    # when
    data = await gql(
        CREATE,
        {"input": ready_input(w, forms=["ENDORSEMENT"], budget={"cityShareYen": 1})},
    )

    # then
    [error] = data["collaborationCreate"]["errors"]
    assert "後援" in error["message"]
    assert "0円" in error["message"]
