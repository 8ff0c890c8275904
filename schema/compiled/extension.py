"""The hook: answer a query from its plan, before graphql-core would execute it.

Strawberry runs graphql-core's execution only when ``execution_context.result`` is
still empty once the ``on_execute`` hooks have started (``Schema._execute_operation``).
:class:`CompiledReads` sets it when the operation has a plan and every run-time check
passes; otherwise it leaves it alone and Strawberry executes the operation as always.
Either way every other extension runs around it: the limits before (validation), the
personal-data access log, settling and the error policy after.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    get_variable_values,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.get_variable_signature import get_variable_signature
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from kyodo.domain.errors import DomainError
from kyodo.domain.read.entity import Viewer
from kyodo.domain.read.fetch import ReadQuery
from kyodo.schema.compiled.plan import Plan, Planner
from kyodo.schema.compiled.request import Fallback, Request
from kyodo.schema.context import Context
from kyodo.schema.permissions import (
    READ_DISASTER,
    can_read_audit,
    can_read_internal,
    partner_visibility,
)

log = logging.getLogger("kyodo.compiled")

COMPILED = "compiled"

PLAN_CACHE_SIZE = 256
"""Plans kept (least recently used dropped): a few hundred KB each for the deepest
documents; front ends send a few dozen distinct documents."""


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


_plans = _LRU(PLAN_CACHE_SIZE)
_operations = _LRU(PLAN_CACHE_SIZE)

REFUSED = "variables or operation refused"
"""The reason given when graphql-core would refuse the variables or the operation
(Strawberry's own execution reports why)."""

MAX_COERCION_ERRORS = 50
"""As graphql-core's ``Executor.build``: a refusal stops counting there (the normal
path, which reports the errors, uses the same limit)."""
_directive_variables = _LRU(PLAN_CACHE_SIZE)


class _DirectiveVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        for argument in node.arguments or ():
            if isinstance(argument.value, VariableNode):
                self.names.add(argument.value.name.value)


def directive_variables(query: str, document: DocumentNode) -> tuple[str, ...]:
    """The variables that @skip/@include (or any directive) read: their values shape
    the selection, so they are part of the plan's key."""
    names = _directive_variables.get(query)
    if names is None:
        visitor = _DirectiveVariables()
        visit(document, visitor)
        names = tuple(sorted(visitor.names))
        _directive_variables.put(query, names)
    return names


def viewer_of(context: Context) -> Viewer:
    return Viewer(
        partners=partner_visibility(context),
        reads_internal=can_read_internal(context),
        reads_disaster=context.principal.role in READ_DISASTER,
        reads_audit=can_read_audit(context),
    )


class CompiledReads(SchemaExtension):
    """Answers queries the planner covers with one statement per request; falls back to
    Strawberry for anything else. ``Context.compiled_reads`` off: always Strawberry."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context) and context.compiled_reads and not execution.result:
            try:
                result = await self.answer(context)
            except Fallback as reason:
                context.compiled_outcome = f"fallback: {reason}"
            except (GraphQLError, DomainError) as error:
                # An argument Strawberry refuses on purpose (first: 101, a broken id...):
                # Strawberry answers with that error, and logs it as it logs it.
                context.compiled_outcome = f"fallback: {type(error).__name__}: {error}"
            except Exception as error:
                context.compiled_outcome = f"fallback: {type(error).__name__}: {error}"
                # One line, no message (it may quote values): if the cause is not the
                # compiled path's own, Strawberry meets it next and logs it in full.
                log.debug(
                    "compiled read failed with %s; Strawberry answers (request %s)",
                    type(error).__name__,
                    context.request_id or "-",
                )
                if isinstance(error, DBAPIError):
                    await self._reset(context)
            else:
                execution.result = result
                context.compiled_outcome = COMPILED
        yield

    async def _reset(self, context: Context) -> None:
        """A failed statement leaves a PostgreSQL transaction unusable: end it, so that
        Strawberry's execution meets the same trouble afresh and reports it its way."""
        try:
            async with context.lock:
                await context.session.rollback()
        except Exception:  # the connection itself may be gone; Strawberry will say so
            log.debug("rollback after a failed compiled read failed", exc_info=True)

    async def answer(self, context: Context) -> GraphQLExecutionResult:
        """The answer of the validated query from its plan (:func:`plan_for`, made at first
        use, then :func:`run_plan`: the two halves the HTTP edge's fast path,
        ``server.fast_reads``, calls too), or ``Fallback``."""
        execution = self.execution_context
        document = execution.graphql_document
        if document is None or execution.query is None:
            raise Fallback("no document")
        if execution.operation_type is not OperationType.QUERY:
            raise Fallback(f"{execution.operation_type.value} operation")
        plan, variables = plan_for(
            execution.schema,
            execution.query,
            document,
            execution.operation_name,
            execution.variables,
            context,
        )
        return await run_plan(plan, variables, context)


def plan_for(
    schema: Any,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    context: Context,
) -> tuple[Plan, Any]:
    """(the plan, the coerced variables) of a query the planner covers, else
    ``Fallback`` (a mutation, a subscription, variables or an operation name that do
    not fit, a selection the planner does not cover). Sends no SQL."""
    operation, fragments = _operation_of(schema._schema, document, operation_name)
    variables = get_variable_values(
        schema._schema,
        operation.variable_definitions or (),
        raw_variables or {},
        max_errors=MAX_COERCION_ERRORS,
    )
    if isinstance(variables, list):
        raise Fallback(REFUSED)  # Strawberry reports why
    role = context.principal.role
    key = (
        id(schema),
        query,
        operation_name,
        role,
        tuple(
            (name, repr(variables.coerced.get(name)))
            for name in directive_variables(query, document)
        ),
    )
    plan: Plan | Fallback | None = _plans.get(key)
    if plan is None:
        try:
            plan = Planner(schema, operation, fragments, variables, role).plan()
        except Fallback as reason:
            plan = reason
        _plans.put(key, plan)
    if isinstance(plan, Fallback):
        raise plan
    return plan, variables


def _operation_of(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> tuple[OperationDefinitionNode, dict[str, FragmentDetails]]:
    """The operation to run and the document's fragments, found as graphql-core's
    ``Executor.build`` finds them (Fallback where it would refuse), once per document
    and operation name: the document cache hands the same document object for the same
    text. (The executor itself was built per request only for this and the variables;
    it also holds itself in a reference cycle, which kept every request's context,
    session and rows alive until the next garbage collection.)"""
    key = (id(document), operation_name)
    found = _operations.get(key)
    if found is not None and found[0] is document:
        return found[1], found[2]
    operation: OperationDefinitionNode | None = None
    fragments: dict[str, FragmentDetails] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if operation_name is None:
                if operation is not None:
                    raise Fallback(REFUSED)
                operation = definition
            elif definition.name and definition.name.value == operation_name:
                operation = definition
        elif isinstance(definition, FragmentDefinitionNode):
            signatures = None
            if definition.variable_definitions:
                signatures = {}
                for variable in definition.variable_definitions:
                    signature = get_variable_signature(schema, variable)
                    if isinstance(signature, GraphQLError):
                        raise Fallback(REFUSED)
                    signatures[signature.name] = signature
            fragments[definition.name.value] = FragmentDetails(definition, signatures)
    if operation is None:
        raise Fallback(REFUSED)
    _operations.put(key, (document, operation, fragments))
    return operation, fragments


async def run_plan(plan: Plan, variables: Any, context: Context) -> GraphQLExecutionResult:
    """Bind the request's arguments (a refused one raises as Strawberry's resolvers
    would, before any SQL), read with one statement, write the answer."""
    request = Request(
        context,
        variables,
        ReadQuery(context.session, viewer_of(context), raw=context.raw_sql),
    )
    try:
        for site in plan.sites:
            site.bind(request)
        for root in plan.roots:
            await root.prepare(request)
        async with context.lock:
            await request.query.run()
        data = {root.key: root.write(request) for root in plan.roots}
    finally:
        # What the roots kept for writing may hold the request (a closure over it):
        # let it go now, so the request, its rows and its context are freed at once
        # rather than by the next garbage collection.
        request.slots.clear()
    note = context.note_personal_read
    for (entity_type, pk), fields in request.reads.items():
        for field_name in fields:
            note(entity_type, pk, field_name)
    return GraphQLExecutionResult(data=data, errors=None)


def clear_plans() -> None:
    """Forget every plan (tests that change what a role may read)."""
    _plans.items.clear()
