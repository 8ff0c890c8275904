"""The compiled read path (issue 9): queries answered without a resolver per field.

A validated query is planned once (:mod:`schema.compiled.plan`, cached by document,
operation, role and the variables @skip/@include read): each root field the planner
covers (:mod:`schema.compiled.roots`) becomes a fetch of the read models
(:mod:`domain.read`), every field a writer (:mod:`schema.compiled.writers`, from its spec:
:mod:`schema.compiled.specs`, :mod:`schema.compiled.types`). At run time
the arguments are bound and checked, the database builds the nested result as JSON in
one statement per request, and the writers turn it into the response Strawberry would
have produced — same data, same nulls, same personal-data reads. Anything the planner
does not cover, any field the caller may not read, any argument Strawberry would refuse:
the request falls back to Strawberry, so errors and behaviour stay as they are
(:class:`CompiledReads`, the kill switch is ``KYODO_COMPILED_READS=false``).
"""

from kyodo.schema.compiled.extension import COMPILED, CompiledReads, clear_plans

__all__ = ["COMPILED", "CompiledReads", "clear_plans"]
