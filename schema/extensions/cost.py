"""The estimate of the resolver work one operation may take (``estimate_cost``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
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
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)

from kyodo.domain.enums import Role
from kyodo.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from kyodo.schema.extensions.limits import MAX_FRAGMENT_NESTING
from kyodo.schema.list_sizes import (
    FILTER_COSTS,
    LIST_SIZES,
    Assumed,
    Bound,
    CountOfArgument,
    FirstArgument,
    is_connection,
)

FIELD_COST = 1
"""Cost of resolving a plain field (an attribute) once."""
RESOLVER_FIELD_COST = 3
"""... of a field computed by a resolver method."""
LOADING_FIELD_COST = 30
"""... of a field that loads data (an async resolver: a DataLoader or a query)."""
OBJECT_COST = 10
"""... of every object returned, besides its fields. The weights follow what the resolvers
take (measured on the benchmark's data: about 2–3 µs of CPU per unit)."""


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
