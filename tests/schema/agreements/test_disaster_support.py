"""``disasterSupport(categories, on, district)`` (rule 9) on rows the tests make.

Every test puts its partners in a district of its own, so the demo data's 100+
disaster-support agreements do not show up in its answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementCategory, AgreementStatus, SupportCategory
from kyodo.domain.partners.models import Contact

from .factories import make_agreement, make_department, make_partner, unique

DISASTER_SUPPORT = """
query ($categories: [SupportCategory!], $on: Date, $district: String) {
  disasterSupport(categories: $categories, on: $on, district: $district) {
    partner { name district }
    agreement { title isInForce(on: $on) }
    supportCategories
    emergencyContacts { name phone isEmergencyContact }
    contactsVerifiedOn
    contactsStale
  }
}
"""

ON = date(2022, 3, 10)


async def _lookup(gql: Any, district: str, today: date | None = None, **variables: Any) -> Any:
    data = await gql(DISASTER_SUPPORT, {"district": district, **variables}, today=today)
    return data["disasterSupport"]


def _pairs(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["agreement"]["title"], row["partner"]["name"]) for row in rows]


async def test_one_row_per_agreement_and_party_sorted_by_category_then_kana(
    session: AsyncSession, gql: Any
) -> None:
    # given
    district = unique("地区")
    department = await make_department(session)
    ka = await make_partner(session, "カ社", kana="カシャ", district=district)
    a = await make_partner(session, "ア社", kana="アシャ", district=district)
    elsewhere = await make_partner(session, "サ社", kana="サシャ", district=unique("地区"))
    await make_agreement(
        session,
        department=department,
        title="医療",
        support=[SupportCategory.MEDICAL_AID],
        parties=[a],
    )
    await make_agreement(
        session,
        department=department,
        title="物資と輸送",
        support=[SupportCategory.TRANSPORT, SupportCategory.SUPPLIES],
        parties=[ka, a, elsewhere],
    )
    await make_agreement(
        session,
        department=department,
        title="施設",
        category=AgreementCategory.FACILITY_USE,
        support=[SupportCategory.SUPPLIES],
        parties=[a],
    )

    # when
    supplies = await _lookup(gql, district, on=ON.isoformat(), categories=["SUPPLIES"])
    everything = await _lookup(gql, district, on=ON.isoformat())

    # then
    assert _pairs(supplies) == [("物資と輸送", "ア社"), ("物資と輸送", "カ社")]
    assert supplies[0]["supportCategories"] == ["SUPPLIES", "TRANSPORT"]
    assert all(row["partner"]["district"] == district for row in everything)
    assert _pairs(everything) == [
        ("物資と輸送", "ア社"),
        ("物資と輸送", "カ社"),
        ("医療", "ア社"),
    ]


async def test_sort_follows_the_requested_category_the_agreement_offers(
    session: AsyncSession, gql: Any
) -> None:
    # given
    district = unique("地区")
    department = await make_department(session)
    a = await make_partner(session, "ア運輸", kana="アウンユ", district=district)
    ka = await make_partner(session, "カ物産", kana="カブッサン", district=district)
    await make_agreement(
        session,
        department=department,
        title="物資と輸送",
        support=[SupportCategory.SUPPLIES, SupportCategory.TRANSPORT],
        parties=[ka],
    )
    await make_agreement(
        session,
        department=department,
        title="職員と輸送",
        support=[SupportCategory.STAFF_DISPATCH, SupportCategory.TRANSPORT],
        parties=[a],
    )

    # when
    transport = await _lookup(gql, district, on=ON.isoformat(), categories=["TRANSPORT"])
    supplies_or_staff = await _lookup(
        gql, district, on=ON.isoformat(), categories=["SUPPLIES", "STAFF_DISPATCH"]
    )

    # then: both offer TRANSPORT, so kana decides; otherwise 職員派遣 comes before 物資供給
    assert _pairs(transport) == [("職員と輸送", "ア運輸"), ("物資と輸送", "カ物産")]
    assert _pairs(supplies_or_staff) == [("職員と輸送", "ア運輸"), ("物資と輸送", "カ物産")]


async def test_only_agreements_in_force_on_the_date(session: AsyncSession, gql: Any) -> None:
    # given
    district = unique("地区")
    department = await make_department(session)
    partner = await make_partner(session, "期間テスト社", district=district)
    common = {"department": department, "parties": [partner], "support": [SupportCategory.SUPPLIES]}
    await make_agreement(
        session,
        title="前日に満了",
        status=AgreementStatus.EXPIRED,
        effective_from=date(2021, 3, 10),
        effective_until=date(2022, 3, 9),
        **common,
    )
    await make_agreement(
        session,
        title="当日に解除",
        status=AgreementStatus.TERMINATED,
        terminated_on=ON,
        **common,
    )
    await make_agreement(
        session,
        title="自動更新",
        effective_from=date(2019, 4, 1),
        effective_until=date(2020, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
        **common,
    )
    await make_agreement(
        session,
        title="当日が最終日",
        effective_until=ON,
        **common,
    )
    await make_agreement(
        session,
        title="未締結",
        status=AgreementStatus.NEGOTIATING,
        concluded_on=None,
        effective_from=date(2021, 1, 1),
        **common,
    )
    await make_agreement(session, title="翌日から", effective_from=date(2022, 3, 11), **common)

    # when
    on_the_day = await _lookup(gql, district, on=ON.isoformat())
    day_before = await _lookup(gql, district, on="2022-03-09")

    # then
    assert sorted(t for t, _ in _pairs(on_the_day)) == sorted(["自動更新", "当日が最終日"])
    assert all(row["agreement"]["isInForce"] for row in on_the_day)
    assert sorted(t for t, _ in _pairs(day_before)) == sorted(
        ["前日に満了", "当日に解除", "自動更新", "当日が最終日"]
    )


async def test_on_defaults_to_today(session: AsyncSession, gql: Any) -> None:
    # given
    district = unique("地区")
    department = await make_department(session)
    partner = await make_partner(session, "今日テスト社", district=district)
    await make_agreement(
        session,
        department=department,
        parties=[partner],
        title="今年度",
        support=[SupportCategory.SUPPLIES],
        effective_from=date(2024, 4, 1),
        effective_until=date(2025, 3, 31),
    )

    # when
    during = await _lookup(gql, district, today=date(2025, 3, 31))
    after = await _lookup(gql, district, today=date(2025, 4, 1))

    # then
    assert _pairs(during) == [("今年度", "今日テスト社")]
    assert after == []


async def test_contacts_stale_flags(session: AsyncSession, gql: Any) -> None:
    # given
    district = unique("地区")
    department = await make_department(session)
    partner = await make_partner(session, "確認テスト社", district=district)
    for title, verified_on in [
        ("未確認", None),
        ("365日前", date(2021, 3, 10)),
        ("366日前", date(2021, 3, 9)),
        ("先月", date(2022, 2, 10)),
    ]:
        await make_agreement(
            session,
            department=department,
            parties=[partner],
            title=title,
            support=[SupportCategory.SUPPLIES],
            contacts_verified_on=verified_on,
        )

    # when
    rows = await _lookup(gql, district, on=ON.isoformat())

    # then
    stale = {row["agreement"]["title"]: row["contactsStale"] for row in rows}
    verified = {row["agreement"]["title"]: row["contactsVerifiedOn"] for row in rows}
    assert stale == {"未確認": True, "365日前": False, "366日前": True, "先月": False}
    assert verified["365日前"] == "2021-03-10"
    assert verified["未確認"] is None


async def test_emergency_contacts_per_party_with_fallback_to_own(
    session: AsyncSession, gql: Any
) -> None:
    # given
    district = unique("地区")
    department = await make_department(session)
    named = await make_partner(session, "ア社", kana="アシャ", district=district)
    unnamed = await make_partner(
        session, "イ社", kana="イシャ", district=district, emergency_contacts=["イ社 夜間窓口"]
    )
    session.add(Contact(partner_id=unnamed.id, name="イ社 経理", is_emergency_contact=False))
    await make_agreement(
        session,
        department=department,
        title="連絡先あり",
        parties=[named, unnamed],
        support=[SupportCategory.SUPPLIES],
        contacts=[(named, "ア社 防災担当"), (None, "共同窓口")],
    )
    await make_agreement(
        session,
        department=department,
        title="連絡先なし",
        parties=[unnamed],
        support=[SupportCategory.TRANSPORT],
    )

    # when
    rows = await _lookup(gql, district, on=ON.isoformat())

    # then
    contacts = {
        (row["agreement"]["title"], row["partner"]["name"]): [
            c["name"] for c in row["emergencyContacts"]
        ]
        for row in rows
    }
    assert contacts == {
        ("連絡先あり", "ア社"): ["ア社 防災担当", "共同窓口"],
        ("連絡先あり", "イ社"): ["共同窓口"],
        ("連絡先なし", "イ社"): ["イ社 夜間窓口"],
    }


async def test_nothing_matches(gql: Any) -> None:
    # when
    rows = await _lookup(gql, unique("存在しない地区"), on=ON.isoformat())

    # then
    assert rows == []


async def test_statement_count_does_not_grow_with_rows(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given
    small, large = unique("地区"), unique("地区")
    department = await make_department(session)
    for district, n in ((small, 2), (large, 20)):
        for i in range(n):
            partner = await make_partner(
                session, f"件数{i}", district=district, emergency_contacts=[f"窓口{i}"]
            )
            await make_agreement(
                session,
                department=department,
                parties=[partner],
                support=[SupportCategory.SUPPLIES, SupportCategory.TRANSPORT],
            )

    # when
    with count_queries() as few:
        few_rows = await _lookup(gql, small, on=ON.isoformat())
    with count_queries() as many:
        many_rows = await _lookup(gql, large, on=ON.isoformat())

    # then
    assert (len(few_rows), len(many_rows)) == (2, 20)
    assert many.count == few.count, many.statements
