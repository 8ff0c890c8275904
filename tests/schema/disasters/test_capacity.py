"""Partner-reported capacity (issue 11 item 13): recorded with its date, shown in
disasterSupport as the latest report per item — the same on both read paths."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.disasters.models import CapacityReport
from kyodo.domain.enums import Role, SupportCategory
from kyodo.schema.context import Principal
from tests.conftest import CHANGE_EVENTS
from tests.schema.agreements.factories import gid, make_agreement, make_department, make_partner
from tests.schema.compiled.both_paths import both_paths as compared

OFFICE = Principal(name="危機管理室 テスト", role=Role.DISASTER_OFFICE, department_code="kikikanri")

RECORD = """
mutation ($input: CapacityReportInput!) {
  capacityReportRecord(input: $input) {
    report { item quantity unit reportedOn note }
    errors { code field message }
  }
}"""
LOOKUP = """
query ($district: String, $on: Date!) {
  disasterSupport(categories: [SUPPLIES, TRANSPORT], on: $on, district: $district) {
    partner { name } capacity { item quantity unit reportedOn }
  }
}"""


async def both_paths(session: AsyncSession, variables: dict[str, Any]) -> Any:
    return await compared(session, LOOKUP, variables, principal=OFFICE)


async def test_the_latest_report_per_item_is_shown_with_its_date(session: AsyncSession, gql: Any):
    district = f"テスト地区{uuid.uuid4().hex[:6]}"
    partner = await make_partner(session, "（テスト）備蓄のある店", district=district)
    await make_agreement(
        session,
        department=await make_department(session),
        parties=[partner],
        support=[SupportCategory.SUPPLIES],
        concluded_on=date(2020, 4, 1),
        effective_from=date(2020, 4, 1),
    )
    await session.commit()
    pid = gid("Partner", partner)
    events = await session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
    )
    for item, quantity, unit, on in (
        ("毛布", 100, "枚", "2024-04-01"),
        ("飲料水（2リットル）", 500, "本", "2024-04-01"),
        ("毛布", 80, "枚", "2024-08-01"),
        ("飲料水（２リットル）", 700, "本", "2024-09-15"),  # the same item, typed full-width
    ):
        data = await gql(
            RECORD,
            {"input": {"partnerId": pid, "item": item, "quantity": quantity, "unit": unit,
                       "reportedOn": on}},
            today=date(2024, 12, 1),
            principal=OFFICE,
        )  # fmt: skip
        assert data["capacityReportRecord"]["errors"] == []
    assert (
        await session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(CHANGE_EVENTS)
        )
        == (events or 0) + 4
    )
    # on 2024-09-01 the August figure is the latest; the September one is not known yet
    [row] = (await both_paths(session, {"district": district, "on": "2024-09-01"}))[
        "disasterSupport"
    ]
    assert sorted((c["item"], c["quantity"], c["reportedOn"]) for c in row["capacity"]) == [
        ("毛布", 80, "2024-08-01"),
        ("飲料水（2リットル）", 500, "2024-04-01"),
    ]
    [later] = (await both_paths(session, {"district": district, "on": "2024-10-01"}))[
        "disasterSupport"
    ]
    assert sorted((c["item"], c["quantity"]) for c in later["capacity"]) == [
        ("毛布", 80),
        ("飲料水（２リットル）", 700),
    ]


async def test_a_report_is_refused_without_its_facts(session: AsyncSession, gql: Any):
    partner = await make_partner(session, "（テスト）報告する店")
    await session.commit()
    before = await session.scalar(sa.select(sa.func.count()).select_from(CapacityReport))
    base = {"partnerId": gid("Partner", partner), "item": "毛布", "quantity": 1, "unit": "枚",
            "reportedOn": "2024-08-01"}  # fmt: skip
    cases = [
        ({"quantity": -1}, ("INVALID", ["input", "quantity"])),
        ({"item": " "}, ("REQUIRED", ["input", "item"])),
        ({"unit": ""}, ("REQUIRED", ["input", "unit"])),
        ({"reportedOn": "2024-12-02"}, ("INVALID", ["input", "reportedOn"])),
        ({"reportedOn": "1800-01-01"}, ("INVALID", ["input", "reportedOn"])),
        ({"partnerId": "bogus"}, ("INVALID", ["input", "partnerId"])),
    ]
    for override, expected in cases:
        data = await gql(
            RECORD, {"input": {**base, **override}}, today=date(2024, 12, 1), principal=OFFICE
        )
        payload = data["capacityReportRecord"]
        assert payload["report"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [expected], override
    assert await session.scalar(sa.select(sa.func.count()).select_from(CapacityReport)) == before


async def test_the_demo_shows_capacity_in_the_lookup(session: AsyncSession):
    data = await both_paths(session, {"district": None, "on": "2026-12-01"})
    reported = {
        row["partner"]["name"]: row["capacity"]
        for row in data["disasterSupport"]
        if row["capacity"]
    }
    assert {c["item"]: c["quantity"] for c in reported["（デモ）樽前湧水株式会社"]} == {
        "飲料水（2リットル）": 6000,
        "飲料水（500ミリリットル）": 24000,
    }
    # 2021's report of 樽前フードセンター was replaced by 2026's
    assert reported["（デモ）樽前フードセンター株式会社"] == [
        {"item": "飲料水（2リットル）", "quantity": 1000, "unit": "本", "reportedOn": "2026-10-10"}
    ]
