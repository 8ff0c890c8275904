"""Sheets: CSV text and Excel workbooks (.xlsx), read alike. The first line holds the
headers (after any title lines), blank lines are skipped, a missing trailing cell counts
as empty and a value right of the last header is refused."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook

from kyodo.domain.errors import ErrorCode
from kyodo.domain.exchange.source import (
    FileFormat,
    ImportRefused,
    RowProblem,
    SourceRow,
    SourceTable,
    blank_header,
    is_blank,
)


def parse_csv(text: str, *, delimiter: str = ",") -> SourceTable:
    """Rows of a CSV text whose first line holds the headers.

    Quoted cells may span lines (Excel writes a cell with line breaks that way), so a
    row's number is the line it starts on. Blank rows (Excel leaves ``,,,`` behind)
    are skipped; a missing trailing cell counts as empty; more cells than headers is
    refused, as the row no longer says which value belongs to which column.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[RowProblem] = []

    def lines() -> Iterator[tuple[int, Sequence[str]]]:
        previous_line = 0
        try:
            for cells in reader:
                yield previous_line + 1, cells
                previous_line = reader.line_num
        except csv.Error as error:
            problems.append(
                RowProblem(f"CSV として読めません（{error}）。", where=f"{reader.line_num}行目")
            )

    return _table(FileFormat.CSV, lines(), problems)


def _table(
    file_format: FileFormat,
    lines: Iterable[tuple[int, Sequence[str]]],
    problems: list[RowProblem],
) -> SourceTable:
    """The rows of a sheet, CSV or XLSX alike: the first line holds the headers (after
    any title lines, see ``_skip_title_lines``), blank lines are skipped, a missing
    trailing cell counts as empty, and a value right of the last header is refused.
    ``lines`` may add problems of its own while read."""
    headers: list[str] | None = None
    rows: list[SourceRow] = []
    for line, cells in _skip_title_lines(lines):
        if headers is None:
            headers = _headers(cells, line, problems)
            continue
        if all(is_blank(c) for c in cells):
            continue
        if len(cells) > len(headers) and not all(is_blank(c) for c in cells[len(headers) :]):
            problems.append(
                RowProblem(
                    f"値が{len(cells)}個あり、見出しの{len(headers)}列より多くなっています。"
                    + (
                        '区切りの「,」や「"」を確かめてください。'
                        if file_format is not FileFormat.XLSX
                        else "見出しのない列を消してください。"
                    ),
                    where=f"{line}行目",
                )
            )
            continue
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)}
        rows.append(SourceRow(line, values))
    if headers is None:
        problems.append(RowProblem("ファイルが空です（1行目に見出しが必要です）。"))
    if problems:
        raise ImportRefused(problems)
    assert headers is not None
    unnamed = {h for number, h in enumerate(headers, start=1) if h == blank_header(number)}
    return SourceTable(file_format, headers, rows, unnamed=unnamed)


TITLE_SEARCH_LINES = 10


def _skip_title_lines(
    lines: Iterable[tuple[int, Sequence[str]]],
) -> Iterator[tuple[int, Sequence[str]]]:
    """Sheets often begin with a title (「災害時応援協定一覧」, 「令和8年4月1日現在」, a blank
    line) above the header: when the first lines each hold at most one value and one of
    the first ``TITLE_SEARCH_LINES`` holds several, the header is that line and the
    lines above it are dropped. A sheet of one column is read as it is."""
    iterator = iter(lines)
    head = list(itertools.islice(iterator, TITLE_SEARCH_LINES + 1))

    def filled(cells: Sequence[str]) -> int:
        return sum(not is_blank(c) for c in cells)

    start = next((i for i, (_, cells) in enumerate(head) if filled(cells) > 1), 0)
    yield from head[start:]
    yield from iterator


XLSX_MAGIC = b"PK\x03\x04"
"""An .xlsx file is a ZIP archive."""


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV of it would hold: empty for an empty cell,
    whole numbers without ``.0`` (a 法人番号 typed as a number keeps its 13 digits),
    dates in ISO (a date at midnight without its time)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def parse_xlsx(data: bytes) -> SourceTable:
    """The first sheet of an Excel workbook, read as a CSV would be (same headers, same
    blank-row and column rules); row numbers are the sheet's. Formulas count by their
    last computed value."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused(
            [
                RowProblem(
                    "Excel のブック（.xlsx）として読めません。ファイルが壊れているか、"
                    "別の形式です（.xls は Excel で .xlsx か CSV に保存し直してください）。"
                )
            ]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # Some tools write a wrong size into the sheet: read the rows that are there.
        sheet.reset_dimensions()
        lines = (
            (number, [cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _table(FileFormat.XLSX, lines, [])
    finally:
        workbook.close()


def _headers(cells: Sequence[str], line: int, problems: list[RowProblem]) -> list[str]:
    headers = []
    seen: set[str] = set()
    for number, cell in enumerate(cells, start=1):
        # A header cell with a line break (「協定相手方\n(都道府県名)」) is one line in messages.
        header = " ".join(cell.removeprefix("\ufeff").split())
        if not header:
            header = blank_header(number)
        elif header in seen:
            problems.append(
                RowProblem(
                    f"見出し「{header}」が2回あります。",
                    where=f"{line}行目",
                    code=ErrorCode.DUPLICATE,
                )
            )
        seen.add(header)
        headers.append(header)
    return headers
