"""Reading import files: decoding, and the rows of a CSV / TSV / XLSX (``sheets``), JSON
or JSON Lines file as a ``SourceTable`` (``source``). Which field a header holds, and
numbers and dates as Japanese offices write them, are read by ``columns``.

Files come from other municipal systems and from Excel sheets saved as CSV: in Japanese
offices usually Shift_JIS (CP932), sometimes UTF-8 with a BOM. Every row remembers where
it came from (the 1-based line of the file, or the element of a JSON array), so that a
problem can be reported as 「7行目 「法人番号」: ...」, in the words of the file's author.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from kyodo.domain.exchange.sheets import XLSX_MAGIC, parse_csv, parse_xlsx
from kyodo.domain.exchange.source import (
    FileFormat,
    ImportRefused,
    RowProblem,
    SourceRow,
    SourceTable,
)

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


def _object_headers(rows: Iterable[SourceRow]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key in row.values))


def _json_error(error: json.JSONDecodeError) -> str:
    return f"JSON として読めません（{error.lineno}行目 {error.colno}文字目: {error.msg}）。"


def _object_rows(
    elements: Iterable[tuple[int, Any]], unit: str, problems: list[RowProblem]
) -> list[SourceRow]:
    """The elements that are JSON objects, as rows; any other is a problem at its place
    (``number`` and ``unit``: "3件目", "7行目")."""
    rows: list[SourceRow] = []
    for number, element in elements:
        if not isinstance(element, dict):
            problems.append(
                RowProblem("オブジェクト（{...}）ではありません。", where=f"{number}{unit}")
            )
            continue
        rows.append(SourceRow(number, element))
    return rows


def parse_json(text: str) -> SourceTable:
    """A JSON array of objects; element ``i`` is reported as ``i + 1``件目."""
    try:
        document = _loads(text)
    except json.JSONDecodeError as error:
        raise ImportRefused([RowProblem(_json_error(error))]) from None
    if not isinstance(document, list):
        raise ImportRefused(
            [RowProblem("JSON ファイルは、オブジェクトの配列（[{...}, {...}]）にしてください。")]
        )
    problems: list[RowProblem] = []
    rows = _object_rows(enumerate(document, start=1), "件目", problems)
    if problems:
        raise ImportRefused(problems)
    return SourceTable(FileFormat.JSON, _object_headers(rows), rows, unit="件目")


def _loads(line: str) -> Any:
    """One JSON value as ``json`` reads it, through orjson (several times faster over
    10,000 lines) when that gives the same: orjson reads an integer beyond 64 bits as a
    float and refuses NaN, so a value holding a float, or one orjson refuses (a syntax
    error included, whose place ``json`` reports), is read by ``json``."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)
    return json.loads(line) if _holds_float(value) else value


def _holds_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_holds_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_float(item) for item in value)
    return False


def parse_jsonl(text: str) -> SourceTable:
    """JSON Lines: one object per line; blank lines are skipped."""
    problems: list[RowProblem] = []

    def elements() -> Iterator[tuple[int, Any]]:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                element = _loads(line)
            except json.JSONDecodeError as error:
                problems.append(
                    RowProblem(
                        f"JSON として読めません（{error.colno}文字目: {error.msg}）。",
                        where=f"{number}行目",
                    )
                )
                continue
            yield number, element

    rows = _object_rows(elements(), "行目", problems)
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
