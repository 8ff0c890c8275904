"""The error policy at the edge (``SafeErrors``): what an error says when it leaves the API."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    GraphQLError,
)
from strawberry.extensions import (
    SchemaExtension,
)
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from kyodo.domain.errors import DomainError
from kyodo.schema.database_trouble import DatabaseTrouble, database_trouble
from kyodo.schema.errors import input_path

log = logging.getLogger("kyodo.errors")

UNEXPECTED_ERROR_MESSAGE = "Unexpected error."

# Codes of graphql-core's own errors (SafeErrors.request_error_code).
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
"""The variables do not fit the operation's variable definitions."""
OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"
"""A query or mutation sent over WebSocket, where only subscriptions run."""
ONLY_SUBSCRIPTIONS = (
    "WebSocket では購読（subscription）だけを受け付けます。"
    "クエリとミューテーションは HTTP の POST で /graphql に送ってください。"
)
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
"""No single operation to run: several and no ``operationName``, or none of that name."""

_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)
_LIMIT_MESSAGES: list[tuple[re.Pattern[str], str, Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"exceeds maximum operation depth of (\d+)"),
        "QUERY_TOO_DEEP",
        lambda m: f"クエリの入れ子が深すぎます（上限 {m.group(1)} 階層）。クエリを分けてください。",
    ),
    (
        re.compile(r"^(\d+) aliases found\. Allowed: (\d+)"),
        "TOO_MANY_ALIASES",
        lambda m: (
            f"別名（alias）が多すぎます（{m.group(1)} 個、上限 {m.group(2)} 個）。"
            "クエリを分けてください。"
        ),
    ),
    (
        re.compile(r"Document contains more than (\d+) tokens"),
        "TOO_MANY_TOKENS",
        lambda m: f"クエリが長すぎます（上限 {m.group(1)} トークン）。クエリを分けてください。",
    ),
]


def strip_suggestions(message: str) -> str:
    """Drop graphql-core's "Did you mean ...?" hints: they let anyone map a schema whose
    introspection is off, one typo at a time."""
    return _SUGGESTION.sub("", message)


def _given_arguments(error: GraphQLError, operation: OperationType) -> frozenset[str] | None:
    """For a mutation, the arguments the failed field was given in the document (None:
    a query or subscription, whose problems name their arguments)."""
    if operation is not OperationType.MUTATION:
        return None
    node = error.nodes[0] if error.nodes else None
    return frozenset(a.name.value for a in getattr(node, "arguments", None) or ())


def _copy(error: GraphQLError, message: str, extensions: dict[str, Any] | None) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class SafeErrors(SchemaExtension):
    """The error policy at the edge.

    - An error raised on purpose (a GraphQLError such as the INVALID of ``first > 100``,
      or a DomainError) keeps its message and code.
    - Database trouble (``schema.database_trouble``) becomes DATABASE_UNAVAILABLE or
      TIMEOUT with the request id, logged as one line: it is no bug.
    - Any other exception in a resolver becomes "Unexpected error." with
      ``extensions.code = INTERNAL_SERVER_ERROR`` and the request id; the exception is
      logged in full with that id.
    - Limit errors get a code and a Japanese message; field suggestions are removed.
    - graphql-core's own errors keep their standard English message and get a code:
      GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT (variables) or
      OPERATION_RESOLUTION_FAILURE (which operation to run).
    """

    executing = False
    """Set once execution begins: an error without a path from then on is about the
    variables or the operation name, not the document."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            result.errors = [self.process(error) for error in result.errors]

    def on_execute(self) -> Iterator[None]:
        self.executing = True
        yield

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result of a subscription, before it is sent, as ``on_operation`` does
        with the one result of a query."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self.process(error) for error in errors]
        yield

    @property
    def request_id(self) -> str:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "") or ""
        if not request_id:
            # Calls from outside HTTP (tests, scripts) still get an id to grep the log for.
            request_id = uuid.uuid4().hex
            if hasattr(context, "request_id"):
                context.request_id = request_id
        return request_id

    def process(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            problem = original.problems[0]
            return _copy(
                error,
                "; ".join(p.message for p in original.problems),
                {
                    "code": str(problem.code),
                    "field": input_path(
                        problem, _given_arguments(error, self.execution_context.operation_type)
                    ),
                },
            )
        if isinstance(original, InvalidOperationTypeError):
            return _copy(error, ONLY_SUBSCRIPTIONS, {"code": OPERATION_NOT_ALLOWED})
        if original is not None and not isinstance(original, GraphQLError):
            trouble = database_trouble(original)
            if trouble is not None:
                return self.database_trouble(error, trouble)
        if (
            error.path is not None
            and original is not None
            and not isinstance(original, GraphQLError)
        ):
            return self.mask(error, original)
        for pattern, code, japanese in _LIMIT_MESSAGES:
            match = pattern.search(error.message)
            if match:
                return _copy(error, japanese(match), {**(error.extensions or {}), "code": code})
        message = strip_suggestions(error.message)
        if message != error.message:
            error.message = message
        if (
            error.path is None
            and (original is None or isinstance(original, GraphQLError))
            and not (error.extensions or {}).get("code")
        ):
            error.extensions = {**(error.extensions or {}), "code": self.request_error_code(error)}
        return error

    def request_error_code(self, error: GraphQLError) -> str:
        """The code of one of graphql-core's own request errors (no path), by when it
        arose: the codes Apollo Server and its clients use."""
        if self.execution_context.graphql_document is None:
            return GRAPHQL_PARSE_FAILED
        if not self.executing:
            return GRAPHQL_VALIDATION_FAILED
        # graphql-core's ExecutionContext.build: coercing the variables, or choosing the
        # operation ("Must provide operation name ...", "Unknown operation named ...").
        if error.message.startswith(("Variable '$", "Too many errors processing variables")):
            return BAD_USER_INPUT
        return OPERATION_RESOLUTION_FAILURE

    def database_trouble(self, error: GraphQLError, trouble: DatabaseTrouble) -> GraphQLError:
        """Not a bug: one line in the log, and the code the caller can act on."""
        request_id = self.request_id
        path = ".".join(str(p) for p in error.path or ())
        log.warning(
            "database trouble %s at %s (request %s): %s",
            trouble.code,
            path,
            request_id,
            trouble.detail,
        )
        return _copy(error, trouble.message, {"code": trouble.code, "requestId": request_id})

    def mask(self, error: GraphQLError, original: BaseException) -> GraphQLError:
        request_id = self.request_id
        path = ".".join(str(p) for p in error.path or ())
        log.error(
            "unexpected error at %s (request %s)",
            path,
            request_id,
            exc_info=(type(original), original, original.__traceback__),
        )
        return _copy(
            error,
            UNEXPECTED_ERROR_MESSAGE,
            {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
