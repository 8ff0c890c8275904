"""The response cache: a repeated read answered from memory, never older than the data.

Each app instance (each server process) keeps the answers of recent queries. An answer is
kept under everything it depends on:

- the document (query text and operation name) and the variables, as sent;
- the caller's visibility: role and department, and the caller's name when the document
  selects ``viewer`` (the only field that shows it); the date (``Context.today``, which
  ``isInForce``, ``contactsStale``... default to);
- the data version (``domain.data_version``) read at the start of the request, before
  any data: every committed change moves it in its own transaction, so an answer kept at
  version N is served only to a request that sees version N, on any instance sharing
  the database. A request pays one small query for that check (none more with a token:
  the token lookup reads the version along, ``server.auth``).

Only answers without errors are kept; mutations never. Not kept either: documents that
select ``auditEvents`` (the personal-data access log adds events without moving the
version), and, for roles that may read audit events, ``node``/``nodes`` asked for an id
that names an audit event (or one that cannot be read as an id).

A cached answer that holds personal data is logged again like any other: the reads are
kept with the answer and handed to the personal-data access log of every request it is
served to, with that request's caller and request id.

Memory: answers are kept as their JSON bytes, least recently used first out, within
``KYODO_RESPONSE_CACHE_MB`` per process; one larger than a tenth of that is not kept.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    ListValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kyodo.domain.data_version import current_data_version
from kyodo.schema.context import Context
from kyodo.schema.node import from_global_id
from kyodo.schema.permissions import can_read_audit

log = logging.getLogger("kyodo.response_cache")

MAX_VARIABLES_BYTES = 8192
"""Requests whose variables are longer than this (as JSON) are not cached."""

Reads = tuple[tuple[tuple[str, int], tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Answer:
    version: int
    body: bytes
    reads: Reads


@dataclass(frozen=True, slots=True)
class DocumentTraits:
    selects_viewer: bool
    selects_audit: bool
    node_ids: tuple[ValueNode, ...]
    """The ``id``/``ids`` arguments of every ``node``/``nodes`` field."""


class _Fields(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.node_ids: list[ValueNode] = []

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        name = node.name.value
        self.names.add(name)
        if name in ("node", "nodes"):
            self.node_ids.extend(
                a.value for a in node.arguments or () if a.name.value in ("id", "ids")
            )


def _ids(value: ValueNode, variables: dict[str, Any]) -> list[Any]:
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        return given if isinstance(given, list) else [given]
    if isinstance(value, ListValueNode):
        return [item for v in value.values for item in _ids(v, variables)]
    if isinstance(value, StringValueNode):
        return [value.value]
    return [None]


def names_audit_event(traits: DocumentTraits, variables: dict[str, Any]) -> bool:
    """Do the ids given to node/nodes name an audit event (or one that is no id)?"""
    for value in traits.node_ids:
        for given in _ids(value, variables):
            decoded = from_global_id(given) if isinstance(given, str) else None
            if decoded is None or decoded[0] == "AuditEvent":
                return True
    return False


_traits: LRUCache[str, DocumentTraits] = LRUCache(500)


def traits_of(query: str, document: Any) -> DocumentTraits:
    traits = _traits.get(query)
    if traits is None:
        fields = _Fields()
        visit(document, fields)
        names = fields.names
        traits = DocumentTraits(
            selects_viewer="viewer" in names,
            selects_audit="auditEvents" in names,
            node_ids=tuple(fields.node_ids),
        )
        _traits[query] = traits
    return traits


class ResponseStore:
    """The answers one app instance keeps (``KYODO_RESPONSE_CACHE``)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_entry = max(max_bytes // 10, 1)
        self.answers: LRUCache[tuple[Any, ...], Answer] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda answer: len(answer.body) + 256
        )
        self.version = -1
        self.hits = 0
        self.misses = 0

    def _see(self, version: int) -> None:
        if version > self.version:
            # Everything kept is older than what this request sees: free it at once.
            self.answers.clear()
            self.version = version

    def get(self, key: tuple[Any, ...], version: int) -> Answer | None:
        self._see(version)
        answer = self.answers.get(key)
        if answer is None or answer.version != version:
            self.misses += 1
            return None
        self.hits += 1
        return answer

    def peek(self, key: tuple[Any, ...]) -> Answer | None:
        """The answer kept for ``key`` whatever its version (not counted): the fast path
        checks its version and logs its reads in one statement (``served`` then)."""
        return self.answers.get(key)

    def served(self, answer: Answer) -> None:
        """``answer`` (from :meth:`peek`) was found current and served."""
        self._see(answer.version)
        self.hits += 1

    def put(self, key: tuple[Any, ...], answer: Answer) -> None:
        self._see(answer.version)
        if answer.version == self.version and len(answer.body) <= self.max_entry:
            self.answers[key] = answer


