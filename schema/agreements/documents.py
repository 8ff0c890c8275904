"""GraphQL type of a signed 協定書 (``Agreement.documents``); the bytes are downloaded
from ``downloadUrl`` (server/documents.py), uploaded by ``POST /agreements/{id}/documents``."""

from __future__ import annotations

from datetime import datetime

import strawberry

from kyodo.domain.agreements import documents
from kyodo.domain.agreements.models import AgreementDocument
from kyodo.domain.visibility import PartnerVisibility
from kyodo.schema.context import Info
from kyodo.schema.descriptions import ID
from kyodo.schema.node import to_global_id
from kyodo.schema.permissions import CanReadPartners, partner_visibility
from kyodo.schema.rows import from_row

DOWNLOAD_PATH = "/documents/{id}"


def download_path(document_id: int) -> str:
    return DOWNLOAD_PATH.format(id=to_global_id("AgreementDocument", document_id))


@strawberry.type(
    name="AgreementDocument",
    description="協定書: the signed document (PDF) of an agreement or amendment, as stored.",
)
class AgreementDocumentType:
    id: strawberry.ID = strawberry.field(description=ID)
    file_name: str = strawberry.field(description="The file's name as uploaded, e.g. 協定書.pdf.")
    media_type: str = strawberry.field(description="Always application/pdf.")
    size_bytes: int = strawberry.field(description="Size of the file, in bytes.")
    sha256: str = strawberry.field(
        description="SHA-256 of the file (hex): compare a downloaded copy against it."
    )
    uploaded_at: datetime = strawberry.field(description="When it was attached.")
    download_url: str = strawberry.field(
        description="Where to download it (GET, relative to the API's address; a bearer "
        "token of a role that may read it)."
    )
    row: strawberry.Private[AgreementDocument]

    @strawberry.field(
        description="Who attached it (the name of the token used); not shown to the public.",
        permission_classes=[CanReadPartners],
    )
    def uploaded_by(self) -> str | None:
        return self.row.uploaded_by

    @classmethod
    def from_row(cls, row: AgreementDocument) -> AgreementDocumentType:
        assert row.id is not None
        return from_row(
            cls, row, media_type=documents.MEDIA_TYPE, download_url=download_path(row.id)
        )


async def documents_of(info: Info, agreement_id: int) -> list[AgreementDocumentType]:
    """The agreement's documents the caller may download (domain.agreements.documents)."""
    batch = (
        documents.documents_by_agreement
        if partner_visibility(info.context) is PartnerVisibility.ALL
        else documents.public_documents_by_agreement
    )
    rows = await info.context.loader(batch).load(agreement_id)
    return [AgreementDocumentType.from_row(row) for row in rows]
