"""Agreements seen from partners: ``Partner.agreements(status:)`` and
``partners(filter: {hasAgreementInForce: ...})`` (which uses agreement_ids_in_force_on)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import AgreementStatus

from .factories import gid, make_agreement, make_department, make_partner, unique

PARTNER_AGREEMENTS = """
query ($id: ID!, $status: [AgreementStatus!]) {
  node(id: $id) { ... on Partner { agreements(status: $status) { title status } } }
}
"""

PARTNERS = """
query ($filter: PartnerFilter) {
  partners(first: 100, filter: $filter) { totalCount edges { node { name } } }
}
"""


def _names(data: dict[str, Any]) -> list[str]:
    return sorted(edge["node"]["name"] for edge in data["partners"]["edges"])


async def test_partner_agreements_by_status(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    partner = await make_partner(session, "協定先商店")
    await make_agreement(session, department=department, title="有効", parties=[partner])
    await make_agreement(
        session,
        department=department,
        title="満了",
        parties=[partner],
        status=AgreementStatus.EXPIRED,
    )

    # when
    every = await gql(PARTNER_AGREEMENTS, {"id": gid("Partner", partner)})
    in_force = await gql(
        PARTNER_AGREEMENTS, {"id": gid("Partner", partner), "status": ["IN_FORCE"]}
    )

    # then
    assert sorted(a["title"] for a in every["node"]["agreements"]) == sorted(["有効", "満了"])
    assert in_force["node"]["agreements"] == [{"title": "有効", "status": "IN_FORCE"}]


async def test_partners_with_an_agreement_in_force_today(session: AsyncSession, gql: Any) -> None:
    # given
    tag = unique("協定テスト")
    department = await make_department(session)
    renewing = await make_partner(session, f"{tag}更新")
    expired = await make_partner(session, f"{tag}満了")
    terminated = await make_partner(session, f"{tag}解除")
    await make_partner(session, f"{tag}協定なし")
    await make_agreement(
        session,
        department=department,
        parties=[renewing],
        effective_from=date(2020, 4, 1),
        effective_until=date(2021, 3, 31),
        auto_renewal=True,
        renewal_term_months=12,
    )
    await make_agreement(
        session,
        department=department,
        parties=[expired],
        effective_from=date(2020, 4, 1),
        effective_until=date(2022, 3, 9),
    )
    await make_agreement(
        session,
        department=department,
        parties=[terminated],
        status=AgreementStatus.TERMINATED,
        terminated_on=date(2022, 3, 10),
    )

    # when
    with_agreement = await gql(
        PARTNERS,
        {"filter": {"search": tag, "hasAgreementInForce": True}},
        today=date(2022, 3, 10),
    )
    without = await gql(
        PARTNERS,
        {"filter": {"search": tag, "hasAgreementInForce": False}},
        today=date(2022, 3, 10),
    )
    day_before = await gql(
        PARTNERS,
        {"filter": {"search": tag, "hasAgreementInForce": True}},
        today=date(2022, 3, 9),
    )

    # then
    assert _names(with_agreement) == [f"{tag}更新"]
    assert _names(without) == sorted([f"{tag}満了", f"{tag}解除", f"{tag}協定なし"])
    assert _names(day_before) == sorted([f"{tag}更新", f"{tag}満了", f"{tag}解除"])


LATEST_AGREEMENTS = """
query ($id: ID!, $first: Int) {
  node(id: $id) { ... on Partner { agreements(first: $first) { title } } }
}
"""


async def test_partner_agreements_first_gives_the_newest(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    partner = await make_partner(session, "協定の多い団体")
    for year in (2019, 2021, 2020):
        await make_agreement(
            session,
            department=department,
            title=f"協定{year}",
            parties=[partner],
            concluded_on=date(year, 4, 1),
        )

    # when
    data = await gql(LATEST_AGREEMENTS, {"id": gid("Partner", partner), "first": 2})

    # then
    assert data["node"]["agreements"] == [{"title": "協定2021"}, {"title": "協定2020"}]


async def test_partner_agreements_stop_at_100_by_default(session: AsyncSession, gql: Any) -> None:
    # given: a partner party to 101 agreements
    department = await make_department(session)
    partner = await make_partner(session, "協定の多い団体")
    for n in range(101):
        await make_agreement(
            session,
            department=department,
            title=f"協定{n:03d}",
            parties=[partner],
            concluded_on=date(2000, 1, 1) + timedelta(days=n),
        )

    # when
    data = await gql(LATEST_AGREEMENTS, {"id": gid("Partner", partner)})

    # then: the newest 100; the oldest is left out
    titles = [a["title"] for a in data["node"]["agreements"]]
    assert len(titles) == 100
    assert titles[0] == "協定100"
    assert "協定000" not in titles


async def test_partner_agreements_refuse_first_over_100(session: AsyncSession, gql: Any) -> None:
    # given
    department = await make_department(session)
    partner = await make_partner(session, "協定先")
    await make_agreement(session, department=department, parties=[partner])

    # when
    result = await gql.raw(LATEST_AGREEMENTS, {"id": gid("Partner", partner), "first": 101})

    # then
    assert [e["extensions"]["code"] for e in result["errors"]] == ["INVALID"]
