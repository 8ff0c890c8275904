"""Work that depends on the document only, done once per document and process.

Front ends send the same few documents all day. Parsing, the standard validation rules
and the limit checks walk the whole document; redone on every request they were
19–38 % of the server's time on small and deep queries (issue 9). Here each is cached by
what its result depends on:

| step | cached by |
|---|---|
| parsing (``CachedParse``) | the query text and the token limit |
| validation, the limit rules included (``CachedValidation``) | schema, query text, the validation rule classes |
| the cost estimate (``schema.extensions.QueryCostLimiter``) | schema, query text, the caller's role, the values of the variables the estimate read |
| NUL / lone surrogates in the document's literals (``schema.extensions.UnusableCharacters``) | the query text |

The rule classes are part of the validation key, so every limit is given to the schema
as one class for all requests (``schema.extensions.DepthLimit``...): Strawberry's
``QueryDepthLimiter(max_depth=...)`` built a new rule class per request, and no cache
keyed by rules could ever hit. The caches are bounded (least recently used entries go
first), per process, and hold nothing of a caller: documents, and errors that say what is
wrong with a document. A cached error is handed out as a copy, so a request that
decorates its errors (``SafeErrors``) never changes what the next one gets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import suppress
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ExecutionContext

DOCUMENTS = 500
"""How many documents each cache holds. A front end has some dozens; the bound keeps a
caller who sends ever new texts from growing the memory (a document is parsed at most
2,000 tokens: a few hundred KiB for the worst, a few KiB for a usual one)."""
MAX_KEYED_VALUE = 2048
"""Variables read by the cost estimate key its cache by their JSON; a value longer than
this (a large upsert input) is estimated afresh instead of being kept."""

_parsed: LRUCache[Hashable, DocumentNode] = LRUCache(DOCUMENTS)
_validated: LRUCache[Hashable, tuple[GraphQLError, ...]] = LRUCache(DOCUMENTS)


def copy_error(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=dict(error.extensions) if error.extensions else None,
    )


def parsed(query: str, **options: Any) -> DocumentNode:
    """The document of ``query`` (parsed once; a syntax error is raised every time)."""
    key = (query, tuple(sorted(options.items())))
    document = _parsed.get(key)
    if document is None:
        document = parse(query, **options)
        _parsed[key] = document
    return document


def validation_errors(
    schema: Any, query: str, document: DocumentNode, rules: tuple[Any, ...]
) -> list[GraphQLError]:
    """Strawberry's validation of ``document`` (its rules plus ``rules``), once per key."""
    key = (id(schema), query, rules)
    errors = _validated.get(key)
    if errors is None:
        errors = tuple(validate_document(schema, document, rules))
        _validated[key] = errors
    return [copy_error(error) for error in errors]


def known_valid(schema: Any, query: str, rules: tuple[Any, ...]) -> DocumentNode | None:
    """The document of ``query`` when this process has parsed it (with the token limit
    ``max_tokens``) and found it valid under ``rules``; else None. Never parses."""
    from kyodo.schema.extensions import MAX_TOKENS

    document = _parsed.get((query, (("max_tokens", MAX_TOKENS),)))
    if document is None or _validated.get((id(schema._schema), query, rules)) != ():
        return None
    return document


class CachedParse(SchemaExtension):
    """Parses each query text once (after ``TokenLimit`` has set the token limit)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            # A syntax error: Strawberry parses it again and reports it its way.
            with suppress(GraphQLError):
                context.graphql_document = parsed(context.query, **context.parse_options)
        yield


class CachedValidation(SchemaExtension):
    """Runs the validation rules once per document; listed after every extension that
    checks during validation (their errors come first, and skip validation)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None and context.query:
            # A list, empty when valid: Strawberry then skips its own validation.
            context.pre_execution_errors = validation_errors(
                context.schema._schema, context.query, document, context.validation_rules
            )
        yield


def validation_rules_of(schema: Any) -> tuple[Any, ...]:
    """The validation rules a request of ``schema`` validates with: Strawberry's own,
    then each ``AddValidationRules`` extension's, in the order ``on_operation`` adds them."""
    rules = tuple(ExecutionContext.__dataclass_fields__["validation_rules"].default_factory())  # type: ignore[misc]
    for extension in schema.get_extensions():
        if isinstance(extension, AddValidationRules):
            rules += tuple(extension.validation_rules)
    return rules


PREPARERS: list[Callable[[Any, str, DocumentNode], None]] = []
"""Called with (schema, text, document) for every trusted document prepared ahead
(``prepare``): the place for more work done once per document, e.g. the compiled read
path's plans, which also depend on the role and are otherwise made at first use."""


def prepare(schema: Any, query: str) -> bool:
    """Parse and validate ``query`` now, as a request would (``server.trusted_documents``
    calls it for every registered document at startup). False when it does not parse or
    validate (it is then refused at first use, with the error)."""
    from kyodo.schema.extensions import MAX_TOKENS

    try:
        document = parsed(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False
    if validation_errors(schema._schema, query, document, validation_rules_of(schema)):
        return False
    for preparer in PREPARERS:
        preparer(schema, query, document)
    return True


class ValuesRead(Mapping[str, Any]):
    """The request's variables, noting which of them are read."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return self.values[name]

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return name in self.values

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the cost estimate reads variables by name")

    def __len__(self) -> int:
        return len(self.values)


_MISSING = "\x00missing"


def values_key(names: frozenset[str], values: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The values of ``names`` as a hashable key, or None when one is too long to keep."""
    key = []
    for name in sorted(names):
        if name not in values:
            key.append(_MISSING)
            continue
        text = json.dumps(values[name], sort_keys=True, separators=(",", ":"))
        if len(text) > MAX_KEYED_VALUE:
            return None
        key.append(text)
    return tuple(key)


class ByVariables:
    """Results of a computation that reads some of the request's variables: kept by the
    values of the variables it read (each result is valid for every request that agrees
    on them, since the computation would read the same and come to the same)."""

    def __init__(self) -> None:
        self.results: dict[frozenset[str], dict[tuple[str, ...], Any]] = {}

    def get(self, values: Mapping[str, Any]) -> tuple[bool, Any]:
        for names, results in self.results.items():
            key = values_key(names, values)
            if key is not None and key in results:
                return True, results[key]
        return False, None

    def put(self, names: frozenset[str], values: Mapping[str, Any], result: Any) -> None:
        key = values_key(names, values)
        if key is None:
            return
        results = self.results.setdefault(names, {})
        if len(results) >= 64:  # many different pages of one document: keep the newest
            results.pop(next(iter(results)))
        results[key] = result


__all__ = [
    "DOCUMENTS",
    "PREPARERS",
    "ByVariables",
    "CachedParse",
    "CachedValidation",
    "ValuesRead",
    "copy_error",
    "known_valid",
    "parsed",
    "prepare",
    "validation_errors",
    "validation_rules_of",
]
