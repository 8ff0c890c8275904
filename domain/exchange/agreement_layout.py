"""The layout of an agreements file: the header words of Hokkaido's open data and of
other municipalities' lists, the header found below title lines or over two rows, and
the column a problem is reported in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kyodo.domain.enums import SupportCategory
from kyodo.domain.exchange.columns import ColumnMap, Columns, fold_header
from kyodo.domain.exchange.source import FileFormat, SourceRow, SourceTable, blank_header
from kyodo.domain.labels import SUPPORT_CATEGORY_LABELS

CATEGORY_FIELDS = {category.value: category for category in SupportCategory}
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
_CATEGORY_GROUP = fold_header("協定区分")

MARKS = frozenset({"○", "〇", "◯"})


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
    if not any(AGREEMENT_MAP.field_for(v) in CATEGORY_FIELDS for v in below.values() if v):
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
            " ".join(str(c).split()) if text_of(c) else blank_header(number)
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


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().strip("\u3000").strip()
    return text or None


CATEGORY_BY_LABEL = {
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


def problem_column(field: str | None, columns: Columns, department_option: str) -> str | None:
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
