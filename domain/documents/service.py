"""Registering, finding and removing trusted documents (``trusted_document``).

The table, not a file, holds them: every app instance on one database sees a document
as soon as ``kyodo documents register`` has committed it. What a document is (parsing,
validation against the schema, ids) is decided by the caller (``server.cli.documents``);
here they are stored, found and removed, all or nothing, one audit event per document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.audit.log import record_event
from kyodo.domain.batches import rows_by_ids
from kyodo.domain.documents.models import TrustedDocument
from kyodo.domain.errors import DomainError, ErrorCode, Problem

MAX_ID_LENGTH = 128


def sha256_of(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewDocument:
    id: str
    body: str
    operation_name: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Registered:
    created: list[str]
    unchanged: list[str]


async def register_documents(
    session: AsyncSession, documents: Sequence[NewDocument], *, actor: str
) -> Registered:
    """Store ``documents`` (all or none). Registering a document again changes nothing;
    an id already registered with another body is refused (an id names one text)."""
    problems: list[Problem] = []
    wanted: dict[str, NewDocument] = {}
    for document in documents:
        if not document.id or len(document.id) > MAX_ID_LENGTH:
            problems.append(
                Problem(
                    ErrorCode.INVALID,
                    f"ドキュメント ID は 1〜{MAX_ID_LENGTH} 文字にしてください（{document.source}）。",
                    "id",
                )
            )
            continue
        earlier = wanted.get(document.id)
        if earlier is not None and earlier.body != document.body:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    f"ID {document.id} に違う本文が二つあります（{earlier.source}、{document.source}）。",
                    "id",
                )
            )
        wanted[document.id] = document
    stored = await rows_by_ids(session, TrustedDocument, wanted)
    for document_id, document in wanted.items():
        row = stored.get(document_id)
        if row is not None and row.body != document.body:
            problems.append(
                Problem(
                    ErrorCode.DUPLICATE,
                    f"ID {document_id} は別の本文で登録済みです（{row.source or '出どころ不明'}）。"
                    "先に kyodo documents remove で削除してください。",
                    "id",
                )
            )
    if problems:
        raise DomainError(problems=problems)
    created: list[str] = []
    for document_id, document in wanted.items():
        if document_id in stored:
            continue
        session.add(
            TrustedDocument(
                id=document_id,
                sha256=sha256_of(document.body),
                operation_name=document.operation_name,
                body=document.body,
                source=document.source[:500],
            )
        )
        created.append(document_id)
    await session.flush()
    for document_id in created:
        document = wanted[document_id]
        await _recorded(
            session,
            document_id,
            actor=actor,
            action="trusted_document.register",
            changes={"operationName": document.operation_name, "source": document.source},
        )
    return Registered(created, [d for d in wanted if d in stored])


async def _recorded(
    session: AsyncSession, document_id: str, *, actor: str, action: str, changes: dict[str, Any]
) -> None:
    """The audit event of a change to the stored document ``document_id``."""
    await record_event(
        session,
        actor=actor,
        action=action,
        entity_type="TrustedDocument",
        entity_id=document_id[:100],
        changes=changes,
    )


async def list_documents(session: AsyncSession) -> list[TrustedDocument]:
    stmt = sa.select(TrustedDocument).order_by(
        col(TrustedDocument.registered_at), col(TrustedDocument.id)
    )
    return list((await session.execute(stmt)).scalars())


async def remove_documents(
    session: AsyncSession, document_ids: Sequence[str], *, actor: str
) -> list[str]:
    """Remove the documents (all named ids must exist, else nothing is removed)."""
    rows = await rows_by_ids(session, TrustedDocument, document_ids)
    missing = [d for d in document_ids if d not in rows]
    if missing:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            f"登録されていないドキュメント ID です: {'、'.join(missing)}",
            "id",
        )
    for document_id in dict.fromkeys(document_ids):
        await session.delete(rows[document_id])
        await _recorded(
            session,
            document_id,
            actor=actor,
            action="trusted_document.remove",
            changes={"operationName": rows[document_id].operation_name},
        )
    await session.flush()
    return list(dict.fromkeys(document_ids))


async def find_body(session: AsyncSession, document_id: str) -> str | None:
    """The registered text of ``document_id``, or None."""
    if not document_id or len(document_id) > MAX_ID_LENGTH:
        return None
    stmt = sa.select(col(TrustedDocument.body)).where(col(TrustedDocument.id) == document_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def is_registered_text(session: AsyncSession, body: str) -> bool:
    """Is this exact text registered (under any id)?"""
    stmt = (
        sa.select(sa.literal(1))
        .select_from(TrustedDocument)
        .where(col(TrustedDocument.sha256) == sha256_of(body))
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def all_bodies(session: AsyncSession) -> list[str]:
    stmt = sa.select(col(TrustedDocument.body)).distinct()
    return list((await session.execute(stmt)).scalars())


__all__ = [
    "MAX_ID_LENGTH",
    "NewDocument",
    "Registered",
    "all_bodies",
    "find_body",
    "is_registered_text",
    "list_documents",
    "register_documents",
    "remove_documents",
    "sha256_of",
]
