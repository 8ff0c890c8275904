"""Relay connections over domain pages, with opaque keyset cursors (``domain.pagination``).

Both ways: ``first``/``after`` forwards, ``last``/``before`` backwards, ``after`` and
``before`` together for the window between them (the Relay cursor connections spec).
``first`` and ``last`` together are refused: the spec discourages them, and no client
needs the "first n of the last m" they would mean.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry
from strawberry.exceptions import StrawberryGraphQLError

from kyodo.domain.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest

if TYPE_CHECKING:
    from kyodo.schema.context import Info

T = TypeVar("T")

FIRST_DESCRIPTION = (
    f"Forward pagination: at most this many items from the start of the list (or after "
    f"`after`); 0 to {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} when neither first nor last is given."
)
AFTER_DESCRIPTION = "Only items after this cursor (an edge's cursor or pageInfo.endCursor)."
LAST_DESCRIPTION = (
    f"Backward pagination: at most this many items from the end of the list (or before "
    f"`before`); 0 to {MAX_PAGE_SIZE}. Not together with first."
)
BEFORE_DESCRIPTION = (
    "Only items before this cursor (an edge's cursor or pageInfo.startCursor); "
    f"without first or last, the {DEFAULT_PAGE_SIZE} items just before it."
)


@strawberry.type(description="Where a page lies in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(
        description="Cursor of the page's first item; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the page's last item: pass it as after for the next page."
    )


@strawberry.type(description="One item of a page, with its cursor (Relay).")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item in the list.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list (Relay connection): its items and where it lies.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items, in order.")
    page_info: PageInfo = strawberry.field(description="Where the page lies in the list.")
    total_count: int = strawberry.field(description="Number of items in the whole list.")


def _invalid(message: str, **extensions: Any) -> StrawberryGraphQLError:
    return StrawberryGraphQLError(message, extensions={"code": "INVALID", **extensions})


def _size(name: str, value: int | None) -> int | None:
    if value is not None and (value < 0 or value > MAX_PAGE_SIZE):
        raise _invalid(
            f"{name} は 0 以上 {MAX_PAGE_SIZE} 以下で指定してください（指定値: {value}）。",
            max=MAX_PAGE_SIZE,
        )
    return value


def page_request(
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    """Validate the Relay arguments: at most 100 per page, 20 by default (the last 20
    before ``before`` when only it is given); ``first`` with ``last`` is INVALID. The
    cursors are read by the list's ordering (INVALID there when broken)."""
    first, last = _size("first", first), _size("last", last)
    if first is not None and last is not None:
        raise _invalid(
            "first と last は同時に指定できません。次のページは first と after、"
            "前のページは last と before で取得してください。"
        )
    if first is None and last is None:
        if before is not None and after is None:
            last = DEFAULT_PAGE_SIZE
        else:
            first = DEFAULT_PAGE_SIZE
    return PageRequest(first=first, after=after, last=last, before=before)


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    edges = [Edge(cursor=page.cursor(i), node=convert(item)) for i, item in enumerate(page.items)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )


First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]
Last = Annotated[int | None, strawberry.argument(description=LAST_DESCRIPTION)]
Before = Annotated[str | None, strawberry.argument(description=BEFORE_DESCRIPTION)]


async def read_page(
    info: Info, convert: Callable[[Any], T], read: Callable[..., Any], /, **arguments: Any
) -> Connection[T]:
    """The connection of the page the domain read ``read(session, **arguments)`` returns,
    each item ``convert``-ed."""
    return connection(await info.context.run(read, **arguments), convert)


_RELAY = (("first", First), ("after", After), ("last", Last), ("before", Before))


def paged(resolver: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """A connection field's resolver that takes its page as ``page: PageRequest``: its
    GraphQL arguments have the Relay ones (first, after, last, before) in that place, and
    ``page_request`` reads them into ``page``."""
    signature = inspect.signature(resolver)
    parameters = list(signature.parameters.values())
    at = next(i for i, p in enumerate(parameters) if p.name == "page")
    relay = [
        inspect.Parameter(name, parameters[at].kind, annotation=annotation, default=None)
        for name, annotation in _RELAY
    ]

    @functools.wraps(resolver)
    async def resolve(
        *args: Any,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **kwargs: Any,
    ) -> T:
        return await resolver(*args, page=page_request(first, after, last, before), **kwargs)

    resolve.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*parameters[:at], *relay, *parameters[at + 1 :]]
    )
    return resolve
