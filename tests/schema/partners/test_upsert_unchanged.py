"""partnersUpsert tells unchanged rows from changed ones whatever the change: a row
sent in another spelling of what is stored is unchanged; a change only in a contact or
in the fields is an update, recorded in the batch's audit event."""

from __future__ import annotations

import sqlalchemy as sa

from kyodo.domain.audit.models import AuditEvent
from tests.schema.partners.test_upsert import UPSERT, rows


async def _load(gql, input_rows):
    result = (await gql(UPSERT, {"input": input_rows}))["partnersUpsert"]
    assert result["errors"] == []
    return result["created"], result["updated"], result["unchanged"]


async def _last_batch(session) -> dict:
    stmt = (
        sa.select(AuditEvent.changes)  # type: ignore[call-overload]
        .where(AuditEvent.action == "partners.upsert")
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one()


async def test_another_spelling_of_what_is_stored_is_unchanged(gql):
    await _load(gql, rows(2, "spell"))
    again = rows(2, "spell")
    again[0]["district"] = "　中央 "  # spaces, 全角 included, are stripped
    again[0]["contacts"][0]["phone"] = "０００ー００００ー０００１"  # folded to half-width
    again[1]["fieldCodes"] = ["safety", "safety"]  # the same code twice is one field
    assert await _load(gql, again) == (0, 0, 2)


async def test_a_change_only_in_a_contact_is_an_update(gql, session):
    await _load(gql, rows(2, "contact"))
    changed = rows(2, "contact")
    changed[1]["contacts"][0]["isEmergencyContact"] = True
    assert await _load(gql, changed) == (0, 1, 1)
    updated = (await _last_batch(session))["updated"]
    (change,) = updated.values()
    assert list(change) == ["contacts"]
    assert change["contacts"]["after"][0]["is_emergency_contact"] is True
    assert change["contacts"]["before"][0]["is_emergency_contact"] is False


async def test_a_change_only_in_the_fields_is_an_update(gql, session):
    await _load(gql, rows(2, "fields"))
    changed = rows(2, "fields")
    changed[0]["fieldCodes"] = ["safety", "elderly"]
    assert await _load(gql, changed) == (0, 1, 1)
    (change,) = (await _last_batch(session))["updated"].values()
    assert change == {"field_codes": {"before": ["safety"], "after": ["elderly", "safety"]}}
