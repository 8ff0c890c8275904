"""Helpers shared by the tests of this package (The demo data: it loads completely and idempotently, and it stays plainly fictional)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from kyodo.domain.enums import (
    AgreementCategory,
    AgreementStatus,
)
from kyodo.domain.models import (
    Agreement,
    AgreementParty,
    Partner,
)

ROOT = Path(__file__).resolve().parents[3]


AS_OF = date(2022, 3, 10)  # 令和4年3月10日, the date of the guideline's list of counterparties


NTT_EAST = "東日本電信電話株式会社"


# Organisations the guideline names; every other organisation is marked （デモ）.
GUIDELINE_ORGANISATIONS = {
    NTT_EAST,
    "苫小牧消費者協会",
    "株式会社トートー事務機",
    "商業協同組合苫小牧港市場",
    "NPO法人北海道市民環境ネットワーク",
}


def migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


@dataclass
class Seeded:
    maker: async_sessionmaker[AsyncSession]
    created: dict[str, int]
    seconds: float


async def all_rows(session: AsyncSession, model: Any) -> list[Any]:
    return list((await session.execute(sa.select(model))).scalars())


async def row_counts(session: AsyncSession) -> dict[str, int]:
    counts = {}
    for table in sorted(Partner.metadata.tables):
        stmt = sa.select(sa.func.count()).select_from(sa.table(table))
        counts[table] = await session.scalar(stmt) or 0
    return counts


def in_force_on(agreement: Agreement, on: date) -> bool:
    """Plain reading of rule 8, enough for the demo data (which has no odd terms)."""
    if agreement.status is not AgreementStatus.IN_FORCE or agreement.effective_from is None:
        return False
    if agreement.effective_from > on:
        return False
    until = agreement.effective_until
    return agreement.auto_renewal or until is None or until >= on


async def disaster_agreements(session: AsyncSession) -> list[Agreement]:
    stmt = sa.select(Agreement).where(col(Agreement.category) == AgreementCategory.DISASTER_SUPPORT)
    return list((await session.execute(stmt)).scalars())


async def parties_by_agreement(session: AsyncSession) -> dict[Any, list[Partner]]:
    stmt = sa.select(col(AgreementParty.agreement_id), Partner).join(
        Partner, col(Partner.id) == col(AgreementParty.partner_id)
    )
    result: dict[Any, list[Partner]] = defaultdict(list)
    for agreement_id, partner in (await session.execute(stmt)).all():
        result[agreement_id].append(partner)
    return result


async def by_external_id(session: AsyncSession, model: Any, external_id: str) -> Any:
    stmt = sa.select(model).where(model.external_id == external_id)
    return (await session.execute(stmt)).scalar_one()


def longest_run(years: Sequence[int]) -> int:
    best = run = 0
    previous = None
    for year in sorted(set(years)):
        run = run + 1 if previous is not None and year == previous + 1 else 1
        best = max(best, run)
        previous = year
    return best
