"""Orderings of lists and their keyset cursors.

A list has an :class:`Ordering`: its sort keys, the last one the id, so the order is
total. A cursor names the ordering it belongs to and carries the keys of its row, so
"after this cursor" is a WHERE on the keys (a keyset) rather than an offset: rows
inserted or deleted before the cursor's row move neither the next page nor the previous
one. Every nullable key says where its NULLs go (``NULLS FIRST``/``LAST`` written out,
the same on SQLite and PostgreSQL), and the keyset conditions place NULL the same way,
so reading backwards is exactly the reverse of reading forwards. Pages over orderings
are :mod:`domain.pagination`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa

from kyodo.domain.errors import DomainError, ErrorCode

T = TypeVar("T")

MAX_CURSOR_LENGTH = 2000
"""A cursor longer than this was not issued by kyodo (sort keys are short columns)."""


# ------------------------------------------------------------------ orderings


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of an ordering. ``name``: the attribute of the listed rows holding it
    (None when it lives on another table, e.g. the collaboration of a participation).
    ``nulls_greatest``: NULL sorts after every value in ascending terms (so first when
    descending); False puts NULLs first ascending, last descending."""

    column: Any
    descending: bool = False
    name: str | None = None
    nulls_greatest: bool = True

    @property
    def nullable(self) -> bool:
        return _nullable(self.column)

    def clause(self, reverse: bool = False) -> Any:
        descending = self.descending != reverse
        clause = self.column.desc() if descending else self.column.asc()
        if not self.nullable:
            return clause
        nulls_last = self.nulls_greatest != descending
        return clause.nulls_last() if nulls_last else clause.nulls_first()

    def python_type(self) -> type:
        try:
            found = getattr(self.column, "expression", self.column).type.python_type
        except NotImplementedError:
            return str
        return found if isinstance(found, type) and found is not object else str

    @property
    def int_limit(self) -> int:
        """Integers a cursor may carry for this key: what the column holds (a larger one,
        bound as a parameter, overflows the driver instead of matching nothing)."""
        type_ = getattr(self.column, "expression", self.column).type
        return 2**63 if isinstance(type_, sa.BigInteger) else 2**31


@dataclass(frozen=True, slots=True)
class Ordering:
    """A total order of a list; ``name`` goes into its cursors, so that a cursor of one
    order is refused by another."""

    name: str
    keys: tuple[SortKey, ...]

    def order_by(self, reverse: bool = False) -> list[Any]:
        return list(_order_by(self, reverse))

    @property
    def names(self) -> tuple[str, ...] | None:
        """The row attributes holding the keys, or None if some key is not on the row."""
        names = tuple(key.name for key in self.keys)
        return None if None in names else names  # type: ignore[return-value]

    def values_of(self, row: Any) -> tuple[Any, ...]:
        names = self.names
        assert names is not None, f"{self.name}: keys not on the row"
        return tuple(getattr(row, name) for name in names)

    def labelled(self) -> list[Any]:
        return [key.column.label(f"page_k{i}") for i, key in enumerate(self.keys)]

    # -- cursors --------------------------------------------------------------

    def cursor(self, values: Sequence[Any]) -> str:
        payload = [self.name, [_encode_value(v) for v in values]]
        raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def parse(self, cursor: str) -> tuple[Any, ...]:
        """The keys in a cursor of this ordering; INVALID for anything else."""
        payload = _decode_payload(cursor)
        if payload is None:
            raise _bad_cursor(cursor)
        name, raw_values = payload
        if name != self.name:
            raise DomainError(
                ErrorCode.INVALID,
                f"カーソル「{_shorten(cursor)}」は別の一覧か別の並び順のものです。"
                "並び順を変えたときは最初のページから取り直してください。",
            )
        if len(raw_values) != len(self.keys):
            raise _bad_cursor(cursor)
        try:
            return tuple(
                _decode_value(value, key) for value, key in zip(raw_values, self.keys, strict=True)
            )
        except (TypeError, ValueError):
            raise _bad_cursor(cursor) from None

    # -- keyset conditions -----------------------------------------------------

    def after(self, values: Sequence[Any]) -> sa.ColumnElement[bool]:
        """Rows strictly after the row having these keys."""
        return self._beyond(values, after=True)

    def before(self, values: Sequence[Any]) -> sa.ColumnElement[bool]:
        """Rows strictly before the row having these keys."""
        return self._beyond(values, after=False)

    def _beyond(self, values: Sequence[Any], *, after: bool) -> sa.ColumnElement[bool]:
        alternatives: list[sa.ColumnElement[bool]] = []
        equal: list[sa.ColumnElement[bool]] = []
        for key, value in zip(self.keys, values, strict=True):
            later = after != key.descending  # "greater" in the column's own terms
            alternatives.append(sa.and_(*equal, _past(key, value, later)))
            equal.append(_equal(key, value))
        return sa.or_(*alternatives)


