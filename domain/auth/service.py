"""Issuing, checking and revoking API tokens.

A token is 32 random bytes (``secrets.token_urlsafe(32)``). Only its SHA-256 digest is
stored: with that much entropy a fast hash is enough (there is nothing to brute-force, so
a slow password hash would only cost time on every request), and the digest lets a
request find its token by an indexed equality lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.log import record_event
from kyodo.domain.auth.models import ApiToken
from kyodo.domain.base import utcnow
from kyodo.domain.data_version import data_version_column
from kyodo.domain.enums import Role
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.japanese import TOKYO
from kyodo.domain.reference.service import get_department_by_code
from kyodo.domain.validation import max_length

PREFIX_LENGTH = 8
MAX_TOKEN_LENGTH = 256
NAME_MAX_LENGTH = max_length(ApiToken.name)
# last_used_at is informational: writing it on every request would turn every read into
# a write, so it is refreshed at most once per this interval.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """Who a valid token stands for; the server turns it into the request's principal."""

    token_id: int
    name: str
    role: Role
    department_code: str | None


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def as_utc(value: datetime) -> datetime:
    """A timezone-aware instant in UTC (SQLite hands stored instants back naive, in UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def expiry_end_of_day(last_valid_day: date) -> datetime:
    """The instant a token given "expires 2027-03-31" stops working: the end of that day,
    Japan time (2027-04-01 00:00 JST)."""
    return datetime.combine(last_valid_day + timedelta(days=1), time(0), tzinfo=TOKYO)


def is_active(token: ApiToken, *, now: datetime) -> bool:
    """Neither revoked nor expired at ``now``."""
    if token.revoked_at is not None:
        return False
    return token.expires_at is None or as_utc(token.expires_at) > as_utc(now)


async def create_token(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    department_code: str | None = None,
    expires_at: datetime | None = None,
    actor: str = "cli",
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token; returns the stored row and the token itself, which exists nowhere
    else afterwards. STAFF tokens are bound to an existing department."""
    now = as_utc(now or utcnow())
    name = name.strip()
    problems: list[tuple[ErrorCode, str, str]] = []
    if not name:
        problems.append((ErrorCode.REQUIRED, "名前（誰のトークンか）を入力してください。", "name"))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(
            (ErrorCode.INVALID, f"名前は {NAME_MAX_LENGTH} 文字以内にしてください。", "name")
        )
    if role == Role.PUBLIC:
        problems.append(
            (
                ErrorCode.INVALID,
                "PUBLIC は認証なしの利用者です。トークンは発行できません。",
                "role",
            )
        )
    if role == Role.STAFF and not department_code:
        problems.append(
            (ErrorCode.REQUIRED, "STAFF のトークンには担当課コードが必要です。", "department")
        )
    if department_code and await get_department_by_code(session, department_code) is None:
        problems.append(
            (
                ErrorCode.NOT_FOUND,
                f"担当課コード「{department_code}」は登録されていません。",
                "department",
            )
        )
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        if as_utc(expires_at) <= now:
            problems.append((ErrorCode.INVALID, "有効期限は未来の日時にしてください。", "expires"))
    if problems:
        raise DomainError(problems=[Problem(code, msg, fld) for code, msg, fld in problems])

    plaintext = secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        role=role,
        department_code=department_code or None,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        created_at=now,
        expires_at=as_utc(expires_at) if expires_at is not None else None,
    )
    session.add(token)
    await _recorded(
        session,
        token,
        actor=actor,
        action="api_token.create",
        changes={
            "name": token.name,
            "role": token.role,
            "department_code": token.department_code,
            "prefix": token.prefix,
            "expires_at": token.expires_at,
        },
    )
    return token, plaintext


async def _recorded(
    session: AsyncSession, token: ApiToken, *, actor: str, action: str, changes: dict[str, Any]
) -> None:
    """Flush ``token`` and record its change in the audit log."""
    await session.flush()
    assert token.id is not None
    await record_event(
        session,
        actor=actor,
        action=action,
        entity_type="ApiToken",
        entity_id=token.id,
        changes=changes,
    )


