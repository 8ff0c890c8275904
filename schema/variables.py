"""Operation variables coerced by per-type plans, graphql-core's own coercion otherwise.

graphql-core coerces every variable value before execution (``get_variable_values``):
a generic walk that asks, for every value, what kind of type it has, looks up each
field's default anew and first walks the whole value once more to measure its depth.
For a bulk argument (``partnersUpsert``: 1,000 partners with their contacts, some
30,000 input values per call) that was about 30 % of a call's CPU.

:func:`coerce_variables` does the same from a plan made once per input type
(``schema.variable_plans``). It only ever succeeds: anything the plan is not sure of,
or a missing required variable, gives ``None``, and the executor then runs
graphql-core's ``get_variable_values`` on the original input, so errors are
graphql-core's, word for word. ``tests/schema/test_variable_coercion.py`` checks with
Hypothesis, on kyodo's input types, that the plan accepts exactly the values
graphql-core accepts and coerces them alike.

:class:`PlannedVariables` hooks this into execution: graphql-core coerces the variables
inside ``Executor.build``, so the executor is built for a copy of the operation
without variable definitions (nothing left to coerce) and then given the real
operation and the coerced values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    assert_valid_schema,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import (
    VariableValues,
    VariableValueSource,
    maybe_use_default_value,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from kyodo.schema.variable_plans import Unsure, variable_coercer


def coerce_variables(
    schema: GraphQLSchema,
    var_def_nodes: Collection[VariableDefinitionNode],
    inputs: dict[str, Any],
) -> VariableValues | None:
    """What graphql-core's ``get_variable_values`` returns for these variables when it
    returns values, else None (it would report errors, or the plan is not sure)."""
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    refused: list[GraphQLError] = []
    for node in var_def_nodes:
        signature = get_variable_signature(schema, node)
        if isinstance(signature, GraphQLError):
            return None
        name, type_ = signature.name, signature.type
        value = inputs.get(name, Undefined)
        if value is Undefined:
            sources[name] = VariableValueSource(signature)
            if node.default_value:
                maybe_use_default_value(
                    coerced, name, signature, lambda error, _path: refused.append(error)
                )
                if refused:
                    return None
                continue
            if not isinstance(type_, GraphQLNonNull):
                continue  # a nullable variable left out is left out
            return None
        sources[name] = VariableValueSource(signature, value)
        coerce = variable_coercer(type_)
        if coerce is None:
            return None
        try:
            coerced[name] = coerce(value)
        except (Unsure, RecursionError):
            return None
    return VariableValues(sources, coerced)


def _operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """The operation ``Executor.build`` runs (None where it reports an error)."""
    operation = None
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None:
                if operation is not None:
                    return None
                operation = definition
            elif definition.name and definition.name.value == operation_name:
                operation = definition
    return operation


class PlannedVariables(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, its variables coerced by :func:`coerce_variables`."""

    @classmethod
    def build(  # type: ignore[override]
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        # As Executor.build does first: the plans are only made for a valid schema.
        assert_valid_schema(schema)
        operation = _operation(document, operation_name)
        values = None
        if operation is not None and operation.variable_definitions:
            values = coerce_variables(
                schema, operation.variable_definitions, raw_variable_values or {}
            )
        if values is None:
            return super().build(
                schema,
                document,
                root_value,
                context_value,
                raw_variable_values,
                operation_name,
                *args,
                **kwargs,
            )
        assert operation is not None
        bare = dataclasses.replace(operation, variable_definitions=())
        built = super().build(
            schema,
            DocumentNode(
                definitions=tuple(
                    bare if definition is operation else definition
                    for definition in document.definitions
                ),
                loc=document.loc,
            ),
            root_value,
            context_value,
            None,
            operation_name,
            *args,
            **kwargs,
        )
        if isinstance(built, list):  # errors before the variables (fragments'): as is
            return built
        built.operation = operation
        built.variable_values = values
        return built


__all__ = ["PlannedVariables", "coerce_variables"]
