"""Importing agreements (協定) with their counterparties and support categories, in the
layout of Hokkaido's open data on disaster-support agreements (災害時応援協定).

Columns: 市町村名, No, 協定の名称, 協定相手方, the eight 協定区分 columns (職員派遣, 物資供給,
物資運搬・輸送, 医療救護, 災害広報, 避難収容, ライフライン復旧, その他) marked with ○, and
optionally 締結日, 担当課, 外部ID and 協定の内容. Excel sheets of that data have a two-row
header (協定区分 merged over the eight categories) and the municipality only on its
first row; both are read as they are. Its その他 column often holds text instead of ○:
that text is the support it describes and becomes the agreement's 支援の詳しい内容.

Other municipalities' lists are read too (see ``AGREEMENT_COLUMNS`` for their header
words): the header may sit below title lines (``find_header``); 締結日 may be abbreviated
wareki marked 「(改正)」 (an amendment: its date goes into 支援の詳しい内容, as the list
gives no earlier version to link); a row without № and title continues the agreement
above it; a counterparty naming a group of bodies (「道内市町村」, domain.partners.names) is
kept as text and flagged, never registered as a partner.

Each row is one agreement. 協定相手方 may list several organisations (separated by 、 or
line breaks; a line in parentheses such as 「(北海道札幌市)」 is where they are, not a
party). Each is matched to an existing partner by name, else registered as an
organisation. Re-importing the same file creates nothing: an agreement is recognised by
its 外部ID, else by its title and its counterparties.

This module reads the file, checks it as a whole (columns, row count, duplicates,
ambiguous counterparties) and matches its rows with what is stored. Every row to create
is then checked, in Python, by the commands' own checks, as creating it through them
would (``agreement_plan.plan_agreements``): ``create_partner``'s for a new counterparty
(``check_new_partner``), ``create_agreement``'s (``check_state``) and
``conclude_agreement``'s (``conclusion_date_problems``, ``conclusion_problems``), so
their rules apply exactly as in the API. Only then is everything written, by a fixed
number of multi-row statements (``agreement_writes.write_plan``): the partners, the
agreements as the commands
leave them, their parties and support categories, and the audit events the commands
record (one per partner created, agreement created and agreement concluded; same
actions, same snapshots, same order). A file of 1,000 agreements took 10–15 s through
the commands one row at a time on PostgreSQL, about 0.3 s so (``make bench``;
``tests/exchange/test_import_agreements_bulk.py`` compares what both ways write).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain import validation as v
from kyodo.domain.enums import AgreementCategory, PartnerStatus
from kyodo.domain.errors import ErrorCode
from kyodo.domain.exchange.agreement_layout import (
    AGREEMENT_COLUMNS,
    AGREEMENT_MAP,
    CATEGORY_FIELDS,
    column_label,
    find_header,
    merge_two_row_header,
)
from kyodo.domain.exchange.agreement_matching import (
    department_lookup,
    differences_from,
    match_stored,
    partners_by_key,
    stored_agreements,
)
from kyodo.domain.exchange.agreement_parties import party_key
from kyodo.domain.exchange.agreement_plan import (
    AgreementImportResult,
    AgreementOutcome,
    plan_agreements,
)
from kyodo.domain.exchange.agreement_rows import AgreementRow, RowReader, select_municipality
from kyodo.domain.exchange.agreement_writes import write_plan
from kyodo.domain.exchange.columns import fold_name
from kyodo.domain.exchange.source import ImportRefused, RowProblem, SourceTable

DEFAULT_DEPARTMENT = "kikikanri"  # 危機管理室, which keeps the disaster-support agreements
MAX_ROWS = 2_000


async def import_agreements(
    session: AsyncSession,
    *,
    table: SourceTable,
    dry_run: bool,
    actor: str,
    department: str = DEFAULT_DEPARTMENT,
    category: AgreementCategory = AgreementCategory.DISASTER_SUPPORT,
    municipality: str | None = None,
    concluded_on: date | None = None,
    today: date,
) -> AgreementImportResult:
    """Create the file's agreements that are not stored yet, with their counterparties.

    ``department`` (code or name) is the 担当課 of rows without one; ``concluded_on`` the
    締結日 of rows without one (None: they stay drafts); no 締結日 may lie after ``today``
    (the day of the import: an agreement is concluded when signed). All or nothing: any problem
    raises ``ImportRefused`` with every problem found, by line and column, and nothing
    is written (every row is checked before anything is; the writes run in a savepoint).
    A dry run checks every row as a real run does, and writes nothing.
    """
    table = merge_two_row_header(find_header(table))
    columns, problems = AGREEMENT_MAP.resolve(table)
    for name in ("title", "parties"):
        if name not in columns.header_of:
            problems.append(
                RowProblem(
                    f"列「{AGREEMENT_COLUMNS[name][0]}」がありません。", code=ErrorCode.REQUIRED
                )
            )
    if concluded_on is not None and (
        out_of_range := v.date_problem(concluded_on, label="--concluded-on の締結日", field=None)
    ):
        problems.append(RowProblem(out_of_range.message))
    future = v.Problems()
    v.not_after_today(
        future, concluded_on, today=today, label="--concluded-on の締結日", field=None
    )
    problems.extend(RowProblem(p.message) for p in future.items)
    if problems:
        raise ImportRefused(problems)
    table, problems = select_municipality(table, columns, municipality)
    if not table.rows:
        problems.append(RowProblem("読み込むデータの行がありません。", code=ErrorCode.REQUIRED))
    elif len(table.rows) > MAX_ROWS:
        problems.append(
            RowProblem(f"一度に読み込めるのは{MAX_ROWS:,}件までです（{len(table.rows):,}件）。")
        )
    departments = await department_lookup(session)
    default_department = departments.get(fold_name(department).casefold())
    if default_department is None:
        problems.append(
            RowProblem(
                f"--department の担当課「{department}」は登録されていません。",
                code=ErrorCode.NOT_FOUND,
            )
        )
    if problems:
        raise ImportRefused(problems)
    assert default_department is not None

    reader = RowReader(table, columns, departments, default_department, concluded_on)
    read: list[AgreementRow] = []
    previous: AgreementRow | None = None
    for index in range(len(table.rows)):
        if reader.is_continuation(index):
            if previous is not None:  # else the row above was refused, and said so
                reader.continue_row(previous, index)
            continue
        previous = reader.row(index)
        if previous is not None:
            read.append(previous)
    problems = reader.problems
    result = AgreementImportResult(rows=len(read), dry_run=dry_run)
    lists_support = any(
        name in columns.header_of for name in (*CATEGORY_FIELDS, "support_categories")
    )
    rows: list[AgreementRow] = []
    for row in read:
        if (
            not lists_support
            and category == AgreementCategory.DISASTER_SUPPORT
            and row.concluded_on is not None
        ):
            row.unconcluded_on, row.concluded_on = row.concluded_on, None
        if row.amended_on:
            result.amended += 1
        if row.collective:
            result.flagged += 1
        if row.parties:
            rows.append(row)
            continue
        # Only groups of bodies (「道内市町村」): no partner to conclude with. Reported,
        # not created: the office registers the bodies it actually calls.
        result.outcomes.append(
            AgreementOutcome(
                row.where,
                row.title,
                "flagged",
                collective_parties=row.collective,
                amended_on=row.amended_on,
            )
        )
    first_of_key: dict[Any, AgreementRow] = {}
    for row in rows:
        key = ("id", row.external_id) if row.external_id else row.key
        if key in first_of_key:
            what = f"外部ID「{row.external_id}」" if row.external_id else "名称と相手方が同じ協定"
            problems.append(
                RowProblem(
                    f"{what}が{first_of_key[key].where}と重複しています。",
                    where=row.where,
                    column=column_label(columns, "external_id" if row.external_id else "title"),
                    code=ErrorCode.DUPLICATE,
                )
            )
        else:
            first_of_key[key] = row
    if problems:
        raise ImportRefused(problems)

    existing = await stored_agreements(session, rows)
    partners = await partners_by_key(session)
    to_create: list[tuple[AgreementRow, AgreementOutcome]] = []
    for row in rows:
        match = match_stored(row, existing)
        if match is not None:
            differences = differences_from(row, match)
            action = "differs" if differences else "unchanged"
            outcome = AgreementOutcome(
                row.where,
                row.title,
                action,
                differences=differences,
                collective_parties=row.collective,
                amended_on=row.amended_on,
            )
            result.outcomes.append(outcome)
            if differences:
                result.differs += 1
            else:
                result.unchanged += 1
            continue
        outcome = AgreementOutcome(
            row.where,
            row.title,
            "created",
            collective_parties=row.collective,
            amended_on=row.amended_on,
        )
        result.outcomes.append(outcome)
        to_create.append((row, outcome))
        for name in row.parties:
            candidates = partners.get(party_key(name), [])
            active = [c for c in candidates if c[2] == PartnerStatus.ACTIVE]
            if len(candidates) > 1 and len(active) != 1:
                problems.append(
                    RowProblem(
                        f"「{name}」という名前のパートナーが{len(candidates)}件あり、どれか決められません。"
                        "名前を区別してから読み込んでください。",
                        where=row.where,
                        column=column_label(columns, "parties"),
                        code=ErrorCode.DUPLICATE,
                    )
                )
    if problems:
        raise ImportRefused(problems)

    plan = await plan_agreements(
        session, to_create, partners, result, columns, problems, category, today
    )
    if problems:
        raise ImportRefused(problems)
    if not dry_run:
        async with session.begin_nested():  # rolled back by an exception
            await write_plan(session, plan, actor)
    return result
