"""Changing endorsement applications (後援, 第3章(7), rule 11): submitted by the organiser,
decided by the city after its screening, withdrawn by the organiser. Each function is a
command as :mod:`domain.commanding` describes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.commanding import move
from kyodo.domain.endorsements import rules
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import EndorsementDisqualifier, EndorsementStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.service import check_department
from kyodo.domain.versioning import not_found
from kyodo.domain.writes import Audited, fields_snapshot, row_values

ENTITY = "EndorsementApplication"
FIELDS = (
    "event_name",
    "organizer_id",
    "department_id",
    "event_starts_on",
    "event_ends_on",
    "venue",
    "purpose",
    "expected_audience",
    "disqualifiers",
    "requested_funding_yen",
    "contributes_to_city_policy",
    "status",
    "submitted_on",
    "decided_on",
    "decision_reason",
)
MAX_TEXT = v.MAX_TEXT


_ORDER = {d: i for i, d in enumerate(EndorsementDisqualifier)}


@dataclass
class EndorsementData:
    event_name: str
    organizer_id: int
    department_code: str
    event_starts_on: date
    purpose: str
    disqualifiers: Sequence[EndorsementDisqualifier] = field(default_factory=list)
    event_ends_on: date | None = None
    venue: str | None = None
    expected_audience: str | None = None
    requested_funding_yen: int | None = None


APPLICATIONS = Audited(
    EndorsementApplication, entity_type=ENTITY, label="後援の申請", snapshot=fields_snapshot(FIELDS)
)


async def submit_application(
    session: AsyncSession, *, data: EndorsementData, today: date, actor: str
) -> EndorsementApplication:
    """Receive a request to lend the city's name to an event (第3章(7)).

    An endorsement comes without money (FINANCIAL_SUPPORT_NOT_ALLOWED when funding is
    asked for), and is asked for an event that has not ended by ``today`` (INVALID).
    The answers to the seven-item checklist are stored as given; they decide the
    screening later, when staff also judge the contribution to city policy.
    """
    problems = v.Problems()
    name = v.column_text(
        problems,
        data.event_name,
        EndorsementApplication.event_name,
        label="行事の名前",
        required=True,
    )
    organizer = await session.get(Partner, data.organizer_id)
    if organizer is None:
        problems.extend(not_found("主催者", "organizer_id").problems)
    department = await check_department(session, data.department_code, problems)
    problems_before_dates = len(problems.items)
    v.check_date(problems, data.event_starts_on, label="行事の始まる日", field="event_starts_on")
    v.check_date(problems, data.event_ends_on, label="行事の終わる日", field="event_ends_on")
    if data.event_ends_on is not None and data.event_ends_on < data.event_starts_on:
        problems.add(
            ErrorCode.INVALID,
            "終わる日は、始まる日と同じか、それより後の日にしてください。",
            "event_ends_on",
        )
    elif problems_before_dates == len(problems.items):
        # The city lends its name to an event ahead (or under way), never to one over.
        last_day = data.event_ends_on or data.event_starts_on
        if last_day < today:
            problems.add(
                ErrorCode.INVALID,
                f"この行事は{last_day.isoformat()}に終わっています（今日は{today.isoformat()}）。"
                "後援は行事が終わる前に申請してください。",
                "event_ends_on" if data.event_ends_on is not None else "event_starts_on",
            )
    venue = v.column_text(problems, data.venue, EndorsementApplication.venue, label="会場")
    purpose = v.required_text(
        problems, data.purpose, label="行事の目的", field="purpose", max_length=MAX_TEXT
    )
    audience = v.column_text(
        problems,
        data.expected_audience,
        EndorsementApplication.expected_audience,
        label="対象・見込みの参加者",
    )
    disqualifiers: list[EndorsementDisqualifier] = []
    if v.bounded_list(problems, data.disqualifiers, label="該当する項目", field="disqualifiers"):
        disqualifiers = sorted(set(data.disqualifiers), key=_ORDER.__getitem__)
    funding = rules.funding_problem(data.requested_funding_yen)
    if funding is not None:
        problems.extend([funding])
    problems.raise_if_any()
    assert name is not None and purpose is not None
    assert department is not None and department.id is not None

    application = EndorsementApplication(
        **row_values(
            data,
            EndorsementApplication,
            event_name=name,
            department_id=department.id,
            venue=venue,
            purpose=purpose,
            expected_audience=audience,
            disqualifiers=[d.value for d in disqualifiers],
            status=EndorsementStatus.SUBMITTED,
            submitted_on=today,
        )
    )
    return await APPLICATIONS.insert(
        session,
        application,
        actor=actor,
        action="endorsementApplication.submit",
        refresh=True,
    )


async def decide_application(
    session: AsyncSession,
    *,
    application_id: int,
    expected_version: int,
    approve: bool,
    contributes_to_city_policy: bool,
    reason: str | None,
    decided_on: date | None,
    today: date,
    actor: str,
) -> EndorsementApplication:
    """Approve or refuse an endorsement (第3章(7), rule 11).

    Only a SUBMITTED application is decided. Approving needs an eligible screening: none
    of the seven grounds applies and staff judge that the event advances city policy
    (ENDORSEMENT_DISQUALIFIED otherwise, one problem per reason). Refusing needs a
    reason the organiser can read (REASON_REQUIRED).
    """
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    application = change.row
    problems = v.Problems()
    text = v.optional_text(problems, reason, label="理由", field="reason", max_length=MAX_TEXT)
    v.check_date(problems, decided_on, label="決定日", field="decided_on")
    problems.raise_if_any()
    screening = rules.screen(
        disqualifiers=application.disqualifiers,
        contributes_to_city_policy=contributes_to_city_policy,
    )
    rules.check_endorsement_decision(
        status=application.status, approve=approve, screening=screening, reason=text
    )
    day = decided_on or today
    if application.submitted_on is not None and day < application.submitted_on:
        raise DomainError(
            ErrorCode.INVALID, "決定日は申請日より後の日付にしてください。", "decided_on"
        )
    return await move(
        change,
        rules.STATUSES,
        EndorsementStatus.APPROVED if approve else EndorsementStatus.REJECTED,
        {
            "contributes_to_city_policy": contributes_to_city_policy,
            "decided_on": day,
            "decision_reason": text,
        },
        actor=actor,
        action="endorsementApplication.approve" if approve else "endorsementApplication.reject",
    )


async def withdraw_application(
    session: AsyncSession, *, application_id: int, expected_version: int, actor: str
) -> EndorsementApplication:
    """The organiser withdraws the request (SUBMITTED or APPROVED → WITHDRAWN)."""
    change = await APPLICATIONS.begin(session, application_id, expected_version)
    status = change.row.status
    if not rules.STATUSES.allows(status, EndorsementStatus.WITHDRAWN):
        raise rules.STATUSES.refuse(
            f"「{rules.STATUSES.label(status)}」の申請は取り下げられません。"
            "取り下げられるのは「申請中」か「承認」の申請だけです。"
        )
    return await move(
        change,
        rules.STATUSES,
        EndorsementStatus.WITHDRAWN,
        actor=actor,
        action="endorsementApplication.withdraw",
    )


__all__ = [
    "EndorsementData",
    "decide_application",
    "submit_application",
    "withdraw_application",
]
