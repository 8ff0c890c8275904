"""Writing a checked agreements import set-based (``domain.exchange.agreements_import``).

:func:`write_plan` writes what the import's checks let through (:class:`NewAgreement`,
with the counterparties it registers, :class:`NewPartner`) by a fixed number of
multi-row statements: the partners, the agreements as the commands leave them, their
parties and support categories, and the audit events the commands record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements import rules
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.agreements.stored import AGREEMENTS, audit_view
from kyodo.domain.agreements.validation import State
from kyodo.domain.audit.log import Event, diff, record_events
from kyodo.domain.bulk_writes import insert_many, insert_new, row_columns
from kyodo.domain.enums import AgreementStatus
from kyodo.domain.exchange.agreement_rows import AgreementRow
from kyodo.domain.partners.commands import PARTNERS
from kyodo.domain.partners.commands import snapshots_of as partner_snapshots_of
from kyodo.domain.partners.models import Partner


@dataclass
class NewPartner:
    """A counterparty to register: its row (not yet added) and the id that stands for it
    until it is written (negative, so it names no stored partner)."""

    partner: Partner
    stand_in: int


@dataclass
class NewAgreement:
    """An agreement to write: its draft's columns as ``create_agreement`` would add it
    (as attributes: what the checks and the audit snapshot read), its checked state, its
    counterparties ``(id or stand-in, name)``, the partners registered for it, and its
    conclusion (None: it stays a draft)."""

    row: AgreementRow
    draft: SimpleNamespace
    state: State
    parties: list[tuple[int, str]]
    registered: list[NewPartner]
    concluded: dict[str, Any] | None


_PARTNERS: sa.Table = Partner.__table__  # type: ignore[attr-defined]
_AGREEMENTS: sa.Table = Agreement.__table__  # type: ignore[attr-defined]
_PARTIES: sa.Table = AgreementParty.__table__  # type: ignore[attr-defined]
_SUPPORT: sa.Table = AgreementSupportCategory.__table__  # type: ignore[attr-defined]


async def write_plan(session: AsyncSession, plan: Sequence[NewAgreement], actor: str) -> None:
    """Write the checked plan set-based: the new partners, the agreements as the
    commands leave them (concluded: IN_FORCE at version 2), their parties and support
    categories, and one audit event per partner created, agreement created and
    agreement concluded, in the order and with the snapshots the commands record."""
    new_partners = [new for item in plan for new in item.registered]
    partner_ids = await insert_new(
        session, _PARTNERS, [row_columns(new.partner) for new in new_partners]
    )
    id_of: dict[int, int] = {}
    for new, pk in zip(new_partners, partner_ids, strict=True):
        new.partner.id = pk
        id_of[new.stand_in] = pk
    partner_snapshots = await partner_snapshots_of(session, [n.partner for n in new_partners])

    written = []
    for item in plan:
        values = vars(item.draft) | {"external_id": item.row.external_id}
        if item.concluded is not None:
            rules.STATUSES.check(item.draft.status, AgreementStatus.IN_FORCE)
            # Created, then moved once by its conclusion (conclude_agreement): one version on.
            moved = {"status": AgreementStatus.IN_FORCE, "version": item.draft.version + 1}
            values |= item.concluded | moved
        written.append(values)
    agreement_ids = await insert_new(session, _AGREEMENTS, written)

    party_rows: list[dict[str, Any]] = []
    support_rows: list[dict[str, Any]] = []
    events: list[Event] = []
    for item, pk in zip(plan, agreement_ids, strict=True):
        parties = [(id_of.get(pid, pid), name) for pid, name in item.parties]
        party_rows += [
            {"agreement_id": pk, "partner_id": pid, "position": i}
            for i, (pid, _name) in enumerate(parties)
        ]
        support_rows += [{"agreement_id": pk, "category": c} for c in item.state.support_categories]
        for new in item.registered:
            after = partner_snapshots[id_of[new.stand_in]]
            events.append(
                ("partner.create", PARTNERS.entity_type, id_of[new.stand_in], diff({}, after))
            )
        created = _audit_view(item, parties)
        events.append(("agreement.create", AGREEMENTS.entity_type, pk, diff({}, created)))
        if item.concluded is not None:
            for name, value in (item.concluded | {"status": AgreementStatus.IN_FORCE}).items():
                setattr(item.draft, name, value)
            concluded = _audit_view(item, parties)
            events.append(
                ("agreement.conclude", AGREEMENTS.entity_type, pk, diff(created, concluded))
            )
    await insert_many(session, _PARTIES, party_rows)
    await insert_many(session, _SUPPORT, support_rows)
    await record_events(session, actor=actor, events=events)


def _audit_view(item: NewAgreement, parties: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """The agreement as the audit log sees it now (``snapshot_of``), from the plan."""
    return audit_view(
        item.draft,
        parties=parties,
        support=item.state.support_categories,
        contacts=item.state.contacts or [],
    )
