"""A page of agreements costs the same number of SQL statements whatever its size.

The API's cost limit (schema/extensions/; an agreement's parties and a partner's fields
counted at their bounds of 100 each) refuses more than 4 agreements × parties × fields in
one operation, so the party fields are checked on smaller pages in a test of their own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import SupportCategory
from kyodo.domain.reference.models import Department

from .factories import make_agreement, make_department, make_partner

PAGE = """
query ($first: Int, $filter: AgreementFilter) {
  agreements(first: $first, filter: $filter) {
    totalCount
    edges {
      node {
        title
        parties { name }
        supportCategories
        emergencyContacts { name }
        department { code }
        collaboration { id }
        amends { title }
        isInForce
        currentTermEndsOn
        contactsStale
      }
    }
  }
}
"""

PAGE_WITH_PARTY_FIELDS = """
query ($first: Int, $filter: AgreementFilter) {
  agreements(first: $first, filter: $filter) {
    edges { node { parties { name fields { name } } } }
  }
}
"""


async def _agreements(session: AsyncSession, n: int) -> Department:
    department = await make_department(session)
    previous = None
    for i in range(n):
        first_party = await make_partner(session, f"数える社{i}甲")
        second_party = await make_partner(session, f"数える社{i}乙")
        previous = await make_agreement(
            session,
            department=department,
            parties=[first_party, second_party],
            support=[SupportCategory.SUPPLIES, SupportCategory.MEDICAL_AID],
            contacts=[(first_party, f"窓口{i}")],
            amends=previous,
        )
    return department


async def _statements(gql: Any, count_queries: Any, query: str, code: str, first: int) -> int:
    variables = {"first": first, "filter": {"departmentCodes": [code]}}
    with count_queries() as counter:
        data = await gql(query, variables)
    assert len(data["agreements"]["edges"]) == first
    return int(counter.count)


async def test_100_agreements_cost_as_many_statements_as_10(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given
    department = await _agreements(session, 100)

    # when
    ten = await _statements(gql, count_queries, PAGE, department.code, 10)
    hundred = await _statements(gql, count_queries, PAGE, department.code, 100)

    # then
    assert hundred == ten


async def test_party_fields_cost_a_constant_number_of_statements(
    session: AsyncSession, gql: Any, count_queries: Any
) -> None:
    # given
    department = await _agreements(session, 4)

    # when
    one = await _statements(gql, count_queries, PAGE_WITH_PARTY_FIELDS, department.code, 1)
    four = await _statements(gql, count_queries, PAGE_WITH_PARTY_FIELDS, department.code, 4)

    # then
    assert four == one
