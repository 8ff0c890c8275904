"""Fuzzing /graphql over HTTP: hostile arguments, inputs and text.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from tests.server.strategies import (
    Operation,
    global_ids,
    operations,
    texts,
)

from .support import (
    FOUND_QUERIES,
    SCHEMA,
    Api,
    _run,
    found,
    fuzz,
)


@fuzz(200)
@found("operation", FOUND_QUERIES, as_admin=True)
@given(operation=operations(SCHEMA, mutation=False), as_admin=st.booleans())
async def test_any_query_with_hostile_arguments_is_answered_safely(
    api: Api, operation: Operation, as_admin: bool
) -> None:
    # given: a query on random fields, nested up to 14 levels, with hostile arguments
    # when
    outcome = await _run(api, operation, as_admin=as_admin)
    # then: the checks in _run; and a query answers 200 or a refusal, never a crash
    assert outcome.response.status_code in (200, 400), outcome.response.text[:500]


# An answer that fails after the write: the agreement was committed, then refused.
FOUND_MUTATIONS = [
    Operation(
        'mutation { agreementCreate(input: { title: "（デモ）答えで止まる協定", category: OTHER, '
        'partyIds: ["UGFydG5lcjox"], departmentCode: "kyodo" }) '
        '{ agreement { id isInForce(on: "0001-01-01") } errors { code } } }',
        {},
        ("agreementCreate",),
        is_mutation=True,
    ),
]


@fuzz(250)
@found("operation", FOUND_MUTATIONS, as_admin=True)
@given(operation=operations(SCHEMA, mutation=True), as_admin=st.booleans())
async def test_any_mutation_with_hostile_input_is_answered_safely(
    api: Api, operation: Operation, as_admin: bool
) -> None:
    # given: one mutation with hostile input (inline or in variables)
    # when
    outcome = await _run(api, operation, as_admin=as_admin)
    # then: anonymous callers are refused and write nothing (checked in _run)
    body = outcome.body
    if not as_admin and isinstance(body, dict) and isinstance(body.get("data"), dict):
        payload = body["data"].get(operation.root_fields[0])
        if isinstance(payload, dict):
            errors = payload["errors"]
            assert len(errors) == 1, payload
            assert errors[0].get("code", "FORBIDDEN") == "FORBIDDEN", payload  # if selected


# Dates no page could render or PostgreSQL stores as -infinity / infinity (issue 8).
OUT_OF_RANGE_DATES = ["1800-01-01", "0001-01-01", "1872-12-31", "3000-01-01", "9999-12-31"]


PARTNER_INPUT = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["INDIVIDUAL", "NPO", "COMPANY", "NEIGHBORHOOD_ASSOCIATION"]),
        "name": texts(),
    },
    optional={
        "nameKana": texts(),
        "corporateNumber": texts(14),
        "externalId": texts(20),
        "district": texts(),
        "representative": texts(),
        "phone": texts(20),
        "email": texts(30),
        "website": texts(),
        "fieldCodes": st.lists(
            st.one_of(st.sampled_from(["safety", "arts"]), texts(10)), max_size=3
        ),
        "address": st.fixed_dictionaries({}, optional={"postalCode": texts(10), "street": texts()}),
        "contacts": st.lists(
            st.fixed_dictionaries(
                {"name": texts()}, optional={"phone": texts(20), "email": texts(30)}
            ),
            max_size=2,
        ),
    },
)


PARTNER_CREATE = (
    "mutation ($input: PartnerInput!) { partnerCreate(input: $input) "
    "{ partner { id name nameKana contacts { name phone email } } errors { field code message } } }"
)


PARTNERS_UPSERT = (
    "mutation ($rows: [PartnerUpsertInput!]!, $dry: Boolean) { partnersUpsert(input: $rows, dryRun: $dry) "
    "{ created updated unchanged partners { id name } errors { field code message } } }"
)


COLLABORATION_CREATE = (
    "mutation ($input: CollaborationInput!) { collaborationCreate(input: $input) "
    "{ collaboration { id title readiness { ready missing } } errors { field code message } } }"
)


COLLABORATION_INPUT = st.fixed_dictionaries(
    {
        "title": texts(),
        "forms": st.lists(
            st.sampled_from(["CO_HOSTING", "COMMITTEE", "ENDORSEMENT", "CONSIGNMENT"]),
            min_size=0,
            max_size=3,
        ),
        "departmentCode": st.one_of(st.sampled_from(["kyodo", "kikikanri"]), texts(10)),
    },
    optional={
        "summary": texts(),
        "fiscalYear": st.integers(),
        "startsOn": st.one_of(st.sampled_from(OUT_OF_RANGE_DATES), st.dates().map(str), texts(10)),
        "endsOn": st.one_of(st.sampled_from(OUT_OF_RANGE_DATES), st.dates().map(str), texts(10)),
        "purpose": texts(),
        "budget": st.fixed_dictionaries(
            {},
            optional={"totalYen": st.integers(), "cityShareYen": st.integers(-(2**31), 2**31 - 1)},
        ),
        "participations": st.lists(
            st.fixed_dictionaries(
                {"partnerId": global_ids()},
                optional={"role": texts(), "costShareYen": st.integers(-(2**31), 2**31 - 1)},
            ),
            max_size=2,
        ),
        "committee": st.fixed_dictionaries(
            {"name": texts(), "kind": st.sampled_from(["EXECUTIVE_COMMITTEE", "COUNCIL", "X"])},
            optional={"dissolvesOn": st.dates().map(str)},
        ),
        "fieldCodes": st.lists(texts(10), max_size=2),
        "reviewDueOn": st.dates().map(str),
        "isPublic": st.booleans(),
    },
)


# What validation accepted and the column could not hold (issue 8): an eleven-character
# postal code, a reading folded (NFKC) to 1,200 characters; and a collaboration starting
# before 明治, committed and then answered "Unexpected error.".
FOUND_PARTNER = {
    "kind": "NPO",
    "name": "㌀" * 300,
    "nameKana": "㌀" * 300,
    "externalId": "fuzz-found",
    "address": {"postalCode": "053-8722-99"},
}


FOUND_COLLABORATION = {"title": "t", "forms": ["CO_HOSTING"], "departmentCode": "kyodo"}


@fuzz(100)
@example(
    which="partnerCreate",
    partners=[FOUND_PARTNER],
    collaboration=FOUND_COLLABORATION,
    dry_run=False,
    as_admin=True,
)
@example(
    which="partnersUpsert",
    partners=[FOUND_PARTNER],
    collaboration=FOUND_COLLABORATION,
    dry_run=False,
    as_admin=True,
)
@example(
    which="collaborationCreate",
    partners=[FOUND_PARTNER],
    collaboration={**FOUND_COLLABORATION, "startsOn": "1800-01-01"},
    dry_run=False,
    as_admin=True,
)
@given(
    which=st.sampled_from(["partnerCreate", "partnersUpsert", "collaborationCreate"]),
    partners=st.lists(PARTNER_INPUT, min_size=1, max_size=3),
    collaboration=COLLABORATION_INPUT,
    dry_run=st.booleans(),
    as_admin=st.booleans(),
)
async def test_partner_and_collaboration_writes_survive_hostile_text(
    api: Api,
    which: str,
    partners: list[dict[str, Any]],
    collaboration: dict[str, Any],
    dry_run: bool,
    as_admin: bool,
) -> None:
    # given: inputs of the right shape (so they reach the domain) filled with hostile text
    if which == "partnerCreate":
        operation = Operation(PARTNER_CREATE, {"input": partners[0]}, (which,), True)
    elif which == "partnersUpsert":
        operation = Operation(PARTNERS_UPSERT, {"rows": partners, "dry": dry_run}, (which,), True)
    else:
        operation = Operation(COLLABORATION_CREATE, {"input": collaboration}, (which,), True)
    # when
    outcome = await _run(api, operation, as_admin=as_admin)
    # then: the payload, unless the request was refused as a whole: a lone surrogate
    # (400), NUL or a string that is no date (top-level errors; nothing written)
    body = outcome.body
    if outcome.response.status_code == 400:
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST", body
        assert error["message"].startswith("リクエストに使えない文字"), body
        return
    assert outcome.response.status_code == 200
    if body.get("errors"):
        assert body.get("data") is None, body
        return
    payload = body["data"][which]
    if not as_admin:
        assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    if which == "partnersUpsert" and dry_run and as_admin:
        assert payload["partners"] == []
