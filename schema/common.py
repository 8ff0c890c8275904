"""Small conversions shared by every area's types."""

from __future__ import annotations

from datetime import UTC, datetime

from kyodo.domain.japanese import to_wareki
from kyodo.schema.context import TOKYO


def aware(value: datetime) -> datetime:
    """Instants leave the API timezone-aware in Asia/Tokyo (SQLite hands back naive UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TOKYO)


__all__ = ["aware", "to_wareki"]
