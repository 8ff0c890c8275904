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


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int


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
