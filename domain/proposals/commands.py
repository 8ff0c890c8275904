"""Receiving and answering citizens' proposals (提案, 第2章3, rule 12), whatever channel
they came by. Each function is a command as :mod:`domain.commanding` describes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.base import UNSET, is_set
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.commanding import move
from kyodo.domain.enums import ProposalChannel, ProposalKind, ProposalStatus
from kyodo.domain.partners.models import Partner
from kyodo.domain.proposals import rules
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.reference.service import check_department
from kyodo.domain.versioning import not_found
from kyodo.domain.writes import Audited, fields_snapshot

ENTITY = "Proposal"
FIELDS = (
    "title",
    "body",
    "kind",
    "channel",
    "received_on",
    "proposer_id",
    "department_id",
    "status",
    "background",
    "support_options",
    "response",
    "responded_on",
    "identified_needs",
    "collaboration_id",
)
MAX_TEXT = v.MAX_TEXT
# One need (課題・ニーズ) in the JSON list identified_needs.
MAX_NEED = 300


@dataclass
class ProposalData:
    title: str
    body: str
    kind: ProposalKind
    channel: ProposalChannel
    department_code: str
    received_on: date | None = None
    proposer_id: int | None = None


@dataclass
class ResponseData:
    """The city's answer. Fields left UNSET keep their stored value; None clears them."""

    decision: ProposalStatus
    background: Any = UNSET
    support_options: Any = UNSET
    response: Any = UNSET
    identified_needs: Sequence[str] | None = None
    collaboration_id: int | None = None


PROPOSALS = Audited(Proposal, entity_type=ENTITY, label="提案", snapshot=fields_snapshot(FIELDS))


async def submit_proposal(
    session: AsyncSession, *, data: ProposalData, today: date, actor: str
) -> Proposal:
    """Receive a citizen's proposal from any channel (第2章3).

    Received today unless another day is given; the proposer (a partner) is optional,
    since proposals also come by letter or at public hearings.
    """
    problems = v.Problems()
    title = v.column_text(problems, data.title, Proposal.title, label="提案の題名", required=True)
    body = v.required_text(
        problems, data.body, label="提案の内容", field="body", max_length=MAX_TEXT
    )
    v.check_date(problems, data.received_on, label="受け付けた日", field="received_on")
    department = await check_department(session, data.department_code, problems)
    if data.proposer_id is not None and await session.get(Partner, data.proposer_id) is None:
        problems.extend(not_found("提案者", "proposer_id").problems)
    problems.raise_if_any()
    assert title is not None and body is not None
    assert department is not None and department.id is not None

    proposal = Proposal(
        title=title,
        body=body,
        kind=data.kind,
        channel=data.channel,
        received_on=data.received_on or today,
        proposer_id=data.proposer_id,
        department_id=department.id,
        status=ProposalStatus.RECEIVED,
        identified_needs=[],
    )
    return await PROPOSALS.insert(
        session, proposal, actor=actor, action="proposal.submit", refresh=True
    )


def _merge_needs(
    problems: v.Problems, stored: Sequence[str], given: Sequence[str] | None
) -> list[str]:
    """The stored needs followed by the new ones; nothing learned is ever dropped."""
    merged = list(dict.fromkeys(stored))
    field = "identified_needs"
    if given is None or not v.bounded_list(problems, given, label="課題・ニーズ", field=field):
        return merged
    for i, raw in enumerate(given):
        need = v.optional_text(
            problems, raw, label="課題・ニーズ", field=v.at(field, i), max_length=MAX_NEED
        )
        if need is not None and need not in merged:
            merged.append(need)
    return merged


async def respond_to_proposal(
    session: AsyncSession,
    *,
    proposal_id: int,
    expected_version: int,
    data: ResponseData,
    today: date,
    actor: str,
) -> Proposal:
    """Answer a proposal: under consideration, adopted or not adopted (第2章3, rule 12).

    A "no" needs a reason in plain words (REASON_REQUIRED on ``response``); only an
    adopted proposal links to the collaboration it became. The needs learned are kept
    either way: new ones are added to the stored list, none is removed.
    """
    change = await PROPOSALS.begin(session, proposal_id, expected_version)
    proposal = change.row
    problems = v.Problems()
    texts: dict[str, Any] = {}
    for name, label in (
        ("background", "背景の調査結果"),
        ("support_options", "実現の方法・市の支援"),
        ("response", "回答"),
    ):
        value = getattr(data, name)
        if is_set(value):
            texts[name] = v.optional_text(
                problems, value, label=label, field=name, max_length=MAX_TEXT
            )
    problems.raise_if_any()
    rules.check_proposal_response(
        status=proposal.status,
        decision=data.decision,
        response=texts.get("response"),
        collaboration_id=data.collaboration_id,
        background=texts.get("background", proposal.background),
        support_options=texts.get("support_options", proposal.support_options),
    )
    if (
        data.collaboration_id is not None
        and await session.get(Collaboration, data.collaboration_id) is None
    ):
        problems.extend(not_found("協働事業", "collaboration_id").problems)
    needs = _merge_needs(problems, proposal.identified_needs, data.identified_needs)
    problems.raise_if_any()

    values: dict[str, Any] = {"responded_on": today, "identified_needs": needs, **texts}
    if data.collaboration_id is not None:
        values["collaboration_id"] = data.collaboration_id
    return await move(
        change, rules.STATUSES, data.decision, values, actor=actor, action="proposal.respond"
    )


__all__ = ["ProposalData", "ResponseData", "respond_to_proposal", "submit_proposal"]
