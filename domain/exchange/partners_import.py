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

from kyodo.domain.base import UNSET
from kyodo.domain.enums import PartnerKind, PartnerStatus
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.exchange.columns import (
    ColumnMap,
    Columns,
    fold_header,
    looks_like_exponent,
    normalize_number,
    split_list,
)
from kyodo.domain.exchange.source import ImportRefused, RowProblem, SourceTable
from kyodo.domain.japanese import normalize_corporate_number
from kyodo.domain.partners.inputs import (
    ADDRESS_FIELDS,
    SCALAR_FIELDS,
    SCALARS,
    ContactData,
    PartnerData,
    field_of,
    input_name,
)
from kyodo.domain.partners.upsert import upsert_partners
from kyodo.domain.reference.models import CollaborationField
from kyodo.domain.validation import clean_text

# Rows per call of upsert_partners. Its key lookup (externalId IN (...) OR
# corporateNumber IN (...)) binds up to two parameters a row, its reads of the stored
# children one: a chunk stays under the 32,766 bind parameters SQLite and asyncpg allow
# in one statement. (Files used to be refused above 10,000 rows for that reason.) A file
# of one chunk is checked and written in one call, as before.
CHUNK_ROWS = 10_000

# field → the headers that name it; the first is the Japanese header shown in messages,
# the last the GraphQL name. The scalar columns come from ``SCALARS``, their one table.
PARTNER_COLUMNS: dict[str, tuple[str, ...]] = {
    **{name: (*names, input_name(name)) for name, names in SCALARS.items()},
    "field_codes": ("分野", "活動分野", "協働の分野", "fieldCodes", "fields"),
    "contacts": ("連絡先", "contacts"),
}
PARTNER_MAP = ColumnMap(PARTNER_COLUMNS)

KIND_LABELS: dict[PartnerKind, tuple[str, ...]] = {
    PartnerKind.INDIVIDUAL: ("個人", "個人ボランティア"),
    PartnerKind.CITIZEN_GROUP: ("市民活動団体", "市民団体", "ボランティア団体"),
    PartnerKind.NEIGHBORHOOD_ASSOCIATION: ("町内会・自治会", "町内会", "自治会"),
    PartnerKind.NPO: ("NPO法人", "NPO", "特定非営利活動法人"),
    PartnerKind.COMPANY: ("企業", "会社"),
    PartnerKind.OTHER_ORGANIZATION: ("その他の団体", "その他"),
}
_KINDS = {
    fold_header(name): kind
    for kind, labels in KIND_LABELS.items()
    for name in (kind.value, *labels)
}
STATUS_LABELS: dict[PartnerStatus, tuple[str, ...]] = {
    PartnerStatus.ACTIVE: ("活動中", "有効"),
    PartnerStatus.INACTIVE: ("休止中", "休止"),
    PartnerStatus.DISSOLVED: ("解散",),
}
_STATUSES = {
    fold_header(name): status
    for status, labels in STATUS_LABELS.items()
    for name in (status.value, *labels)
}
_CONTACT_KEYS = {
    fold_header(alias): name
    for name, aliases in {
        "name": ("氏名", "name"),
        "role": ("役職", "role"),
        "phone": ("電話番号", "phone"),
        "email": ("メールアドレス", "email"),
        "available_around_the_clock": ("24時間対応", "availableAroundTheClock"),
        "is_emergency_contact": ("緊急連絡先", "isEmergencyContact"),
    }.items()
    for alias in aliases
}
_NUMBER_FIELDS = ("corporate_number", "phone", "postal_code")
_LABELS = {**SCALAR_FIELDS, "field_codes": "分野", "contacts": "連絡先"}

OnStep = Callable[[str, int, int], None]
"""Progress: ``(step, rows done, rows in all)``; step is "read", "check" or "write"."""


@dataclass
class PartnerImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def _kind_help() -> str:
    return "、".join(labels[0] for labels in KIND_LABELS.values())


