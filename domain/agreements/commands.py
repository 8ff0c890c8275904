"""Changing agreements (協定, 第3章(3)): create, update, conclude, terminate, expire, and
the yearly check of emergency contacts (rules 8, 9, 15).

Lifecycle: DRAFT → NEGOTIATING → IN_FORCE (``conclude_agreement``, from DRAFT or
NEGOTIATING) → EXPIRED (``transition_agreement``, once the term has ended without
renewal) or TERMINATED (``terminate_agreement``, with a reason). Anything else is
INVALID_TRANSITION.

Every function flushes and never commits; the caller commits once. Each writes exactly
one audit event; a refused call raises ``DomainError`` before anything is written, or
the caller rolls back whatever was flushed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.agreements import rules
from kyodo.domain.agreements.amendments import fixed_field_problems
from kyodo.domain.agreements.contacts import AgreementContactData
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.stored import (
    AGREEMENTS,
    contacts_of,
    party_ids_of,
    refuse_status,
    replace_contacts,
    replace_parties,
    replace_support,
    support_categories_of,
)
from kyodo.domain.agreements.validation import (
    MAX_PARTIES,
    AgreementData,
    State,
    build_state,
    search_text_of,
)
from kyodo.domain.enums import AgreementStatus

# ------------------------------------------------------------------ create and update


async def create_agreement(session: AsyncSession, *, data: AgreementData, actor: str) -> Agreement:
    """Register an agreement as a draft (第3章(3)); it binds nobody until concluded."""
    problems = v.Problems()
    state = await build_state(session, data, problems, agreement=None)
    problems.raise_if_any()

    async def children(agreement_id: int) -> None:
        await replace_parties(session, agreement_id, state.party_ids)
        await replace_support(session, agreement_id, state.support_categories)
        await replace_contacts(session, agreement_id, state.contacts or [])

    return await AGREEMENTS.insert(
        session,
        Agreement(**draft_columns(state)),
        actor=actor,
        action="agreement.create",
        children=children,
    )


def draft_columns(state: State) -> dict[str, Any]:
    """The columns of a new agreement (``create_agreement``): its checked state, as a
    draft."""
    return state.columns() | {"status": AgreementStatus.DRAFT}


async def update_agreement(
    session: AsyncSession,
    *,
    agreement_id: int,
    expected_version: int,
    data: AgreementData,
    actor: str,
) -> Agreement:
    """Change an agreement (第3章(3), rule 15: ``expectedVersion``).

    DRAFT and NEGOTIATING agreements change freely. An IN_FORCE agreement keeps what it
    was signed as — parties, category, support categories, term and the agreement it
    amends — and changes those only by an amendment; its title, support details, notice
    days, department, collaboration and emergency contacts may still be corrected.
    EXPIRED and TERMINATED agreements are history and do not change.
    """
    change = await AGREEMENTS.begin(session, agreement_id, expected_version)
    agreement = change.row
    if agreement.status in rules.CLOSED:
        refuse_status(agreement, "変更できません")
    stored_party_ids = await party_ids_of(session, agreement_id)
    stored_support = await support_categories_of(session, agreement_id)
    stored_contacts = await contacts_of(session, agreement_id)

    problems = v.Problems()
    state = await build_state(
        session,
        data,
        problems,
        agreement=agreement,
        stored_party_ids=stored_party_ids,
        stored_support=stored_support,
        stored_contacts=stored_contacts,
    )
    if agreement.status == AgreementStatus.IN_FORCE:
        problems.extend(fixed_field_problems(agreement, state, stored_party_ids, stored_support))
    problems.raise_if_any()

    await change.write(state.columns())
    await replace_parties(session, agreement_id, state.party_ids)
    await replace_support(session, agreement_id, state.support_categories)
    if state.contacts is not None:
        await replace_contacts(session, agreement_id, state.contacts)
    await change.record(actor=actor, action="agreement.update")
    return agreement


# The lifecycle (conclude, terminate, expire, the yearly contact check) lives in
# domain.agreements.lifecycle; callers find every command here.
from kyodo.domain.agreements.lifecycle import (  # noqa: E402
    conclude_agreement,
    terminate_agreement,
    transition_agreement,
    verify_contacts,
)

__all__ = [
    "MAX_PARTIES",
    "AgreementContactData",
    "AgreementData",
    "conclude_agreement",
    "create_agreement",
    "search_text_of",
    "terminate_agreement",
    "transition_agreement",
    "update_agreement",
    "verify_contacts",
]
