"""Trusted documents at the HTTP edge: a request may name a registered document by id.

What front ends send (each is understood):

| client | request |
|---|---|
| Apollo Client (``PersistedQueryLink``), Apollo iOS/Kotlin | ``"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}`` (with ``query`` on its retry) |
| GraphQL-over-HTTP persisted documents | ``"documentId": "sha256:<hex>"`` (or another id) |
| Relay (``persistConfig``) | ``"doc_id": "<id>"`` |

The id is looked up in ``trusted_document`` (``domain.documents``); the registered text
then goes through the API exactly like a text sent in full (and shares its caches: parse,
validation, cost, plans, responses). ``KYODO_TRUSTED_DOCUMENTS``:

- ``accept`` (default): ids and texts are both accepted. An unknown id is answered
  ``PERSISTED_QUERY_NOT_FOUND``, which tells Apollo's link to send the text instead.
- ``only`` (production, once the front ends register their operations): a request must
  name a registered document, or send the exact text of one; anything else is refused
  with ``PERSISTED_QUERY_NOT_IN_LIST`` before it is parsed.

Instances keep what they looked up for ``CACHE_SECONDS``: a removed document is refused
by every instance within that time. An unknown id is looked up every time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

import orjson
import strawberry
from cachetools import TTLCache
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kyodo.domain.documents import service as documents
from kyodo.schema.document_cache import prepare

log = logging.getLogger("kyodo.documents")

Mode = Literal["accept", "only"]
CACHE_SECONDS = 60
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
SHA256_PREFIX = "sha256:"


def _error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def requested_id(body: Mapping[str, Any], extensions: Mapping[str, Any] | None) -> Any:
    """The document id a request names, if any (see the table above)."""
    for key in ("documentId", "doc_id"):
        if body.get(key) is not None:
            return body[key]
    persisted = (extensions or {}).get("persistedQuery")
    if isinstance(persisted, Mapping) and persisted.get("sha256Hash") is not None:
        return persisted["sha256Hash"]
    return None


def normalised(document_id: str) -> str:
    """``sha256:<hex>`` (the GraphQL-over-HTTP form) and ``<hex>`` name the same document."""
    if document_id.startswith(SHA256_PREFIX):
        return document_id[len(SHA256_PREFIX) :].lower()
    return document_id


class TrustedDocuments:
    """One app instance's view of the registry (ids looked up, texts known registered)."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.bodies: TTLCache[str, str] = TTLCache(maxsize=2000, ttl=CACHE_SECONDS)
        self.registered_texts: TTLCache[str, bool] = TTLCache(maxsize=2000, ttl=CACHE_SECONDS)

    async def body_of(self, session: AsyncSession, document_id: str) -> str | None:
        body = self.bodies.get(document_id)
        if body is None:
            body = await documents.find_body(session, document_id)
            if body is not None:
                self.bodies[document_id] = body
        return body

    async def is_registered(self, session: AsyncSession, text: str) -> bool:
        if text in self.registered_texts:
            return True
        if await documents.is_registered_text(session, text):
            self.registered_texts[text] = True
            return True
        return False

    async def resolve(
        self,
        session: AsyncSession,
        *,
        query: str | None,
        body: Mapping[str, Any] | None,
        extensions: Mapping[str, Any] | None,
    ) -> tuple[str | None, GraphQLError | None]:
        """(the text to execute, or the refusal). ``body``: the request's JSON object,
        read only when it carries no query (a request by id is small)."""
        document_id = requested_id(body or {}, extensions)
        if document_id is not None and not isinstance(document_id, str):
            return None, _error(
                "ドキュメント ID は文字列で送ってください。", "INVALID", documentId=None
            )
        if document_id is not None and query is None:
            found = await self.body_of(session, normalised(document_id))
            if found is None:
                return None, self.not_found(document_id)
            return found, None
        if query is None or self.mode == "accept":
            return query, None  # no query at all: Strawberry answers 400
        if document_id is not None:
            found = await self.body_of(session, normalised(document_id))
            if found is not None:
                return found, None
        if await self.is_registered(session, query):
            return query, None
        log.info("refused: %s (a text that is not registered)", NOT_IN_LIST)
        return None, _error(
            "このサーバーは登録済みのクエリ（trusted documents）しか受け付けません。"
            "フロントエンドの操作を kyodo documents register で登録し、ID で送ってください。",
            NOT_IN_LIST,
        )

    def not_found(self, document_id: str) -> GraphQLError:
        shown = document_id[:80]
        if self.mode == "only":
            advice = "kyodo documents register で登録してください。"
        else:
            advice = "kyodo documents register で登録するか、クエリの本文を送ってください。"
        return _error(
            f"登録されていないドキュメント ID です（{shown}）。{advice}",
            NOT_FOUND,
            documentId=shown,
        )


async def prepare_trusted_documents(
    maker: async_sessionmaker[AsyncSession], schema: strawberry.Schema
) -> int:
    """Parse and validate every registered document now, at startup, so that the first
    request naming one finds it done (``schema.document_cache.prepare``). Returns how
    many were prepared. A database that cannot be read now is no reason not to start:
    documents are then prepared at first use."""
    try:
        async with maker() as session:
            bodies = await documents.all_bodies(session)
    except Exception as error:
        log.warning("trusted documents not prepared at startup (%s)", type(error).__name__)
        return 0
    prepared = 0
    for body in bodies:
        if prepare(schema, body):
            prepared += 1
    if bodies:
        log.info("prepared %d of %d trusted documents", prepared, len(bodies))
    return prepared


def parse_body(raw: bytes) -> Mapping[str, Any] | None:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


__all__ = [
    "CACHE_SECONDS",
    "NOT_FOUND",
    "NOT_IN_LIST",
    "Mode",
    "TrustedDocuments",
    "normalised",
    "parse_body",
    "prepare_trusted_documents",
    "requested_id",
]
