"""What is not collaboration (第5章 Q8, rule 16): the screening every collaboration carries.

The guideline: 「宗教活動・政治活動を目的とする事業や公益を害するおそれのある活動は、
協働の分野として適しません。」 This holds for every form, not only for endorsements
(whose seven grounds of 第3章(7) are screened in :mod:`domain.endorsements.rules`). A
collaboration carries the grounds its applicant ticked (``declared_unfit_grounds``, sent
with the collaboration's input) and those staff found on screening
(``added_unfit_grounds``, with a note, :func:`screen_collaboration`). While any ground
is present the collaboration cannot start (``UNFIT_FOR_COLLABORATION``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.enums import CollaborationStatus, UnfitGround
from kyodo.domain.errors import ErrorCode, Problem
from kyodo.domain.labels import UNFIT_GROUND_LABELS
from kyodo.domain.writes import Audited, fields_snapshot

_ORDER = {g: i for i, g in enumerate(UnfitGround)}
SCREENABLE = frozenset({CollaborationStatus.PLANNING, CollaborationStatus.ACTIVE})
NOTE_MAX = v.MAX_TEXT


def ordered(grounds: Iterable[UnfitGround | str]) -> list[UnfitGround]:
    """Grounds without duplicates, in the guideline's order; unknown names raise ValueError."""
    return sorted({UnfitGround(g) for g in grounds}, key=_ORDER.__getitem__)


def ground_reason(ground: UnfitGround) -> str:
    """「政治活動を目的としているため、協働の相手方・事業として適しません。」 and so on."""
    return f"{UNFIT_GROUND_LABELS[ground]}ため、協働の事業として適しません。"


@dataclass(frozen=True, slots=True)
class CollaborationScreening:
    """The outcome of 第5章 Q8's check: fit when no ground applies."""

    fit: bool
    grounds: tuple[UnfitGround, ...]
    declared: tuple[UnfitGround, ...]
    added: tuple[UnfitGround, ...]
    reasons: tuple[str, ...]
    note: str | None
    screened_on: date | None


def screening_of(collaboration: Collaboration) -> CollaborationScreening:
    declared = ordered(collaboration.declared_unfit_grounds or ())
    added = ordered(collaboration.added_unfit_grounds or ())
    grounds = ordered([*declared, *added])
    return CollaborationScreening(
        fit=not grounds,
        grounds=tuple(grounds),
        declared=tuple(declared),
        added=tuple(added),
        reasons=tuple(ground_reason(g) for g in grounds),
        note=collaboration.screening_note,
        screened_on=collaboration.screened_on,
    )


def unfit_problems(
    declared: Sequence[UnfitGround | str], added: Sequence[UnfitGround | str]
) -> list[Problem]:
    """One ``UNFIT_FOR_COLLABORATION`` per ground present, for refusing the start (rule 16)."""
    return [
        Problem(ErrorCode.UNFIT_FOR_COLLABORATION, ground_reason(g), "to")
        for g in ordered([*declared, *added])
    ]


async def unfit_problems_of_collaboration(
    session: AsyncSession, collaboration_id: int | None, *, doing: str
) -> list[Problem]:
    """The grounds of the collaboration a record is made for, refusing ``doing`` (rule 16:
    an agreement for a screened-out collaboration is not concluded either)."""
    if collaboration_id is None:
        return []
    collaboration = await session.get(Collaboration, collaboration_id)
    if collaboration is None:
        return []
    return [
        Problem(
            ErrorCode.UNFIT_FOR_COLLABORATION,
            f"この協定の協働事業「{collaboration.title}」は、{ground_reason(g)}{doing}",
        )
        for g in screening_of(collaboration).grounds
    ]


SCREENINGS = Audited(
    Collaboration,
    entity_type="Collaboration",
    label="協働事業",
    snapshot=fields_snapshot(["added_unfit_grounds", "screening_note", "screened_on"]),
)


async def screen_collaboration(
    session: AsyncSession,
    *,
    collaboration_id: int,
    expected_version: int,
    added_grounds: Sequence[UnfitGround],
    note: str | None,
    screened_on: date | None,
    today: date,
    actor: str,
) -> Collaboration:
    """Record staff's screening (第5章 Q8): the grounds they found, with a note.

    ``added_grounds`` replace the grounds staff found earlier (the applicant's own ticks
    stay as sent with the collaboration). A screening states why: the note is required
    whenever a ground is added, and when earlier findings are lifted
    (``REASON_REQUIRED`` on ``input.note``). Only a collaboration being planned or under
    way is screened (``INVALID_TRANSITION``); the day is not in the future (``INVALID``).
    """
    screened_on = screened_on or today  # left out: screened today
    change = await SCREENINGS.begin(session, collaboration_id, expected_version)
    collaboration = change.row
    problems = v.Problems()
    if collaboration.status not in SCREENABLE:
        problems.add(
            ErrorCode.INVALID_TRANSITION,
            "協働に適するかどうかの確認は、計画中か実施中の協働事業にだけ記録できます。",
            "id",
        )
    text = v.optional_text(problems, note, label="確認のメモ", field="note", max_length=NOTE_MAX)
    grounds = ordered(added_grounds)
    lifting = bool(collaboration.added_unfit_grounds) and not grounds
    if (grounds or lifting) and text is None:
        problems.add(
            ErrorCode.REASON_REQUIRED,
            "協働に適さない理由（または、前の判断を取り消す理由）をメモに書いてください。",
            "note",
        )
    v.check_past_date(problems, screened_on, today=today, label="確認した日", field="screened_on")
    problems.raise_if_any()
    await change.write(
        {
            "added_unfit_grounds": [g.value for g in grounds],
            "screening_note": text,
            "screened_on": screened_on,
        }
    )
    await change.record(actor=actor, action="collaboration.screen")
    return collaboration
