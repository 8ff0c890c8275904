"""domain.auth.service: issuing, checking and revoking API tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.auth import service as tokens
from kyodo.domain.auth.models import ApiToken
from kyodo.domain.enums import Role
from kyodo.domain.errors import DomainError, ErrorCode

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


async def _create(session: AsyncSession, **overrides: object) -> tuple[ApiToken, str]:
    arguments: dict[str, object] = {
        "name": "危機管理室 端末1",
        "role": Role.DISASTER_OFFICE,
        "department_code": None,
        "expires_at": None,
        "now": NOW,
    }
    arguments.update(overrides)
    return await tokens.create_token(session, **arguments)  # type: ignore[arg-type]


async def test_a_new_token_authenticates_as_its_holder(session: AsyncSession) -> None:
    # given
    token, plaintext = await _create(
        session, name="まちづくり推進課 田中", role=Role.STAFF, department_code="machizukuri"
    )
    # when
    identity = await tokens.authenticate(session, plaintext, now=NOW)
    # then
    assert identity == tokens.TokenIdentity(
        token_id=token.id or 0,
        name="まちづくり推進課 田中",
        role=Role.STAFF,
        department_code="machizukuri",
    )


async def test_only_the_hash_of_the_token_is_stored(session: AsyncSession) -> None:
    # given
    token, plaintext = await _create(session)
    # when: reading the raw row back
    row = (
        await session.execute(sa.text("SELECT * FROM api_token WHERE id = :id"), {"id": token.id})
    ).one()
    # then: the token is in no column; its SHA-256 and its first 8 characters are
    assert len(plaintext) >= 43
    assert all(plaintext not in str(value) for value in row)
    assert token.token_hash == tokens.hash_token(plaintext)
    assert len(token.token_hash) == 64
    assert token.prefix == plaintext[:8]


async def test_tokens_are_random(session: AsyncSession) -> None:
    # when
    _, first = await _create(session)
    _, second = await _create(session)
    # then
    assert first != second


async def test_an_unknown_token_is_refused(session: AsyncSession) -> None:
    # given
    _, plaintext = await _create(session)
    # when / then
    assert await tokens.authenticate(session, plaintext + "x", now=NOW) is None
    assert await tokens.authenticate(session, "", now=NOW) is None
    assert await tokens.authenticate(session, "a" * 10_000, now=NOW) is None


async def test_a_token_works_until_it_expires(session: AsyncSession) -> None:
    # given
    expires_at = NOW + timedelta(days=30)
    _, plaintext = await _create(session, expires_at=expires_at)
    # when / then
    assert await tokens.authenticate(session, plaintext, now=expires_at - timedelta(seconds=1))
    assert await tokens.authenticate(session, plaintext, now=expires_at) is None


async def test_a_revoked_token_is_refused(session: AsyncSession) -> None:
    # given
    token, plaintext = await _create(session)
    # when
    revoked = await tokens.revoke_token(session, token_id=token.id, now=NOW)
    # then
    assert revoked.revoked_at is not None
    assert await tokens.authenticate(session, plaintext, now=NOW + timedelta(seconds=1)) is None


async def test_revoking_by_prefix_and_twice(session: AsyncSession) -> None:
    # given
    token, _ = await _create(session)
    first = await tokens.revoke_token(session, prefix=token.prefix, now=NOW)
    revoked_at = first.revoked_at
    # when: revoking again later
    again = await tokens.revoke_token(session, token_id=token.id, now=NOW + timedelta(days=1))
    # then: the first revocation time stays
    assert again.revoked_at == revoked_at


async def test_revoking_an_unknown_token_is_not_found(session: AsyncSession) -> None:
    with pytest.raises(DomainError) as caught:
        await tokens.revoke_token(session, token_id=987_654_321)
    assert caught.value.code == ErrorCode.NOT_FOUND


async def test_last_used_is_written_at_most_once_a_minute(session: AsyncSession) -> None:
    # given
    token, plaintext = await _create(session)
    # when: used three times within a minute, then once more a minute later
    await tokens.authenticate(session, plaintext, now=NOW)
    await tokens.authenticate(session, plaintext, now=NOW + timedelta(seconds=30))
    stamped = token.last_used_at
    await tokens.authenticate(session, plaintext, now=NOW + timedelta(seconds=59))
    unchanged = token.last_used_at
    await tokens.authenticate(session, plaintext, now=NOW + timedelta(seconds=61))
    # then
    assert stamped is not None and tokens.as_utc(stamped) == NOW
    assert unchanged is not None and tokens.as_utc(unchanged) == NOW
    assert token.last_used_at is not None
    assert tokens.as_utc(token.last_used_at) == NOW + timedelta(seconds=61)


async def test_staff_tokens_need_an_existing_department(session: AsyncSession) -> None:
    # when / then: none given
    with pytest.raises(DomainError) as missing:
        await _create(session, role=Role.STAFF, department_code=None)
    assert missing.value.code == ErrorCode.REQUIRED
    assert missing.value.problems[0].field == "department"
    # when / then: unknown code
    with pytest.raises(DomainError) as unknown:
        await _create(session, role=Role.STAFF, department_code="no-such-dept")
    assert unknown.value.code == ErrorCode.NOT_FOUND


async def test_no_token_for_the_public_or_without_a_name(session: AsyncSession) -> None:
    with pytest.raises(DomainError) as caught:
        await _create(session, name="  ", role=Role.PUBLIC)
    assert [p.code for p in caught.value.problems] == [ErrorCode.REQUIRED, ErrorCode.INVALID]


async def test_an_expiry_in_the_past_is_refused(session: AsyncSession) -> None:
    with pytest.raises(DomainError) as caught:
        await _create(session, expires_at=NOW - timedelta(days=1))
    assert caught.value.code == ErrorCode.INVALID


async def test_a_refused_token_is_not_stored(session: AsyncSession) -> None:
    # given
    before = await tokens.list_tokens(session)
    # when
    with pytest.raises(DomainError):
        await _create(session, role=Role.STAFF, department_code="no-such-dept")
    # then
    assert await tokens.list_tokens(session) == before


async def test_issuing_and_revoking_are_audited_without_the_secret(session: AsyncSession) -> None:
    # given
    token, plaintext = await _create(session, actor="cli:tester")
    await tokens.revoke_token(session, token_id=token.id, actor="cli:tester", now=NOW)
    # when
    events = list(
        (
            await session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.entity_type == "ApiToken")
                .where(AuditEvent.entity_id == str(token.id))
                .order_by(AuditEvent.id)
            )
        ).scalars()
    )
    # then
    assert [e.action for e in events] == ["api_token.create", "api_token.revoke"]
    assert {e.actor for e in events} == {"cli:tester"}
    assert plaintext not in str([e.changes for e in events])
    assert token.token_hash not in str([e.changes for e in events])


def test_an_expiry_date_means_through_the_end_of_that_day_in_japan() -> None:
    # when
    instant = tokens.expiry_end_of_day(date(2027, 3, 31))
    # then: 2027-04-01 00:00 JST = 2027-03-31 15:00 UTC
    assert tokens.as_utc(instant) == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
