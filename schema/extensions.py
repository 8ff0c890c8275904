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
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import LRUCache
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
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
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperation

from domain.enums import Role
from domain.errors import DomainError
from domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from schema.database_trouble import DatabaseTrouble, database_trouble
from schema.document_cache import (
    DOCUMENTS,
    ByVariables,
    CachedParse,
    CachedValidation,
    ValuesRead,
    copy_error,
    known_valid,
    validation_rules_of,
)
from schema.list_sizes import (
    FILTER_COSTS,
    LIST_SIZES,
    Assumed,
    Bound,
    CountOfArgument,
    FirstArgument,
    is_connection,
)

log = logging.getLogger("kyodo.errors")

MAX_TOKENS = 2000
MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_COST = 1_000_000
"""Estimated resolver work (see ``estimate_cost``) one operation of a caller with a token
may take when the operator caps it (``KYODO_MAX_COST_AUTHENTICATED``; by default a caller
with a token has no estimate cap: the time, statement and response-size limits bound it)."""
MAX_COST_PUBLIC = 50_000
"""... and of an anonymous caller: at most about a tenth of a second of the server's time."""
MAX_SELECTIONS = 10_000
"""Field selections once every fragment spread is expanded: stops "fragment bombs"
(fragments spreading other fragments twice, doubling at each level) before anything
walks the expanded tree."""
MAX_FRAGMENT_NESTING = 20
"""Fragment spreads inside fragment spreads (``...A`` whose A spreads B, ...). They add
no field depth, so QueryDepthLimiter follows a chain of them by recursion without limit
(strawberry 0.341): a few hundred links blew Python's stack."""
FIELD_COST = 1
"""Cost of resolving a plain field (an attribute) once."""
RESOLVER_FIELD_COST = 3
"""... of a field computed by a resolver method."""
LOADING_FIELD_COST = 30
"""... of a field that loads data (an async resolver: a DataLoader or a query)."""
OBJECT_COST = 10
"""... of every object returned, besides its fields. The weights follow what the resolvers
take (measured on the benchmark's data: about 2–3 µs of CPU per unit)."""

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
    from schema.subscriptions import EndEventSession, SubscriptionsOverWebSocketOnly

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
    from schema.access_log import PersonalDataAccessLog
    from schema.compiled import CompiledReads
    from schema.response_cache import ResponseCache

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


class TokenLimit(MaxTokensLimiter):
    """``MAX_TOKENS`` per document, checked while it is parsed."""

    def __init__(self) -> None:
        super().__init__(max_token_count=MAX_TOKENS)


_DEPTH_RULE = depth_rule(MAX_DEPTH, None, None)
_ALIASES_RULE = aliases_rule(MAX_ALIASES)


class DepthLimit(AddValidationRules):
    """Strawberry's ``QueryDepthLimiter(max_depth=MAX_DEPTH)``, with one rule class for
    every request (QueryDepthLimiter makes a new one each time), so that validation can
    be cached by document."""

    def __init__(self) -> None:
        super().__init__([_DEPTH_RULE])


class AliasLimit(AddValidationRules):
    """Strawberry's ``MaxAliasesLimiter(max_alias_count=MAX_ALIASES)``, one rule class."""

    def __init__(self) -> None:
        super().__init__([_ALIASES_RULE])


# ---------------------------------------------------------------- cost


@dataclass(frozen=True, slots=True)
class Cost:
    """``work``: estimated resolver work (see ``estimate_cost``); ``selections``: fields
    once fragments are expanded."""

    work: int = 0
    selections: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.work + other.work, self.selections + other.selections)


def _strawberry_field(definition: GraphQLField) -> Any:
    return (definition.extensions or {}).get("strawberry-definition")


def _field_cost(definition: GraphQLField) -> int:
    """What resolving the field once costs: more with a resolver, most when it loads."""
    field = _strawberry_field(definition)
    if getattr(field, "is_async", False):
        return LOADING_FIELD_COST
    if getattr(field, "base_resolver", None) is not None:
        return RESOLVER_FIELD_COST
    return FIELD_COST


def _may_resolve(definition: GraphQLField, role: Role) -> bool:
    """False when a permission of the field refuses ``role`` (its resolver never runs)."""
    field = _strawberry_field(definition)
    permissions: list[Any] = list(getattr(field, "permission_classes", None) or ())
    for extension in getattr(field, "extensions", None) or ():
        permissions.extend(getattr(extension, "permissions", None) or ())
    for permission in permissions:
        roles = getattr(permission, "roles", None)
        if isinstance(roles, frozenset) and role not in roles:
            return False
    return True


