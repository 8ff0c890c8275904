"""partnerCreate / partnerUpdate / partnerDelete: validation, versions, audit, atomicity."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.japanese import corporate_number_check_digit
from kyodo.domain.partners.models import Partner
from tests.conftest import CHANGE_EVENTS

CREATE = """
mutation ($input: PartnerInput!) {
  partnerCreate(input: $input) {
    partner { id name nameKana version corporateNumber fields { code } contacts { name phone }
              address { city } }
    errors { field code message }
  }
}
"""
UPDATE = """
mutation ($id: ID!, $v: Int!, $input: PartnerInput!) {
  partnerUpdate(id: $id, expectedVersion: $v, input: $input) {
    partner { id name nameKana phone version district }
    errors { field code message }
  }
}
"""


def valid_corporate_number(body: str = "000000000777") -> str:
    return f"{corporate_number_check_digit(body)}{body}"


async def count(session, model) -> int:
    stmt = sa.select(sa.func.count()).select_from(model)
    if model is AuditEvent:
        stmt = stmt.where(CHANGE_EVENTS)
    return (await session.execute(stmt)).scalar_one()


async def create(gql, **fields):
    payload = {"kind": "CITIZEN_GROUP", "name": "（デモ）テスト市民の会", **fields}
    return (await gql(CREATE, {"input": payload}))["partnerCreate"]


async def test_create_stores_partner_and_one_audit_event(gql, session):
    # given the number of audit events
    events_before = await count(session, AuditEvent)
    # when creating a partner with fields, contacts and an address
    result = await create(
        gql,
        nameKana="てすとしみんのかい",
        corporateNumber="  " + valid_corporate_number() + " ",
        fieldCodes=["environment"],
        contacts=[{"name": "デモ 花子", "phone": "０００-００００-０００９"}],
        address={"city": "苫小牧市"},
    )
    # then it is stored, cleaned, and one audit event describes it
    assert result["errors"] == []
    partner = result["partner"]
    assert partner["version"] == 1
    assert partner["corporateNumber"] == valid_corporate_number()
    assert partner["fields"] == [{"code": "environment"}]
    assert partner["contacts"] == [{"name": "デモ 花子", "phone": "000-0000-0009"}]
    assert partner["address"] == {"city": "苫小牧市"}
    assert await count(session, AuditEvent) == events_before + 1
    event = (
        await session.execute(
            sa.select(AuditEvent).where(CHANGE_EVENTS).order_by(AuditEvent.id.desc()).limit(1)
        )
    ).scalar_one()
    assert (event.action, event.entity_type, event.actor) == (
        "partner.create",
        "Partner",
        "test-admin",
    )
    assert event.changes["name"] == {"before": None, "after": "（デモ）テスト市民の会"}


async def test_created_partner_is_found_by_kana_search(gql):
    # given a new partner with a hiragana reading
    await create(gql, name="（デモ）夕暮れの羊会", nameKana="ゆうぐれのひつじかい")
    # when searching in half-width katakana
    data = await gql('{ partners(filter: {search: "ﾕｳｸﾞﾚﾉﾋﾂｼﾞ"}) { edges { node { name } } } }')
    # then it is found
    assert [e["node"]["name"] for e in data["partners"]["edges"]] == ["（デモ）夕暮れの羊会"]


@pytest.mark.parametrize("number", ["1234567890123", "12345", "abcdefghijklm"])
async def test_invalid_corporate_number_is_refused(gql, session, number):
    # given the current counts
    partners_before, events_before = await count(session, Partner), await count(session, AuditEvent)
    # when creating a partner with a bad 法人番号
    result = await create(gql, corporateNumber=number)
    # then INVALID_CORPORATE_NUMBER names the field and nothing is written
    assert result["partner"] is None
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("INVALID_CORPORATE_NUMBER", ["input", "corporateNumber"])
    ]
    assert await count(session, Partner) == partners_before
    assert await count(session, AuditEvent) == events_before


async def test_duplicate_corporate_number_is_refused(gql, session):
    # given a partner holding a corporate number
    await create(gql, corporateNumber=valid_corporate_number("000000000888"))
    before = await count(session, Partner)
    # when another partner claims it
    result = await create(
        gql, name="（デモ）別の会", corporateNumber=valid_corporate_number("000000000888")
    )
    # then DUPLICATE, nothing written
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("DUPLICATE", ["input", "corporateNumber"])
    ]
    assert await count(session, Partner) == before


async def test_duplicate_external_id_is_refused(gql):
    await create(gql, externalId="ext-dup-1")
    result = await create(gql, name="（デモ）二つ目", externalId="ext-dup-1")
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("DUPLICATE", ["input", "externalId"])
    ]


async def test_blank_name_is_required(gql):
    result = await create(gql, name="　 ")
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("REQUIRED", ["input", "name"])]
    assert "名称" in result["errors"][0]["message"]


async def test_unknown_field_code_is_not_found(gql):
    result = await create(gql, fieldCodes=["no-such-field"])
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("NOT_FOUND", ["input", "fieldCodes"])
    ]


async def test_all_problems_are_reported_at_once(gql):
    result = await create(gql, name="", email="not-an-email", corporateNumber="1")
    codes = sorted((e["code"], tuple(e["field"])) for e in result["errors"])
    assert codes == [
        ("INVALID", ("input", "email")),
        ("INVALID_CORPORATE_NUMBER", ("input", "corporateNumber")),
        ("REQUIRED", ("input", "name")),
    ]


async def test_update_changes_only_sent_fields_and_bumps_version(gql, session):
    # given a partner with a phone number
    created = (await create(gql, phone="000-0000-0101", district="中央"))["partner"]
    # when updating its name only
    result = (
        await gql(
            UPDATE,
            {
                "id": created["id"],
                "v": 1,
                "input": {"kind": "CITIZEN_GROUP", "name": "（デモ）改名した会"},
            },
        )
    )["partnerUpdate"]
    # then the name changed, the phone did not, and the version went up
    assert result["errors"] == []
    assert result["partner"]["name"] == "（デモ）改名した会"
    assert result["partner"]["phone"] == "000-0000-0101"
    assert result["partner"]["district"] == "中央"
    assert result["partner"]["version"] == 2


async def test_update_with_explicit_null_clears_a_field(gql):
    created = (await create(gql, phone="000-0000-0102"))["partner"]
    result = (
        await gql(
            UPDATE,
            {
                "id": created["id"],
                "v": 1,
                "input": {"kind": "CITIZEN_GROUP", "name": "x", "phone": None},
            },
        )
    )["partnerUpdate"]
    assert result["partner"]["phone"] is None


async def test_stale_version_is_a_conflict_and_changes_nothing(gql, session):
    # given a partner updated once (now version 2)
    created = (await create(gql))["partner"]
    await gql(
        UPDATE, {"id": created["id"], "v": 1, "input": {"kind": "CITIZEN_GROUP", "name": "二版"}}
    )
    events_before = await count(session, AuditEvent)
    # when someone updates from version 1
    result = (
        await gql(
            UPDATE,
            {"id": created["id"], "v": 1, "input": {"kind": "CITIZEN_GROUP", "name": "古い版"}},
        )
    )["partnerUpdate"]
    # then VERSION_CONFLICT, and the stored name and audit log are unchanged
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("VERSION_CONFLICT", ["expectedVersion"])
    ]
    data = await gql(
        "query ($id: ID!) { node(id: $id) { ... on Partner { name version } } }",
        {"id": created["id"]},
    )
    assert data["node"] == {"name": "二版", "version": 2}
    assert await count(session, AuditEvent) == events_before


async def test_update_of_unknown_partner_is_not_found(gql):
    from kyodo.schema.node import to_global_id

    result = (
        await gql(
            UPDATE,
            {"id": to_global_id("Partner", 999999), "v": 1, "input": {"kind": "NPO", "name": "x"}},
        )
    )["partnerUpdate"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("NOT_FOUND", ["id"])]


async def test_update_with_a_malformed_id_is_a_user_error(gql):
    result = (await gql(UPDATE, {"id": "???", "v": 1, "input": {"kind": "NPO", "name": "x"}}))[
        "partnerUpdate"
    ]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID", ["id"])]


DELETE = """
mutation ($id: ID!, $v: Int!) {
  partnerDelete(id: $id, expectedVersion: $v) {
    deleted deactivated partner { status } errors { code field }
  }
}
"""


async def test_partner_without_history_is_deleted(gql, session):
    created = (await create(gql))["partner"]
    before = await count(session, Partner)
    result = (await gql(DELETE, {"id": created["id"], "v": 1}))["partnerDelete"]
    assert (result["deleted"], result["deactivated"], result["errors"]) == (True, False, [])
    assert await count(session, Partner) == before - 1


async def test_partner_in_an_agreement_is_deactivated_not_deleted(gql, session):
    # given a demo partner that is party to an agreement
    data = await gql(
        '{ partners(first: 1, filter: {search: "東日本電信電話"}) { edges { node { id version } } } }'
    )
    node = data["partners"]["edges"][0]["node"]
    before = await count(session, Partner)
    # when deleting it
    result = (await gql(DELETE, {"id": node["id"], "v": node["version"]}))["partnerDelete"]
    # then it is kept, marked INACTIVE
    assert (result["deleted"], result["deactivated"]) == (False, True)
    assert result["partner"]["status"] == "INACTIVE"
    assert await count(session, Partner) == before


async def test_failure_after_the_first_write_leaves_nothing(gql, session, monkeypatch):
    # given an audit writer that fails after the partner row was inserted
    import kyodo.domain.writes as writes

    async def broken(*_args, **_kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(writes, "record_event", broken)
    partners_before, events_before = await count(session, Partner), await count(session, AuditEvent)
    # when creating a partner
    result = await gql.raw(CREATE, {"input": {"kind": "NPO", "name": "（デモ）失敗する会"}})
    # then the request fails and neither the partner nor an audit event exists
    assert result["errors"]
    assert await count(session, Partner) == partners_before
    assert await count(session, AuditEvent) == events_before
