"""The Agreement type through the API: computed terms (rule 8), contacts, relations."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementStatus, SupportCategory

from .factories import gid, make_agreement, make_department, make_partner

AGREEMENT = """
query ($id: ID!, $asOf: Date, $on: Date, $staleAsOf: Date, $maxAgeDays: Int) {
  node(id: $id) {
    ... on Agreement {
      title
      currentTermEndsOn(asOf: $asOf)
      isInForce(on: $on)
      contactsStale(asOf: $staleAsOf, maxAgeDays: $maxAgeDays)
    }
  }
}
"""


async def _ask(gql: Any, agreement_id: str, *, today: date | None = None, **variables: Any) -> Any:
    data = await gql(AGREEMENT, {"id": agreement_id, **variables}, today=today)
    return data["node"]


@pytest.mark.parametrize(
    ("effective_until", "months", "as_of", "expected"),
    [
        # within the first term: the stored end
        (date(2024, 1, 31), 1, date(2024, 1, 15), date(2024, 1, 31)),
        # 2024-02-01 + 1 month ends the day before 2024-03-01: the leap day
        (date(2024, 1, 31), 1, date(2024, 2, 15), date(2024, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 3, 1), date(2024, 3, 31)),
        # a yearly term starting 2023-03-01 ends on 2024's leap day
        (date(2023, 2, 28), 12, date(2024, 2, 29), date(2024, 2, 29)),
        # ... and the next one on 2025-02-28
        (date(2024, 2, 29), 12, date(2024, 3, 1), date(2025, 2, 28)),
        # fiscal-year terms, several renewals later
        (date(2021, 3, 31), 12, date(2024, 5, 1), date(2025, 3, 31)),
        # the last day of a term is still that term
        (date(2021, 3, 31), 12, date(2022, 3, 31), date(2022, 3, 31)),
    ],
)
async def test_current_term_ends_on_applies_auto_renewal(
    session: AsyncSession,
    gql: Any,
    effective_until: date,
    months: int,
    as_of: date,
    expected: date,
) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session,
        department=department,
        effective_from=date(2020, 4, 1),
        effective_until=effective_until,
        auto_renewal=True,
        renewal_term_months=months,
    )

    # when
    node = await _ask(gql, gid("Agreement", agreement), asOf=as_of.isoformat())

    # then
    assert node["currentTermEndsOn"] == expected.isoformat()


async def test_current_term_ends_on_defaults_to_today(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session,
        department=department,
        effective_from=date(2023, 4, 1),
        effective_until=date(2024, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )

    # when
    node = await _ask(gql, gid("Agreement", agreement), today=date(2025, 7, 1))

    # then
    assert node["currentTermEndsOn"] == "2026-03-31"


async def test_current_term_ends_on_is_null_when_open_ended(
    session: AsyncSession, gql: Any
) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(session, department=department, effective_until=None)

    # when
    node = await _ask(gql, gid("Agreement", agreement), asOf="2030-01-01")

    # then
    assert node["currentTermEndsOn"] is None


async def test_terminated_agreement_term_ends_the_day_before_termination(
    session: AsyncSession, gql: Any
) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session,
        department=department,
        status=AgreementStatus.TERMINATED,
        effective_until=date(2021, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
        terminated_on=date(2023, 1, 1),
    )

    # when
    node = await _ask(gql, gid("Agreement", agreement), asOf="2024-06-01")

    # then
    assert node["currentTermEndsOn"] == "2022-12-31"


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2022-03-31", False),  # before effectiveFrom
        ("2022-04-01", True),  # first day
        ("2023-03-31", True),  # last day of the first term
        ("2023-04-01", True),  # renewed
        ("2025-02-28", True),
        ("2025-03-01", False),  # terminated from this day
    ],
)
async def test_is_in_force_on(session: AsyncSession, gql: Any, on: str, expected: bool) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session,
        department=department,
        status=AgreementStatus.TERMINATED,
        concluded_on=date(2022, 3, 10),
        effective_from=date(2022, 4, 1),
        effective_until=date(2023, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
        terminated_on=date(2025, 3, 1),
    )

    # when
    node = await _ask(gql, gid("Agreement", agreement), on=on)

    # then
    assert node["isInForce"] is expected


async def test_is_in_force_defaults_to_today_and_respects_expiry(
    session: AsyncSession, gql: Any
) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session,
        department=department,
        status=AgreementStatus.IN_FORCE,
        effective_from=date(2022, 4, 1),
        effective_until=date(2023, 3, 31),
    )

    # when
    during = await _ask(gql, gid("Agreement", agreement), today=date(2023, 3, 31))
    after = await _ask(gql, gid("Agreement", agreement), today=date(2023, 4, 1))

    # then
    assert during["isInForce"] is True
    assert after["isInForce"] is False


async def test_draft_is_never_in_force(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session,
        department=department,
        status=AgreementStatus.DRAFT,
        concluded_on=None,
        effective_from=date(2022, 4, 1),
    )

    # when
    node = await _ask(gql, gid("Agreement", agreement), on="2023-01-01")

    # then
    assert node["isInForce"] is False


@pytest.mark.parametrize(
    ("verified_on", "as_of", "max_age_days", "expected"),
    [
        (None, "2022-03-10", None, True),  # never verified
        (date(2021, 3, 10), "2022-03-10", None, False),  # exactly 365 days
        (date(2021, 3, 9), "2022-03-10", None, True),  # 366 days
        (date(2022, 1, 1), "2022-03-10", 30, True),
        (date(2022, 3, 1), "2022-03-10", 30, False),
    ],
)
async def test_contacts_stale(
    session: AsyncSession,
    gql: Any,
    verified_on: date | None,
    as_of: str,
    max_age_days: int | None,
    expected: bool,
) -> None:
    # given
    department = await make_department(session)
    agreement = await make_agreement(
        session, department=department, contacts_verified_on=verified_on
    )

    # when
    node = await _ask(gql, gid("Agreement", agreement), staleAsOf=as_of, maxAgeDays=max_age_days)

    # then
    assert node["contactsStale"] is expected


RELATIONS = """
query ($id: ID!) {
  node(id: $id) {
    ... on Agreement {
      parties { name district }
      department { code name }
      collaboration { id }
      supportCategories
      emergencyContacts { name phone isEmergencyContact }
      amends { title amends { title } }
      concludedOn
      concludedOnWareki
    }
  }
}
"""


async def test_relations_of_an_agreement(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session, name="危機管理テスト室")
    first = await make_partner(session, "テスト運送株式会社", kana="テストウンソウ")
    second = await make_partner(
        session, "あいうえ商事", kana="アイウエショウジ", district="テスト地区"
    )
    original = await make_agreement(session, department=department, title="原協定")
    amendment = await make_agreement(
        session,
        department=department,
        title="改正協定",
        parties=[first, second],
        support=[SupportCategory.TRANSPORT, SupportCategory.STAFF_DISPATCH],
        concluded_on=date(2022, 3, 10),
        amends=original,
        contacts=[(second, "連絡 二郎"), (first, "連絡 一郎")],
    )

    # when
    data = await gql(RELATIONS, {"id": gid("Agreement", amendment)})

    # then
    node = data["node"]
    assert [p["name"] for p in node["parties"]] == ["テスト運送株式会社", "あいうえ商事"]
    assert node["department"] == {"code": department.code, "name": "危機管理テスト室"}
    assert node["collaboration"] is None
    assert node["supportCategories"] == ["STAFF_DISPATCH", "TRANSPORT"]
    assert [c["name"] for c in node["emergencyContacts"]] == ["連絡 二郎", "連絡 一郎"]
    assert node["amends"] == {"title": "原協定", "amends": None}
    assert node["concludedOn"] == "2022-03-10"
    assert node["concludedOnWareki"] == "令和4年3月10日"


async def test_unknown_agreement_node_is_null(gql: Any) -> None:
    # given
    missing = "QWdyZWVtZW50Ojk5OTk5OTk5"  # Agreement:99999999

    # when
    data = await gql("query ($id: ID!) { node(id: $id) { id } }", {"id": missing})

    # then
    assert data["node"] is None
