"""The status machine of support requests (応援要請, rule 21), defined once.

    REQUESTED → ANSWERED → DELIVERED → CLOSED
    REQUESTED / ANSWERED → CANCELLED (with a reason)

ANSWERED → DELIVERED only for an accepted request, ANSWERED → CLOSED only for a declined
or unanswered one: the commands check the answer on top of the machine.
"""

from __future__ import annotations

from kyodo.domain.enums import SupportRequestStatus
from kyodo.domain.status import StatusMachine

_S = SupportRequestStatus
REQUEST_STATUSES: StatusMachine[SupportRequestStatus] = StatusMachine(
    "応援要請",
    {
        _S.REQUESTED: {_S.ANSWERED, _S.CANCELLED},
        _S.ANSWERED: {_S.DELIVERED, _S.CLOSED, _S.CANCELLED},
        _S.DELIVERED: {_S.CLOSED},
        _S.CLOSED: (),
        _S.CANCELLED: (),
    },
)

OPEN_STATUSES: tuple[SupportRequestStatus, ...] = tuple(
    s for s in REQUEST_STATUSES.states if s not in REQUEST_STATUSES.final
)
"""Requests still needing the office's attention (the live view)."""

MAX_NOTE = 2000
"""The longest note on a disaster event or on a step of a request."""
