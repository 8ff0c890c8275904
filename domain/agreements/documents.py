"""協定書: the signed documents (PDF) of agreements and amendments (issue 11 item 12).

One rule for every path that stores a document (the upload route, ``kyodo restore``, the
demo data): the bytes are a PDF — they begin with ``%PDF-`` and end with ``%%EOF``
(within the last kilobyte, as readers allow), whatever the client called them — no
larger than the operator's limit (``KYODO_MAX_DOCUMENT_BYTES``), and their SHA-256 and
size are stored with them, so a restored or downloaded copy can be checked against it.
The same file attached twice to one agreement is refused (``DUPLICATE``), and one
agreement holds at most ``MAX_DOCUMENTS``.

Who may download (rule 13, 第2章2): agreements are public, but a signed 協定書 names
and seals the people who signed it. Every role that reads personal data may download
every document; PUBLIC only those of a concluded agreement (IN_FORCE, EXPIRED or
TERMINATED: the signed text the city publishes) none of whose parties is hidden from
it (``domain.visibility.PartnerVisibility``: an individual volunteer is personal data
altogether).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer, undefer
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements.models import Agreement, AgreementDocument, AgreementParty
from kyodo.domain.enums import AgreementStatus
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.partners.models import Partner
from kyodo.domain.versioning import get_or_raise
from kyodo.domain.visibility import PartnerVisibility
from kyodo.domain.writes import Audited, fields_snapshot

ENTITY = "AgreementDocument"
MEDIA_TYPE = "application/pdf"
PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
END_WINDOW = 1024
"""``%%EOF`` must lie within the file's last kilobyte (readers tolerate trailing bytes)."""
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_DOCUMENTS = 20
"""Documents one agreement holds at most (the signed original, scans, annexes)."""
FIELDS = ("agreement_id", "file_name", "size_bytes", "sha256", "uploaded_by")
DOCUMENTS = Audited(
    AgreementDocument, entity_type=ENTITY, label="協定書", snapshot=fields_snapshot(FIELDS)
)
"""Documents are only ever added: the pipeline records their attachment."""

CONTENT_FIELD = "content"
"""Where a problem of the file itself is reported (the body of the upload)."""

SIGNED_STATUSES = frozenset(
    {AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED}
)
"""Statuses of an agreement that was concluded: its signed document may be public."""


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def size_text(size: int) -> str:
    mib, rest = divmod(size, 1024 * 1024)
    return f"{mib} MiB" if not rest else f"{size:,} バイト"


def content_problems(content: bytes, *, max_bytes: int | None) -> list[Problem]:
    """Why ``content`` cannot be stored as a 協定書 (empty when it can)."""
    field = CONTENT_FIELD
    if not content:
        return [Problem(ErrorCode.REQUIRED, "協定書のファイルが空です。", field)]
    if max_bytes is not None and len(content) > max_bytes:
        return [
            Problem(
                ErrorCode.INVALID,
                f"協定書のファイルが大きすぎます（{len(content):,} バイト。"
                f"上限 {size_text(max_bytes)}）。",
                field,
            )
        ]
    if not content.startswith(PDF_MAGIC):
        return [
            Problem(
                ErrorCode.INVALID,
                "協定書は PDF にしてください（ファイルの先頭が %PDF- ではありません）。",
                field,
            )
        ]
    if PDF_END not in content[-END_WINDOW:]:
        return [
            Problem(
                ErrorCode.INVALID,
                "PDF が途中で切れています（終わりの %%EOF がありません）。"
                "ファイルをもう一度送ってください。",
                field,
            )
        ]
    return []


def clean_file_name(problems: v.Problems, name: str | None) -> str | None:
    """The name to store: the last part of a path a browser may send, NFC, trimmed; no
    control characters (they would break the download's Content-Disposition)."""
    field = "file_name"
    text = v.clean_text(name)
    if isinstance(text, str):
        text = v.clean_text(unicodedata.normalize("NFC", text.replace("\\", "/").rsplit("/")[-1]))
    if text is None:
        problems.add(
            ErrorCode.REQUIRED, "ファイル名を指定してください（例: fileName=協定書.pdf）。", field
        )
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        problems.add(ErrorCode.INVALID, "ファイル名に制御文字は使えません。", field)
        return None
    return v.column_text(
        problems, text, AgreementDocument.file_name, label="ファイル名", field=field
    )


