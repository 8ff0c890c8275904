"""``agreements(first, after, filter)``: every filter, order, and pagination in SQL.

Each test makes its own department and scopes the query to it with ``departmentCodes``,
so the demo data around it cannot change the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementCategory, AgreementStatus, SupportCategory

from .factories import gid, make_agreement, make_department, make_partner

AGREEMENTS = """
query ($first: Int, $after: String, $filter: AgreementFilter) {
  agreements(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title } }
  }
}
"""


async def _titles(
    gql: Any, department_code: str, today: date | None = None, **filter: Any
) -> list[str]:
    variables = {"first": 100, "filter": {"departmentCodes": [department_code], **filter}}
    data = await gql(AGREEMENTS, variables, today=today)
    return [edge["node"]["title"] for edge in data["agreements"]["edges"]]


async def test_department_codes_filter_and_order(session: AsyncSession, gql: Any) -> None:
    # given
    mine = await make_department(session)
    other = await make_department(session)
    await make_agreement(session, department=mine, title="古い", concluded_on=date(2019, 5, 1))
    await make_agreement(session, department=mine, title="新しい", concluded_on=date(2022, 3, 10))
    await make_agreement(
        session,
        department=mine,
        title="交渉中",
        status=AgreementStatus.NEGOTIATING,
        concluded_on=None,
    )
    await make_agreement(session, department=mine, title="同日後", concluded_on=date(2022, 3, 10))
    await make_agreement(session, department=other, title="他課", concluded_on=date(2022, 3, 10))

    # when
    titles = await _titles(gql, mine.code)

    # then: newest conclusion first, ties by newest id, unconcluded last
    assert titles == ["同日後", "新しい", "古い", "交渉中"]


async def test_categories_filter(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    await make_agreement(session, department=department, title="災害")
    await make_agreement(
        session, department=department, title="施設", category=AgreementCategory.FACILITY_USE
    )

    # when
    titles = await _titles(gql, department.code, categories=["FACILITY_USE"])

    # then
    assert titles == ["施設"]


async def test_statuses_filter(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    await make_agreement(session, department=department, title="有効")
    await make_agreement(
        session, department=department, title="満了", status=AgreementStatus.EXPIRED
    )
    await make_agreement(
        session,
        department=department,
        title="解除",
        status=AgreementStatus.TERMINATED,
        terminated_on=date(2021, 1, 1),
    )

    # when
    titles = await _titles(gql, department.code, statuses=["EXPIRED", "TERMINATED"])

    # then
    assert sorted(titles) == sorted(["満了", "解除"])


async def test_support_categories_filter_matches_any(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    await make_agreement(
        session, department=department, title="物資", support=[SupportCategory.SUPPLIES]
    )
    await make_agreement(
        session,
        department=department,
        title="医療と輸送",
        support=[SupportCategory.MEDICAL_AID, SupportCategory.TRANSPORT],
    )
    await make_agreement(
        session, department=department, title="広報", support=[SupportCategory.PUBLIC_INFORMATION]
    )

    # when
    titles = await _titles(gql, department.code, supportCategories=["SUPPLIES", "TRANSPORT"])

    # then
    assert sorted(titles) == sorted(["物資", "医療と輸送"])


async def test_partner_id_filter(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    partner = await make_partner(session, "フィルタ商店")
    other = await make_partner(session, "ほかの商店")
    await make_agreement(session, department=department, title="両方", parties=[other, partner])
    await make_agreement(session, department=department, title="ほか", parties=[other])

    # when
    titles = await _titles(gql, department.code, partnerId=gid("Partner", partner))

    # then
    assert titles == ["両方"]


async def test_partner_id_of_another_type_is_refused(gql: Any) -> None:
    # given
    not_a_partner = "QWdyZWVtZW50OjE"  # Agreement:1

    # when
    result = await gql.raw(AGREEMENTS, {"filter": {"partnerId": not_a_partner}})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


async def test_in_force_on_filter(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    await make_agreement(
        session,
        department=department,
        title="更新中",
        effective_from=date(2020, 4, 1),
        effective_until=date(2021, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    await make_agreement(
        session,
        department=department,
        title="期間満了",
        status=AgreementStatus.EXPIRED,
        effective_from=date(2020, 4, 1),
        effective_until=date(2021, 3, 31),
    )
    await make_agreement(
        session,
        department=department,
        title="解除済",
        status=AgreementStatus.TERMINATED,
        terminated_on=date(2022, 3, 10),
    )
    await make_agreement(session, department=department, title="期限なし")
    await make_agreement(
        session,
        department=department,
        title="未締結",
        status=AgreementStatus.DRAFT,
        concluded_on=None,
    )
    await make_agreement(
        session, department=department, title="これから", concluded_on=date(2022, 3, 11)
    )

    # when
    titles = await _titles(gql, department.code, inForceOn="2022-03-10")
    earlier = await _titles(gql, department.code, inForceOn="2021-03-31")

    # then
    assert sorted(titles) == sorted(["更新中", "期限なし"])
    assert sorted(earlier) == sorted(["更新中", "期間満了", "解除済", "期限なし"])


async def test_term_ends_by_filter_applies_renewals_as_of_today(
    session: AsyncSession, gql: Any
) -> None:
    # given
    department = await make_department(session)
    # renewed yearly: as of 2024-05-01 the current term ends 2025-03-31
    await make_agreement(
        session,
        department=department,
        title="自動更新",
        effective_from=date(2020, 4, 1),
        effective_until=date(2021, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    await make_agreement(
        session,
        department=department,
        title="年度末まで",
        effective_from=date(2024, 4, 1),
        effective_until=date(2025, 3, 31),
    )
    await make_agreement(
        session,
        department=department,
        title="来年度まで",
        effective_from=date(2024, 4, 1),
        effective_until=date(2026, 3, 31),
    )
    await make_agreement(session, department=department, title="期限なし")
    today = date(2024, 5, 1)

    # when
    by_march = await _titles(gql, department.code, today=today, termEndsBy="2025-03-31")
    by_the_day_before = await _titles(gql, department.code, today=today, termEndsBy="2025-03-30")

    # then: open-ended never matches
    assert sorted(by_march) == sorted(["自動更新", "年度末まで"])
    assert by_the_day_before == []


async def test_contacts_stale_as_of_filter(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    await make_agreement(session, department=department, title="未確認", contacts_verified_on=None)
    await make_agreement(
        session, department=department, title="366日前", contacts_verified_on=date(2021, 3, 9)
    )
    await make_agreement(
        session, department=department, title="365日前", contacts_verified_on=date(2021, 3, 10)
    )
    await make_agreement(
        session, department=department, title="最近", contacts_verified_on=date(2022, 2, 1)
    )

    # when
    titles = await _titles(gql, department.code, contactsStaleAsOf="2022-03-10")

    # then
    assert sorted(titles) == sorted(["未確認", "366日前"])


async def test_search_matches_title_and_party_names_ignoring_width_and_kana(
    session: AsyncSession, gql: Any
) -> None:
    # given
    department = await make_department(session)
    partner = await make_partner(session, "カナガワ物流株式会社", kana="カナガワブツリュウ")
    await make_agreement(session, department=department, title="ＡＢＣ応援協定")
    await make_agreement(session, department=department, title="物流の協定", parties=[partner])
    await make_agreement(session, department=department, title="無関係")

    # when
    by_title = await _titles(gql, department.code, search="abc")
    by_party_kana = await _titles(gql, department.code, search="かながわ")
    blank = await _titles(gql, department.code, search="  ")

    # then
    assert by_title == ["ＡＢＣ応援協定"]
    assert by_party_kana == ["物流の協定"]
    assert len(blank) == 3


async def test_pagination_with_cursors_and_total_count(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    for day in range(1, 6):
        await make_agreement(
            session, department=department, title=f"協定{day}", concluded_on=date(2022, 3, day)
        )
    scope = {"departmentCodes": [department.code]}

    # when
    first = (await gql(AGREEMENTS, {"first": 2, "filter": scope}))["agreements"]
    second = (
        await gql(
            AGREEMENTS,
            {"first": 2, "after": first["pageInfo"]["endCursor"], "filter": scope},
        )
    )["agreements"]
    last = (
        await gql(
            AGREEMENTS,
            {"first": 2, "after": second["pageInfo"]["endCursor"], "filter": scope},
        )
    )["agreements"]

    # then
    assert first["totalCount"] == second["totalCount"] == last["totalCount"] == 5
    assert [e["node"]["title"] for e in first["edges"]] == ["協定5", "協定4"]
    assert [e["node"]["title"] for e in second["edges"]] == ["協定3", "協定2"]
    assert [e["node"]["title"] for e in last["edges"]] == ["協定1"]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    assert second["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasPreviousPage"]
    assert not last["pageInfo"]["hasNextPage"]


async def test_first_over_100_is_refused(gql: Any) -> None:
    # when
    result = await gql.raw(AGREEMENTS, {"first": 101})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"
