"""Writing a list's rows: CSV (UTF-8 with a BOM, or CP932) and Excel workbooks (.xlsx),
safe from formula injection either way."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.exchange.exports.formats import CsvEncoding, ExportFormat

BOM = "\ufeff"

# Spreadsheets run a cell starting with one of these as a formula (CSV injection):
# such a cell is written with a leading apostrophe, which Excel shows as plain text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
