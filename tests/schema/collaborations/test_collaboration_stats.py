"""Q1 実績 (issue 11, practice 8): collaborationStats, counts by form, fiscal year,
department and partner kind; public over published collaborations."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import CollaborationForm, CollaborationStatus, PartnerKind
from tests.schema.access_matrix.support import QUERY_ROLES, principal

from .factories import make_collaboration, make_department, make_partner

STATS = """
query ($depts: [String!], $statuses: [CollaborationStatus!], $from: Int, $to: Int) {
  collaborationStats(
    filter: { departmentCodes: $depts, statuses: $statuses },
    fromFiscalYear: $from, toFiscalYear: $to
  ) {
    total
    byForm { form label count }
    byFiscalYear { fiscalYear label count }
    byDepartment { department { code } count }
    byPartnerKind { kind label collaborationCount partnerCount }
  }
}
"""
F = CollaborationForm


async def stats_world(session: AsyncSession, extra: int = 0) -> tuple[str, str]:
    """Two departments' collaborations over 2019–2021, published and not, with an NPO,
    two neighbourhood associations and an individual volunteer."""
    first, second = await make_department(session), await make_department(session)
    npo = await make_partner(session, kind=PartnerKind.NPO)
    associations = [
        await make_partner(session, kind=PartnerKind.NEIGHBORHOOD_ASSOCIATION) for _ in range(2)
    ]
    volunteer = await make_partner(session, kind=PartnerKind.INDIVIDUAL)
    await make_collaboration(
        session, department=first, fiscal_year=2019, forms=[F.CO_HOSTING], parts=[npo]
    )
    await make_collaboration(
        session,
        department=first,
        fiscal_year=2020,
        forms=[F.CO_HOSTING, F.COMMITTEE],
        parts=[*associations, volunteer],
    )
    await make_collaboration(
        session,
        department=first,
        fiscal_year=2021,
        forms=[F.CONSIGNMENT],
        parts=[npo, volunteer],
        is_public=False,
    )
    await make_collaboration(
        session, department=second, fiscal_year=None, forms=[F.SUBSIDY], parts=[associations[0]]
    )
    await make_collaboration(
        session,
        department=second,
        fiscal_year=2021,
        forms=[F.CO_HOSTING],
        parts=[npo],
        status=CollaborationStatus.CANCELLED,
    )
    for _ in range(extra):
        await make_collaboration(
            session, department=second, fiscal_year=2020, forms=[F.ENDORSEMENT], parts=[npo]
        )
    await session.flush()
    return first.code, second.code


def counts(rows: list[dict[str, Any]], key: str, value: str = "count") -> dict[Any, Any]:
    return {row[key]: row[value] for row in rows if row[value]}


async def test_staff_count_every_collaboration_but_the_cancelled(
    session: AsyncSession, gql: Any
) -> None:
    # given
    first, second = await stats_world(session)

    # when
    data = await gql(STATS, {"depts": [first, second]}, principal=principal("STAFF"))

    # then
    stats = data["collaborationStats"]
    assert stats["total"] == 4
    assert counts(stats["byForm"], "form") == {
        "CO_HOSTING": 2,
        "COMMITTEE": 1,
        "CONSIGNMENT": 1,
        "SUBSIDY": 1,
    }
    assert [row["form"] for row in stats["byForm"]] == [f.value for f in CollaborationForm]
    assert stats["byForm"][0]["label"] == "共催"
    assert stats["byFiscalYear"] == [
        {"fiscalYear": 2019, "label": "令和元年度", "count": 1},
        {"fiscalYear": 2020, "label": "令和2年度", "count": 1},
        {"fiscalYear": 2021, "label": "令和3年度", "count": 1},
        {"fiscalYear": None, "label": "年度未定", "count": 1},
    ]
    assert [(d["department"]["code"], d["count"]) for d in stats["byDepartment"]] == [
        (first, 3),
        (second, 1),
    ]
    kinds = {
        k["kind"]: (k["collaborationCount"], k["partnerCount"]) for k in stats["byPartnerKind"]
    }
    assert kinds["NPO"] == (2, 1)
    assert kinds["NEIGHBORHOOD_ASSOCIATION"] == (2, 2)
    assert kinds["INDIVIDUAL"] == (2, 1)
    assert kinds["COMPANY"] == (0, 0)


async def test_the_public_counts_published_collaborations_and_no_individuals(
    session: AsyncSession, gql: Any
) -> None:
    # given
    first, second = await stats_world(session)

    # when
    data = await gql(STATS, {"depts": [first, second]}, principal=principal("PUBLIC"))

    # then the unpublished consignment of 2021 is not counted, nor are volunteers
    stats = data["collaborationStats"]
    assert stats["total"] == 3
    assert counts(stats["byForm"], "form") == {"CO_HOSTING": 2, "COMMITTEE": 1, "SUBSIDY": 1}
    assert counts(stats["byFiscalYear"], "fiscalYear") == {2019: 1, 2020: 1, None: 1}
    kinds = {
        k["kind"]: (k["collaborationCount"], k["partnerCount"]) for k in stats["byPartnerKind"]
    }
    assert "INDIVIDUAL" not in kinds
    assert kinds["NPO"] == (1, 1)


@pytest.mark.parametrize("role", QUERY_ROLES)
async def test_stats_by_role(session: AsyncSession, gql: Any, role: str) -> None:
    # given
    first, second = await stats_world(session)

    # when
    data = await gql(STATS, {"depts": [first, second]}, principal=principal(role))

    # then the city's staff count the unpublished one; individuals only for who may see them
    stats = data["collaborationStats"]
    assert stats["total"] == (4 if role in ("STAFF", "ADMIN") else 3)
    shows_individuals = role != "PUBLIC"
    assert ("INDIVIDUAL" in {k["kind"] for k in stats["byPartnerKind"]}) is shows_individuals


async def test_cancelled_ones_count_when_asked_for_and_years_narrow(
    session: AsyncSession, gql: Any
) -> None:
    # given
    first, second = await stats_world(session)

    # when
    cancelled = await gql(STATS, {"depts": [first, second], "statuses": ["CANCELLED"]})
    recent = await gql(STATS, {"depts": [first, second], "from": 2020, "to": 2021})

    # then
    assert cancelled["collaborationStats"]["total"] == 1
    assert counts(recent["collaborationStats"]["byFiscalYear"], "fiscalYear") == {
        2020: 1,
        2021: 1,
    }


async def test_a_reversed_range_is_invalid(gql: Any) -> None:
    # when
    result = await gql.raw(STATS, {"from": 2022, "to": 2021})

    # then
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["collaborationStats"], "INVALID")
    ]


async def test_the_demo_track_record_is_public(gql: Any) -> None:
    # when
    data = await gql(
        "{ collaborationStats { total byFiscalYear { label count } } }",
        principal=principal("PUBLIC"),
    )

    # then
    stats = data["collaborationStats"]
    assert stats["total"] > 10
    assert "令和3年度" in {row["label"] for row in stats["byFiscalYear"]}
    assert sum(row["count"] for row in stats["byFiscalYear"]) == stats["total"]


async def test_the_statements_do_not_grow_with_the_collaborations(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given two sets of departments, one with 30 more collaborations
    small = await stats_world(session)
    large = await stats_world(session, extra=30)

    # when
    with count_queries() as few:
        await gql(STATS, {"depts": list(small)})
    with count_queries() as many:
        data = await gql(STATS, {"depts": list(large)})

    # then the same grouped statements answer both
    assert data["collaborationStats"]["total"] == 34
    assert many.count == few.count <= 6