async def attach_document(
    session: AsyncSession,
    *,
    agreement_id: int,
    file_name: str | None,
    content: bytes,
    max_bytes: int,
    actor: str,
) -> AgreementDocument:
    """Store the signed document of an agreement (or amendment), with its SHA-256, and
    its one audit event. Any problem raises ``DomainError`` before anything is written."""
    agreement = await get_or_raise(session, Agreement, agreement_id, label="協定")
    problems = v.Problems()
    name = clean_file_name(problems, file_name)
    problems.extend(content_problems(content, max_bytes=max_bytes))
    problems.raise_if_any()
    assert name is not None and agreement.id is not None
    digest = sha256_hex(content)
    stored = (
        await session.execute(
            sa.select(col(AgreementDocument.sha256), col(AgreementDocument.file_name)).where(
                col(AgreementDocument.agreement_id) == agreement.id
            )
        )
    ).all()
    same = next((name for sha, name in stored if sha == digest), None)
    if same is not None:
        raise DomainError(
            ErrorCode.DUPLICATE,
            f"同じ内容の協定書がこの協定に登録済みです（{same}）。",
            CONTENT_FIELD,
        )
    if len(stored) >= MAX_DOCUMENTS:
        raise DomainError(
            ErrorCode.INVALID,
            f"協定書は1つの協定に{MAX_DOCUMENTS}件までです。",
            CONTENT_FIELD,
        )
    row = AgreementDocument(
        agreement_id=agreement.id,
        file_name=name,
        size_bytes=len(content),
        sha256=digest,
        uploaded_by=actor,
        content=content,
    )
    return await DOCUMENTS.insert(session, row, actor=actor, action="agreement_document.attach")


def stored_problem(values: Mapping[str, Any]) -> str | None:
    """Why a stored row (one of a dump being restored) is no intact 協定書: the bytes are
    no PDF, or their size or SHA-256 differs from the one recorded with them."""
    content = values.get("content")
    if not isinstance(content, bytes):
        return "協定書の内容がありません"
    problems = content_problems(content, max_bytes=None)
    if problems:
        return problems[0].message.rstrip("。")
    if values.get("size_bytes") != len(content):
        return f"大きさが記録（{values.get('size_bytes')} バイト）と合いません"
    if values.get("sha256") != sha256_hex(content):
        return "SHA-256 が記録と合いません（内容が変わっています）"
    return None


# ---------------------------------------------------------------- reading


def document_order(document: Any = AgreementDocument) -> list[Any]:
    """An agreement's documents, oldest first (on ``document``: the table or an alias)."""
    return [document.uploaded_at, document.id]


async def documents_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[AgreementDocument]]:
    """Each agreement's documents, oldest first, without their bytes (a DataLoader batch)."""
    stmt = (
        sa.select(AgreementDocument)
        .options(defer(AgreementDocument.content))  # type: ignore[arg-type]
        .where(col(AgreementDocument.agreement_id).in_(list(agreement_ids)))
        .order_by(*document_order())
    )
    grouped: dict[int, list[AgreementDocument]] = {pk: [] for pk in agreement_ids}
    for row in (await session.execute(stmt)).scalars():
        grouped[row.agreement_id].append(row)
    return [grouped[pk] for pk in agreement_ids]


async def public_documents_by_agreement(
    session: AsyncSession, agreement_ids: Sequence[int]
) -> list[list[AgreementDocument]]:
    """``documents_by_agreement`` as PUBLIC may see them: none where it may not download."""
    hidden = await hidden_agreements(session, agreement_ids, PartnerVisibility.ORGANISATIONS)
    shown = [pk for pk in agreement_ids if pk not in hidden]
    found = dict(zip(shown, await documents_by_agreement(session, shown), strict=True))
    return [found.get(pk, []) for pk in agreement_ids]


def downloadable(agreement: Any, visibility: PartnerVisibility) -> list[sa.ColumnElement[bool]]:
    """The one rule of who may download an agreement's documents, as SQL on ``agreement``
    (the Agreement table or an alias of it): everyone the city's staff; others only
    a signed agreement none of whose parties they may not see (a signed 協定書 names and
    seals its parties). Empty when every document may be downloaded."""
    if visibility is PartnerVisibility.ALL:
        return []
    party = aliased(AgreementParty)
    partner = aliased(Partner)
    hidden_party = (
        sa.select(col(party.agreement_id))
        .join(partner, col(partner.id) == col(party.partner_id))
        .where(
            col(party.agreement_id) == agreement.id,
            sa.not_(sa.and_(*visibility.conditions(partner))),
        )
        .correlate(agreement)
    )
    return [agreement.status.in_(sorted(SIGNED_STATUSES)), ~hidden_party.exists()]


async def hidden_agreements(
    session: AsyncSession, agreement_ids: Sequence[int], visibility: PartnerVisibility
) -> set[int]:
    """Of ``agreement_ids``, those whose documents ``visibility`` may not download."""
    conditions = downloadable(Agreement, visibility)
    if not conditions or not agreement_ids:
        return set()
    stmt = sa.select(col(Agreement.id)).where(
        col(Agreement.id).in_(list(agreement_ids)), sa.not_(sa.and_(*conditions))
    )
    return {pk for pk in (await session.execute(stmt)).scalars() if pk is not None}


async def get_document(session: AsyncSession, document_id: int) -> AgreementDocument | None:
    """One document with its bytes (for the download)."""
    stmt = (
        sa.select(AgreementDocument)
        .where(col(AgreementDocument.id) == document_id)
        .options(undefer(AgreementDocument.content))  # type: ignore[arg-type]
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()
