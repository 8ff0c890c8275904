"""Relay connections over domain pages, with opaque offset cursors."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.exceptions import StrawberryGraphQLError

from domain.pagination import DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE, Page, PageRequest

T = TypeVar("T")

_CURSOR_PREFIX = "offset:"


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


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset in a cursor we issued; INVALID for anything else, including offsets
    past the last one a page can start after (``MAX_OFFSET``)."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        digits = raw[len(_CURSOR_PREFIX) :]
        # (ASCII digits only, and few of them: int() of a huge digit string is slow)
        well_formed = raw.startswith(_CURSOR_PREFIX) and digits.isascii() and digits.isdigit()
        if well_formed and len(digits) <= len(str(MAX_OFFSET)) and int(digits) < MAX_OFFSET:
            return int(digits)
    except (ValueError, UnicodeDecodeError):
        pass
    raise StrawberryGraphQLError(
        f"カーソル「{cursor}」が正しくありません。", extensions={"code": "INVALID"}
    )


def page_request(first: int | None, after: str | None) -> PageRequest:
    """Validate ``first``/``after``: 20 by default, at most 100 per page."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if limit < 0 or limit > MAX_PAGE_SIZE:
        raise StrawberryGraphQLError(
            f"first は 0 以上 {MAX_PAGE_SIZE} 以下で指定してください（指定値: {limit}）。",
            extensions={"code": "INVALID", "max": MAX_PAGE_SIZE},
        )
    offset = decode_cursor(after) + 1 if after else 0
    return PageRequest(limit=limit, offset=offset)


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    edges = [
        Edge(cursor=encode_cursor(page.offset + i), node=convert(item))
        for i, item in enumerate(page.items)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
