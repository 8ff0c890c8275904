"""The rows of an agreements file read as agreements: one municipality's rows, each row
checked and turned into an ``AgreementRow``, continuation rows merged into the agreement
above them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kyodo.domain import validation as v
from kyodo.domain.agreements.models import Agreement
from kyodo.domain.enums import SupportCategory
from kyodo.domain.errors import ErrorCode
from kyodo.domain.exchange.agreement_layout import (
    CATEGORY_BY_LABEL,
    CATEGORY_FIELDS,
    MARKS,
    column_label,
    text_of,
)
from kyodo.domain.exchange.agreement_parties import party_key, split_parties
from kyodo.domain.exchange.columns import (
    Columns,
    fold_header,
    fold_name,
    parse_japanese_date,
    split_list,
)
from kyodo.domain.exchange.municipality import municipality as own_municipality
from kyodo.domain.exchange.source import RowProblem, SourceTable
from kyodo.domain.japanese import to_wareki
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS
from kyodo.domain.partners.names import is_collective_name

# 「H8.10.23 (改正)」: the date is the one of an amendment (改正), not of the conclusion.
_AMENDMENT_MARK = re.compile(r"[(（]\s*改正\s*[)）]|改正$")


@dataclass
class AgreementRow:
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


def _fill_down(table: SourceTable, header: str) -> None:
    """Excel's merged cells: a municipality is written on its first row only."""
    current: Any = None
    for row in table.rows:
        value = row.values.get(header)
        if value is None or (isinstance(value, str) and not value.strip()):
            row.values[header] = current
        else:
            current = value


def select_municipality(
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


class RowReader:
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
            index > 0
            and text_of(values.get("title")) is None
            and text_of(values.get("number")) is None
        )

    def _date(self, where: str, values: dict[str, Any]) -> tuple[date | None, bool]:
        """The 締結日 cell: its date (None when empty or refused) and whether it is marked
        as an amendment's (「H8.10.23 (改正)」)."""
        text = text_of(values.get("concluded_on"))
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

    def continue_row(self, row: AgreementRow, index: int) -> None:
        """Merge a continuation row into the agreement above it: its counterparties, its
        ○ marks and its text; a 「(改正)」 date is an amendment of that agreement."""
        where = self.table.where(index)
        values = self._values(index)
        row.add_parties(split_parties(values.get("parties")))
        support, other_text = self._support(where, values)
        row.support.extend(c for c in support if c not in row.support)
        row.add_details(
            "\n".join(t for t in (text_of(values.get("support_details")), other_text) if t)
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
            if text_of(values.get(name)) is not None:
                self.add(
                    where,
                    name,
                    f"この行は番号と協定の名称がないため{row.where}の協定の続きとして読みました。"
                    f"続きの行には{label}を書けません（別の協定なら協定の名称を書いてください）。",
                )

    def row(self, index: int) -> AgreementRow | None:
        where = self.table.where(index)
        values = self._values(index)
        before = len(self.problems)
        title = text_of(values.get("title"))
        if title is None:
            self.add(where, "title", "協定の名称を入力してください。", ErrorCode.REQUIRED)
        names = split_parties(values.get("parties"))
        if not names:
            self.add(
                where, "parties", "協定の相手方を1つ以上入力してください。", ErrorCode.REQUIRED
            )
        support, other_text = self._support(where, values)
        details = "\n".join(t for t in (text_of(values.get("support_details")), other_text) if t)
        day, amended = self._date(where, values)
        concluded_on = day or self.default_concluded_on
        external_id = text_of(values.get("external_id"))
        longest = v.max_length(Agreement.external_id)
        if external_id is not None and len(external_id) > longest:
            self.add(
                where,
                "external_id",
                f"外部IDは{longest}文字以内にしてください（{len(external_id)}文字あります）。",
            )
        department = self.default_department
        if (text := text_of(values.get("department"))) is not None:
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
        row = AgreementRow(
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
        for name, category in CATEGORY_FIELDS.items():
            raw = values.get(name)
            if isinstance(raw, bool):  # JSON: "SUPPLIES": true
                if raw:
                    found.append(category)
                continue
            text = text_of(raw)
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
            listed_category = CATEGORY_BY_LABEL.get(fold_header(item))
            if listed_category is None:
                self.add(
                    where,
                    "support_categories",
                    f"協定区分「{item}」はありません（{'、'.join(SUPPORT_CATEGORY_LABELS.values())}）。",
                )
            elif listed_category not in found:
                found.append(listed_category)
        return found, other_text
