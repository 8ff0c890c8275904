"""Schema extensions that bound what one operation may cost, and how errors leave the API.

Every limit here is checked while the document is parsed or validated, that is before
any resolver runs (and so before any SQL): a refused operation costs no database work.

| limit | value | error code |
|---|---|---|
| tokens in the document (MaxTokensLimiter) | 2000 | TOO_MANY_TOKENS |
| nesting depth below the top-level field (QueryDepthLimiter) | 10 | QUERY_TOO_DEEP |
| aliases, fragments included (MaxAliasesLimiter) | 15 | TOO_MANY_ALIASES |
| estimated objects returned (``estimate_cost``) | 10,000 | QUERY_TOO_COMPLEX |
| field selections once fragments are expanded | 10,000 | QUERY_TOO_COMPLEX |
| fragment spreads nested in fragment spreads | 20 | QUERY_TOO_DEEP |
| empty selection sets (`{ }`) | none | INVALID |
| NUL or lone surrogates in any string (UnusableCharacters) | none | INVALID |

Extensions are handed to the schema as classes or factories, never as shared instances:
Strawberry builds fresh ones for every operation, so no state leaks between requests.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
    visit,
)
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types.execution import ExecutionResult

from domain.errors import DomainError
from domain.pagination import DEFAULT_PAGE_SIZE

log = logging.getLogger("kyodo.errors")

MAX_TOKENS = 2000
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_COST = 10_000
"""Estimated objects one operation may return (see ``estimate_cost``)."""
MAX_SELECTIONS = 10_000
MAX_FRAGMENT_NESTING = 20
"""Fragment spreads inside fragment spreads (``...A`` whose A spreads B, ...). They add
no field depth, so QueryDepthLimiter follows a chain of them by recursion without limit
(strawberry 0.341): a few hundred links blew Python's stack."""
"""Field selections once every fragment spread is expanded: stops "fragment bombs"
(fragments spreading other fragments twice, doubling at each level) before anything
walks the expanded tree."""
DEFAULT_LIST_SIZE = DEFAULT_PAGE_SIZE
"""Assumed size of a connection (or list taking ``first``) called without ``first``: the
page size the resolvers default to."""
PLAIN_LIST_SIZE = 5
"""Assumed size of a list of objects without ``first`` (a partner's contacts, an
agreement's parties): small in practice and bounded by the domain, but not free, so that
walking back and forth between lists (parties → agreements → parties) still adds up."""

UNEXPECTED_ERROR_MESSAGE = "Unexpected error."


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
    extensions: list[ExtensionFactory] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        UnusableCharacters,
        QueryCostLimiter,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
    ]
    if settings is not None and settings.is_production:
        extensions.append(DisableIntrospection)
    from schema.access_log import PersonalDataAccessLog

    extensions.append(PersonalDataAccessLog)
    # After the access log in the list, so that it runs before it once execution ends.
    extensions.append(SettleDatabaseWork)
    # Last, so that it sees (and cleans up) every error the others produced.
    extensions.append(SafeErrors)
    return extensions


# ---------------------------------------------------------------- cost


@dataclass(frozen=True, slots=True)
class Cost:
    """``nodes``: objects the selection may return; ``selections``: fields once expanded."""

    nodes: int = 0
    selections: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.nodes + other.nodes, self.selections + other.selections)


def _is_connection(type_: GraphQLNamedType | None) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and "edges" in type_.fields
        and "pageInfo" in type_.fields
    )


