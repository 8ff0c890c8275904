"""Filter strings are compared in the form stored values take (rules 14 and 18's issue 11).

``partners(filter: {district: "中央 "})`` finds every demo partner of 中央, on the
compiled read path and through Strawberry's resolvers alike; ``disasterSupport``'s
district is cleaned the same way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.enums import Role, SupportCategory
from kyodo.domain.partners.models import Partner
from kyodo.schema import schema
from kyodo.schema.context import Context, Principal

from ..agreements.factories import make_agreement, make_department, make_partner, unique

ADMIN = Principal(name="filter-admin", role=Role.ADMIN)

PARTNERS = """
query ($filter: PartnerFilter) {
  partners(filter: $filter, first: 100) { totalCount edges { node { district } } }
}
"""
DISASTER = """
query ($district: String, $on: Date) {
  disasterSupport(district: $district, on: $on) { partner { name district } }
}
"""


async def ask(
    session: AsyncSession, query: str, variables: dict[str, Any], *, compiled: bool
) -> dict[str, Any]:
    context = Context(session=session, principal=ADMIN, today=date(2022, 3, 10))
    context.compiled_reads = compiled
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
@pytest.mark.parametrize("district", ["中央", "中央 ", "中央　", "　中央 "])
async def test_a_district_filter_finds_the_partners_stored_without_the_spaces(
    session: AsyncSession, compiled: bool, district: str
) -> None:
    # given how many partners are stored in 中央 (34 in the demo data)
    stored = (
        await session.execute(
            sa.select(sa.func.count()).select_from(Partner).where(col(Partner.district) == "中央")
        )
    ).scalar_one()
    assert stored >= 30

    # when
    data = await ask(session, PARTNERS, {"filter": {"district": district}}, compiled=compiled)

    # then
    assert data["partners"]["totalCount"] == stored
    assert {e["node"]["district"] for e in data["partners"]["edges"]} == {"中央"}


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
async def test_an_external_id_and_a_corporate_number_filter_are_cleaned_like_stored_values(
    session: AsyncSession, compiled: bool
) -> None:
    # given a stored partner's external id and corporate number
    first = await ask(
        session,
        "{ partners(first: 50) { edges { node { externalId corporateNumber } } } }",
        {},
        compiled=compiled,
    )
    nodes = [e["node"] for e in first["partners"]["edges"]]
    external = next(n["externalId"] for n in nodes if n["externalId"])
    number = next(n["corporateNumber"] for n in nodes if n["corporateNumber"])
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    # when
    by_external = await ask(
        session, PARTNERS, {"filter": {"externalId": f" {external}　"}}, compiled=compiled
    )
    by_number = await ask(
        session,
        PARTNERS,
        {"filter": {"corporateNumber": f"{wide[:1]}-{wide[1:5]}-{wide[5:]} "}},
        compiled=compiled,
    )

    # then
    assert by_external["partners"]["totalCount"] == 1
    assert by_number["partners"]["totalCount"] == 1


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "resolvers"])
async def test_disaster_support_cleans_its_district_like_stored_values(
    session: AsyncSession, compiled: bool
) -> None:
    # given a disaster-support agreement with a party in a district of its own
    district = unique("地区")
    partner = await make_partner(session, "ア社", kana="アシャ", district=district)
    await make_agreement(
        session,
        department=await make_department(session),
        title="物資",
        support=[SupportCategory.SUPPLIES],
        parties=[partner],
    )
    await session.commit()

    # when
    data = await ask(
        session, DISASTER, {"district": f"{district}　", "on": "2022-03-10"}, compiled=compiled
    )

    # then
    assert [row["partner"]["district"] for row in data["disasterSupport"]] == [district]
