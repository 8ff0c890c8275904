"""Dissolved or inactive partners leave the disaster lookup (rule 9, issue 11).

A partner set to DISSOLVED or INACTIVE is not in ``disasterSupport`` — on the resolvers'
path and on the compiled one — nor in the printed contact list as 確認済; its
agreements are listed apart by ``disasterSupportNeedingReview`` and in the export's
「協定の見直しが必要」 part. Each test uses a district of its own, away from the demo data.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.enums import PartnerStatus, Role, SupportCategory
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.exports import ExportFormat
from kyodo.domain.partners.models import Partner
from kyodo.schema import schema
from kyodo.schema.compiled import COMPILED
from kyodo.schema.context import Context, Principal
from kyodo.schema.node import to_global_id

from .factories import make_agreement, make_department, make_partner, unique

ON = date(2022, 3, 10)
BOUSAI = Principal(name="review-bousai", role=Role.DISASTER_OFFICE)

LOOKUP = """
query ($on: Date, $district: String) {
  disasterSupport(on: $on, district: $district) {
    partner { name } agreement { title } supportCategories contactsStale
    emergencyContacts { name }
  }
}
"""
REVIEW = """
query ($on: Date, $district: String, $categories: [SupportCategory!]) {
  disasterSupportNeedingReview(on: $on, district: $district, categories: $categories) {
    partner { name status } agreement { title } supportCategories partnerStatus reason
  }
}
"""
UPDATE = """
mutation ($id: ID!, $v: Int!, $input: PartnerInput!) {
  partnerUpdate(id: $id, expectedVersion: $v, input: $input) {
    partner { status }
    errors { field code }
  }
}
"""


async def _execute(
    session: AsyncSession, query: str, variables: dict[str, Any], *, compiled: bool
) -> tuple[dict[str, Any], str | None]:
    context = Context(session=session, principal=BOUSAI, today=ON)
    context.compiled_reads = compiled
    result = await schema.execute(query, variable_values=variables, context_value=context)
    errors = [
        {"path": e.path, "code": (e.extensions or {}).get("code")} for e in result.errors or []
    ]
    return {"data": result.data, "errors": errors}, context.compiled_outcome


async def _three_parties(session: AsyncSession) -> tuple[str, list[Partner]]:
    """One agreement with an active, an inactive and a dissolved party, all with an
    emergency contact, in a district of their own."""
    district = unique("地区")
    department = await make_department(session)
    active = await make_partner(
        session, "活動社", kana="カツドウシャ", district=district, emergency_contacts=["甲"]
    )
    inactive = await make_partner(
        session, "休止社", kana="キュウシシャ", district=district, emergency_contacts=["乙"]
    )
    dissolved = await make_partner(
        session, "解散社", kana="カイサンシャ", district=district, emergency_contacts=["丙"]
    )
    await make_agreement(
        session,
        department=department,
        title="物資の協定",
        support=[SupportCategory.SUPPLIES],
        parties=[active, inactive, dissolved],
        contacts_verified_on=date(2022, 1, 5),
    )
    inactive.status = PartnerStatus.INACTIVE
    dissolved.status = PartnerStatus.DISSOLVED
    await session.flush()
    return district, [active, inactive, dissolved]


async def test_the_lookup_leaves_dissolved_and_inactive_partners_out_on_both_read_paths(
    session: AsyncSession,
) -> None:
    # given
    district, _parties = await _three_parties(session)
    variables = {"on": ON.isoformat(), "district": district}

    # when
    resolved, _ = await _execute(session, LOOKUP, variables, compiled=False)
    compiled, outcome = await _execute(session, LOOKUP, variables, compiled=True)

    # then: only the active party, the same on both paths, the compiled one answering
    assert outcome == COMPILED
    assert compiled == resolved
    rows = resolved["data"]["disasterSupport"]
    assert [row["partner"]["name"] for row in rows] == ["活動社"]
    assert rows[0]["emergencyContacts"] == [{"name": "甲"}]


async def test_the_agreements_of_those_partners_are_listed_apart_as_needing_review(
    session: AsyncSession,
) -> None:
    # given
    district, _parties = await _three_parties(session)

    # when
    answer, outcome = await _execute(
        session, REVIEW, {"on": ON.isoformat(), "district": district}, compiled=True
    )
    resolved, _ = await _execute(
        session, REVIEW, {"on": ON.isoformat(), "district": district}, compiled=False
    )
    other_category, _ = await _execute(
        session,
        REVIEW,
        {"on": ON.isoformat(), "district": district, "categories": ["MEDICAL_AID"]},
        compiled=True,
    )

    # then: 五十音 order (カイサン before キュウシ), with the reason, the same on both read
    # paths, the compiled one answering
    assert outcome == COMPILED
    assert answer == resolved
    assert answer["errors"] == []
    assert answer["data"]["disasterSupportNeedingReview"] == [
        {
            "partner": {"name": "解散社", "status": "DISSOLVED"},
            "agreement": {"title": "物資の協定"},
            "supportCategories": ["SUPPLIES"],
            "partnerStatus": "DISSOLVED",
            "reason": "協定の見直しが必要（相手方が解散）",
        },
        {
            "partner": {"name": "休止社", "status": "INACTIVE"},
            "agreement": {"title": "物資の協定"},
            "supportCategories": ["SUPPLIES"],
            "partnerStatus": "INACTIVE",
            "reason": "協定の見直しが必要（相手方が休止中）",
        },
    ]
    assert other_category["data"]["disasterSupportNeedingReview"] == []


async def test_the_compiled_review_list_is_one_statement_however_many_parties(
    session: AsyncSession, count_queries: Any
) -> None:
    # given: two agreements of the same three parties
    district, parties = await _three_parties(session)
    department = await make_department(session)
    await make_agreement(
        session,
        department=department,
        title="輸送の協定",
        support=[SupportCategory.TRANSPORT, SupportCategory.SUPPLIES],
        parties=parties,
    )

    # when
    with count_queries() as counter:
        answer, outcome = await _execute(
            session, REVIEW, {"on": ON.isoformat(), "district": district}, compiled=True
        )

    # then: four rows (two parties × two agreements) from one SELECT, partner first
    assert outcome == COMPILED
    assert counter.count == 1
    rows = answer["data"]["disasterSupportNeedingReview"]
    assert [(r["partner"]["name"], r["agreement"]["title"]) for r in rows] == [
        ("解散社", "物資の協定"),
        ("解散社", "輸送の協定"),
        ("休止社", "物資の協定"),
        ("休止社", "輸送の協定"),
    ]
    assert rows[1]["supportCategories"] == ["SUPPLIES", "TRANSPORT"]


async def test_dissolving_a_partner_through_the_api_moves_it_to_the_review_list(
    session: AsyncSession, gql: Any
) -> None:
    # given: an active partner in the lookup
    district = unique("地区")
    department = await make_department(session)
    partner = await make_partner(session, "解散予定社", district=district)
    await make_agreement(
        session, department=department, support=[SupportCategory.TRANSPORT], parties=[partner]
    )
    variables = {"on": ON.isoformat(), "district": district}
    before = await gql(LOOKUP, variables)

    # when
    updated = await gql(
        UPDATE,
        {
            "id": to_global_id("Partner", partner.id),
            "v": partner.version,
            "input": {"kind": "COMPANY", "name": "解散予定社", "status": "DISSOLVED"},
        },
    )

    # then
    assert updated["partnerUpdate"]["errors"] == []
    assert [r["partner"]["name"] for r in before["disasterSupport"]] == ["解散予定社"]
    assert (await gql(LOOKUP, variables))["disasterSupport"] == []
    review = (await gql(REVIEW, variables))["disasterSupportNeedingReview"]
    assert [r["partner"]["name"] for r in review] == ["解散予定社"]


async def test_a_day_no_record_can_hold_is_invalid_and_writes_nothing(
    session: AsyncSession,
) -> None:
    # given
    events = sa.select(sa.func.count()).select_from(AuditEvent)
    before = (await session.execute(events)).scalar_one()

    # when
    answer, _ = await _execute(session, REVIEW, {"on": "0001-01-01"}, compiled=True)

    # then
    assert answer["data"] is None
    assert answer["errors"] == [{"path": ["disasterSupportNeedingReview"], "code": "INVALID"}]
    assert (await session.execute(events)).scalar_one() == before


async def test_the_review_list_is_the_disaster_office_s(session: AsyncSession, gql: Any) -> None:
    # when: PUBLIC asks
    answer = await gql.raw(
        REVIEW,
        {"on": ON.isoformat()},
        principal=Principal(name="anonymous", role=Role.PUBLIC),
    )
    # then
    assert answer["data"] is None
    assert [e["extensions"].get("code") for e in answer["errors"]] == ["FORBIDDEN"]


async def test_the_printed_list_never_shows_them_as_confirmed_and_lists_them_apart(
    session: AsyncSession,
) -> None:
    # given
    _district, _parties = await _three_parties(session)

    # when
    as_csv = await exports.export_disaster_contacts(session, fmt=ExportFormat.CSV, on=ON)
    as_json = await exports.export_disaster_contacts(session, fmt=ExportFormat.JSON, on=ON)
    as_html = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)

    # then: CSV — the active party 確認済 under 物資供給, the others only as review lines
    rows = list(csv.reader(io.StringIO(as_csv.body.decode("utf-8-sig"), newline="")))
    ours = [r for r in rows if r[1] in {"活動社", "休止社", "解散社"}]
    assert [(r[0], r[1], r[9]) for r in ours] == [
        ("物資供給", "活動社", "確認済"),
        ("協定の見直しが必要", "解散社", "協定の見直しが必要（相手方が解散）"),
        ("協定の見直しが必要", "休止社", "協定の見直しが必要（相手方が休止中）"),
    ]
    # JSON: not in any category, in needingReview
    document = json.loads(as_json.body)
    listed = {e["partner"]["name"] for c in document["categories"] for e in c["entries"]}
    assert "活動社" in listed and not listed & {"休止社", "解散社"}
    review = [r for r in document["needingReview"] if r["partner"]["name"] in {"休止社", "解散社"}]
    assert [(r["partner"]["name"], r["partner"]["status"]) for r in review] == [
        ("解散社", "DISSOLVED"),
        ("休止社", "INACTIVE"),
    ]
    # HTML: a section of its own, after the tables
    page = as_html.body.decode("utf-8")
    tables, _, section = page.partition('id="needing-review"')
    assert "解散社" not in tables and "休止社" not in tables and "活動社" in tables
    assert "解散社" in section and "協定の見直しが必要（相手方が休止中）" in section
    # their emergency contacts were not printed, so not read
    assert all(
        pk not in {p.id for p in _parties[1:]}
        for (kind, pk) in as_html.personal_reads
        if kind == "Partner"
    )
