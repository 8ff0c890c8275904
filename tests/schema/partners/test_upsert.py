"""partnersUpsert: idempotent, all-or-nothing bulk load for integration scripts."""

from __future__ import annotations

import sqlalchemy as sa

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.japanese import corporate_number_check_digit
from kyodo.domain.partners.models import Partner
from tests.conftest import CHANGE_EVENTS

UPSERT = """
mutation ($input: [PartnerUpsertInput!]!, $dryRun: Boolean) {
  partnersUpsert(input: $input, dryRun: $dryRun) {
    created updated unchanged
    partners { externalId name version fields { code } }
    errors { field code message }
  }
}
"""


def cn(body: str) -> str:
    return f"{corporate_number_check_digit(body)}{body}"


def rows(n: int, prefix: str = "sync") -> list[dict]:
    return [
        {
            "kind": "NEIGHBORHOOD_ASSOCIATION",
            "name": f"（デモ）同期町内会{i}",
            "nameKana": f"どうきちょうないかい{i}",
            "externalId": f"{prefix}-{i:04d}",
            "district": "中央",
            "fieldCodes": ["safety"],
            "contacts": [{"name": f"デモ 連絡{i}", "phone": "000-0000-0001"}],
        }
        for i in range(n)
    ]


async def count(session, model) -> int:
    stmt = sa.select(sa.func.count()).select_from(model)
    if model is AuditEvent:
        stmt = stmt.where(CHANGE_EVENTS)
    return (await session.execute(stmt)).scalar_one()


async def test_first_load_creates_every_row_in_input_order(gql, session):
    # given 50 new rows
    before = await count(session, Partner)
    # when loading them
    result = (await gql(UPSERT, {"input": rows(50)}))["partnersUpsert"]
    # then 50 are created, returned in input order
    assert (result["created"], result["updated"], result["unchanged"]) == (50, 0, 0)
    assert [p["externalId"] for p in result["partners"]] == [f"sync-{i:04d}" for i in range(50)]
    assert await count(session, Partner) == before + 50


async def test_second_identical_load_reports_everything_unchanged(gql, session):
    # given a first load
    await gql(UPSERT, {"input": rows(30)})
    before, events = await count(session, Partner), await count(session, AuditEvent)
    # when running the same payload again
    result = (await gql(UPSERT, {"input": rows(30)}))["partnersUpsert"]
    # then nothing is created or updated
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 30)
    assert {p["version"] for p in result["partners"]} == {1}
    assert await count(session, Partner) == before
    assert await count(session, AuditEvent) == events + 1  # the load itself is recorded


async def test_changed_row_is_updated_and_others_unchanged(gql):
    await gql(UPSERT, {"input": rows(3)})
    changed = rows(3)
    changed[1]["district"] = "東部"
    result = (await gql(UPSERT, {"input": changed}))["partnersUpsert"]
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 2)
    assert [p["version"] for p in result["partners"]] == [1, 2, 1]


async def test_row_is_matched_by_corporate_number_without_external_id(gql):
    # given a company loaded with only a corporate number
    row = {
        "kind": "COMPANY",
        "name": "（デモ）株式会社サンプル",
        "corporateNumber": cn("000000004242"),
    }
    await gql(UPSERT, {"input": [row]})
    # when loading it again with a new name
    result = (await gql(UPSERT, {"input": [{**row, "name": "（デモ）株式会社サンプル２"}]}))[
        "partnersUpsert"
    ]
    # then the same partner is updated
    assert (result["created"], result["updated"]) == (0, 1)


async def test_dry_run_reports_without_writing(gql, session):
    # given an existing row and a new one
    await gql(UPSERT, {"input": rows(1)})
    payload = rows(2)
    payload[0]["name"] = "（デモ）変えた名前"
    before, events = await count(session, Partner), await count(session, AuditEvent)
    # when doing a dry run
    result = (await gql(UPSERT, {"input": payload, "dryRun": True}))["partnersUpsert"]
    # then it says what would happen, and nothing changed
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 1, 0)
    assert result["partners"] == []
    assert await count(session, Partner) == before
    assert await count(session, AuditEvent) == events


async def test_one_bad_row_writes_nothing_and_names_its_index(gql, session):
    # given 10 rows, the 4th with a bad corporate number and the 8th without a name
    payload = rows(10)
    payload[3]["corporateNumber"] = "1234567890123"
    payload[7]["name"] = " "
    before, events = await count(session, Partner), await count(session, AuditEvent)
    # when loading them
    result = (await gql(UPSERT, {"input": payload}))["partnersUpsert"]
    # then both errors carry their row index, and nothing was written
    assert sorted((e["code"], tuple(e["field"])) for e in result["errors"]) == [
        ("INVALID_CORPORATE_NUMBER", ("input", "3", "corporateNumber")),
        ("REQUIRED", ("input", "7", "name")),
    ]
    assert result["partners"] == []
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 0)
    assert await count(session, Partner) == before
    assert await count(session, AuditEvent) == events


async def test_duplicate_key_within_the_batch_is_refused(gql):
    payload = rows(3)
    payload[2]["externalId"] = payload[0]["externalId"]
    result = (await gql(UPSERT, {"input": payload}))["partnersUpsert"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("DUPLICATE", ["input", "2", "externalId"])
    ]


async def test_row_without_any_key_is_refused(gql):
    payload = [{"kind": "NPO", "name": "（デモ）鍵なし"}]
    result = (await gql(UPSERT, {"input": payload}))["partnersUpsert"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("REQUIRED", ["input", "0", "externalId"])
    ]


async def test_more_than_1000_rows_are_refused(gql, session):
    before = await count(session, Partner)
    result = (await gql(UPSERT, {"input": rows(1001)}))["partnersUpsert"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID", ["input"])]
    assert await count(session, Partner) == before


async def test_a_full_batch_of_1000_is_accepted(gql):
    result = (await gql(UPSERT, {"input": rows(1000, prefix="big")}))["partnersUpsert"]
    assert result["errors"] == []
    assert result["created"] == 1000