class _CostEstimator:
    """Walks one document once; each fragment is costed once and reused (its cost does
    not depend on where it is spread, only on the multiplier, which is applied outside)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_size: int,
        plain_list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_size = default_size
        self.plain_list_size = plain_list_size
        self._fragment_costs: dict[str, Cost] = {}
        # Longest chain of fragment spreads starting at each costed fragment (itself
        # included), so that a cached fragment still counts at the depth it is spread.
        self._fragment_chains: dict[str, int] = {}
        self._spread_depth = 0
        self._deepest_spread = 0
        self._in_progress: set[str] = set()
        self._defaults: dict[str, ValueNode | None] = {}
        self.unknown_fragments: list[FragmentSpreadNode] = []
        self.empty_selection_sets: list[SelectionSetNode] = []
        self.fragments_too_deep = False

    def operation(self, operation: OperationDefinitionNode) -> Cost:
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }.get(operation.operation)
        self._defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        return self.selection_set(operation.selection_set, root)

    def selection_set(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Cost:
        total = Cost()
        if selection_set is not None and not selection_set.selections:
            # graphql-core 3.3 parses "{ }"; QueryDepthLimiter then fails on it.
            self.empty_selection_sets.append(selection_set)
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += Cost(0, 1) + self.selection_set(selection.selection_set, condition)
            elif isinstance(selection, FragmentSpreadNode):
                if selection.name.value not in self.fragments:
                    self.unknown_fragments.append(selection)
                total += Cost(0, 1) + self.fragment(selection.name.value)
        return total

    def _reach_spread_depth(self, depth: int) -> None:
        self._deepest_spread = max(self._deepest_spread, depth)
        if depth > MAX_FRAGMENT_NESTING:
            self.fragments_too_deep = True

    def fragment(self, name: str) -> Cost:
        if name in self._fragment_costs:
            self._reach_spread_depth(self._spread_depth + self._fragment_chains[name])
            return self._fragment_costs[name]
        definition = self.fragments.get(name)
        # Unknown and cyclic fragments are refused by the standard validation rules.
        if definition is None or name in self._in_progress:
            return Cost()
        if self._spread_depth >= MAX_FRAGMENT_NESTING:
            self.fragments_too_deep = True  # refused; and this walk goes no deeper
            return Cost()
        outer_deepest = self._deepest_spread
        self._spread_depth += 1
        self._deepest_spread = self._spread_depth
        self._in_progress.add(name)
        cost = self.selection_set(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self._in_progress.discard(name)
        self._spread_depth -= 1
        chain = self._deepest_spread - self._spread_depth
        self._deepest_spread = max(outer_deepest, self._deepest_spread)
        self._fragment_chains[name] = chain
        self._fragment_costs[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Cost:
        name = node.name.value
        definition = (
            parent.fields.get(name)
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
            else None
        )
        if definition is None:
            # __typename, unknown fields (refused by validation) and introspection: the
            # latter is walked for its size but returns schema metadata, not data.
            inner = self.selection_set(node.selection_set, None) if node.selection_set else Cost()
            return Cost(0, 1 + inner.selections)
        field_type = get_nullable_type(definition.type)
        named = get_named_type(field_type)
        is_list = is_list_type(field_type) and is_composite_type(named)
        if _is_connection(parent) and name in ("edges", "nodes"):
            # The page itself: already counted as the connection's `first`.
            multiplier, counted = 1, 0
        elif _is_connection(named) or is_list:
            if "first" in definition.args:
                multiplier = self.page_size(node)
            elif is_list:
                multiplier = self.plain_list_size
            else:
                multiplier = self.default_size
            counted = multiplier
        else:
            multiplier, counted = 1, 0
        inner = self.selection_set(node.selection_set, named) if node.selection_set else Cost()
        return Cost(counted + multiplier * inner.nodes, 1 + inner.selections)

    def page_size(self, node: FieldNode) -> int:
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        value: Any = None
        if argument is not None:
            value = self.value(argument.value)
        if isinstance(value, bool) or not isinstance(value, int):
            return self.default_size
        return max(value, 0)

    def value(self, node: ValueNode | None) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            return self.value(self._defaults.get(name))
        if node is None or isinstance(node, NullValueNode):
            return None
        return None


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None = None,
    *,
    default_size: int = DEFAULT_LIST_SIZE,
    plain_list_size: int = PLAIN_LIST_SIZE,
) -> Cost:
    """How many objects ``operation`` may return, at most.

    Every connection or list of objects multiplies what is selected inside it by its
    size: ``first`` when the field takes one (20 when omitted, like the resolvers), else
    ``PLAIN_LIST_SIZE`` (5). The estimate is the sum over all lists of the product of
    the sizes along the path to them, e.g. ``partners(first: 50) { edges { node {
    contacts { name } } } }`` is 50 + 50 × 5 = 300, and ``partners(first: 100) { edges {
    node { collaborators(first: 100) { ... } } } }`` is 100 + 100 × 100 = 10,100.
    Introspection fields count nothing. ``selections`` counts fields with every fragment
    spread expanded.
    """
    estimator = _CostEstimator(schema, fragments, variables or {}, default_size, plain_list_size)
    return estimator.operation(operation)


def too_complex(message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX", **extensions})


class QueryCostLimiter(SchemaExtension):
    """Refuses an operation whose estimated result exceeds ``MAX_COST`` objects.

    It runs as the validation step begins, before the standard rules and the other
    limiters walk the document: a refused document is walked once, by this check only.
    """

    max_cost = MAX_COST
    max_selections = MAX_SELECTIONS

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            error = self.check(context.schema._schema, document.definitions, context.variables)
            if error is not None:
                # Setting the errors makes Strawberry skip validation and execution.
                context.pre_execution_errors = [error]
        yield

    def check(
        self,
        schema: GraphQLSchema,
        definitions: Any,
        variables: Mapping[str, Any] | None,
    ) -> GraphQLError | None:
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        for operation in definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            estimator = _CostEstimator(
                schema, fragments, variables or {}, DEFAULT_LIST_SIZE, PLAIN_LIST_SIZE
            )
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
            if cost.nodes > self.max_cost:
                return too_complex(
                    f"クエリが大きすぎます。最大 {cost.nodes:,} 件のデータを取得する内容です"
                    f"（上限 {self.max_cost:,} 件）。"
                    "first を小さくするか、クエリを分けてください。",
                    cost=cost.nodes,
                    maxCost=self.max_cost,
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


# ---------------------------------------------------------------- database work


class SettleDatabaseWork(SchemaExtension):
    """Once execution ends, wait for database calls still running: graphql-core cancels
    the siblings of a field that failed, and their calls (shielded, see
    ``schema.context.Context.run``) must finish before the session is used or closed."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        settle = getattr(self.execution_context.context, "settle", None)
        if settle is not None:
            await settle()


