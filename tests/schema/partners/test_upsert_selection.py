"""partnersUpsert reads the partners back only when the request asks for them, however
it asks (directly, through a fragment, through an inline fragment)."""

from __future__ import annotations

import pytest

from tests.schema.partners.test_upsert import rows

ASKED = {
    "field": "partnersUpsert(input: $input) { created partners { externalId } }",
    "fragment": "partnersUpsert(input: $input) { created ...Rows } }\n"
    "fragment Rows on PartnersUpsertPayload { partners { externalId } ",
    "inline": "partnersUpsert(input: $input) { created ... on PartnersUpsertPayload "
    "{ partners { externalId } } }",
    "nested fragment": "partnersUpsert(input: $input) { ...Outer } }\n"
    "fragment Outer on PartnersUpsertPayload { created ... { partners { externalId } } ",
}


@pytest.mark.parametrize("shape", ASKED)
async def test_partners_come_back_whenever_asked(gql, shape):
    query = f"mutation ($input: [PartnerUpsertInput!]!) {{ {ASKED[shape]} }}"
    prefix = f"sel-{shape.replace(' ', '')}"
    result = (await gql(query, {"input": rows(3, prefix)}))["partnersUpsert"]
    assert result["created"] == 3
    assert [p["externalId"] for p in result["partners"]] == [f"{prefix}-{i:04d}" for i in range(3)]


async def test_counts_alone_are_answered(gql):
    query = (
        "mutation ($input: [PartnerUpsertInput!]!) "
        "{ partnersUpsert(input: $input) { created updated unchanged errors { code } } }"
    )
    result = (await gql(query, {"input": rows(3, "sel-counts")}))["partnersUpsert"]
    assert result == {"created": 3, "updated": 0, "unchanged": 0, "errors": []}
    again = (await gql(query, {"input": rows(3, "sel-counts")}))["partnersUpsert"]
    assert again == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}
