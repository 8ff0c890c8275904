"""Reading import files: decoding, CSV / XLSX / JSON / JSON Lines rows, header mapping,
numbers and dates as Japanese offices write them.

Files come from other municipal systems and from Excel sheets saved as CSV: in Japanese
offices usually Shift_JIS (CP932), sometimes UTF-8 with a BOM. Every row remembers where
it came from (the 1-based line of the file, or the element of a JSON array), so that a
problem can be reported as 「7行目 「法人番号」: ...」, in the words of the file's author.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from kyodo.domain import japanese
from kyodo.domain.errors import ErrorCode

# ------------------------------------------------------------------ problems


@dataclass(frozen=True)
class RowProblem:
    """One reason a file is refused, placed where its author can find it."""

    message: str
    where: str | None = None  # "7行目", "3件目"; None: the file as a whole
    column: str | None = None  # the header as written in the file
    code: ErrorCode = ErrorCode.INVALID

    def render(self) -> str:
        if self.where is None:
            return self.message
        if self.column is None:
            return f"{self.where}: {self.message}"
        return f"{self.where} 「{self.column}」: {self.message}"


class ImportRefused(Exception):
    """The file was refused; nothing was written. Carries every problem found."""

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(p.render() for p in self.problems))


# ------------------------------------------------------------------ decoding

UTF8_SIG = "utf-8-sig"
CP932 = "cp932"
# What people type for the encoding Excel on Windows writes. Python's strict shift_jis
# lacks the NEC and IBM extensions (①, ㈱, 髙...) that CP932 files carry, so these
# names all mean CP932 here.
_SHIFT_JIS_NAMES = frozenset({"shift_jis", "shift-jis", "shiftjis", "sjis", "s-jis", "s_jis"})


def encoding_label(encoding: str, data: bytes = b"") -> str:
    """How a decoded file's encoding is shown to the user."""
    name = codecs.lookup(encoding).name
    if name in ("utf-8-sig", "utf-8"):
        return "UTF-8（BOM付き）" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
    if name == "cp932":
        return "Shift_JIS（CP932）"
    return encoding


def check_encoding_name(encoding: str) -> str:
    """The codec to use for a name given by the user; ValueError when Python has none."""
    if encoding.strip().lower() in _SHIFT_JIS_NAMES:
        return CP932
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(
            f"文字コード「{encoding}」はわかりません（例: utf-8、cp932、shift_jis）。"
        ) from None


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the codec that read it.

    Without ``encoding``: UTF-8 (with or without BOM) if the bytes are valid UTF-8, else
    CP932; both strictly, so a file is never read with silently replaced characters.
    With ``encoding`` that codec alone is used.
    """
    if encoding is not None:
        codec = check_encoding_name(encoding)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            raise ImportRefused(
                [
                    RowProblem(
                        f"{_line_of_offset(data, error.start)}行目に、文字コード {encoding} "
                        "では読めない文字があります。文字コードを確かめてください"
                        "（指定しなければ UTF-8 と Shift_JIS を自動で判別します）。"
                    )
                ]
            ) from None
        return text.removeprefix("\ufeff"), codec
    for codec in (UTF8_SIG, CP932):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        [
            RowProblem(
                "ファイルの文字コードを判別できません。UTF-8 か Shift_JIS（CP932）で保存し直すか、"
                "--encoding で文字コードを指定してください。"
            )
        ]
    )


# ------------------------------------------------------------------ rows


class FileFormat(StrEnum):
    CSV = "CSV"
    TSV = "TSV"
    JSON = "JSON"
    JSONL = "JSONL"
    XLSX = "XLSX"


_EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX,
    ".tsv": FileFormat.TSV,
    ".json": FileFormat.JSON,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
}


def detect_format(name: str, text: str) -> FileFormat:
    """By the file's extension, else by its first character: ``[`` a JSON array, ``{``
    JSON Lines, anything else CSV."""
    by_extension = _EXTENSIONS.get(Path(name).suffix.lower())
    if by_extension is not None:
        return by_extension
    start = text.lstrip()[:1]
    if start == "[":
        return FileFormat.JSON
    if start == "{":
        return FileFormat.JSONL
    return FileFormat.CSV


@dataclass(frozen=True)
class SourceRow:
    """One record of the file: ``number`` is its line (CSV, JSON Lines) or its position
    in the array (JSON); ``values`` maps each header, as written, to the raw value."""

    number: int
    values: dict[str, Any]


@dataclass
class SourceTable:
    format: FileFormat
    headers: list[str]
    rows: list[SourceRow]
    encoding: str = ""  # how the file was decoded, as shown to the user
    unit: str = "行目"  # "行目" for lines, "件目" for the elements of a JSON array
    unnamed: set[str] = field(default_factory=set)  # stand-ins for empty CSV headers

    def where(self, index: int) -> str:
        """Where the ``index``-th row (0-based) is, e.g. "7行目"."""
        return f"{self.rows[index].number}{self.unit}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


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
        if all(_blank(c) for c in cells):
            continue
        if len(cells) > len(headers) and not all(_blank(c) for c in cells[len(headers) :]):
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
        return sum(not _blank(c) for c in cells)

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


def blank_header(number: int) -> str:
    """The stand-in for a column without a header (a merged cell of a two-row header in
    Excel leaves the cells to its right empty), named by its position."""
    return f"{number}列目"


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


def _object_headers(rows: Iterable[SourceRow]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row.values))


def _json_error(error: json.JSONDecodeError) -> str:
    return f"JSON として読めません（{error.lineno}行目 {error.colno}文字目: {error.msg}）。"


def parse_json(text: str) -> SourceTable:
    """A JSON array of objects; element ``i`` is reported as ``i + 1``件目."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused([RowProblem(_json_error(error))]) from None
    if not isinstance(document, list):
        raise ImportRefused(
            [RowProblem("JSON ファイルは、オブジェクトの配列（[{...}, {...}]）にしてください。")]
        )
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    for number, element in enumerate(document, start=1):
        if not isinstance(element, dict):
            problems.append(
                RowProblem("オブジェクト（{...}）ではありません。", where=f"{number}件目")
            )
            continue
        rows.append(SourceRow(number, element))
    if problems:
        raise ImportRefused(problems)
    return SourceTable(FileFormat.JSON, _object_headers(rows), rows, unit="件目")


