"""Refuses NUL and lone surrogates in any string of an operation (``UnusableCharacters``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import (
    GraphQLError,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import (
    SchemaExtension,
)

from kyodo.schema.document_cache import (
    DOCUMENTS,
)


def _unusable(text: str) -> str | None:
    """What in ``text`` no database can store, or None."""
    if "\x00" in text:
        return "NUL 文字 \\u0000"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "対になっていないサロゲート"
    return None


def _surely_usable(variables: Mapping[str, Any]) -> bool:
    """True when no string of the variables (keys included) can hold NUL or a lone
    surrogate, judged on their JSON text at C speed (a bulk call sends 1,000 rows).

    ``orjson.dumps`` writes every string, dict key and list item (tuples too) of plain
    JSON data as UTF-8, NUL as ``\\u0000``, and refuses a lone surrogate (which UTF-8
    cannot hold). So a text it writes without ``\\u0000`` holds neither. False (a
    ``\\u0000`` that is an escaped backslash before "u0000", a lone surrogate, data that
    is not plain JSON or nests deeper than orjson writes) only means: walk them. (Some
    five times faster than ``json.dumps`` and a UTF-8 encode of its text: 1,000 rows of
    ``partnersUpsert`` are 3 % of the call.)"""
    try:
        text = orjson.dumps(variables)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return b"\\u0000" not in text


def _unusable_in_variables(variables: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path, problem) of the first unusable string in the variables, keys included.
    Walked with a stack, not recursion: variables may nest as deep as JSON allows."""
    if _surely_usable(variables):
        return None
    stack: list[tuple[str, Any]] = [(f"${name}", value) for name, value in variables.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = _unusable(value)
            if problem:
                return path, problem
        elif isinstance(value, Mapping):
            for key, item in value.items():
                problem = _unusable(str(key))
                if problem:
                    return path, problem
                stack.append((f"{path}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


class _UnusableLiteral(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.problem: str | None = None

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> Any:
        self.problem = _unusable(node.value)
        return self.BREAK if self.problem else None


_literal_problems: LRUCache[str, tuple[str | None]] = LRUCache(DOCUMENTS)


def _unusable_literal(document: Any, query: str | None) -> str | None:
    """What in the document's string literals no database can store, or None."""
    cached = _literal_problems.get(query) if query is not None else None
    if cached is not None:
        return cached[0]
    visitor = _UnusableLiteral()
    visit(document, visitor)
    if query is not None:
        _literal_problems[query] = (visitor.problem,)
    return visitor.problem


class UnusableCharacters(SchemaExtension):
    """Refuses NUL and lone surrogates in any string of an operation (variables and the
    document's literals) before validation. PostgreSQL text cannot hold NUL, and neither
    database a lone surrogate: a resolver handing one to SQL failed with a driver error
    (an "Unexpected error." for the caller)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None:
            error = self.check(context.variables or {}, context.graphql_document, context.query)
            if error is not None:
                context.pre_execution_errors = [error]
        yield

    @staticmethod
    def check(
        variables: Mapping[str, Any], document: Any, query: str | None = None
    ) -> GraphQLError | None:
        """``query``: the document's text, when known; its literals are then scanned once."""
        found = _unusable_in_variables(variables)
        where = f"変数 {found[0]}" if found else ""
        problem = found[1] if found else None
        if problem is None and document is not None:
            problem, where = _unusable_literal(document, query), "クエリの文字列"
        if problem is None:
            return None
        return GraphQLError(
            f"{where}に使えない文字（{problem}）があります。取り除いてください。",
            extensions={"code": "INVALID"},
        )
