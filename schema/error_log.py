"""What GraphQL errors write to the log: little for the caller's mistakes, all for ours.

Strawberry logs every error of an operation at ERROR, with a traceback when it has an
exception: validation errors, FORBIDDEN, INVALID arguments — anyone can send those by
the thousand (800–2,600 tracebacks in a three-minute fuzz run), and the lines quoted
the caller's query, literals and personal data included. Here:

- an expected error (graphql-core's own, one raised on purpose as a GraphQLError, or a
  DomainError) is one INFO line naming its code and field, never its message or input:
  ``refused: FORBIDDEN at auditEvents``;
- an unexpected exception in a resolver is logged in full, once, by
  ``schema.extensions.SafeErrors`` (which also masks it for the caller, with the
  request id); one outside any resolver (no path) is logged in full here.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionContext

from kyodo.domain.errors import DomainError

log = logging.getLogger("kyodo.graphql")


def is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    # InvalidOperationTypeError: a query sent where only subscriptions run (WebSocket).
    return original is None or isinstance(
        original, GraphQLError | DomainError | InvalidOperationTypeError
    )


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, DomainError):
        return str(original.problems[0].code)
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "GRAPHQL_ERROR"


def error_path(error: GraphQLError) -> str:
    return ".".join(str(part) for part in error.path or ())


class Schema(strawberry.Schema):
    """strawberry.Schema, logging errors as described above."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if is_expected(error):
                path = error_path(error)
                log.info("refused: %s%s", error_code(error), f" at {path}" if path else "")
            elif error.path is None:
                original: Any = error.original_error
                request_id = getattr(getattr(execution_context, "context", None), "request_id", "")
                log.error(
                    "unexpected error (request %s)",
                    request_id or "-",
                    exc_info=(type(original), original, original.__traceback__),
                )
            # else: SafeErrors logs it with its traceback and masks it for the caller.


__all__ = ["Schema", "error_code", "is_expected"]