def parse_jsonl(text: str) -> SourceTable:
    """JSON Lines: one object per line; blank lines are skipped."""
    rows: list[SourceRow] = []
    problems: list[RowProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            element = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(
                RowProblem(
                    f"JSON として読めません（{error.colno}文字目: {error.msg}）。",
                    where=f"{number}行目",
                )
            )
            continue
        if not isinstance(element, dict):
            problems.append(
                RowProblem("オブジェクト（{...}）ではありません。", where=f"{number}行目")
            )
            continue
        rows.append(SourceRow(number, element))
    if problems:
        raise ImportRefused(problems)
    return SourceTable(FileFormat.JSONL, _object_headers(rows), rows)


def read_table(data: bytes, *, name: str, encoding: str | None = None) -> SourceTable:
    """Decode ``data`` and read its rows in the format its name (or content) says.

    An Excel workbook (``.xlsx``, or any file starting as a ZIP archive) is read from its
    first sheet; ``encoding`` does not apply to it (a workbook's text is always Unicode).
    """
    if Path(name).suffix.lower() == ".xlsx" or data.startswith(XLSX_MAGIC):
        return parse_xlsx(data)
    text, codec = decode(data, encoding)
    file_format = detect_format(name, text)
    if file_format == FileFormat.JSON:
        table = parse_json(text)
    elif file_format == FileFormat.JSONL:
        table = parse_jsonl(text)
    else:
        table = parse_csv(text, delimiter="\t" if file_format == FileFormat.TSV else ",")
        table.format = file_format
    table.encoding = encoding_label(codec, data)
    return table


# ------------------------------------------------------------------ headers


@lru_cache(maxsize=4096)  # a 10,000-row file folds the same few keys and values again
def fold_header(header: str) -> str:
    """Headers compare ignoring width, case, spaces, '_' and '-' (so ``name_kana``,
    ``nameKana`` and ``ＮａｍｅＫａｎａ`` are one column)."""
    folded = unicodedata.normalize("NFKC", header).casefold()
    return re.sub(r"[\s_\-・]", "", folded)


@dataclass
class Columns:
    """Which field each header of a file holds."""

    field_of: dict[str, str] = field(default_factory=dict)  # header as written → field
    header_of: dict[str, str] = field(default_factory=dict)  # field → header as written

    def label(self, name: str, default: str) -> str:
        """The column to name in a message: the file's header, else ``default``."""
        return self.header_of.get(name, default)


class ColumnMap:
    """The headers a kind of file accepts: for each field, its names (Japanese first)."""

    def __init__(
        self,
        aliases: Mapping[str, Sequence[str]],
        *,
        ignored: Sequence[str] = (),
    ):
        self.aliases = dict(aliases)
        self._by_folded: dict[str, str] = {}
        for name, names in aliases.items():
            for alias in (name, *names):
                self._by_folded[fold_header(alias)] = name
        self._ignored = {fold_header(h) for h in ignored}

    def field_for(self, header: str) -> str | None:
        return self._by_folded.get(fold_header(header))

    def resolve(self, table: SourceTable) -> tuple[Columns, list[RowProblem]]:
        """Map the table's headers; unknown headers and two headers for one field are
        problems (a misspelt column would otherwise be dropped without a word). A column
        without a header is skipped when all its cells are empty, else refused."""
        columns = Columns()
        problems: list[RowProblem] = []
        unknown: list[str] = []
        for header in table.headers:
            if fold_header(header) in self._ignored:
                continue
            if header in table.unnamed:
                if any(not _blank(row.values.get(header)) for row in table.rows):
                    problems.append(
                        RowProblem(
                            f"{header}に見出しがありません。見出しを付けるか、列を消してください。",
                            code=ErrorCode.REQUIRED,
                        )
                    )
                continue
            name = self.field_for(header)
            if name is None:
                unknown.append(header)
                continue
            if name in columns.header_of:
                problems.append(
                    RowProblem(
                        f"列「{columns.header_of[name]}」と列「{header}」が同じ項目です。"
                        "どちらか一方にしてください。",
                        code=ErrorCode.DUPLICATE,
                    )
                )
                continue
            columns.field_of[header] = name
            columns.header_of[name] = header
        if unknown:
            accepted = "、".join(names[0] for names in self.aliases.values() if names)
            problems.append(
                RowProblem(
                    f"列「{'」「'.join(unknown)}」は読み込めません。見出しを確かめてください"
                    f"（使える見出し: {accepted}）。"
                )
            )
        return columns, problems


# ------------------------------------------------------------------ values

# Dash-like characters that stand for the hyphen in numbers typed in Japanese: the
# long-vowel mark (ー, ｰ), minus signs and the various dashes.
_DASHES = re.compile(r"[ー－ｰ‐‑‒–—―−﹣]")


def normalize_number(value: Any) -> Any:
    """Numbers as typed in Japanese (法人番号, 電話番号, 郵便番号): full-width digits and
    letters to half-width (NFKC), every dash-like mark to '-', spaces dropped.

    A JSON number (or an Excel float such as ``7000012050002.0``) becomes its digits.
    Anything else (None, a list) passes through for the validation to judge.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value)
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s+", "", text)
    if re.fullmatch(r"[0-9]+\.0+", text):
        text = text.split(".")[0]
    return text


def looks_like_exponent(value: str) -> bool:
    """Excel shows a long number it treats as a number as e.g. ``7.00001E+12`` and saves
    the CSV that way: the digits are lost."""
    return bool(re.fullmatch(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+", value))


LIST_SEPARATORS = r"[、,，/／;；\n]"


def split_list(value: Any, separators: str = LIST_SEPARATORS) -> list[str]:
    """A cell holding several items (``高齢者支援、子育て支援``) as a list of items.

    A JSON list passes through (its items stripped); blank items are dropped.
    """
    if value is None:
        return []
    items: Iterable[Any] = value if isinstance(value, list) else re.split(separators, str(value))
    return [text for item in items if (text := str(item).strip().strip("\u3000").strip())]


def fold_name(text: str) -> str:
    """Names compare after NFKC and without any spaces (全角 included)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# ------------------------------------------------------------------ dates

# One date parser for the whole application: domain.japanese, where the eras live.
DATE_EXAMPLES = japanese.DATE_EXAMPLES
parse_japanese_date = japanese.parse_date
