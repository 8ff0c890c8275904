"""What validation accepts, the column holds, on both databases (issue 8, item 6).

A postal code ``053-8722-99`` and names of 300 ``㌀`` (NFKC folds each to アパート, four
characters) answered "Unexpected error." on PostgreSQL and were stored on SQLite. Lengths
are checked on the text as it is stored, against the column's own length; a postal code
must be one.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.database_state import changes, database_state

CREATE = """
mutation ($input: PartnerInput!) {
  partnerCreate(input: $input) {
    partner { id name nameKana address { postalCode } }
    errors { field code message }
  }
}
"""
UPSERT = """
mutation ($rows: [PartnerUpsertInput!]!) {
  partnersUpsert(input: $rows) { created errors { field code message } }
}
"""
SEARCH = "query ($q: String!) { partners(filter: { search: $q }) { edges { node { id } } } }"


async def _refused(
    session: AsyncSession, gql: Any, document: str, variables: dict[str, Any], root: str
) -> list[tuple[str, list[str], str]]:
    before = await database_state(session)
    payload = (await gql(document, variables))[root]
    assert changes(before, await database_state(session)) == {}
    return [(e["code"], e["field"], e["message"]) for e in payload["errors"]]


@pytest.mark.parametrize("postal_code", ["053-8722-99", "05387", "053-872a", "〒〒053-8722"])
async def test_a_postal_code_that_is_not_seven_digits_is_refused(
    session: AsyncSession, gql: Any, postal_code: str
) -> None:
    # given a partner whose postal code is not 3 + 4 digits
    input = {"kind": "NPO", "name": "（デモ）郵便の会", "address": {"postalCode": postal_code}}
    # when / then: INVALID at the postal code, nothing written
    errors = await _refused(session, gql, CREATE, {"input": input}, "partnerCreate")
    assert [(code, field) for code, field, _ in errors] == [
        ("INVALID", ["input", "address", "postalCode"])
    ]
    assert "郵便番号" in errors[0][2]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("053-8722", "053-8722"),
        ("０５３ー８７２２", "053-8722"),
        ("0538722", "0538722"),
        ("〒053-8722", "053-8722"),
    ],
)
async def test_a_postal_code_of_seven_digits_is_stored_half_width(
    gql: Any, given: str, stored: str
) -> None:
    # given a postal code with or without its hyphen, half- or full-width
    input = {"kind": "NPO", "name": "（デモ）郵便の会", "address": {"postalCode": given}}
    # when
    payload = (await gql(CREATE, {"input": input}))["partnerCreate"]
    # then
    assert payload["errors"] == []
    assert payload["partner"]["address"] == {"postalCode": stored}


async def test_a_name_as_long_as_its_column_is_stored_even_when_folding_lengthens_it(
    gql: Any,
) -> None:
    # given a name of 300 ㌀ (the column holds 300) and a reading of 75 ㌀, which is
    # stored folded: 300 characters of アパート
    input = {"kind": "NPO", "name": "㌀" * 300, "nameKana": "㌀" * 75}
    # when
    payload = (await gql(CREATE, {"input": input}))["partnerCreate"]
    # then it is stored on both databases, and found by its folded name
    assert payload["errors"] == []
    assert payload["partner"]["name"] == "㌀" * 300
    assert payload["partner"]["nameKana"] == "アパート" * 75
    found = (await gql(SEARCH, {"q": "アパートアパート"}))["partners"]["edges"]
    assert {"node": {"id": payload["partner"]["id"]}} in found


async def test_a_reading_longer_than_its_column_once_folded_is_refused(
    session: AsyncSession, gql: Any
) -> None:
    # given a reading of 300 ㌀: 300 characters as typed, 1,200 once folded (NFKC)
    input = {"kind": "NPO", "name": "（デモ）長い読みの会", "nameKana": "㌀" * 300}
    # when / then: INVALID at nameKana, counting the folded text; nothing written
    errors = await _refused(session, gql, CREATE, {"input": input}, "partnerCreate")
    assert errors == [
        (
            "INVALID",
            ["input", "nameKana"],
            "フリガナは300文字以内で入力してください（1200文字あります）。",
        )
    ]


async def test_a_name_longer_than_its_column_is_refused(session: AsyncSession, gql: Any) -> None:
    # given a name of 301 characters (the column holds 300)
    input = {"kind": "NPO", "name": "㌀" * 301}
    # when / then
    errors = await _refused(session, gql, CREATE, {"input": input}, "partnerCreate")
    assert [(code, field) for code, field, _ in errors] == [("INVALID", ["input", "name"])]


async def test_the_bulk_upsert_checks_the_same_limits(session: AsyncSession, gql: Any) -> None:
    # given two rows: one with a bad postal code, one with a reading too long once folded
    rows = [
        {
            "externalId": "limits-1",
            "kind": "NPO",
            "name": "（デモ）一",
            "address": {"postalCode": "053-8722-99"},
        },
        {"externalId": "limits-2", "kind": "NPO", "name": "（デモ）二", "nameKana": "㌀" * 300},
    ]
    # when / then: both refused at their row, nothing written
    errors = await _refused(session, gql, UPSERT, {"rows": rows}, "partnersUpsert")
    assert [(code, field) for code, field, _ in errors] == [
        ("INVALID", ["input", "0", "address", "postalCode"]),
        ("INVALID", ["input", "1", "nameKana"]),
    ]
