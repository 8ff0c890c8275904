"""The database side of an agreements import: departments and partners to match names
against, and the stored agreements a row may already be (by 外部ID, else by title and
counterparties)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.enums import PartnerStatus, SupportCategory
from kyodo.domain.exchange.agreement_parties import party_key
from kyodo.domain.exchange.agreement_rows import AgreementRow
from kyodo.domain.exchange.columns import fold_name
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department


@dataclass
class StoredAgreement:
    id: int
    title: str
    external_id: str | None
    department_code: str
    concluded_on: date | None
    party_keys: tuple[str, ...]
    support: set[SupportCategory]


async def department_lookup(session: AsyncSession) -> dict[str, str]:
    """Departments by folded code and by folded name → code."""
    lookup: dict[str, str] = {}
    for code, name in await session.execute(sa.select(col(Department.code), col(Department.name))):
        lookup[fold_name(code).casefold()] = code
        lookup[fold_name(name).casefold()] = code
    return lookup


async def partners_by_key(
    session: AsyncSession,
) -> dict[str, list[tuple[int, str, PartnerStatus]]]:
    """Every partner by its folded name. One narrow query: names are matched after
    folding, which SQL cannot do with an index, and a city has thousands of partners,
    not millions."""
    found: dict[str, list[tuple[int, str, PartnerStatus]]] = {}
    stmt = sa.select(col(Partner.id), col(Partner.name), col(Partner.status)).order_by(
        col(Partner.id)
    )
    for pid, name, status in await session.execute(stmt):
        assert pid is not None
        found.setdefault(party_key(name), []).append((pid, name, status))
    return found


async def stored_agreements(
    session: AsyncSession, rows: Sequence[AgreementRow]
) -> list[StoredAgreement]:
    """The stored agreements a row could be: same 外部ID, or same folded title."""
    titles = {fold_name(r.title) for r in rows}
    external_ids = {r.external_id for r in rows if r.external_id}
    stmt = sa.select(
        col(Agreement.id),
        col(Agreement.title),
        col(Agreement.external_id),
        col(Agreement.concluded_on),
        col(Department.code),
    ).join(Department, col(Department.id) == col(Agreement.department_id))
    candidates = [
        r
        for r in (await session.execute(stmt)).all()
        if fold_name(r.title) in titles or (r.external_id and r.external_id in external_ids)
    ]
    ids = [r.id for r in candidates]
    parties: dict[int, list[str]] = {i: [] for i in ids}
    support: dict[int, set[SupportCategory]] = {i: set() for i in ids}
    if ids:
        party_rows = await session.execute(
            sa.select(col(AgreementParty.agreement_id), col(Partner.name))
            .join(Partner, col(Partner.id) == col(AgreementParty.partner_id))
            .where(col(AgreementParty.agreement_id).in_(ids))
        )
        for agreement_id, name in party_rows:
            parties[agreement_id].append(party_key(name))
        support_rows = await session.execute(
            sa.select(
                col(AgreementSupportCategory.agreement_id), col(AgreementSupportCategory.category)
            ).where(col(AgreementSupportCategory.agreement_id).in_(ids))
        )
        for agreement_id, category in support_rows:
            support[agreement_id].add(category)
    return [
        StoredAgreement(
            id=r.id,
            title=r.title,
            external_id=r.external_id,
            department_code=r.code,
            concluded_on=r.concluded_on,
            party_keys=tuple(sorted(parties[r.id])),
            support=support[r.id],
        )
        for r in candidates
    ]


def match_stored(row: AgreementRow, existing: Sequence[StoredAgreement]) -> StoredAgreement | None:
    """The stored agreement this row describes: by 外部ID; else by title and parties,
    among agreements without another 外部ID."""
    if row.external_id:
        for agreement in existing:
            if agreement.external_id == row.external_id:
                return agreement
    for agreement in existing:
        if agreement.external_id and agreement.external_id != row.external_id:
            continue
        if (fold_name(agreement.title), agreement.party_keys) == row.key:
            return agreement
    return None


def differences_from(row: AgreementRow, agreement: StoredAgreement) -> list[str]:
    """What the file says differently about an agreement already stored (not changed:
    a concluded agreement changes only by an amendment, 第3章(3))."""
    found = []
    if fold_name(agreement.title) != fold_name(row.title):
        found.append("協定の名称")
    if agreement.party_keys != row.key[1]:
        found.append("協定相手方")
    if agreement.support != set(row.support):
        found.append("協定区分")
    if agreement.department_code != row.department_code:
        found.append("担当課")
    if row.concluded_on is not None and agreement.concluded_on != row.concluded_on:
        found.append("締結日")
    return found
