"""Exports the city can use, on paper too (issue 5): partners, agreements, disaster contacts.

Three lists, each as CSV (UTF-8 with a BOM and CRLF, so that Excel on a city PC opens
it as Japanese text; or CP932 for older tools) and as JSON (UTF-8, sorted keys); the
partners and agreements also as an Excel workbook (.xlsx) that opens as it is, digit
strings (法人番号, 電話番号, 郵便番号) as text; the disaster contacts also as a
self-contained printable HTML page for the day the systems are down (rule 9, 第3章(3)).

- Partners (協働のパートナー): the headers are those ``kyodo import partners`` reads, so an
  export can be edited in a spreadsheet and loaded back.
- Agreements (協定): Hokkaido's open-data layout for disaster-support agreements
  (市町村名, No, 協定の名称, 協定相手方, the eight 協定区分 marked ○), plus 締結日 and the keys
  this system needs at the end.
- Disaster contacts: :func:`domain.agreements.service.disaster_support` for one day, one
  table per 協定区分, stale contacts marked.

Every export says which personal data it contains (``personal_reads``), so the HTTP edge
and the CLI can write the access log (APPI) the same way the GraphQL API does.

JSON documents (UTF-8, keys sorted, dates ISO, enums by name):

- partners: an array of partners in ``partnersUpsert``'s field names (``externalId``,
  ``name``, ``nameKana``, ``kind``, ``corporateNumber``, ``status``, ``district``,
  ``representative``, ``address {postalCode prefecture city street}``, ``phone``,
  ``email``, ``website``, ``fieldCodes``), so that ``kyodo import partners`` reads it back;
- agreements: ``{asOf, municipality, category, count, agreements: [{no, externalId, title,
  category, categoryLabel, status, department {code name}, parties [{name kind
  externalId}], supportCategories, supportCategoryLabels, supportDetails, concludedOn,
  concludedOnWareki, effectiveFrom, currentTermEndsOn, autoRenewal}]}``;
- disaster contacts: ``{asOf, asOfWareki, agreementCount, partnerCount, categories:
  [{category, label, count, staleCount, entries: [{partner {name district externalId},
  agreement {title externalId}, supportCategories, contacts [{name role phone email
  availableAroundTheClock}], contactsVerifiedOn, contactsStale}]}], needingReview:
  [{partner {name district externalId status}, agreement {title externalId},
  supportCategories, reason}]}`` — every category, in 協定区分 order, also when empty;
  ``needingReview`` the agreements whose party is DISSOLVED or INACTIVE (「協定の見直しが
  必要」), which the categories leave out.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements import terms
from kyodo.domain.agreements.in_force import agreement_ids_in_force_on
from kyodo.domain.agreements.lookup import (
    DisasterSupportRow,
    disaster_support,
    support_categories_by_agreement,
)
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.service import get_many, parties_by_agreement
from kyodo.domain.agreements.standing import REVIEW_LABEL
from kyodo.domain.disasters.review import DisasterReviewRow, agreements_needing_review
from kyodo.domain.enums import AgreementCategory, PartnerKind, PartnerStatus, SupportCategory
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.exchange.review_sections import review_csv_rows, review_document, review_html
from kyodo.domain.japanese import to_wareki
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS, labels
from kyodo.domain.partners.inputs import ADDRESS_FIELDS, SCALARS, input_name
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.reference.models import CollaborationField
from kyodo.domain.reference.service import departments_by_id
from kyodo.domain.validation import require_date
from kyodo.domain.visibility import PartnerVisibility

DEFAULT_MUNICIPALITY = "苫小牧市"
_municipality_source: Callable[[], str] | None = None


def set_municipality_source(source: Callable[[], str] | None) -> None:
    """Where the city's name comes from: the server's settings (KYODO_MUNICIPALITY)
    register themselves here; without them, 苫小牧市."""
    global _municipality_source
    _municipality_source = source


def municipality() -> str:
    """市町村名 of the exports (Hokkaido's open-data layout) and of the printed pages."""
    name = _municipality_source() if _municipality_source is not None else ""
    return name.strip() or DEFAULT_MUNICIPALITY


BOM = "\ufeff"
LIST_SEPARATOR = "、"
MARK = "○"
STALE_MARK = "⚠ 要確認"
STALE_MARK_CP932 = "※ 要確認"
"""The mark in a CP932 CSV, which has no ⚠."""
FRESH_MARK = "確認済"
NOT_VERIFIED = "未確認"

PARTNER_KIND_LABELS: dict[PartnerKind, str] = labels(PartnerKind)
"""種別 as people write it; ``kyodo import partners`` reads these labels back."""

AGREEMENT_CATEGORY_LABELS: dict[AgreementCategory, str] = labels(AgreementCategory)

PARTNER_HEADERS: tuple[str, ...] = (
    "外部ID",
    "名称",
    "フリガナ",
    "種別",
    "法人番号",
    "地区",
    "代表者",
    "郵便番号",
    "住所",
    "電話番号",
    "メールアドレス",
    "分野",
)
"""The partners CSV, column by column: the headers ``kyodo import partners`` accepts."""

SUPPORT_CATEGORY_HEADERS: tuple[str, ...] = tuple(
    SUPPORT_CATEGORY_LABELS[c] for c in SupportCategory
)

AGREEMENT_HEADERS: tuple[str, ...] = (
    "市町村名",
    "No",
    "協定の名称",
    "協定相手方",
    *SUPPORT_CATEGORY_HEADERS,
    "締結日",
    "外部ID",
    "担当課",
    "協定の内容",
)
"""Hokkaido's open-data layout (市町村名 … その他), then 締結日 and what this system keeps
besides; every header is one ``kyodo import agreements`` reads."""

DISASTER_CONTACT_HEADERS: tuple[str, ...] = (
    "協定区分",
    "協定相手方",
    "地区",
    "協定の名称",
    "連絡先氏名",
    "役職",
    "電話番号",
    "24時間",
    "最終確認日",
    "状態",
)

# Spreadsheets run a cell starting with one of these as a formula (CSV injection):
# such a cell is written with a leading apostrophe, which Excel shows as plain text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

PersonalReads = dict[tuple[str, int], set[str]]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    HTML = "html"
    ICS = "ics"
    XLSX = "xlsx"


class CsvEncoding(StrEnum):
    """How a CSV is encoded: UTF-8 with a BOM (default), or CP932 (Windows' Shift_JIS) for
    tools that read nothing else."""

    UTF8 = "utf-8"
    CP932 = "cp932"


MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.HTML: "text/html; charset=utf-8",
    ExportFormat.ICS: "text/calendar; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Windows-31J is the IANA name of CP932 (Python reads it as cp932 too).
CP932_MEDIA_TYPE = "text/csv; charset=Windows-31J"

_ENCODING_NAMES: dict[str, CsvEncoding] = {
    **dict.fromkeys(("utf-8", "utf8", "utf-8-sig", "utf_8"), CsvEncoding.UTF8),
    **dict.fromkeys(
        ("cp932", "windows-31j", "shift_jis", "shift-jis", "sjis", "ms932"), CsvEncoding.CP932
    ),
}


class UnsupportedFormat(ValueError):
    """The list has no such format (only the disaster contacts are printable HTML), or
    the encoding is not one a CSV is written in."""


def csv_encoding(name: str) -> CsvEncoding:
    """The CSV encoding a user named (utf-8; cp932, shift_jis, sjis, windows-31j)."""
    encoding = _ENCODING_NAMES.get(name.strip().lower())
    if encoding is None:
        raise UnsupportedFormat(
            f"文字コード「{name}」では書き出せません。utf-8（既定、BOM付き）か cp932（Shift_JIS）です。"
        )
    return encoding


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A finished export: its bytes, how to serve or name it, and the personal data in it."""

    body: bytes
    format: ExportFormat
    filename: str
    rows: int
    personal_reads: PersonalReads = field(default_factory=dict)
    encoding: CsvEncoding = CsvEncoding.UTF8

    @property
    def media_type(self) -> str:
        if self.format is ExportFormat.CSV and self.encoding is CsvEncoding.CP932:
            return CP932_MEDIA_TYPE
        return MEDIA_TYPES[self.format]


def export_filename(kind: str, on: date, fmt: ExportFormat) -> str:
    """``kyodo-disaster-contacts-2022-03-10.html``: ASCII, so every browser keeps it."""
    return f"kyodo-{kind}-{on.isoformat()}.{fmt.value}"


# ------------------------------------------------------------------ writing


def spreadsheet_safe(value: str) -> str:
    """A cell value a spreadsheet shows as text, never evaluates as a formula."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


# Characters that Windows' CP932 table holds under another code point (the "wave dash
# problem"): text typed on a Mac or in a web form carries the left ones, CP932 the right
# ones, which look the same. A CP932 export writes them as CP932 does.
CP932_LOOKALIKES = str.maketrans(
    {
        "\u301c": "\uff5e",  # 〜 WAVE DASH → ～ FULLWIDTH TILDE
        "\u2212": "\uff0d",  # − MINUS SIGN → － FULLWIDTH HYPHEN-MINUS
        "\u2016": "\u2225",  # ‖ DOUBLE VERTICAL LINE → ∥ PARALLEL TO
        "\u2014": "\u2015",  # — EM DASH → ― HORIZONTAL BAR
        "\u00a2": "\uffe0",  # ¢ → ￠
        "\u00a3": "\uffe1",  # £ → ￡
        "\u00ac": "\uffe2",  # ¬ → ￢
    }
)

Identify = Callable[[Sequence[Any]], str]
"""Names the record of a row in a message: 「パートナー「…」（外部ID …）」."""


def _not_in_cp932(text: str) -> list[str]:
    return [c for c in dict.fromkeys(text) if not _encodes(c)]


def _encodes(char: str) -> bool:
    try:
        char.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _cp932_problem(record: str, header: str, chars: Sequence[str], index: int) -> Problem:
    shown = "、".join(f"「{c}」（U+{ord(c):04X}）" for c in chars)
    return Problem(
        ErrorCode.INVALID,
        f"{record}の「{header}」にある{shown}は CP932（Shift_JIS）で表せません。"
        "UTF-8 の CSV か XLSX で書き出すか、その文字を登録し直してください。",
        header,
        index,
    )


def write_csv(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    encoding: CsvEncoding = CsvEncoding.UTF8,
    identify: Identify | None = None,
) -> bytes:
    """UTF-8 with a BOM and CRLF line ends (what Excel expects of a CSV); None is empty.

    In CP932 (no BOM) the wave-dash lookalikes are written as CP932 holds them; any other
    character CP932 cannot hold (𠮷, emoji...) refuses the whole file with a DomainError
    naming every record and column, rather than writing 「?」 that a re-import would store.
    """
    buffer = io.StringIO()
    cp932 = encoding is CsvEncoding.CP932
    if not cp932:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        cells = ["" if value is None else spreadsheet_safe(str(value)) for value in row]
        if cp932:
            cells = [c.translate(CP932_LOOKALIKES) for c in cells]
            for header, cell in zip(headers, cells, strict=True):
                if not cell.isascii() and (missing := _not_in_cp932(cell)):
                    record = identify(row) if identify else f"{index + 1}件目"
                    problems.append(_cp932_problem(record, header, missing, index))
        writer.writerow(cells)
    if problems:
        raise DomainError(problems=problems)
    return buffer.getvalue().encode("cp932" if cp932 else "utf-8")


# Characters XML 1.0, and so an .xlsx cell, cannot hold (control characters but tab and
# line breaks): left out.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_WIDTH = 60
_DATE_FORMAT = "yyyy-mm-dd"
_TEXT_FORMAT = "@"


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (全角) characters count two."""
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in longest)


def write_xlsx(
    sheet: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    text_columns: Iterable[str] = (),
) -> bytes:
    """An Excel workbook of one sheet: the header row frozen and filterable, columns as
    wide as their contents (up to 60), every text a text cell — never run as a formula
    — and ``text_columns`` (digit strings such as 法人番号 and 電話番号) formatted as 文字列
    (@), so Excel neither shows 7.00001E+12 nor drops a leading 0 when a cell is edited.
    Integers are numbers, dates date cells (yyyy-mm-dd); None is an empty cell."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    text_formatted = set(text_columns)
    widths = [_display_width(h) for h in headers]
    for row in rows:
        for i, value in enumerate(row):
            if value is not None:
                widths[i] = max(widths[i], _display_width(str(value)))
    for i, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(i)].width = min(width + 2, _MAX_WIDTH)
    worksheet.freeze_panes = "A2"
    last = f"{get_column_letter(len(headers))}{len(rows) + 1}"
    worksheet.auto_filter.ref = f"A1:{last}"
    worksheet.append([_xlsx_cell(worksheet, h, as_text=False) for h in headers])
    for row in rows:
        worksheet.append(
            [
                _xlsx_cell(worksheet, value, as_text=header in text_formatted)
                for header, value in zip(headers, row, strict=True)
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(worksheet: Any, value: Any, *, as_text: bool) -> Any:
    cell = WriteOnlyCell(worksheet)
    if value is None:
        if not as_text:
            return None
        # Empty, but 文字列 too: a 法人番号 typed in later stays 13 digits.
        cell.number_format = _TEXT_FORMAT
        return cell
    if isinstance(value, date):
        cell.value = value
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        return cell
    # Set as a string cell: openpyxl would otherwise take "=..." for a formula.
    cell.value = _XML_ILLEGAL.sub("", str(value))
    cell.data_type = "s"
    if as_text:
        cell.number_format = _TEXT_FORMAT
    return cell


def write_table(
    fmt: ExportFormat,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str,
    text_columns: Iterable[str],
    encoding: CsvEncoding,
    identify: Identify,
) -> bytes:
    """A list's rows as CSV or as an .xlsx sheet: the same columns either way."""
    if fmt is ExportFormat.XLSX:
        return write_xlsx(sheet, headers, rows, text_columns=text_columns)
    return write_csv(headers, rows, encoding=encoding, identify=identify)


def write_json(document: Mapping[str, Any] | Sequence[Any]) -> bytes:
    """UTF-8 JSON with sorted keys, indented, ending in a newline: stable for diffs."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2)
    return (text + "\n").encode("utf-8")


def _require(
    fmt: ExportFormat,
    allowed: Sequence[ExportFormat],
    what: str,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> None:
    if fmt not in allowed:
        names = "、".join(f.value for f in allowed)
        raise UnsupportedFormat(
            f"{what}は {names} 形式で書き出せます（{fmt.value} は使えません）。"
        )
    if encoding is not CsvEncoding.UTF8 and fmt is not ExportFormat.CSV:
        raise UnsupportedFormat(
            f"文字コード（{encoding.value}）を選べるのは CSV だけです（{fmt.value} は UTF-8 です）。"
        )


def _note(reads: PersonalReads, entity_type: str, pk: int | None, name: str) -> None:
    if pk is not None:
        reads.setdefault((entity_type, pk), set()).add(name)


# ------------------------------------------------------------------ partners


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    partner: Partner
    fields: list[CollaborationField]


async def load_partners(session: AsyncSession) -> list[PartnerRecord]:
    """Active partners in 五十音 order with their fields of collaboration (Q8).

    Inactive and dissolved partners are left out: the CSV has no 状態 column, and a
    re-import must not bring them back as active. Two statements whatever the count.
    """
    active = col(Partner.status) == PartnerStatus.ACTIVE
    stmt = sa.select(Partner).where(active).order_by(col(Partner.sort_key), col(Partner.id))
    partners = list((await session.execute(stmt)).scalars())
    field_stmt = (
        sa.select(col(PartnerField.partner_id), CollaborationField)
        .join(CollaborationField, col(CollaborationField.id) == col(PartnerField.field_id))
        .where(col(PartnerField.partner_id).in_(sa.select(col(Partner.id)).where(active)))
        .order_by(col(CollaborationField.sort_order), col(CollaborationField.id))
    )
    fields: dict[int, list[CollaborationField]] = {}
    for partner_id, collaboration_field in (await session.execute(field_stmt)).all():
        fields.setdefault(partner_id, []).append(collaboration_field)
    return [PartnerRecord(p, fields.get(p.id or 0, [])) for p in partners]


def partner_personal_reads(records: Iterable[PartnerRecord]) -> PersonalReads:
    """The personal data a partners export shows, as the GraphQL API notes it: the
    representative of any partner; address, phone and mail of individuals."""
    reads: PersonalReads = {}
    for record in records:
        row = record.partner
        if row.representative:
            _note(reads, "Partner", row.id, "representative")
        if row.kind is PartnerKind.INDIVIDUAL:
            if any((row.postal_code, row.prefecture, row.city, row.street)):
                _note(reads, "Partner", row.id, "address")
            if row.phone:
                _note(reads, "Partner", row.id, "phone")
            if row.email:
                _note(reads, "Partner", row.id, "email")
    return reads


PARTNER_TEXT_COLUMNS = ("外部ID", "法人番号", "郵便番号", "電話番号")
"""Digit strings: text cells formatted 文字列 in the .xlsx, never numbers."""


def identify_partner(row: Sequence[Any]) -> str:
    """A partners row (外部ID, 名称, ...) named in a message."""
    external_id, name = row[0], row[1]
    return (
        f"パートナー「{name}」（外部ID {external_id}）" if external_id else f"パートナー「{name}」"
    )


def partner_csv_row(record: PartnerRecord) -> list[str | None]:
    row = record.partner
    return [
        row.external_id,
        row.name,
        row.name_kana,
        PARTNER_KIND_LABELS[row.kind],
        row.corporate_number,
        row.district,
        row.representative,
        row.postal_code,
        row.street,
        row.phone,
        row.email,
        LIST_SEPARATOR.join(f.name for f in record.fields) or None,
    ]


def partner_document(record: PartnerRecord) -> dict[str, Any]:
    """A partner in the field names of ``partnersUpsert`` (and ``kyodo import partners``):
    every scalar column of ``domain.partners.commands.SCALARS``, the address as one object."""
    row = record.partner
    document: dict[str, Any] = {
        input_name(name): _json_value(getattr(row, name))
        for name in SCALARS
        if name not in ADDRESS_FIELDS
    }
    document["address"] = {input_name(name): getattr(row, name) for name in ADDRESS_FIELDS}
    document["fieldCodes"] = [f.code for f in record.fields]
    return document


def _json_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


async def export_partners(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """The partner list (協働のパートナー) as CSV, XLSX or JSON, all readable by ``kyodo
    import partners``. The CSV's (and the sheet's) 住所 is the street part (番地):
    都道府県 and 市区町村 have no column of their own there, and an import leaves them as
    they are. Personal data: callers must be allowed to read partners (``READ_PARTNERS``)."""
    _require(
        fmt, (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON), "パートナー一覧", encoding
    )
    require_date(on, label="一覧の日付", field="on")
    records = await load_partners(session)
    if fmt is ExportFormat.JSON:
        body = write_json([partner_document(r) for r in records])
    else:
        body = write_table(
            fmt,
            PARTNER_HEADERS,
            [partner_csv_row(r) for r in records],
            sheet="パートナー一覧",
            text_columns=PARTNER_TEXT_COLUMNS,
            encoding=encoding,
            identify=identify_partner,
        )
    return ExportFile(
        body=body,
        format=fmt,
        filename=export_filename("partners", on, fmt),
        rows=len(records),
        personal_reads=partner_personal_reads(records),
        encoding=encoding,
    )


# ------------------------------------------------------------------ agreements


@dataclass(frozen=True, slots=True)
class AgreementRecord:
    number: int
    agreement: Agreement
    parties: list[Partner]
    support_categories: list[SupportCategory]
    department_code: str
    department_name: str


async def load_agreements(
    session: AsyncSession,
    *,
    on: date,
    category: AgreementCategory | None,
    visibility: PartnerVisibility,
) -> list[AgreementRecord]:
    """Agreements in force on ``on`` (rule 8), of ``category`` (all when None), numbered
    in order of conclusion as Hokkaido's list does.

    Parties are those ``visibility`` shows (rule 13: no individual volunteers for the
    public). The agreement itself stays, as on the GraphQL API.
    """
    conditions = [col(Agreement.category) == category] if category is not None else []
    ids = await agreement_ids_in_force_on(session, on=on, conditions=conditions)
    if not ids:
        return []
    agreements = [a for a in await get_many(session, ids) if a is not None]
    agreements.sort(key=lambda a: (a.concluded_on or a.effective_from or on, a.id or 0))
    ordered = [a.id or 0 for a in agreements]
    parties = await parties_by_agreement(session, ordered)
    categories = await support_categories_by_agreement(session, ordered)
    department_ids = sorted({a.department_id for a in agreements})
    departments = {
        d.id: d for d in await departments_by_id(session, department_ids) if d is not None
    }
    records = []
    for number, (agreement, its_parties, its_categories) in enumerate(
        zip(agreements, parties, categories, strict=True), start=1
    ):
        its_parties = [p for p in its_parties if visibility.allows(p)]
        department = departments.get(agreement.department_id)
        records.append(
            AgreementRecord(
                number=number,
                agreement=agreement,
                parties=its_parties,
                support_categories=its_categories,
                department_code=department.code if department else "",
                department_name=department.name if department else "",
            )
        )
    return records


def identify_agreement(row: Sequence[Any]) -> str:
    """An agreements row (市町村名, No, 協定の名称, ...) named in a message."""
    return f"No {row[1]} の協定「{row[2]}」"


def agreement_csv_row(record: AgreementRecord) -> list[str | int | date | None]:
    row = record.agreement
    return [
        municipality(),
        record.number,
        row.title,
        LIST_SEPARATOR.join(p.name for p in record.parties),
        *(MARK if c in record.support_categories else None for c in SupportCategory),
        row.concluded_on,  # ISO in the CSV, a date cell in the sheet
        row.external_id,
        record.department_name,
        row.support_details,
    ]


def agreement_document(
    record: AgreementRecord, *, on: date, visibility: PartnerVisibility
) -> dict[str, Any]:
    """One agreement of the JSON list; parties' integration keys only for callers who may
    read them (the roles that see every partner)."""
    row = record.agreement
    term_ends = terms.agreement_term_ends_on(row, on)
    return {
        "no": record.number,
        "municipality": municipality(),
        "externalId": row.external_id,
        "title": row.title,
        "category": row.category.value,
        "categoryLabel": AGREEMENT_CATEGORY_LABELS[row.category],
        "status": row.status.value,
        "department": {"code": record.department_code, "name": record.department_name},
        "parties": [
            {"name": p.name, "kind": p.kind.value, "externalId": p.external_id}
            if visibility is PartnerVisibility.ALL
            else {"name": p.name, "kind": p.kind.value}
            for p in record.parties
        ],
        "supportCategories": [c.value for c in record.support_categories],
        "supportCategoryLabels": [SUPPORT_CATEGORY_LABELS[c] for c in record.support_categories],
        "supportDetails": row.support_details,
        "concludedOn": row.concluded_on.isoformat() if row.concluded_on else None,
        "concludedOnWareki": to_wareki(row.concluded_on) if row.concluded_on else None,
        "effectiveFrom": row.effective_from.isoformat() if row.effective_from else None,
        "currentTermEndsOn": term_ends.isoformat() if term_ends else None,
        "autoRenewal": row.auto_renewal,
    }


async def export_agreements(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    category: AgreementCategory | None = AgreementCategory.DISASTER_SUPPORT,
    visibility: PartnerVisibility = PartnerVisibility.ALL,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """Agreements in force on ``on`` in Hokkaido's open-data layout (CSV, XLSX) or as JSON.

    By default the disaster-support agreements (災害時応援協定), which is what the
    prefecture's list holds; ``category=None`` exports every category. Contains no
    personal data (no contacts; with ``visibility`` ORGANISATIONS, for the public, no
    individuals either).
    """
    _require(fmt, (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON), "協定一覧", encoding)
    require_date(on, label="一覧の日付", field="on")
    records = await load_agreements(session, on=on, category=category, visibility=visibility)
    if fmt is not ExportFormat.JSON:
        body = write_table(
            fmt,
            AGREEMENT_HEADERS,
            [agreement_csv_row(r) for r in records],
            sheet="協定一覧",
            text_columns=("外部ID",),
            encoding=encoding,
            identify=identify_agreement,
        )
    else:
        body = write_json(
            {
                "asOf": on.isoformat(),
                "municipality": municipality(),
                "category": category.value if category else None,
                "count": len(records),
                "agreements": [
                    agreement_document(r, on=on, visibility=visibility) for r in records
                ],
            }
        )
    return ExportFile(
        body=body,
        format=fmt,
        filename=export_filename("agreements", on, fmt),
        rows=len(records),
        encoding=encoding,
    )


# ------------------------------------------------------------------ disaster contacts


@dataclass(frozen=True, slots=True)
class ContactLine:
    """One way to reach a partner: an emergency contact, or its main number."""

    name: str
    role: str | None
    phone: str | None
    email: str | None
    around_the_clock: bool


@dataclass(frozen=True, slots=True)
class DisasterEntry:
    row: DisasterSupportRow
    contacts: list[ContactLine]

    @property
    def stale(self) -> bool:
        return self.row.contacts_stale or not self.row.emergency_contacts


@dataclass(frozen=True, slots=True)
class CategorySection:
    category: SupportCategory
    entries: list[DisasterEntry]

    @property
    def label(self) -> str:
        return SUPPORT_CATEGORY_LABELS[self.category]

    @property
    def stale_count(self) -> int:
        return sum(1 for e in self.entries if e.stale)


@dataclass(frozen=True, slots=True)
class DisasterContactList:
    on: date
    sections: list[CategorySection]
    agreement_count: int
    partner_count: int
    personal_reads: PersonalReads
    needing_review: list[DisasterReviewRow] = field(default_factory=list)
    """Agreements whose party is DISSOLVED or INACTIVE: listed apart, never as 確認済."""

    @property
    def date_label(self) -> str:
        return f"{to_wareki(self.on)}（{self.on.isoformat()}）現在"


def _contact_lines(row: DisasterSupportRow) -> list[ContactLine]:
    lines = [
        ContactLine(
            name=c.name,
            role=c.role,
            phone=c.phone,
            email=c.email,
            around_the_clock=c.available_around_the_clock,
        )
        for c in row.emergency_contacts
    ]
    if not lines and row.partner.phone:
        # No emergency contact on record: the partner's main number is still a way in.
        lines.append(
            ContactLine(
                name="（代表番号）",
                role=None,
                phone=row.partner.phone,
                email=row.partner.email,
                around_the_clock=False,
            )
        )
    return lines


def _disaster_reads(rows: Iterable[DisasterSupportRow]) -> PersonalReads:
    reads: PersonalReads = {}
    for row in rows:
        contacts: list[Contact] = row.emergency_contacts
        for contact in contacts:
            if contact.agreement_id is not None:
                _note(reads, "Agreement", contact.agreement_id, "emergencyContacts")
            else:
                _note(reads, "Partner", contact.partner_id, "contacts")
        if not contacts and row.partner.kind is PartnerKind.INDIVIDUAL and row.partner.phone:
            _note(reads, "Partner", row.partner.id, "phone")
    return reads


async def load_disaster_contacts(session: AsyncSession, *, on: date) -> DisasterContactList:
    """The disaster lookup for ``on`` (rule 9), grouped by 協定区分 in Hokkaido's order.

    A partner whose agreement covers several categories appears under each: whoever
    handles transport reads only the transport table. Within a table, 五十音 order.
    Partners that are DISSOLVED or INACTIVE are not in the tables; their agreements are
    listed apart (``needing_review``, 「協定の見直しが必要」).
    """
    rows = await disaster_support(session, categories=None, on=on, district=None)
    needing_review = await agreements_needing_review(session, categories=None, on=on, district=None)
    entries = [DisasterEntry(row=r, contacts=_contact_lines(r)) for r in rows]
    sections = []
    for category in SupportCategory:
        members = [e for e in entries if category in e.row.support_categories]
        members.sort(
            key=lambda e: (e.row.partner.sort_key, e.row.agreement.id or 0, e.row.partner.id or 0)
        )
        sections.append(CategorySection(category=category, entries=members))
    return DisasterContactList(
        on=on,
        sections=sections,
        agreement_count=len({r.agreement.id for r in rows}),
        partner_count=len({r.partner.id for r in rows}),
        personal_reads=_disaster_reads(rows),
        needing_review=needing_review,
    )


def _verified_on(entry: DisasterEntry) -> str:
    verified = entry.row.contacts_verified_on
    return verified.isoformat() if verified else NOT_VERIFIED


def _status(entry: DisasterEntry, stale_mark: str = STALE_MARK) -> str:
    return stale_mark if entry.stale else FRESH_MARK


def disaster_csv_rows(
    listing: DisasterContactList, stale_mark: str = STALE_MARK
) -> Iterable[list[str | None]]:
    """One line per (category, partner, contact); a partner without any contact still
    gets a line, so that nobody drops off the list."""
    for section in listing.sections:
        for entry in section.entries:
            row = entry.row
            head = [section.label, row.partner.name, row.partner.district, row.agreement.title]
            tail = [_verified_on(entry), _status(entry, stale_mark)]
            if not entry.contacts:
                yield [*head, None, None, None, None, *tail]
            for contact in entry.contacts:
                clock = MARK if contact.around_the_clock else None
                yield [*head, contact.name, contact.role, contact.phone, clock, *tail]
    yield from review_csv_rows(listing.needing_review)


def disaster_document(listing: DisasterContactList) -> dict[str, Any]:
    return {
        "asOf": listing.on.isoformat(),
        "asOfWareki": to_wareki(listing.on),
        "agreementCount": listing.agreement_count,
        "partnerCount": listing.partner_count,
        "categories": [
            {
                "category": section.category.value,
                "label": section.label,
                "count": len(section.entries),
                "staleCount": section.stale_count,
                "entries": [
                    {
                        "partner": {
                            "name": e.row.partner.name,
                            "district": e.row.partner.district,
                            "externalId": e.row.partner.external_id,
                        },
                        "agreement": {
                            "title": e.row.agreement.title,
                            "externalId": e.row.agreement.external_id,
                        },
                        "supportCategories": [c.value for c in e.row.support_categories],
                        "contacts": [
                            {
                                "name": c.name,
                                "role": c.role,
                                "phone": c.phone,
                                "email": c.email,
                                "availableAroundTheClock": c.around_the_clock,
                            }
                            for c in e.contacts
                        ],
                        "contactsVerifiedOn": (
                            e.row.contacts_verified_on.isoformat()
                            if e.row.contacts_verified_on
                            else None
                        ),
                        "contactsStale": e.stale,
                    }
                    for e in section.entries
                ],
            }
            for section in listing.sections
        ],
        "needingReview": review_document(listing.needing_review),
    }


def identify_disaster_contact(row: Sequence[Any]) -> str:
    """A disaster-contacts row (協定区分, 協定相手方, ...) named in a message."""
    return f"{row[0]}の「{row[1]}」"


async def export_disaster_contacts(
    session: AsyncSession,
    *,
    fmt: ExportFormat,
    on: date,
    encoding: CsvEncoding = CsvEncoding.UTF8,
) -> ExportFile:
    """The disaster-management office's contact list for ``on`` (rule 9): printable
    HTML, CSV or JSON. Personal data: callers need ``READ_EMERGENCY_CONTACTS``."""
    _require(
        fmt, (ExportFormat.HTML, ExportFormat.CSV, ExportFormat.JSON), "災害時連絡先", encoding
    )
    require_date(on, label="一覧の日付", field="on")
    listing = await load_disaster_contacts(session, on=on)
    if fmt is ExportFormat.CSV:
        body = write_csv(
            DISASTER_CONTACT_HEADERS,
            disaster_csv_rows(
                listing, STALE_MARK_CP932 if encoding is CsvEncoding.CP932 else STALE_MARK
            ),
            encoding=encoding,
            identify=identify_disaster_contact,
        )
    elif fmt is ExportFormat.JSON:
        body = write_json(disaster_document(listing))
    else:
        body = render_disaster_contacts_html(listing).encode("utf-8")
    return ExportFile(
        body=body,
        format=fmt,
        filename=export_filename("disaster-contacts", on, fmt),
        rows=sum(len(s.entries) for s in listing.sections) + len(listing.needing_review),
        personal_reads=listing.personal_reads,
        encoding=encoding,
    )


# ------------------------------------------------------------------ the printable page

TITLE = "災害時応援協定 連絡先一覧"
COLUMNS = (
    ("partner", "協定相手方"),
    ("district", "地区"),
    ("person", "連絡先氏名"),
    ("role", "役職"),
    ("phone", "電話番号"),
    ("clock", "24時間"),
    ("verified", "最終確認日"),
    ("state", "状態"),
)

# Print first: A4, type large enough to read a phone number by torchlight, rows that never
# split across pages, a table per category starting on its own page. The list's date is
# on every sheet twice over: in the page's top margin (@page margin boxes) and in the
# table head, which the browser repeats on each page a table continues on.
_CSS = """
@page {
  size: A4;
  margin: 16mm 11mm 14mm 11mm;
  @top-left { content: "%(title)s"; font-size: 9pt; color: #333; }
  @top-right { content: "%(date)s"; font-size: 9pt; color: #333; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #333; }
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0 auto; max-width: 1100px; color: #000; background: #fff;
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "BIZ UDPGothic", "Yu Gothic", "Meiryo", sans-serif;
  font-size: 10.5pt; line-height: 1.45;
}
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 0 0 2mm; break-after: avoid; }
.as-of { font-size: 13pt; font-weight: bold; margin: 0 0 3mm; }
.note { margin: 1mm 0; }
.summary { border-collapse: collapse; margin: 4mm 0 0; }
.summary th, .summary td { border: 1px solid #555; padding: 1mm 3mm; text-align: left; }
.summary td.number { text-align: right; }
section.category + section.category { break-before: page; }
header.cover { margin-bottom: 6mm; }
table.contacts { width: 100%%; border-collapse: collapse; table-layout: fixed; }
table.contacts th, table.contacts td {
  border: 1px solid #555; padding: 1.2mm 1.5mm; vertical-align: top; overflow-wrap: anywhere;
}
table.contacts thead th { background: #e6e6e6; font-size: 9.5pt; text-align: left; }
table.contacts thead tr.sheet th {
  background: #fff; border: none; border-bottom: 2px solid #000; font-weight: normal;
  font-size: 9.5pt; padding: 0 0 1.5mm;
}
table.contacts thead tr.sheet .category-name { font-size: 13pt; font-weight: bold; }
table.contacts tbody { break-inside: avoid; page-break-inside: avoid; }
table.contacts tr { break-inside: avoid; page-break-inside: avoid; }
col.partner { width: 20%%; } col.district { width: 7%%; } col.person { width: 16%%; }
col.role { width: 11%%; } col.phone { width: 17%%; } col.clock { width: 8%%; }
col.verified { width: 11%%; } col.state { width: 10%%; }
td.phone { font-size: 11pt; font-weight: bold; white-space: nowrap; }
th.clock, td.clock, td.state { white-space: nowrap; }
td.clock { text-align: center; }
.agreement-title { display: block; font-size: 8.5pt; color: #333; }
tbody.stale td.state { font-weight: bold; }
tbody.stale td.state, tbody.stale td.verified { background: #ffe9a8; }
.stale-badge { background: #ffe9a8; border: 1px solid #000; padding: 0 1.5mm; font-weight: bold; }
.none { color: #333; }
@media screen {
  body { padding: 8mm; }
  section.category { margin-top: 10mm; }
}
@media print {
  .screen-only { display: none; }
}
"""


def _css_string(value: str) -> str:
    """A value safe inside a double-quoted CSS string."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def render_disaster_contacts_html(listing: DisasterContactList) -> str:
    """The printable page: self-contained (no scripts, fonts or images fetched), every
    value HTML-escaped."""
    date_label = listing.date_label
    css = _CSS % {"title": _css_string(TITLE), "date": _css_string(date_label)}
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)} {_e(date_label)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
        '<header class="cover">',
        f"<h1>{_e(TITLE)}</h1>",
        f'<p class="as-of">{_e(date_label)}</p>',
        '<p class="note screen-only">印刷するときは A4 縦を選んでください（Ctrl+P）。</p>',
        f'<p class="note">{_e(municipality())}　協定 {listing.agreement_count} 件、'
        f"協定相手方 {listing.partner_count} 者（この日に有効な災害時応援協定）</p>",
        f'<p class="note"><span class="stale-badge">{_e(STALE_MARK)}</span> '
        "連絡先を一度も確認していないか、最終確認日から1年（365日）を超えています。"
        "電話がつながったら、確認日を記録してください。</p>",
        '<table class="summary">',
        "<thead><tr><th>協定区分</th><th>相手方</th><th>要確認</th></tr></thead>",
        "<tbody>",
    ]
    for section in listing.sections:
        count = f"{len(section.entries)} 件" if section.entries else "該当なし"
        out.append(
            f'<tr><td>{_e(section.label)}</td><td class="number">{_e(count)}</td>'
            f'<td class="number">{section.stale_count} 件</td></tr>'
        )
    if listing.needing_review:
        out.append(
            f'<tr><td><a href="#needing-review">{_e(REVIEW_LABEL)}</a></td>'
            f'<td class="number">{len(listing.needing_review)} 件</td><td class="number">―</td></tr>'
        )
    out += ["</tbody>", "</table>", "</header>"]
    for section in listing.sections:
        if section.entries:
            out.append(_section_html(section, date_label))
    if listing.needing_review:
        out.append(review_html(listing.needing_review))
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _section_html(section: CategorySection, date_label: str) -> str:
    out = [
        f'<section class="category" id="category-{_e(section.category.value)}">',
        f"<h2>{_e(section.label)}（{len(section.entries)} 件）</h2>",
        '<table class="contacts">',
        '<colgroup><col class="partner"><col class="district"><col class="person">'
        '<col class="role"><col class="phone"><col class="clock"><col class="verified">'
        '<col class="state"></colgroup>',
        "<thead>",
        f'<tr class="sheet"><th colspan="{len(COLUMNS)}">{_e(TITLE)}　'
        f'<span class="as-of-cell">{_e(date_label)}</span>　'
        f'<span class="category-name">{_e(section.label)}</span></th></tr>',
        "<tr>" + "".join(f'<th class="{k}">{_e(c)}</th>' for k, c in COLUMNS) + "</tr>",
        "</thead>",
    ]
    for entry in section.entries:
        out.append(_entry_html(entry))
    out += ["</table>", "</section>"]
    return "\n".join(out)


def _wareki_html(day: date) -> str:
    """令和3年 / 8月14日 on two lines: narrow enough for the column, never split oddly."""
    wareki = to_wareki(day)
    year, _, rest = wareki.partition("年")
    return f"{_e(year)}年<br>{_e(rest)}"


def _entry_html(entry: DisasterEntry) -> str:
    """One partner: a ``<tbody>`` of one row per contact, kept together on a page."""
    row = entry.row
    contacts = entry.contacts
    span = max(len(contacts), 1)
    rowspan = f' rowspan="{span}"' if span > 1 else ""
    verified = row.contacts_verified_on
    verified_html = _wareki_html(verified) if verified else _e(NOT_VERIFIED)
    shared_head = (
        f'<td class="partner"{rowspan}>{_e(row.partner.name)}'
        f'<span class="agreement-title">{_e(row.agreement.title)}</span></td>'
        f'<td class="district"{rowspan}>{_e(row.partner.district or "")}</td>'
    )
    shared_tail = (
        f'<td class="verified"{rowspan}>{verified_html}</td>'
        f'<td class="state"{rowspan}>{_e(_status(entry))}</td>'
    )
    css_class = "entry stale" if entry.stale else "entry"
    lines: list[str] = [f'<tbody class="{css_class}">']
    if not contacts:
        lines.append(
            f"<tr>{shared_head}"
            '<td class="none" colspan="4">連絡先の登録がありません</td>'
            f"{shared_tail}</tr>"
        )
    for index, contact in enumerate(contacts):
        cells = (
            f'<td class="person">{_e(contact.name)}</td>'
            f'<td class="role">{_e(contact.role or "")}</td>'
            f'<td class="phone">{_e(contact.phone or "")}</td>'
            f'<td class="clock">{MARK if contact.around_the_clock else ""}</td>'
        )
        if index == 0:
            lines.append(f"<tr>{shared_head}{cells}{shared_tail}</tr>")
        else:
            lines.append(f"<tr>{cells}</tr>")
    lines.append("</tbody>")
    return "\n".join(lines)
