"""The guideline's rules for agreements (協定, 第3章(3), rule 8) that need no database.

Lifecycle: DRAFT → NEGOTIATING → IN_FORCE (concluded, from DRAFT or NEGOTIATING) →
EXPIRED (the term ended without renewal) or TERMINATED (with a reason). EXPIRED and
TERMINATED are history: nothing leaves them.
"""

from __future__ import annotations

from kyodo.domain.enums import AgreementStatus
from kyodo.domain.status import StatusMachine

_S = AgreementStatus

STATUSES: StatusMachine[AgreementStatus] = StatusMachine(
    "協定",
    {
        _S.DRAFT: {_S.NEGOTIATING, _S.IN_FORCE},
        _S.NEGOTIATING: {_S.IN_FORCE},
        _S.IN_FORCE: {_S.EXPIRED, _S.TERMINATED},
        _S.EXPIRED: (),
        _S.TERMINATED: (),
    },
    field="to",
)

STATUS_LABELS = STATUSES.labels

EDITABLE: frozenset[AgreementStatus] = STATUSES.sources(_S.IN_FORCE)
"""Not yet concluded: everything may change."""
CLOSED: frozenset[AgreementStatus] = STATUSES.final
"""History: nothing changes, nobody is bound."""
PLAIN_MOVES: frozenset[AgreementStatus] = frozenset({_S.NEGOTIATING, _S.EXPIRED})
"""The moves ``agreementTransition`` makes; concluding and terminating need dates and a
reason and have their own mutations."""
