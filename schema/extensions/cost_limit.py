"""Refuses operations whose estimated cost exceeds the caller's budget
(``QueryCostLimiter``), and answers which documents passed every check already
(``known_document``, for the fast read path).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cachetools import LRUCache
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from strawberry.extensions import (
    SchemaExtension,
)

from kyodo.domain.enums import Role
from kyodo.schema.document_cache import (
    DOCUMENTS,
    ByVariables,
    ValuesRead,
    copy_error,
    known_valid,
    validation_rules_of,
)
from kyodo.schema.extensions.characters import UnusableCharacters
from kyodo.schema.extensions.cost import _CostEstimator
from kyodo.schema.extensions.limits import MAX_COST_PUBLIC, MAX_FRAGMENT_NESTING, MAX_SELECTIONS


def too_complex(message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX", **extensions})


def max_cost_for(role: Role | None, authenticated: int = 0) -> int:
    """Anonymous callers get ``MAX_COST_PUBLIC``; callers with a token ``authenticated``
    (``KYODO_MAX_COST_AUTHENTICATED``, carried by the request's context), 0: no cap."""
    return authenticated if role is not None and role is not Role.PUBLIC else MAX_COST_PUBLIC


_costs: LRUCache[Any, ByVariables] = LRUCache(DOCUMENTS)


class QueryCostLimiter(SchemaExtension):
    """Refuses an operation whose estimated cost exceeds the caller's budget
    (``MAX_COST_PUBLIC`` anonymous, ``MAX_COST`` with a token).

    It runs as the validation step begins, before the standard rules and the other
    limiters walk the document: a refused document is walked once, by this check only.
    """

    max_selections = MAX_SELECTIONS

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            principal = getattr(context.context, "principal", None)
            role = getattr(principal, "role", None)
            cap = getattr(context.context, "max_cost_authenticated", 0)
            schema = context.schema._schema
            variables = context.variables or {}
            if context.query:
                error = self.cached_check(
                    schema, context.query, document, variables, role, authenticated=cap
                )
            else:
                error = self.check(
                    schema, document.definitions, variables, role=role, authenticated=cap
                )
            if error is not None:
                # Setting the errors makes Strawberry skip validation and execution.
                context.pre_execution_errors = [error]
        yield

    def cached_check(
        self,
        schema: GraphQLSchema,
        query: str,
        document: Any,
        variables: Mapping[str, Any],
        role: Role | None,
        *,
        authenticated: int = 0,
    ) -> GraphQLError | None:
        """``check``, once per document, role and values of the variables it reads."""
        key = (id(schema), query, role, self.max_selections, authenticated)
        results = _costs.get(key)
        if results is None:
            results = _costs[key] = ByVariables()
        found, error = results.get(variables)
        if not found:
            read = ValuesRead(variables)
            error = self.check(
                schema, document.definitions, read, role=role, authenticated=authenticated
            )
            results.put(frozenset(read.read), variables, error)
        return copy_error(error) if error is not None else None

    def check(
        self,
        schema: GraphQLSchema,
        definitions: Any,
        variables: Mapping[str, Any] | None,
        *,
        role: Role | None = None,
        authenticated: int = 0,
    ) -> GraphQLError | None:
        max_cost = max_cost_for(role, authenticated)
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        for operation in definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            estimator = _CostEstimator(schema, fragments, variables or {}, role)
            cost = estimator.operation(operation)
            if estimator.unknown_fragments:
                # Reported here, in the standard wording, because QueryDepthLimiter
                # (strawberry 0.341) fails with a bare KeyError on an unknown fragment.
                spread = estimator.unknown_fragments[0]
                return GraphQLError(f"Unknown fragment '{spread.name.value}'.", [spread])
            if estimator.empty_selection_sets:
                return GraphQLError(
                    "中身のない { } があります。取得するフィールドを書いてください。",
                    estimator.empty_selection_sets[:1],
                    extensions={"code": "INVALID"},
                )
            if cost.selections > self.max_selections:
                return too_complex(
                    "クエリが大きすぎます。フラグメントを展開すると "
                    f"{cost.selections:,} 項目になります（上限 {self.max_selections:,} 項目）。"
                    "クエリを分けてください。",
                    selections=cost.selections,
                    maxSelections=self.max_selections,
                )
            if max_cost and cost.work > max_cost:
                return too_complex(
                    f"クエリが大きすぎます。見積もった処理量は {cost.work:,} です"
                    f"（上限 {max_cost:,}）。"
                    "first を小さくするか、取得するリストやフィールドを減らすか、"
                    "クエリを分けてください。",
                    cost=cost.work,
                    maxCost=max_cost,
                )
            # After the size checks: a fragment bomb is refused as too complex.
            if estimator.fragments_too_deep:
                return GraphQLError(
                    "フラグメントの入れ子が深すぎます"
                    f"（上限 {MAX_FRAGMENT_NESTING} 段）。クエリを分けてください。",
                    extensions={
                        "code": "QUERY_TOO_DEEP",
                        "maxFragmentNesting": MAX_FRAGMENT_NESTING,
                    },
                )
        return None


def known_document(
    schema: Any, query: str, variables: Mapping[str, Any], role: Role | None, cap: int
) -> Any:
    """The document of ``query`` when every check of this module and of validation has
    already passed it in this process, for these variables and this caller: parsed
    within the token limit, valid (the limits' rules included), within the cost limit,
    with no unusable character. None when any of that is not known (the caller then
    goes the normal way, which checks and caches it)."""
    rules = _validation_rules.get(id(schema))
    if rules is None:
        rules = _validation_rules[id(schema)] = validation_rules_of(schema)
    document = known_valid(schema, query, rules)
    if document is None:
        return None
    results = _costs.get((id(schema._schema), query, role, MAX_SELECTIONS, cap))
    if results is None:
        return None
    found, error = results.get(variables)
    if not found or error is not None:
        return None
    if UnusableCharacters.check(variables, document, query) is not None:
        return None
    return document


_validation_rules: dict[int, tuple[Any, ...]] = {}