def _sized_by_owner(type_: GraphQLNamedType | None) -> bool:
    return isinstance(type_, GraphQLObjectType) and any(
        isinstance(size, CountOfArgument) and size.of_owner and type_name == type_.name
        for (type_name, _field), size in LIST_SIZES.items()
    )


class _CostEstimator:
    """Walks one document once; each fragment is costed once and reused (its cost does
    not depend on where it is spread, only on the multiplier, which is applied outside)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        role: Role | None = None,
    ) -> None:
        self.schema = schema
        self.role = role
        self.fragments = fragments
        self.variables = variables
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
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        page: int = 0,
        owner: FieldNode | None = None,
    ) -> Cost:
        """``page``: when ``parent`` is a connection, the size of its page; ``owner``: the
        field that returned ``parent`` (whose arguments may size lists inside it)."""
        total = Cost()
        if selection_set is not None and not selection_set.selections:
            # graphql-core 3.3 parses "{ }"; QueryDepthLimiter then fails on it.
            self.empty_selection_sets.append(selection_set)
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page, owner)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += Cost(0, 1) + self.selection_set(
                    selection.selection_set,
                    condition,
                    page if is_connection(condition) else 0,
                    owner,
                )
            elif isinstance(selection, FragmentSpreadNode):
                if selection.name.value not in self.fragments:
                    self.unknown_fragments.append(selection)
                total += Cost(0, 1) + self.fragment(selection.name.value, page, owner)
        return total

    def _reach_spread_depth(self, depth: int) -> None:
        self._deepest_spread = max(self._deepest_spread, depth)
        if depth > MAX_FRAGMENT_NESTING:
            self.fragments_too_deep = True

    def fragment(self, name: str, page: int, owner: FieldNode | None) -> Cost:
        definition = self.fragments.get(name)
        condition = (
            self.schema.get_type(definition.type_condition.name.value) if definition else None
        )
        # A fragment on a connection type is sized by the page it is spread in, one on a
        # payload by the arguments of the field that returned it.
        key = f"{name}@{page}" if is_connection(condition) else name
        if _sized_by_owner(condition):
            key = f"{key}@{id(owner)}"
        if key in self._fragment_costs:
            self._reach_spread_depth(self._spread_depth + self._fragment_chains[key])
            return self._fragment_costs[key]
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
            definition.selection_set, condition, page if is_connection(condition) else 0, owner
        )
        self._in_progress.discard(name)
        self._spread_depth -= 1
        chain = self._deepest_spread - self._spread_depth
        self._deepest_spread = max(outer_deepest, self._deepest_spread)
        self._fragment_chains[key] = chain
        self._fragment_costs[key] = cost
        return cost

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType | None,
        page: int,
        owner: FieldNode | None = None,
    ) -> Cost:
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
        composite = is_composite_type(named)
        inner_page = self.connection_page(node, definition) if is_connection(named) else 0
        inner = (
            self.selection_set(node.selection_set, named, inner_page, node)
            if node.selection_set
            else Cost()
        )
        if self.role is not None and not _may_resolve(definition, self.role):
            # Refused by its permission before its resolver runs: nothing below it runs.
            return Cost(LOADING_FIELD_COST, 1 + inner.selections)
        work = _field_cost(definition) + self.filter_cost(node, parent)
        if composite:
            each = OBJECT_COST + inner.work
            if is_list_type(field_type):
                assert parent is not None
                work += self.list_size(node, parent, definition, page, owner) * each
            else:
                work += each
        return Cost(work, 1 + inner.selections)

    def list_size(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        definition: GraphQLField,
        page: int,
        owner: FieldNode | None,
    ) -> int:
        name = node.name.value
        if is_connection(parent) and name in ("edges", "nodes"):
            return page
        size = LIST_SIZES.get((parent.name, name))
        if isinstance(size, Bound):
            return size.maximum
        if isinstance(size, FirstArgument):
            return self.first(node, definition, size.default)
        if isinstance(size, CountOfArgument):
            of = owner if size.of_owner else node
            value = self.argument(of, size.argument) if of is not None else None
            return len(value) if isinstance(value, list) else size.maximum
        if isinstance(size, Assumed):
            return size.size
        # Undeclared lists stop the schema from building (schema.list_sizes); should one
        # get here anyway, it counts as large as a list may be.
        return MAX_PAGE_SIZE

    def filter_cost(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        """What the filters given to the field cost (``schema.list_sizes.FILTER_COSTS``)."""
        if parent is None or not node.arguments:
            return 0
        given = self.argument(node, "filter")
        if not isinstance(given, Mapping):
            return 0
        cost = 0
        for key, value in given.items():
            priced = FILTER_COSTS.get((parent.name, node.name.value, key))
            if priced is not None and value not in (None, "", []):
                cost += priced.cost
        return cost

    def connection_page(self, node: FieldNode, definition: GraphQLField) -> int:
        """``first`` or ``last``, whichever is given (the larger if both: the resolver
        refuses them together), else the default page."""
        sizes = [self.first(node, definition, -1, name) for name in ("first", "last")]
        return max(sizes) if max(sizes) >= 0 else DEFAULT_PAGE_SIZE

    def first(
        self, node: FieldNode, definition: GraphQLField, default: int, name: str = "first"
    ) -> int:
        """``first`` (or ``name``) as given (the resolver refuses what is out of range),
        else the argument's own default, else ``default`` (what the resolver uses for
        null)."""
        if any(a.name.value == name for a in node.arguments or ()):
            value = self.argument(node, name)
        else:
            declared = definition.args.get(name)
            value = declared.default_value if declared is not None else None
        if isinstance(value, bool) or not isinstance(value, int):
            return default
        return max(value, 0)

    def argument(self, node: FieldNode, name: str) -> Any:
        argument = next((a for a in node.arguments or () if a.name.value == name), None)
        return None if argument is None else self.value(argument.value)

    def value(self, node: ValueNode | None) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ListValueNode):
            return [self.value(item) for item in node.values]
        if isinstance(node, ObjectValueNode):
            return {field.name.value: self.value(field.value) for field in node.fields}
        if isinstance(node, StringValueNode):
            return node.value.strip()
        if isinstance(node, VariableNode):
            name = node.name.value
            if name in self.variables:
                return self.variables[name]
            return self.value(self._defaults.get(name))
        if node is None or isinstance(node, NullValueNode):
            return None
        return node  # another literal: present, but not a number


def estimate_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None = None,
    role: Role | None = None,
) -> Cost:
    """The resolver work ``operation`` may take, at most, in units of one plain field.

    Every field counts each time it may be resolved: an attribute 1, a field computed by
    a resolver method 3, a field that loads data (an async resolver) 30, and every object
    it returns 10 more plus the cost of what is selected inside it. A list multiplies by
    its size as declared in ``schema.list_sizes``: ``first`` (a connection's page, 20 when
    omitted), the domain's bound (an agreement's parties: 100), or the number of
    ``ids``. E.g. ``partners(first: 10) { edges { node { name } } }`` is 30 (partners)
    + 10 (the connection) + 1 (edges) + 10 × (10 + 1 + 10 + 3) (edge, node, partner,
    name) = 281. Introspection fields count nothing. ``selections`` counts fields with
    every fragment spread expanded. With ``role``, a field whose permission refuses it
    counts 30 (the refusal) and nothing below it.
    """
    return _CostEstimator(schema, fragments, variables or {}, role).operation(operation)


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


class QueryTimeLimit(SchemaExtension):
    """Starts the HTTP edge's time limit (``Context.start_time_limit``) once the operation
    is known to be a query. A mutation is not cut short: stopping it half-way could leave
    the caller not knowing whether it was committed; its statements are bounded by the
    statement timeout instead."""

    def on_execute(self) -> Iterator[None]:
        start = getattr(self.execution_context.context, "start_time_limit", None)
        if start is not None and self.execution_context.operation_type is StrawberryOperation.QUERY:
            start()
        yield


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
                {"code": str(problem.code), "field": problem.field},
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


__all__ = [
    "MAX_ALIASES",
    "MAX_COST",
    "MAX_COST_PUBLIC",
    "MAX_DEPTH",
    "MAX_FRAGMENT_NESTING",
    "MAX_SELECTIONS",
    "MAX_TOKENS",
    "Cost",
    "QueryCostLimiter",
    "QueryTimeLimit",
    "SafeErrors",
    "SchemaOptions",
    "SchemaSettings",
    "SettleDatabaseWork",
    "UnusableCharacters",
    "default_extensions",
    "estimate_cost",
    "max_cost_for",
    "strip_suggestions",
]
