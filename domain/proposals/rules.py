"""The guideline's rules for citizens' proposals (提案, 第2章3), as pure functions.

A proposal may arrive by any channel. The city answers it: still under consideration,
adopted (possibly becoming a collaboration) or not adopted — and a "no" must come with a
reason the proposer can understand. The needs learned are kept either way (the service
stores them; nothing here depends on them).
"""

from __future__ import annotations

from kyodo.domain.enums import ProposalStatus
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.status import StatusMachine
from kyodo.domain.validation import blank_problems, is_blank

# The answers the city can give; RECEIVED is where a proposal starts, not an answer.
DECISIONS: frozenset[ProposalStatus] = frozenset(
    {ProposalStatus.UNDER_CONSIDERATION, ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED}
)

FINAL_DECISIONS: frozenset[ProposalStatus] = frozenset(
    {ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED}
)

STATUSES: StatusMachine[ProposalStatus] = StatusMachine(
    "提案",
    {
        # An interim answer may be updated (UNDER_CONSIDERATION again, e.g. with new
        # support options); a final one stands, since the proposer has been told.
        ProposalStatus.RECEIVED: DECISIONS,
        ProposalStatus.UNDER_CONSIDERATION: DECISIONS,
        ProposalStatus.ADOPTED: (),
        ProposalStatus.NOT_ADOPTED: (),
    },
)
PROPOSAL_STATUS_LABELS = STATUSES.labels
RESPONSE_TRANSITIONS = STATUSES.transitions


def check_proposal_response(
    *,
    status: ProposalStatus,
    decision: ProposalStatus,
    response: str | None,
    collaboration_id: int | None,
    background: str | None = None,
    support_options: str | None = None,
) -> None:
    """Refuse an answer to a proposal that breaks rule 12 (第2章3).

    - ``decision`` is one of UNDER_CONSIDERATION, ADOPTED, NOT_ADOPTED (``INVALID``).
    - A proposal that is RECEIVED or UNDER_CONSIDERATION may get any answer; one already
      ADOPTED or NOT_ADOPTED keeps its answer (``INVALID_TRANSITION``).
    - NOT_ADOPTED needs a non-blank ``response`` explaining why (``REASON_REQUIRED``).
    - NOT_ADOPTED also needs the background investigated (``background``) and the ways
      to realise it and support the city could give considered (``support_options``):
      第2章3 asks for both before saying no, so 「できません。」 alone is refused
      (``INVESTIGATION_REQUIRED``, one problem per missing text). Pass the values the
      proposal will hold after the answer (sent now or recorded earlier).
    - Only an ADOPTED proposal can be linked to the collaboration it became (``INVALID``).

    Raises one ``DomainError`` carrying every problem with the answer itself.
    """
    if decision not in DECISIONS:
        raise DomainError(
            ErrorCode.INVALID,
            "回答は「検討中」「採用」「不採用」のどれかにしてください。",
            "decision",
        )
    if not STATUSES.allows(status, decision):
        raise STATUSES.refuse(
            f"この提案にはすでに「{STATUSES.label(status)}」と回答しています。"
            "最終的な回答は変えられません。",
            "decision",
        )
    problems: list[Problem] = []
    if decision is ProposalStatus.NOT_ADOPTED and is_blank(response):
        problems.append(
            Problem(
                ErrorCode.REASON_REQUIRED,
                "採用しない場合は、その理由を提案した方にわかる言葉で書いてください。",
                "response",
            )
        )
    if decision is ProposalStatus.NOT_ADOPTED:
        problems.extend(_investigation_problems(background, support_options))
    if collaboration_id is not None and decision is not ProposalStatus.ADOPTED:
        problems.append(
            Problem(
                ErrorCode.INVALID,
                "協働事業と結びつけられるのは、採用した提案だけです。",
                "collaboration_id",
            )
        )
    if problems:
        raise DomainError(problems=problems)


def _investigation_problems(background: str | None, support_options: str | None) -> list[Problem]:
    return blank_problems(
        ErrorCode.INVESTIGATION_REQUIRED,
        [
            (
                background,
                "採用しない前に、提案に至った背景を十分に調べ、わかったことを書いてください。",
                "background",
            ),
            (
                support_options,
                "採用しない前に、「どうやったら実現できるか」「どんな支援ができるか」を"
                "検討し、その結果を書いてください。",
                "support_options",
            ),
        ],
    )