# ---------------------------------------------------------------- characters


def _unusable(text: str) -> str | None:
    """What in ``text`` no database can store, or None."""
    if "\x00" in text:
        return "NUL 文字 \\u0000"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "対になっていないサロゲート"
    return None


def _unusable_in_variables(variables: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path, problem) of the first unusable string in the variables, keys included.
    Walked with a stack, not recursion: variables may nest as deep as JSON allows."""
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


class UnusableCharacters(SchemaExtension):
    """Refuses NUL and lone surrogates in any string of an operation (variables and the
    document's literals) before validation. PostgreSQL text cannot hold NUL, and neither
    database a lone surrogate: a resolver handing one to SQL failed with a driver error
    (an "Unexpected error." for the caller)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None:
            error = self.check(context.variables or {}, context.graphql_document)
            if error is not None:
                context.pre_execution_errors = [error]
        yield

    @staticmethod
    def check(variables: Mapping[str, Any], document: Any) -> GraphQLError | None:
        found = _unusable_in_variables(variables)
        where = f"変数 {found[0]}" if found else ""
        problem = found[1] if found else None
        if problem is None and document is not None:
            visitor = _UnusableLiteral()
            visit(document, visitor)
            problem, where = visitor.problem, "クエリの文字列"
        if problem is None:
            return None
        return GraphQLError(
            f"{where}に使えない文字（{problem}）があります。取り除いてください。",
            extensions={"code": "INVALID"},
        )


# ---------------------------------------------------------------- errors

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
    - Any other exception in a resolver becomes "Unexpected error." with
      ``extensions.code = INTERNAL_SERVER_ERROR`` and the request id; the exception is
      logged in full with that id.
    - Limit errors get a code and a Japanese message; field suggestions are removed.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            result.errors = [self.process(error) for error in result.errors]

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
                {"code": str(problem.code), "field": problem.field},
            )
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
        return error

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


__all__ = [
    "MAX_ALIASES",
    "MAX_COST",
    "MAX_DEPTH",
    "MAX_FRAGMENT_NESTING",
    "MAX_SELECTIONS",
    "MAX_TOKENS",
    "PLAIN_LIST_SIZE",
    "Cost",
    "QueryCostLimiter",
    "SafeErrors",
    "SchemaOptions",
    "SchemaSettings",
    "SettleDatabaseWork",
    "UnusableCharacters",
    "default_extensions",
    "estimate_cost",
    "strip_suggestions",
]
