"""Checking the agreements an import creates, row by row, by the commands' own checks.

``agreements_import.import_agreements`` reads the file, checks it as a whole and leaves
the rows that name no stored agreement; :func:`plan_agreements` then checks each of
them as creating it through ``create_partner``, ``create_agreement`` and
``conclude_agreement`` would, on what is known of the database, and writes nothing: it
returns what ``agreement_writes.write_plan`` writes (:class:`NewAgreement`), or the
problems found, placed by the file's line and column (:func:`placed`). Here too are
what the import reports (:class:`AgreementImportResult`, one :class:`AgreementOutcome`
per row), which the checks fill in as they go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.agreements.commands import draft_columns
from kyodo.domain.agreements.lifecycle import (
    concluded_values,
    conclusion_date_problems,
    conclusion_problems,
)
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.validation import AgreementData, Found, Party, check_state
from kyodo.domain.bulk_writes import row_columns
from kyodo.domain.enums import AgreementCategory, PartnerStatus
from kyodo.domain.errors import DomainError, Problem
from kyodo.domain.exchange.agreement_layout import problem_column
from kyodo.domain.exchange.agreement_parties import kind_for_name, party_key
from kyodo.domain.exchange.agreement_rows import AgreementRow
from kyodo.domain.exchange.agreement_writes import NewAgreement, NewPartner
from kyodo.domain.exchange.columns import Columns
from kyodo.domain.exchange.source import RowProblem
from kyodo.domain.partners.commands import PartnerData, check_new_partner
from kyodo.domain.reference.models import Department
from kyodo.domain.reference.service import get_department_by_code


@dataclass
class AgreementOutcome:
    """What the import did (on a dry run: would do) with one agreement of the file."""

    where: str
    title: str
    action: str  # "created", "unchanged", "differs" (exists, left as it is) or
    # "flagged" (every counterparty is a group of bodies: not created)
    new_parties: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    collective_parties: list[str] = field(default_factory=list)  # kept as text, flagged
    amended_on: list[date] = field(default_factory=list)  # 「(改正)」 dates


@dataclass
class AgreementImportResult:
    """What one import reports: counts over the file, and one outcome per agreement."""

    rows: int
    created: int = 0
    unchanged: int = 0
    differs: int = 0
    partners_created: int = 0
    concluded: int = 0
    flagged: int = 0  # agreements naming a group of bodies (「道内市町村」) as counterparty
    amended: int = 0  # agreements with a 「(改正)」 date
    drafts_without_support: int = 0  # dated, but the file has no 協定区分 to conclude with
    dry_run: bool = False
    outcomes: list[AgreementOutcome] = field(default_factory=list)


async def plan_agreements(
    session: AsyncSession,
    to_create: Sequence[tuple[AgreementRow, AgreementOutcome]],
    partners: dict[str, list[tuple[int, str, PartnerStatus]]],
    result: AgreementImportResult,
    columns: Columns,
    problems: list[RowProblem],
    category: AgreementCategory,
    today: date,
) -> list[NewAgreement]:
    """Check every agreement to create, row by row, with the commands' own checks
    (``create_partner``'s, ``create_agreement``'s and ``conclude_agreement``'s) on what
    is known of the database, writing nothing: the counterparties each row names are
    matched or registered (once per name), then its agreement created, then concluded.
    A refused row is recorded and the next one still checked, so that one run reports
    every problem, in the order the commands would have found them."""

    def place(row: AgreementRow, found: Sequence[Problem]) -> None:
        for problem in found:
            problems.append(placed(problem, row, columns))

    known: dict[int, Party] = {}  # the counterparties named so far, as the checks see them
    departments: dict[str, Department | None] = {}
    registered: dict[str, NewPartner] = {}
    plan: list[NewAgreement] = []
    # Every column of a new row as the model fills it in (an Agreement built for each
    # of 1,000 rows cost 90 µs each), the row's own values then set over them.
    defaults = row_columns(Agreement(title="", category=category, department_id=0))
    for row, outcome in to_create:
        party_ids: list[int] = []
        registered_here: list[NewPartner] = []
        for name in row.parties:
            key = party_key(name)
            candidates = partners.get(key, [])
            if candidates:
                active = [c for c in candidates if c[2] == PartnerStatus.ACTIVE]
                pid, stored_name, status = (active or candidates)[0]
                known[pid] = Party(stored_name, status)
                party_ids.append(pid)
                continue
            if key not in registered:
                try:
                    _data, _fields, partner = await check_new_partner(
                        session, PartnerData(kind=kind_for_name(name), name=name)
                    )
                except DomainError as error:
                    place(row, error.problems)
                    continue
                new = NewPartner(partner, stand_in=-1 - len(registered))
                registered[key] = new
                known[new.stand_in] = Party(partner.name, partner.status)
                registered_here.append(new)
                outcome.new_parties.append(name)
                result.partners_created += 1
            party_ids.append(registered[key].stand_in)
        party_ids = list(dict.fromkeys(party_ids))
        if row.department_code not in departments:
            departments[row.department_code] = await get_department_by_code(
                session, row.department_code
            )
        checked = v.Problems()
        state = check_state(
            AgreementData(
                title=row.title,
                category=category,
                party_ids=party_ids,
                department_code=row.department_code,
                support_categories=row.support,
                support_details=row.details_with_notes(),
            ),
            checked,
            Found(partners=known, department=departments[row.department_code]),
            agreement=None,
        )
        if checked:
            place(row, checked.items)
            continue
        agreement = SimpleNamespace(**(defaults | draft_columns(state)))
        concluded = None
        if row.concluded_on is not None:
            checked = conclusion_date_problems(
                concluded_on=row.concluded_on, effective_from=None, today=today
            )
            if not checked:
                # An import names no collaboration: none to be screened out.
                assert agreement.collaboration_id is None
                checked.extend(
                    conclusion_problems(
                        agreement,
                        concluded_on=row.concluded_on,
                        effective_from=None,
                        has_parties=bool(state.party_ids),
                        has_support=category != AgreementCategory.DISASTER_SUPPORT
                        or bool(state.support_categories),
                        unfit=[],
                    )
                )
            if checked:
                place(row, checked.items)
                continue
            concluded = concluded_values(
                agreement, concluded_on=row.concluded_on, effective_from=None
            )
            result.concluded += 1
        elif row.unconcluded_on is not None:
            result.drafts_without_support += 1
        result.created += 1
        parties = [(pid, known[pid].name) for pid in state.party_ids]
        plan.append(NewAgreement(row, agreement, state, parties, registered_here, concluded))
    return plan


def placed(problem: Problem, row: AgreementRow, columns: Columns) -> RowProblem:
    """A command's problem with a row, placed by the row's line and the column of its field."""
    return RowProblem(
        problem.message,
        where=row.where,
        column=problem_column(problem.field, columns, "--department"),
        code=problem.code,
    )
