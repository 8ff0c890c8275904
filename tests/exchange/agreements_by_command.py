"""The agreements import as it was written before it became set-based: every counterparty
registered through ``create_partner``, every agreement created and concluded through
``create_agreement`` and ``conclude_agreement``, row by row. Kept as the reference the
set-based writer is compared with (``test_import_agreements_bulk``): it stands in for
``domain.exchange.agreement_plan.plan_agreements`` (as ``agreements_import`` calls it) and
writes as it checks, leaving nothing for ``agreement_writes.write_plan``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.commands import AgreementData, conclude_agreement, create_agreement
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.enums import AgreementCategory, PartnerStatus
from kyodo.domain.errors import DomainError
from kyodo.domain.exchange.agreement_parties import kind_for_name, party_key
from kyodo.domain.exchange.agreement_plan import (
    AgreementImportResult,
    AgreementOutcome,
    placed,
)
from kyodo.domain.exchange.agreement_rows import AgreementRow
from kyodo.domain.exchange.columns import Columns
from kyodo.domain.exchange.source import RowProblem
from kyodo.domain.partners.commands import PartnerData, create_partner

Plan = Callable[..., Awaitable[list[Any]]]


def through_commands(*, actor: str, dry_run: bool) -> Plan:
    """A stand-in for ``plan_agreements`` that writes through the commands, in a
    savepoint rolled back on a dry run or a problem (as the import did)."""

    async def plan(
        session: AsyncSession,
        to_create: Sequence[tuple[AgreementRow, AgreementOutcome]],
        partners: dict[str, list[tuple[int, str, PartnerStatus]]],
        result: AgreementImportResult,
        columns: Columns,
        problems: list[RowProblem],
        category: AgreementCategory,
        today: date,
    ) -> list[Any]:
        async with session.begin_nested() as savepoint:  # rolled back by an exception
            await _write(
                session, to_create, partners, result, columns, problems, category, actor, today
            )
            if problems or dry_run:
                await savepoint.rollback()
        return []

    return plan


async def _write(
    session: AsyncSession,
    to_create: Sequence[tuple[AgreementRow, AgreementOutcome]],
    partners: dict[str, list[tuple[int, str, PartnerStatus]]],
    result: AgreementImportResult,
    columns: Columns,
    problems: list[RowProblem],
    category: AgreementCategory,
    actor: str,
    today: date,
) -> None:
    def place(row: AgreementRow, error: DomainError) -> None:
        for problem in error.problems:
            problems.append(placed(problem, row, columns))

    created_partners: dict[str, int] = {}
    for row, outcome in to_create:
        party_ids: list[int] = []
        for name in row.parties:
            key = party_key(name)
            candidates = partners.get(key, [])
            if candidates:
                active = [c for c in candidates if c[2] == PartnerStatus.ACTIVE]
                party_ids.append((active or candidates)[0][0])
                continue
            if key not in created_partners:
                try:
                    partner = await create_partner(
                        session, data=PartnerData(kind=kind_for_name(name), name=name), actor=actor
                    )
                except DomainError as error:
                    place(row, error)
                    continue
                assert partner.id is not None
                created_partners[key] = partner.id
                outcome.new_parties.append(name)
                result.partners_created += 1
            party_ids.append(created_partners[key])
        party_ids = list(dict.fromkeys(party_ids))
        try:
            agreement = await create_agreement(
                session,
                data=AgreementData(
                    title=row.title,
                    category=category,
                    party_ids=party_ids,
                    department_code=row.department_code,
                    support_categories=row.support,
                    support_details=row.details_with_notes(),
                ),
                actor=actor,
            )
        except DomainError as error:
            place(row, error)
            continue
        assert agreement.id is not None
        if row.external_id:
            await session.execute(
                sa.update(Agreement)
                .where(col(Agreement.id) == agreement.id)
                .values(external_id=row.external_id)
                .execution_options(synchronize_session=False)
            )
        if row.concluded_on is not None:
            try:
                await conclude_agreement(
                    session,
                    agreement_id=agreement.id,
                    expected_version=agreement.version,
                    concluded_on=row.concluded_on,
                    effective_from=None,
                    today=today,
                    actor=actor,
                )
            except DomainError as error:
                place(row, error)
                continue
            result.concluded += 1
        elif row.unconcluded_on is not None:
            result.drafts_without_support += 1
        result.created += 1
