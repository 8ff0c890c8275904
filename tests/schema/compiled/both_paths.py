"""One document answered by the compiled read path and by Strawberry's resolvers: the
answers must be the same, and the compiled path must have answered itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.schema.context import Context, Principal


async def both_paths(
    session: AsyncSession,
    query: str,
    variables: dict[str, Any],
    *,
    principal: Principal,
    today: date | None = None,
) -> Any:
    """The data both paths answer (no errors), once they are known to be the same."""
    from kyodo.schema import schema

    answers = []
    for compiled in (True, False):
        context = Context(session=session, principal=principal, compiled_reads=compiled)
        if today is not None:
            context.today = today
        result = await schema.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None, result.errors
        if compiled:
            assert context.compiled_outcome == "compiled", context.compiled_outcome
        answers.append(result.data)
    assert answers[0] == answers[1]
    return answers[0]
