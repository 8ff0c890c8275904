"""When the steps of the activation log happened (応援要請, rule 21): instants are kept in
UTC and judged by their calendar day in Japan, never in the future and never before the
step they follow."""

from __future__ import annotations

from datetime import UTC, date, datetime

from kyodo.domain import validation as v
from kyodo.domain.errors import ErrorCode
from kyodo.domain.japanese import TOKYO


def tokyo_day(moment: datetime) -> date:
    """The calendar day in Japan of an instant (naive instants are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TOKYO).date()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def in_utc(moment: datetime) -> datetime:
    """Instants are stored in UTC (SQLite keeps no offset and hands back naive UTC)."""
    return _aware(moment).astimezone(UTC)


def check_moment(
    problems: v.Problems,
    moment: datetime,
    *,
    label: str,
    field: str,
    today: date,
    not_before: datetime | None = None,
    not_before_label: str = "",
) -> None:
    """An instant's day is in the dates the database holds (``check_date``), not after
    ``today``, and not before ``not_before`` (the step it follows)."""
    day = tokyo_day(moment)
    before = len(problems.items)
    v.check_date(problems, day, label=label, field=field)
    if len(problems.items) > before:
        return
    if day > today:
        problems.add(
            ErrorCode.INVALID,
            f"{label}に、まだ来ていない日（{day.isoformat()}）は入れられません。",
            field,
        )
    elif not_before is not None and _aware(moment) < _aware(not_before):
        problems.add(
            ErrorCode.INVALID,
            f"{label}は{not_before_label}（{_aware(not_before).astimezone(TOKYO):%Y-%m-%d %H:%M}）"
            "より後にしてください。",
            field,
        )
