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
organisation through the partners commands. Agreements are created and concluded
through the agreements commands (domain.agreements.commands), so their rules and audit
events apply exactly as in the API. Re-importing the same file creates nothing: an
agreement is recognised by its 外部ID, else by its title and its counterparties.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain import validation as v
from kyodo.domain.agreements.commands import AgreementData, conclude_agreement, create_agreement
from kyodo.domain.agreements.models import Agreement, AgreementParty, AgreementSupportCategory
from kyodo.domain.enums import (
    SUPPORT_CATEGORY_LABELS,
    AgreementCategory,
    PartnerKind,
    PartnerStatus,
    SupportCategory,
)
from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.exchange.columns import (
    ColumnMap,
    Columns,
    fold_header,
    fold_name,
    parse_japanese_date,
    split_list,
)
from kyodo.domain.exchange.exports.formats import municipality as own_municipality
from kyodo.domain.exchange.source import (
    FileFormat,
    ImportRefused,
    RowProblem,
    SourceRow,
    SourceTable,
    blank_header,
)
from kyodo.domain.japanese import to_wareki
from kyodo.domain.partners.commands import PartnerData, create_partner
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.names import is_collective_name
from kyodo.domain.reference.models import Department

DEFAULT_DEPARTMENT = "kikikanri"  # 危機管理室, which keeps the disaster-support agreements
MAX_ROWS = 2_000

_CATEGORY_FIELDS = {category.value: category for category in SupportCategory}
# The one table of header synonyms: Hokkaido's open data first, then the words other
# municipalities' lists use (協定名 / 締結日 / 締結先 / 担当(要請)窓口; №, 協定名称,
# 協定締結先, 締結年月日). Headers compare after fold_header (width, spaces, ・ ignored).
AGREEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality": ("市町村名", "municipality"),
    "number": ("No", "No.", "№", "番号", "連番", "項番"),
    "title": ("協定の名称", "協定名", "協定名称", "協定件名", "title"),
    "parties": (
        "協定相手方",
        "協定相手方(都道府県名)",
        "相手方",
        "締結先",
        "協定締結先",
        "協定先",
        "締結相手",
        "parties",
    ),
    **{
        category.value: (label, category.value)
        for category, label in SUPPORT_CATEGORY_LABELS.items()
    },
    "support_categories": ("協定区分", "supportCategories"),
    "concluded_on": ("締結日", "協定締結日", "締結年月日", "協定締結年月日", "concludedOn"),
    "department": (
        "担当課",
        "所管課",
        "担当(要請)窓口",
        "担当窓口",
        "要請窓口",
        "担当部署",
        "departmentCode",
        "department",
    ),
    "external_id": ("外部ID", "externalId"),
    "support_details": ("協定の内容", "備考", "supportDetails"),
}
AGREEMENT_MAP = ColumnMap(AGREEMENT_COLUMNS)
# A header is looked for in the first rows: sheets begin with a title line or two
# (「災害時応援協定一覧」「令和8年4月1日現在」) above it.
HEADER_SEARCH_ROWS = 10
# 「H8.10.23 (改正)」: the date is the one of an amendment (改正), not of the conclusion.
_AMENDMENT_MARK = re.compile(r"[(（]\s*改正\s*[)）]|改正$")
_CATEGORY_GROUP = fold_header("協定区分")

MARKS = frozenset({"○", "〇", "◯"})
_PARTY_SEPARATORS = r"[、\n]"
# Legal-form abbreviations as written in lists (㈱ folds to (株) under NFKC): a party
# written 「東日本電信電話㈱」 is the partner registered as 「東日本電信電話株式会社」.
_ABBREVIATIONS = {
    "(株)": "株式会社",
    "(有)": "有限会社",
    "(同)": "合同会社",
    "(一社)": "一般社団法人",
    "(公社)": "公益社団法人",
    "(社)": "社団法人",
    "(一財)": "一般財団法人",
    "(公財)": "公益財団法人",
    "(財)": "財団法人",
    "(社福)": "社会福祉法人",
    "(特非)": "特定非営利活動法人",
    "(医)": "医療法人",
}
_ABBREVIATION = re.compile("|".join(re.escape(a) for a in _ABBREVIATIONS))
_IN_PARENTHESES = re.compile(r"\([^()]*\)")  # matched after NFKC: （） are ()


