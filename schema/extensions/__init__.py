"""Schema extensions that bound what one operation may cost, and how errors leave the API.

Every limit here is checked while the document is parsed or validated, that is before
any resolver runs (and so before any SQL): a refused operation costs no database work.

| limit | value | error code |
|---|---|---|
| tokens in the document (MaxTokensLimiter) | 2000 | TOO_MANY_TOKENS |
| nesting depth below the top-level field (QueryDepthLimiter) | 10 | QUERY_TOO_DEEP |
| aliases, fragments included (MaxAliasesLimiter) | 15 | TOO_MANY_ALIASES |
| estimated resolver work (``estimate_cost``), with a token / anonymous | 1,000,000 / 50,000 | QUERY_TOO_COMPLEX |
| field selections once fragments are expanded | 10,000 | QUERY_TOO_COMPLEX |
| fragment spreads nested in fragment spreads | 20 | QUERY_TOO_DEEP |
| empty selection sets (`{ }`) | none | INVALID |
| NUL or lone surrogates in any string (UnusableCharacters) | none | INVALID |

``QueryTimeLimit`` is no check: it tells the HTTP edge (``server.app``) that the operation
is a query, so that the edge's time limit applies to it.

Extensions are handed to the schema as classes, never as shared instances: Strawberry
builds fresh ones for every operation, so no state leaks between requests. Each limit's
validation rule is one class for all requests, and parsing, validation and the cost
estimate are cached by document (``schema.document_cache``): a document is walked once
per process, not once per request.

One file per extension: ``limits`` (the values above; tokens, depth, aliases),
``cost`` (the estimate) and ``cost_limit`` (``QueryCostLimiter``, ``known_document``),
``characters`` (``UnusableCharacters``), ``database_work`` (``SettleDatabaseWork``,
``QueryTimeLimit``), ``errors`` (``SafeErrors``). This module puts them in order
(``default_extensions``) and re-exports what the rest of the project imports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from strawberry.extensions import DisableIntrospection, SchemaExtension

from kyodo.schema.document_cache import CachedParse, CachedValidation
from kyodo.schema.extensions.characters import UnusableCharacters
from kyodo.schema.extensions.cost import (
    FIELD_COST,
    LOADING_FIELD_COST,
    OBJECT_COST,
    RESOLVER_FIELD_COST,
    Cost,
    estimate_cost,
)
from kyodo.schema.extensions.cost_limit import (
    QueryCostLimiter,
    known_document,
    max_cost_for,
    too_complex,
)
from kyodo.schema.extensions.database_work import QueryTimeLimit, SettleDatabaseWork
from kyodo.schema.extensions.errors import (
    BAD_USER_INPUT,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    ONLY_SUBSCRIPTIONS,
    OPERATION_NOT_ALLOWED,
    OPERATION_RESOLUTION_FAILURE,
    UNEXPECTED_ERROR_MESSAGE,
    SafeErrors,
    strip_suggestions,
)
from kyodo.schema.extensions.limits import (
    MAX_ALIASES,
    MAX_COST,
    MAX_COST_PUBLIC,
    MAX_DEPTH,
    MAX_FRAGMENT_NESTING,
    MAX_SELECTIONS,
    MAX_TOKENS,
    AliasLimit,
    DepthLimit,
    TokenLimit,
)


class SchemaSettings(Protocol):
    """What the schema needs to know about the deployment (``server.settings.Settings``
    fits; so does ``SchemaOptions``)."""

    @property
    def is_production(self) -> bool: ...


@dataclass(frozen=True)
class SchemaOptions:
    is_production: bool = False


ExtensionFactory = Callable[[], SchemaExtension] | type[SchemaExtension]


def default_extensions(settings: SchemaSettings | None = None) -> list[ExtensionFactory]:
    """The extensions of the API's schema; introspection is off in production."""
    from kyodo.schema.subscriptions import EndEventSession, SubscriptionsOverWebSocketOnly

    extensions: list[ExtensionFactory] = [
        TokenLimit,
        CachedParse,
        UnusableCharacters,
        SubscriptionsOverWebSocketOnly,
        QueryCostLimiter,
        DepthLimit,
        AliasLimit,
    ]
    if settings is not None and settings.is_production:
        extensions.append(DisableIntrospection)
    # After every check that runs while the document is validated.
    extensions.append(CachedValidation)
    from kyodo.schema.access_log import PersonalDataAccessLog
    from kyodo.schema.compiled import CompiledReads
    from kyodo.schema.response_cache import ResponseCache

    # Before the compiled read path (a hit skips it) and the access log (which logs the
    # reads kept with a cached answer, and whose reads the cache keeps afterwards).
    extensions.append(ResponseCache)
    extensions.append(PersonalDataAccessLog)
    # After the access log: a subscription event's session ends once its reads are logged.
    extensions.append(EndEventSession)
    # After the access log in the list, so that it runs before it once execution ends.
    extensions.append(SettleDatabaseWork)
    extensions.append(QueryTimeLimit)
    # Answers what it covers as execution begins: after the limits (checked during
    # validation) and once the time limit runs; the access log, settling and the error
    # policy then treat its answer as any other.
    extensions.append(CompiledReads)
    # Last, so that it sees (and cleans up) every error the others produced.
    extensions.append(SafeErrors)
    return extensions


__all__ = [
    "BAD_USER_INPUT",
    "FIELD_COST",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "LOADING_FIELD_COST",
    "MAX_ALIASES",
    "MAX_COST",
    "MAX_COST_PUBLIC",
    "MAX_DEPTH",
    "MAX_FRAGMENT_NESTING",
    "MAX_SELECTIONS",
    "MAX_TOKENS",
    "OBJECT_COST",
    "ONLY_SUBSCRIPTIONS",
    "OPERATION_NOT_ALLOWED",
    "OPERATION_RESOLUTION_FAILURE",
    "RESOLVER_FIELD_COST",
    "UNEXPECTED_ERROR_MESSAGE",
    "AliasLimit",
    "Cost",
    "DepthLimit",
    "ExtensionFactory",
    "QueryCostLimiter",
    "QueryTimeLimit",
    "SafeErrors",
    "SchemaOptions",
    "SchemaSettings",
    "SettleDatabaseWork",
    "TokenLimit",
    "UnusableCharacters",
    "default_extensions",
    "estimate_cost",
    "known_document",
    "max_cost_for",
    "strip_suggestions",
    "too_complex",
]