async def find_active_token(session: AsyncSession, token: str, *, now: datetime) -> ApiToken | None:
    """The stored token ``token`` is, when it is known, unexpired and not revoked. Reads only."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    stmt = sa.select(ApiToken).where(col(ApiToken.token_hash) == digest)
    row = (await session.execute(stmt)).scalar_one_or_none()
    # The lookup already matched the digest; comparing again in constant time costs
    # nothing and keeps the check independent of how the database compares strings.
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if not is_active(row, now=now):
        return None
    return row


async def find_active_token_and_data_version(
    session: AsyncSession, token: str, *, now: datetime
) -> tuple[ApiToken | None, int | None]:
    """``find_active_token``, and the data version (``domain.data_version``) read by the
    same statement: for the HTTP edge, whose response cache needs both first."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None, None
    digest = hash_token(token)
    stmt = sa.select(ApiToken, data_version_column()).where(col(ApiToken.token_hash) == digest)
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        return None, None
    row, version = found
    if not hmac.compare_digest(row.token_hash, digest) or not is_active(row, now=now):
        return None, int(version or 0)
    return row, int(version or 0)


def identity_of(row: ApiToken) -> TokenIdentity:
    assert row.id is not None
    return TokenIdentity(
        token_id=row.id, name=row.name, role=row.role, department_code=row.department_code
    )


def use_is_due(row: ApiToken, *, now: datetime) -> bool:
    """Is ``last_used_at`` older than ``LAST_USED_RESOLUTION`` (or unset)?"""
    return (
        row.last_used_at is None or as_utc(row.last_used_at) <= as_utc(now) - LAST_USED_RESOLUTION
    )


async def record_use(session: AsyncSession, token_id: int, *, now: datetime) -> None:
    """Refresh ``last_used_at`` unless it is less than ``LAST_USED_RESOLUTION`` old.

    One UPDATE whose condition is that rule, so requests racing with one token write it
    once. Callers that only read otherwise run it in a write transaction of its own
    (``domain.transactions.begin_write``): on SQLite a read transaction cannot safely
    turn into a write.
    """
    now = as_utc(now)
    last_used = col(ApiToken.last_used_at)
    await session.execute(
        sa.update(ApiToken)
        .where(
            col(ApiToken.id) == token_id,
            sa.or_(last_used.is_(None), last_used <= now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session="fetch")
    )


async def authenticate(session: AsyncSession, token: str, *, now: datetime) -> TokenIdentity | None:
    """Who ``token`` stands for, or None when it is unknown, expired or revoked.

    Refreshes ``last_used_at`` (``record_use``; the caller commits) in the same
    transaction: for callers already in a write transaction. The HTTP edge reads with
    ``find_active_token`` and records the use in a transaction of its own.
    """
    row = await find_active_token(session, token, now=now)
    if row is None:
        return None
    identity = identity_of(row)
    if use_is_due(row, now=now):
        await record_use(session, identity.token_id, now=now)
    return identity


async def list_tokens(session: AsyncSession) -> list[ApiToken]:
    """Every token ever issued (revoked and expired ones included), oldest first."""
    stmt = sa.select(ApiToken).order_by(col(ApiToken.id))
    return list((await session.execute(stmt)).scalars())


async def get_token_or_raise(
    session: AsyncSession, *, token_id: int | None = None, prefix: str | None = None
) -> ApiToken:
    """One token by id or by its (unambiguous) prefix."""
    if (token_id is None) == (prefix is None):
        raise ValueError("give exactly one of token_id and prefix")
    stmt = sa.select(ApiToken)
    if token_id is not None:
        stmt = stmt.where(col(ApiToken.id) == token_id)
        label = f"ID {token_id}"
    else:
        stmt = stmt.where(col(ApiToken.prefix) == prefix)
        label = f"先頭「{prefix}」"
    rows: Sequence[ApiToken] = list((await session.execute(stmt.limit(2))).scalars())
    if not rows:
        raise DomainError(ErrorCode.NOT_FOUND, f"{label} のトークンはありません。", "token")
    if len(rows) > 1:
        raise DomainError(
            ErrorCode.INVALID,
            f"{label} に当てはまるトークンが複数あります。ID で指定してください。",
            "token",
        )
    return rows[0]


async def revoke_token(
    session: AsyncSession,
    *,
    token_id: int | None = None,
    prefix: str | None = None,
    actor: str = "cli",
    now: datetime | None = None,
) -> ApiToken:
    """Revoke a token for good; it stops working with the next request.

    Revoking an already revoked token changes nothing (the first revocation time stays).
    """
    token = await get_token_or_raise(session, token_id=token_id, prefix=prefix)
    if token.revoked_at is not None:
        return token
    token.revoked_at = as_utc(now or utcnow())
    await _recorded(
        session,
        token,
        actor=actor,
        action="api_token.revoke",
        changes={"revoked_at": token.revoked_at},
    )
    return token
