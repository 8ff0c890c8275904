"""Trusted documents: operations of the front ends, registered ahead and sent by id."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from kyodo.domain.base import SQLModel, utcnow


class TrustedDocument(SQLModel, table=True):
    """One registered operation (with the fragments it uses), as clients send it.

    ``id`` is what a client sends instead of the text: the SHA-256 (hex) of ``body`` for
    documents registered from ``.graphql`` files and Apollo manifests, the client's own id
    for a Relay ``persisted_queries.json``. ``sha256`` is always the body's digest, so a
    text sent in full can be recognised as registered.
    """

    __tablename__ = "trusted_document"

    id: str = Field(primary_key=True, max_length=128)
    sha256: str = Field(max_length=64, index=True, nullable=False)
    operation_name: str | None = Field(default=None, max_length=200)
    body: str = Field(sa_type=sa.Text, nullable=False)
    source: str = Field(default="", max_length=500, nullable=False)
    registered_at: datetime = Field(
        default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False
    )
