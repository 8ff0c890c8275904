"""A finished collaboration has ended (rule 4, issue 11).

COMPLETED (完了) and EVALUATED (評価済み) say the project is over, so its end date
(``endsOn``) cannot lie after the day of the request (``today``, never the wall clock):
a project running until 2099 cannot be marked COMPLETED now, nor a completed one moved
to end in 2099. Checked when moving to COMPLETED and on every edit of a finished one.
"""

from __future__ import annotations

from datetime import date

from kyodo.domain import validation as v
from kyodo.domain.enums import CollaborationStatus
from kyodo.domain.errors import Problem

FINISHED = frozenset({CollaborationStatus.COMPLETED, CollaborationStatus.EVALUATED})

ENDS_ON_FIELD = "ends_on"
"""Where the end date is set (collaborationUpdate's input), as readiness problems point."""


def completion_problems(*, ends_on: date | None, today: date) -> list[Problem]:
    """INVALID when ``ends_on`` lies after ``today`` for a finished collaboration."""
    problems = v.Problems()
    if ends_on is not None:
        v.not_after_today(
            problems,
            ends_on,
            today=today,
            label="終わりの日",
            field=ENDS_ON_FIELD,
            message=(
                f"終わりの日（endsOn: {ends_on.isoformat()}）が今日（{today.isoformat()}）"
                "より後です。完了した事業は、実際に終わった日を終わりの日にしてください。"
            ),
        )
    return list(problems.items)
