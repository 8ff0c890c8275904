"""Importing partners (協働のパートナー) from a file, through the same path as
``partnersUpsert`` (``domain.partners.upsert.upsert_partners``).

Integration scripts and staff re-sync partner lists (companies, NPOs, 80+ neighbourhood
associations) exported from other municipal systems or Excel. Re-running a load must
not create duplicates and a bad row must not half-write a batch (DOMAIN.md): the whole
file is one transaction, keyed by 外部ID, else 法人番号. Problems are reported by the
file's line and column, as its author wrote them.

Files of any length: rows go to ``upsert_partners`` in chunks of ``CHUNK_ROWS``, first
every chunk checked (a dry run each, and the keys checked across the whole file), then —
only when no chunk has a problem — every chunk written, inside a savepoint. One audit
event per chunk written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.exchange.columns import Columns, fold_header
from kyodo.domain.exchange.partner_rows import LABELS, PARTNER_COLUMNS, PARTNER_MAP, RowReader
from kyodo.domain.exchange.source import ImportRefused, RowProblem, SourceTable
from kyodo.domain.japanese import normalize_corporate_number
from kyodo.domain.partners.inputs import PartnerData
from kyodo.domain.partners.upsert import upsert_partners
from kyodo.domain.reference.models import CollaborationField
from kyodo.domain.validation import clean_text

# Rows per call of upsert_partners. Its key lookup (externalId IN (...) OR
# corporateNumber IN (...)) binds up to two parameters a row, its reads of the stored
# children one: a chunk stays under the 32,766 bind parameters SQLite and asyncpg allow
# in one statement. (Files used to be refused above 10,000 rows for that reason.) A file
# of one chunk is checked and written in one call, as before.
CHUNK_ROWS = 10_000

OnStep = Callable[[str, int, int], None]
"""Progress: ``(step, rows done, rows in all)``; step is "read", "check" or "write"."""


@dataclass
class PartnerImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def _column_of(field: str | None, columns: Columns) -> str | None:
    """The file's column of a field the domain names (``"address.postal_code"``,
    ``"contacts.0.phone"``): its header in the file, else its Japanese name."""
    if not field:
        return None
    head, _, rest = field.partition(".")
    name = head
    if head == "address" and rest:
        name = rest
        if name not in columns.header_of and "street" in columns.header_of:
            # One 住所 column holding the whole address.
            return f"{columns.header_of['street']}（{LABELS.get(name, name)}）"
    elif head == "contacts":
        header = columns.label("contacts", "連絡先")
        index, _, attribute = rest.partition(".")
        return f"{header}[{index}].{attribute}" if attribute else header
    return columns.label(name, LABELS.get(name, name))


def to_row_problems(
    problems: Sequence[Problem], table: SourceTable, columns: Columns
) -> list[RowProblem]:
    """Domain problems placed in the file: row 6's ``corporate_number`` becomes
    "7行目 「法人番号」" (the 7th record of a CSV starts on line 8: the header is line 1).
    """
    placed: list[tuple[int, RowProblem]] = []
    for problem in problems:
        if problem.row is None:
            placed.append((-1, RowProblem(problem.message, code=problem.code)))
            continue
        where = table.where(problem.row)
        column = _column_of(problem.field, columns)
        placed.append((problem.row, RowProblem(problem.message, where, column, problem.code)))
    placed.sort(key=lambda item: item[0])
    return [problem for _, problem in placed]


async def field_lookup(session: AsyncSession) -> dict[str, str]:
    """Fields of collaboration by folded code and by folded Japanese name → code."""
    rows = await session.execute(
        sa.select(col(CollaborationField.code), col(CollaborationField.name))
    )
    lookup: dict[str, str] = {}
    for code, name in rows:
        lookup[fold_header(code)] = code
        lookup[fold_header(name)] = code
    return lookup


def _header_problems(table: SourceTable, columns: Columns) -> list[RowProblem]:
    problems = []
    for name in ("name", "kind"):
        if name not in columns.header_of:
            problems.append(
                RowProblem(
                    f"列「{PARTNER_COLUMNS[name][0]}」がありません（英語の見出しなら "
                    f"{PARTNER_COLUMNS[name][-1]}）。",
                    code=ErrorCode.REQUIRED,
                )
            )
    if "external_id" not in columns.header_of and "corporate_number" not in columns.header_of:
        problems.append(
            RowProblem(
                "列「外部ID」か「法人番号」が必要です（同じデータを見分けるために使います）。",
                code=ErrorCode.REQUIRED,
            )
        )
    if not table.rows:
        problems.append(RowProblem("読み込むデータの行がありません。", code=ErrorCode.REQUIRED))
    return problems


def _key_duplicates(
    rows: Sequence[PartnerData], chunk_rows: int, where: Callable[[int], str]
) -> list[Problem]:
    """外部ID and 法人番号 given twice in the file, where the two rows are in different
    chunks (``upsert_partners`` finds those within its chunk, in the same words); the
    other row is named by ``where`` (its line in the file)."""
    problems = []
    for name, label in (("external_id", "外部ID"), ("corporate_number", "法人番号")):
        first_seen: dict[str, int] = {}
        for i, data in enumerate(rows):
            value = getattr(data, name)
            value = clean_text(value) if isinstance(value, str) else None
            if value is None:
                continue
            if name == "corporate_number":
                value = normalize_corporate_number(value)
            first = first_seen.setdefault(value, i)
            if first != i and first // chunk_rows != i // chunk_rows:
                problems.append(
                    Problem(
                        ErrorCode.DUPLICATE,
                        f"{label}「{value}」が{where(first)}と重複しています。",
                        name,
                        i,
                    )
                )
    return problems


def _shifted(problems: Sequence[Problem], start: int) -> list[Problem]:
    """A chunk's problems with the file's row indexes (the chunk begins at ``start``)."""
    return [p if p.row is None else p.in_row(p.row + start) for p in problems]


async def import_partners(
    session: AsyncSession,
    *,
    table: SourceTable,
    dry_run: bool,
    actor: str,
    on_step: OnStep | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> PartnerImportResult:
    """Create or update the file's partners through ``upsert_partners``, ``chunk_rows``
    at a time (one audit event per chunk).

    All or nothing: every row is read and every chunk validated first; any problem
    raises ``ImportRefused`` with all of them, by line and column, and nothing is
    written. A dry run validates and counts what would be created, updated and
    unchanged. The writes run in a savepoint. Flushes, never commits.
    """
    columns, problems = PARTNER_MAP.resolve(table)
    problems += _header_problems(table, columns)
    if problems:
        raise ImportRefused(problems)

    if chunk_rows < 1:
        raise ValueError("chunk_rows must be positive")
    reader = RowReader(columns, await field_lookup(session))
    rows = []
    total = len(table.rows)
    for index, source in enumerate(table.rows):
        rows.append(reader.row(index, source.values))
        if on_step is not None and (index + 1) % 500 == 0:
            on_step("read", index + 1, total)
    if on_step is not None:
        on_step("read", total, total)
    reader.problems += _key_duplicates(rows, chunk_rows, table.where)
    chunks = [(start, rows[start : start + chunk_rows]) for start in range(0, total, chunk_rows)]
    domain_problems: list[Problem] = []

    async def upsert(start: int, chunk: Sequence[PartnerData], *, check_only: bool) -> Any:
        try:
            return await upsert_partners(
                session,
                rows=chunk,
                dry_run=check_only,
                actor=actor,
                max_rows=None,
                with_partners=False,
                # Messages name the other row by its line in the file.
                row_name=lambda index: table.where(start + index),
            )
        except DomainError as error:
            domain_problems.extend(_shifted(error.problems, start))
            return None

    # One chunk without problems so far: checked and written in one call, as always.
    single = len(chunks) == 1 and not reader.problems and not dry_run
    created = updated = unchanged = done = 0
    for start, chunk in chunks:
        result = await upsert(start, chunk, check_only=not single)
        if result is not None:
            created, updated = created + result.created, updated + result.updated
            unchanged += result.unchanged
        done += len(chunk)
        if on_step is not None:
            on_step("check", done, total)
    # A field the reader already refused reaches the domain as missing; report it once.
    reported = {(p.row, p.field) for p in reader.problems}
    found = reader.problems + [p for p in domain_problems if (p.row, p.field) not in reported]
    if found:
        raise ImportRefused(to_row_problems(found, table, columns))
    if not dry_run and not single:
        await _write_chunks(session, chunks, upsert, on_step, total)
        if domain_problems:  # changed by another writer between the check and the write
            raise ImportRefused(to_row_problems(domain_problems, table, columns))
    elif single and on_step is not None:
        on_step("write", total, total)
    return PartnerImportResult(
        rows=total, created=created, updated=updated, unchanged=unchanged, dry_run=dry_run
    )


async def _write_chunks(
    session: AsyncSession,
    chunks: Sequence[tuple[int, Sequence[PartnerData]]],
    upsert: Callable[..., Any],
    on_step: OnStep | None,
    total: int,
) -> None:
    """Write the checked chunks in a savepoint: a chunk that still fails (its rows
    changed since the check) undoes the chunks written before it."""
    async with session.begin_nested() as savepoint:  # rolled back by an exception
        done = 0
        for start, chunk in chunks:
            if await upsert(start, chunk, check_only=False) is None:
                await savepoint.rollback()
                return
            done += len(chunk)
            if on_step is not None:
                on_step("write", done, total)
