"""A seed record's values as column values: dates and date-times parsed from ISO
strings, enums from their names, unknown or managed fields refused; the derived columns
filled as the domain's writes fill them; and ``SeedDataError``, which every step raises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from kyodo.domain.agreements.commands import search_text_of
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.collaborations.service import refresh_search_text
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.subsidies.models import SubsidyProgram
from kyodo.domain.subsidies.service import series_key_of

# Columns the loader computes itself or that the database fills in.
_MANAGED_COLUMNS = frozenset(
    {"id", "version", "created_at", "updated_at", "sort_key", "search_text"}
)


class SeedDataError(ValueError):
    """A seed file is malformed or refers to something that does not exist."""


def _set_derived_columns(row: SQLModel) -> None:
    """Fill the derived columns exactly as the domain's own writes do."""
    if isinstance(row, Partner):
        refresh_derived_fields(row)
    elif isinstance(row, Collaboration):
        refresh_search_text(row)
    elif isinstance(row, Agreement):
        row.search_text = search_text_of(row.title, row.support_details)
    elif isinstance(row, SubsidyProgram):
        # The series key as subsidyProgramCreate sets it: given, else from the name.
        row.series_key = series_key_of(getattr(row, "series_key", None) or row.name)


def _column_values(
    model: type[SQLModel],
    item: Mapping[str, Any],
    *,
    skip: Iterable[str] = (),
    context: str,
) -> dict[str, Any]:
    """Copy a record's fields to column values, parsing dates and enum names.

    Unknown fields, managed columns and raw foreign keys are refused, so a typo in a seed
    file fails loudly instead of being dropped.
    """
    if not isinstance(item, Mapping):
        raise SeedDataError(f"{context}: expected an object, got {item!r:.80}")
    table = model.__table__  # type: ignore[attr-defined]
    skipped = set(skip)
    values: dict[str, Any] = {}
    for name, raw in item.items():
        if name in skipped:
            continue
        column = table.c.get(name)
        if column is None or name in _MANAGED_COLUMNS or column.foreign_keys:
            raise SeedDataError(f"{context}: {table.name} has no settable field {name!r}")
        values[name] = _convert(column, raw, context=f"{context}: {name}")
    return values


def _convert(column: sa.Column[Any], raw: Any, *, context: str) -> Any:
    if raw is None:
        return None
    column_type = column.type
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return _enum(column_type.enum_class, raw, context)
    if isinstance(column_type, sa.Date):
        try:
            return date.fromisoformat(raw)
        except (TypeError, ValueError):
            raise SeedDataError(f"{context}: {raw!r} is not an ISO date") from None
    if isinstance(column_type, sa.DateTime):
        try:
            moment = datetime.fromisoformat(raw)
        except (TypeError, ValueError):
            raise SeedDataError(f"{context}: {raw!r} is not an ISO date and time") from None
        # stored in UTC, as the domain's writes do (SQLite keeps no offset)
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return raw


def _enum(enum_class: Any, name: Any, context: str) -> Any:
    try:
        return enum_class[name]
    except KeyError:
        raise SeedDataError(f"{context}: {name!r} is not a {enum_class.__name__}") from None


def _unique(values: Sequence[Any], *, context: str, what: str) -> list[Any]:
    if len(set(values)) != len(values):
        raise SeedDataError(f"{context}: a {what} is listed twice")
    return list(values)