def party_key(name: str) -> str:
    """How counterparty names compare: NFKC, no spaces, legal-form abbreviations spelt out."""
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m[0]], fold_name(name))


def kind_for_name(name: str) -> PartnerKind:
    """The kind of an organisation known only by its name, from its legal form.

    NPO法人 / 特定非営利活動法人 → NPO; 株式会社 / 有限会社 / 合同会社 → COMPANY (the legal
    form decides before words such as 協会); a 町内会 or 自治会 (not a 連合会 of them) →
    NEIGHBORHOOD_ASSOCIATION; everything else (協会, 組合, 連合会, public bodies) →
    OTHER_ORGANIZATION.
    """
    key = party_key(name).upper()
    if "特定非営利活動法人" in key or "NPO法人" in key:
        return PartnerKind.NPO
    if any(form in key for form in ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社")):
        return PartnerKind.COMPANY
    if ("町内会" in key or "自治会" in key) and "連合会" not in key:
        return PartnerKind.NEIGHBORHOOD_ASSOCIATION
    return PartnerKind.OTHER_ORGANIZATION


def split_parties(value: Any) -> list[str]:
    """The organisations of a 協定相手方 cell, without repeats; a line or item wholly in
    parentheses (「(北海道札幌市)」, where they are) is not a party."""
    names: dict[str, str] = {}
    for item in split_list(value, _PARTY_SEPARATORS):
        if _IN_PARENTHESES.fullmatch(fold_name(item)):
            continue
        names.setdefault(party_key(item), item)
    return list(names.values())


# ------------------------------------------------------------------ results


@dataclass
class AgreementOutcome:
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


@dataclass
class _Row:
    index: int
    where: str
    title: str
    parties: list[str]
    support: list[SupportCategory]
    support_details: str | None
    concluded_on: date | None
    department_code: str
    external_id: str | None
    collective: list[str] = field(default_factory=list)
    amended_on: list[date] = field(default_factory=list)
    # A 締結日 that cannot be recorded by concluding: a disaster-support agreement is
    # concluded only with a 協定区分, which lists without those columns do not give.
    unconcluded_on: date | None = None

    def add_parties(self, names: Sequence[str]) -> None:
        known = {party_key(p) for p in (*self.parties, *self.collective)}
        for name in names:
            if party_key(name) not in known:
                known.add(party_key(name))
                (self.collective if is_collective_name(name) else self.parties).append(name)

    def add_details(self, text: str | None) -> None:
        if text:
            self.support_details = "\n".join(t for t in (self.support_details, text) if t)

    def details_with_notes(self) -> str | None:
        """支援の詳しい内容 with what the agreement cannot hold otherwise: its amendment
        dates and the counterparties that are groups of bodies, not partners."""
        notes = (
            [f"改正: {'、'.join(to_wareki(d) for d in self.amended_on)}"] if self.amended_on else []
        )
        if self.unconcluded_on is not None:
            notes.append(
                f"締結日: {to_wareki(self.unconcluded_on)}（協定区分がないため下書きのまま登録。"
                "協定区分を入れてから締結してください）"
            )
        if self.collective:
            notes.append(
                f"相手方（団体の総称。パートナーとしては登録していません）: {'、'.join(self.collective)}"
            )
        return "\n".join(t for t in (self.support_details, *notes) if t) or None

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return fold_name(self.title), tuple(sorted(party_key(p) for p in self.parties))


@dataclass
class _Existing:
    id: int
    title: str
    external_id: str | None
    department_code: str
    concluded_on: date | None
    party_keys: tuple[str, ...]
    support: set[SupportCategory]


# ------------------------------------------------------------------ reading rows


def merge_two_row_header(table: SourceTable) -> SourceTable:
    """Read an Excel two-row header: 協定区分 merged over the category names below it.

    The first data row is a sub-header when its 協定の名称 cell is empty and it names a
    category; its names replace the empty headers (and 協定区分) above them.
    """
    if table.format not in (FileFormat.CSV, FileFormat.TSV, FileFormat.XLSX) or not table.rows:
        return table
    headers = table.headers
    if not any(fold_header(h) == _CATEGORY_GROUP for h in headers):
        return table
    first = table.rows[0].values
    title_headers = [h for h in headers if AGREEMENT_MAP.field_for(h) == "title"]
    if any(str(first.get(h) or "").strip() for h in title_headers):
        return table
    below = {h: str(first.get(h) or "").strip() for h in headers}
    if not any(AGREEMENT_MAP.field_for(v) in _CATEGORY_FIELDS for v in below.values() if v):
        return table
    renamed = {
        h: below[h]
        for h in headers
        if below[h] and (h in table.unnamed or fold_header(h) == _CATEGORY_GROUP)
    }
    new_headers = [renamed.get(h, h) for h in headers]
    rows = [
        SourceRow(row.number, {renamed.get(h, h): v for h, v in row.values.items()})
        for row in table.rows[1:]
    ]
    return SourceTable(
        table.format,
        new_headers,
        rows,
        encoding=table.encoding,
        unit=table.unit,
        unnamed={h for h in table.unnamed if h not in renamed},
    )


def find_header(table: SourceTable) -> SourceTable:
    """The table read from its real header row: a sheet that begins with title lines
    (「災害時応援協定一覧」, a date, a blank line) has its header further down. When the
    first line does not name both 協定の名称 and 協定相手方 (in any synonym), the first of
    the next ``HEADER_SEARCH_ROWS`` rows that does becomes the header; the rows above it
    are dropped. Line numbers stay the file's."""
    if table.format in (FileFormat.JSON, FileFormat.JSONL):
        return table

    def names_both(cells: Sequence[Any]) -> bool:
        fields = {AGREEMENT_MAP.field_for(" ".join(str(c).split())) for c in cells if c}
        return {"title", "parties"} <= fields

    if names_both(table.headers):
        return table
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        cells = [row.values.get(h) for h in table.headers]
        if not names_both(cells):
            continue
        headers = [
            " ".join(str(c).split()) if _text(c) else blank_header(number)
            for number, c in enumerate(cells, start=1)
        ]
        rename = dict(zip(table.headers, headers, strict=True))
        rows = [
            SourceRow(r.number, {rename[h]: value for h, value in r.values.items()})
            for r in table.rows[index + 1 :]
        ]
        unnamed = {h for number, h in enumerate(headers, start=1) if h == blank_header(number)}
        return SourceTable(
            table.format, headers, rows, encoding=table.encoding, unit=table.unit, unnamed=unnamed
        )
    return table


def _fill_down(table: SourceTable, header: str) -> None:
    """Excel's merged cells: a municipality is written on its first row only."""
    current: Any = None
    for row in table.rows:
        value = row.values.get(header)
        if value is None or (isinstance(value, str) and not value.strip()):
            row.values[header] = current
        else:
            current = value


def _select_municipality(
    table: SourceTable, columns: Columns, municipality: str | None
) -> tuple[SourceTable, list[RowProblem]]:
    """The rows of one municipality: Hokkaido's list covers all of them."""
    header = columns.header_of.get("municipality")
    if header is None:
        if municipality is None:
            return table, []
        return table, [
            RowProblem(
                f"--municipality「{municipality}」が指定されましたが、ファイルに"
                "「市町村名」の列がありません。",
                code=ErrorCode.REQUIRED,
            )
        ]
    _fill_down(table, header)
    names = list(dict.fromkeys(str(r.values.get(header) or "").strip() for r in table.rows))
    names = [n for n in names if n]
    if municipality is None and len(names) > 1:
        # Hokkaido's list covers every municipality: the city's own rows (KYODO_MUNICIPALITY).
        own = own_municipality()
        if any(fold_name(n) == fold_name(own) for n in names):
            municipality = own
    if municipality is None:
        if len(names) <= 1:
            return table, []
        listed = "、".join(names[:10]) + ("ほか" if len(names) > 10 else "")
        return table, [
            RowProblem(
                f"「{header}」に複数の市町村（{listed}）があります。"
                "--municipality で読み込む市町村を指定してください。"
            )
        ]
    wanted = fold_name(municipality)
    rows = [r for r in table.rows if fold_name(str(r.values.get(header) or "")) == wanted]
    if not rows:
        return table, [
            RowProblem(
                f"市町村名が「{municipality}」の行がありません"
                f"（ファイルにある市町村: {'、'.join(names[:10]) or 'なし'}）。"
            )
        ]
    return SourceTable(
        table.format, table.headers, rows, encoding=table.encoding, unit=table.unit
    ), []


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().strip("\u3000").strip()
    return text or None


class _RowReader:
    def __init__(
        self,
        table: SourceTable,
        columns: Columns,
        departments: dict[str, str],
        default_department: str,
        default_concluded_on: date | None,
    ):
        self.table = table
        self.columns = columns
        self.departments = departments
        self.default_department = default_department
        self.default_concluded_on = default_concluded_on
        self.problems: list[RowProblem] = []

    def add(self, where: str, name: str, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        self.problems.append(
            RowProblem(message, where=where, column=column_label(self.columns, name), code=code)
        )

    def _values(self, index: int) -> dict[str, Any]:
        source = self.table.rows[index]
        return {
            self.columns.field_of[h]: v
            for h, v in source.values.items()
            if h in self.columns.field_of
        }

    def is_continuation(self, index: int) -> bool:
        """A row without a № and without a name continues the agreement above it (a
        list written with one counterparty or one line of text per row)."""
        values = self._values(index)
        return (
            index > 0 and _text(values.get("title")) is None and _text(values.get("number")) is None
        )

    def _date(self, where: str, values: dict[str, Any]) -> tuple[date | None, bool]:
        """The 締結日 cell: its date (None when empty or refused) and whether it is marked
        as an amendment's (「H8.10.23 (改正)」)."""
        text = _text(values.get("concluded_on"))
        if text is None:
            return None, False
        amended = bool(_AMENDMENT_MARK.search(text))
        text = _AMENDMENT_MARK.sub("", text).strip()
        if not text:
            return None, amended
        try:
            day = parse_japanese_date(text)
        except ValueError as error:
            self.add(where, "concluded_on", f"締結日{error}")
            return None, amended
        out_of_range = v.date_problem(day, label="締結日", field=None)
        if out_of_range is not None:
            self.add(where, "concluded_on", out_of_range.message)
            return None, amended
        return day, amended

    def continue_row(self, row: _Row, index: int) -> None:
        """Merge a continuation row into the agreement above it: its counterparties, its
        ○ marks and its text; a 「(改正)」 date is an amendment of that agreement."""
        where = self.table.where(index)
        values = self._values(index)
        row.add_parties(split_parties(values.get("parties")))
        support, other_text = self._support(where, values)
        row.support.extend(c for c in support if c not in row.support)
        row.add_details(
            "\n".join(t for t in (_text(values.get("support_details")), other_text) if t)
        )
        day, amended = self._date(where, values)
        if day is not None and amended:
            row.amended_on.append(day)
        elif day is not None and row.concluded_on in (None, self.default_concluded_on):
            row.concluded_on = day
        elif day is not None and day != row.concluded_on:
            self.add(
                where,
                "concluded_on",
                f"この行は番号と協定の名称がないため{row.where}の協定の続きとして読みましたが、"
                "締結日が異なります。別の協定なら協定の名称を、改正なら「(改正)」を書いてください。",
            )
        for name, label in (("department", "担当課"), ("external_id", "外部ID")):
            if _text(values.get(name)) is not None:
                self.add(
                    where,
                    name,
                    f"この行は番号と協定の名称がないため{row.where}の協定の続きとして読みました。"
                    f"続きの行には{label}を書けません（別の協定なら協定の名称を書いてください）。",
                )

    def row(self, index: int) -> _Row | None:
        where = self.table.where(index)
        values = self._values(index)
        before = len(self.problems)
        title = _text(values.get("title"))
        if title is None:
            self.add(where, "title", "協定の名称を入力してください。", ErrorCode.REQUIRED)
        names = split_parties(values.get("parties"))
        if not names:
            self.add(
                where, "parties", "協定の相手方を1つ以上入力してください。", ErrorCode.REQUIRED
            )
        support, other_text = self._support(where, values)
        details = "\n".join(t for t in (_text(values.get("support_details")), other_text) if t)
        day, amended = self._date(where, values)
        concluded_on = day or self.default_concluded_on
        external_id = _text(values.get("external_id"))
        longest = v.max_length(Agreement.external_id)
        if external_id is not None and len(external_id) > longest:
            self.add(
                where,
                "external_id",
                f"外部IDは{longest}文字以内にしてください（{len(external_id)}文字あります）。",
            )
        department = self.default_department
        if (text := _text(values.get("department"))) is not None:
            code = self.departments.get(fold_name(text).casefold())
            if code is None:
                self.add(
                    where,
                    "department",
                    f"担当課「{text}」は登録されていません（担当課の名前かコードを入力してください）。",
                    ErrorCode.NOT_FOUND,
                )
            else:
                department = code
        if len(self.problems) > before:
            return None
        assert title is not None
        row = _Row(
            index=index,
            where=where,
            title=title,
            parties=[],
            support=support,
            support_details=details or None,
            concluded_on=concluded_on,
            department_code=department,
            external_id=external_id,
            amended_on=[day] if day is not None and amended else [],
        )
        row.add_parties(names)
        return row

    def _support(
        self, where: str, values: dict[str, Any]
    ) -> tuple[list[SupportCategory], str | None]:
        found: list[SupportCategory] = []
        other_text = None
        for name, category in _CATEGORY_FIELDS.items():
            raw = values.get(name)
            if isinstance(raw, bool):  # JSON: "SUPPLIES": true
                if raw:
                    found.append(category)
                continue
            text = _text(raw)
            if text is None:
                continue
            if text in MARKS:
                found.append(category)
            elif category == SupportCategory.OTHER:
                # Hokkaido's lists write what "other" support means in the cell itself.
                found.append(category)
                other_text = text
            else:
                self.add(
                    where,
                    name,
                    f"「{SUPPORT_CATEGORY_LABELS[category]}」の欄には ○ を付けるか、空欄にしてください"
                    f"（「{text}」とあります）。",
                )
        listed = values.get("support_categories")
        for item in split_list(listed) if listed is not None else []:
            listed_category = _CATEGORY_BY_LABEL.get(fold_header(item))
            if listed_category is None:
                self.add(
                    where,
                    "support_categories",
                    f"協定区分「{item}」はありません（{'、'.join(SUPPORT_CATEGORY_LABELS.values())}）。",
                )
            elif listed_category not in found:
                found.append(listed_category)
        return found, other_text


_CATEGORY_BY_LABEL = {
    fold_header(name): category
    for category, label in SUPPORT_CATEGORY_LABELS.items()
    for name in (label, category.value)
}
_LABELS = {
    "title": "協定の名称",
    "parties": "協定相手方",
    "concluded_on": "締結日",
    "department": "担当課",
    "external_id": "外部ID",
    "support_details": "協定の内容",
    "support_categories": "協定区分",
    **{category.value: label for category, label in SUPPORT_CATEGORY_LABELS.items()},
}


def column_label(columns: Columns, name: str) -> str:
    if name == "support_categories" and name not in columns.header_of:
        return "協定区分"
    return columns.label(name, _LABELS.get(name, name))


# ------------------------------------------------------------------ the database side


async def _departments(session: AsyncSession) -> dict[str, str]:
    """Departments by folded code and by folded name → code."""
    lookup: dict[str, str] = {}
    for code, name in await session.execute(sa.select(col(Department.code), col(Department.name))):
        lookup[fold_name(code).casefold()] = code
        lookup[fold_name(name).casefold()] = code
    return lookup


async def _partners_by_key(
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


async def _existing_agreements(session: AsyncSession, rows: Sequence[_Row]) -> list[_Existing]:
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
        _Existing(
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


def _match(row: _Row, existing: Sequence[_Existing]) -> _Existing | None:
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


def _differences(row: _Row, agreement: _Existing) -> list[str]:
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


_COLUMN_OF_FIELD = {
    "title": "title",
    "party_ids": "parties",
    "name": "parties",  # a counterparty's partner, created from its name
    "department_code": "department",
    "support_categories": "support_categories",
    "support_details": "support_details",
    "concluded_on": "concluded_on",
    "effective_from": "concluded_on",
}


def _problem_column(field: str | None, columns: Columns, department_option: str) -> str | None:
    """The file's column for a field the agreements or partners commands named."""
    if not field:
        return None
    name = _COLUMN_OF_FIELD.get(field.partition(".")[0])
    if name is None:
        return None
    if name == "department" and "department" not in columns.header_of:
        return department_option
    if name == "support_categories" and "support_categories" not in columns.header_of:
        return "協定区分"
    return column_label(columns, name)


# ------------------------------------------------------------------ the import


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
    is written (the work runs in a savepoint that is rolled back; a dry run always rolls
    it back, after the commands have checked every row as a real run would).
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
    table, problems = _select_municipality(table, columns, municipality)
    if not table.rows:
        problems.append(RowProblem("読み込むデータの行がありません。", code=ErrorCode.REQUIRED))
    elif len(table.rows) > MAX_ROWS:
        problems.append(
            RowProblem(f"一度に読み込めるのは{MAX_ROWS:,}件までです（{len(table.rows):,}件）。")
        )
    departments = await _departments(session)
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

    reader = _RowReader(table, columns, departments, default_department, concluded_on)
    read: list[_Row] = []
    previous: _Row | None = None
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
        name in columns.header_of for name in (*_CATEGORY_FIELDS, "support_categories")
    )
    rows: list[_Row] = []
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
    first_of_key: dict[Any, _Row] = {}
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

    existing = await _existing_agreements(session, rows)
    partners = await _partners_by_key(session)
    to_create: list[tuple[_Row, AgreementOutcome]] = []
    for row in rows:
        match = _match(row, existing)
        if match is not None:
            differences = _differences(row, match)
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

    savepoint = await session.begin_nested()
    try:
        await _write(
            session, to_create, partners, result, columns, problems, category, actor, today
        )
    except BaseException:
        await savepoint.rollback()
        raise
    if problems or dry_run:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    if problems:
        raise ImportRefused(problems)
    return result


async def _write(
    session: AsyncSession,
    to_create: Sequence[tuple[_Row, AgreementOutcome]],
    partners: dict[str, list[tuple[int, str, PartnerStatus]]],
    result: AgreementImportResult,
    columns: Columns,
    problems: list[RowProblem],
    category: AgreementCategory,
    actor: str,
    today: date,
) -> None:
    """Register the new counterparties, then create (and conclude) each agreement through
    the commands. A refused row is recorded and the next one still checked, so that one
    run reports every problem; the caller then rolls everything back."""

    def place(row: _Row, error: DomainError) -> None:
        for problem in error.problems:
            problems.append(_placed(problem, row, columns))

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
            # An identifier of the exporting system, not part of what was agreed: set on
            # the row just created, before it is concluded (its version stays 1).
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


def _placed(problem: Problem, row: _Row, columns: Columns) -> RowProblem:
    return RowProblem(
        problem.message,
        where=row.where,
        column=_problem_column(problem.field, columns, "--department"),
        code=problem.code,
    )