class _RowReader:
    """Turns one file's rows into ``PartnerData``, collecting problems in the domain's
    words (row ``i``, field ``"corporate_number"``)."""

    def __init__(self, columns: Columns, fields: dict[str, str]):
        self.columns = columns
        self.fields = fields  # folded code or name → code
        self.problems: list[Problem] = []

    def add(self, index: int, name: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        self.problems.append(Problem(code, message, field_of(name), index))

    def row(self, index: int, values: dict[str, Any]) -> PartnerData:
        data = PartnerData()
        for header, raw in values.items():
            name = self.columns.field_of.get(header)
            if name is None:  # an empty column without a header
                continue
            if name == "street" and isinstance(raw, dict):
                self._address(index, data, raw)
            elif name == "contacts":
                data.contacts = self._contacts(index, raw)
            elif name == "field_codes":
                data.field_codes = self._field_codes(index, raw)
            else:
                setattr(data, name, self._scalar(index, name, raw))
        return data

    def _scalar(self, index: int, name: str, raw: Any) -> Any:
        if isinstance(raw, list | dict):
            self.add(index, name, f"{_LABELS[name]}は文字か数字で入力してください。")
            return UNSET
        if name in _NUMBER_FIELDS:
            value = normalize_number(raw)
            if name == "postal_code" and isinstance(value, str):
                value = value.removeprefix("〒")
            if name == "corporate_number" and isinstance(value, str) and looks_like_exponent(value):
                self.add(
                    index,
                    name,
                    f"法人番号「{value}」が指数の形になっていて、数字が失われています。"
                    "Excel でこの列を「文字列」にしてから保存し直してください。",
                    ErrorCode.INVALID_CORPORATE_NUMBER,
                )
                return UNSET
            return value
        if raw is None or isinstance(raw, bool):
            return None if raw is None else str(raw)
        text = str(raw).strip()
        if name == "kind":
            if not text:
                return None
            kind = _KINDS.get(fold_header(text))
            if kind is None:
                self.add(index, name, f"種別「{text}」は使えません（使える種別: {_kind_help()}）。")
                return UNSET
            return kind
        if name == "status":
            if not text:
                return None
            status = _STATUSES.get(fold_header(text))
            if status is None:
                self.add(
                    index, name, f"状態「{text}」は使えません（活動中、休止中、解散のどれか）。"
                )
                return UNSET
            return status
        return raw if isinstance(raw, str) else text

    def _address(self, index: int, data: PartnerData, raw: dict[str, Any]) -> None:
        """A JSON ``address`` object, as in PartnerUpsertInput: it replaces the whole
        address (postal code, prefecture, city, street)."""
        for name in ADDRESS_FIELDS:
            setattr(data, name, None)
        for key, value in raw.items():
            part = PARTNER_MAP.field_for(key)
            if part is None or part not in ADDRESS_FIELDS:
                self.add(index, "street", f"住所の項目「{key}」は読み込めません。")
                continue
            setattr(data, part, self._scalar(index, part, value))

    def _field_codes(self, index: int, raw: Any) -> Any:
        if isinstance(raw, dict):
            self.add(index, "field_codes", "分野は「、」で区切るか、配列で入力してください。")
            return UNSET
        codes, unknown = [], []
        for item in split_list(raw):
            code = self.fields.get(fold_header(item))
            if code is None:
                unknown.append(item)
            else:
                codes.append(code)
        if unknown:
            self.add(
                index,
                "field_codes",
                f"分野「{'、'.join(unknown)}」は登録されていません（分野の名前かコードを、"
                "「、」で区切って入力してください）。",
                ErrorCode.NOT_FOUND,
            )
            return UNSET
        return codes

    def _contacts(self, index: int, raw: Any) -> Any:
        if raw is None:
            return []
        if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
            self.add(index, "contacts", "連絡先は JSON のオブジェクトの配列で入力してください。")
            return UNSET
        contacts = []
        for contact in raw:
            values: dict[str, Any] = {}
            for key, value in contact.items():
                name = _CONTACT_KEYS.get(fold_header(key))
                if name is None:
                    self.add(index, "contacts", f"連絡先の項目「{key}」は読み込めません。")
                    continue
                if name == "phone":
                    value = normalize_number(value)
                values[name] = value
            contacts.append(ContactData(**{"name": None, **values}))
        return contacts


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
            return f"{columns.header_of['street']}（{_LABELS.get(name, name)}）"
    elif head == "contacts":
        header = columns.label("contacts", "連絡先")
        index, _, attribute = rest.partition(".")
        return f"{header}[{index}].{attribute}" if attribute else header
    return columns.label(name, _LABELS.get(name, name))


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
    reader = _RowReader(columns, await field_lookup(session))
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
    savepoint = await session.begin_nested()
    done = 0
    for start, chunk in chunks:
        if await upsert(start, chunk, check_only=False) is None:
            await savepoint.rollback()
            return
        done += len(chunk)
        if on_step is not None:
            on_step("write", done, total)
    await savepoint.commit()