ORDER_BY_KEPT = 512
"""ORDER BY clauses kept by :func:`_order_by` (orderings over aliases are new each time)."""


@lru_cache(maxsize=ORDER_BY_KEPT)
def _order_by(ordering: Ordering, reverse: bool) -> tuple[Any, ...]:
    """An ordering's ORDER BY, built once: the same (immutable) clause objects every
    time, whose SQLAlchemy cache keys are then computed once too — building them and
    their keys anew was half of what a list page did before its statement ran."""
    return tuple(key.clause(reverse) for key in ordering.keys)


def by_column(
    name: str, model: Any, column: str, *, descending: bool = True, nulls_greatest: bool = True
) -> Ordering:
    """The ordering ``name``: by ``model``'s ``column``, then by id, both ``descending``
    (newest first, by default); keys named as the columns, so rows carry them."""
    return Ordering(
        name,
        (
            SortKey(getattr(model, column), descending, column, nulls_greatest=nulls_greatest),
            SortKey(model.id, descending, "id"),
        ),
    )


def _past(key: SortKey, value: Any, greater: bool) -> sa.ColumnElement[bool]:
    """``key`` beyond ``value``, greater or less in ascending terms, NULL placed as the
    key places it."""
    column = key.column
    towards_nulls = greater == key.nulls_greatest
    if value is None:  # (only a nullable key holds NULL)
        return sa.false() if towards_nulls else column.is_not(None)  # type: ignore[no-any-return]
    comparison = (column > value) if greater else (column < value)
    if not key.nullable:
        return comparison  # type: ignore[no-any-return]
    if towards_nulls:
        return sa.or_(comparison, column.is_(None))
    # False, not NULL, on a NULL row: the negation (rows at or before) must hold there.
    return sa.and_(column.is_not(None), comparison)


def _equal(key: SortKey, value: Any) -> sa.ColumnElement[bool]:
    if value is None:
        return key.column.is_(None)  # type: ignore[no-any-return]
    if key.nullable:
        return sa.and_(key.column.is_not(None), key.column == value)
    return key.column == value  # type: ignore[no-any-return]


def _nullable(column: Any) -> bool:
    return bool(getattr(getattr(column, "expression", column), "nullable", True))


def _encode_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def _decode_value(value: Any, key: SortKey) -> Any:
    type_ = key.python_type()
    if value is None:
        if not key.nullable:
            raise ValueError("null key")
        return None
    if issubclass(type_, datetime):
        found = datetime.fromisoformat(_str(value))
        if not 1 < found.year < 9999:  # no row holds it; converting to UTC might overflow
            raise ValueError("out of range")
        return found
    if issubclass(type_, date):
        return date.fromisoformat(_str(value))
    if issubclass(type_, bool) or not isinstance(value, (int, str)) or isinstance(value, bool):
        raise ValueError("unexpected key")
    if issubclass(type_, int):
        if not isinstance(value, int) or not -key.int_limit <= value < key.int_limit:
            raise ValueError("not an integer")
        return value
    return _str(value)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _decode_payload(cursor: str) -> tuple[str, list[Any]] | None:
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    if (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], str)
        and isinstance(payload[1], list)
    ):
        return payload[0], payload[1]
    return None


def _shorten(cursor: str) -> str:
    return cursor if len(cursor) <= 80 else cursor[:80] + "…"


def _bad_cursor(cursor: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID,
        f"カーソル「{_shorten(cursor)}」が正しくありません。この API が返したカーソルをそのまま"
        "渡してください（以前の位置番号のカーソルは使えません。最初のページから取り直してください）。",
    )