@dataclass(slots=True)
class _Pending:
    key: tuple[Any, ...]
    version: int


class ResponseCache(SchemaExtension):
    """Serves and keeps answers of queries (``Context.response_store``; None: off).

    Listed before the compiled read path and the personal-data access log: a hit skips
    both planning and execution, and the log (which runs after execution) logs the reads
    kept with the answer. Its own work after execution comes last, once the log has
    written (or withheld) the answer.
    """

    def __init__(self) -> None:
        self.pending: _Pending | None = None

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        store = getattr(context, "response_store", None)
        if isinstance(context, Context) and store is not None and not execution.result:
            await self.look_up(context, store)
        yield
        if self.pending is not None and isinstance(context, Context):
            self.keep(context, store)

    def key_of(self, context: Context) -> tuple[Any, ...] | None:
        execution = self.execution_context
        query, document = execution.query, execution.graphql_document
        if query is None or document is None:
            return None
        if execution.operation_type is not OperationType.QUERY:
            return None
        return cache_key(
            execution.schema,
            query,
            document,
            execution.operation_name,
            execution.variables,
            context,
        )

    async def look_up(self, context: Context, store: ResponseStore) -> None:
        try:
            key = self.key_of(context)
        except (TypeError, orjson.JSONEncodeError):
            return  # variables JSON cannot hold (they came as JSON, so never in practice)
        if key is None:
            return
        try:
            version = context.data_version
            if version is None:
                async with context.lock:
                    version = await current_data_version(context.session)
        except Exception as error:
            # Execution meets the same trouble next and reports it its way.
            log.debug("data version not read (%s); not cached", type(error).__name__)
            async with context.lock:
                await _rollback(context)
            return
        answer = store.get(key, version)
        if answer is None:
            self.pending = _Pending(key, version)
            return
        for (entity_type, pk), fields in answer.reads:
            for field_name in fields:
                context.note_personal_read(entity_type, pk, field_name)
        self.execution_context.result = GraphQLExecutionResult(
            data=orjson.loads(answer.body), errors=None
        )
        context.response_cache_hit = True

    def keep(self, context: Context, store: ResponseStore) -> None:
        pending, self.pending = self.pending, None
        result = self.execution_context.result
        if pending is None or result is None or getattr(result, "errors", None):
            return
        data = getattr(result, "data", None)
        if data is None:
            return
        try:
            body = orjson.dumps(data)
        except TypeError:
            return
        reads = tuple(
            (key, tuple(sorted(fields))) for key, fields in sorted(context.logged_reads.items())
        )
        store.put(pending.key, Answer(pending.version, body, reads))


def cache_key(
    schema: Any,
    query: str,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Context,
) -> tuple[Any, ...] | None:
    """The key of a query's answer (see the module's docstring), or None: not cached.
    Raises TypeError / orjson.JSONEncodeError for variables JSON cannot hold."""
    traits = traits_of(query, document)
    if traits.selects_audit:
        return None
    variables_given = variables or {}
    if traits.node_ids and can_read_audit(context) and names_audit_event(traits, variables_given):
        return None
    encoded = orjson.dumps(variables_given, option=orjson.OPT_SORT_KEYS)
    if len(encoded) > MAX_VARIABLES_BYTES:
        return None
    principal = context.principal
    return (
        id(schema),
        query,
        operation_name,
        encoded,
        principal.role,
        principal.department_code,
        principal.name if traits.selects_viewer else None,
        context.today,
    )


async def _rollback(context: Context) -> None:
    try:
        await context.session.rollback()
    except Exception:  # the connection itself may be gone; execution will say so
        log.debug("rollback after a failed version read failed", exc_info=True)


__all__ = ["Answer", "ResponseCache", "ResponseStore", "cache_key", "traits_of"]
