"""What every export shares: its formats and encodings, the finished file, the city's
name, the personal data it shows (for the access log), the JSON writer, and a list as
exported for one day (:class:`ListExport`: its checks and its file name)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from kyodo.domain.validation import require_date

LIST_SEPARATOR = "、"
MARK = "○"

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


def write_json(document: Mapping[str, Any] | Sequence[Any]) -> bytes:
    """UTF-8 JSON with sorted keys, indented, ending in a newline: stable for diffs."""
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2)
    return (text + "\n").encode("utf-8")


def require_format(
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


@dataclass(frozen=True, slots=True)
class ListExport:
    """A list exported as it stands on one day, declared once: ``name`` in its file
    names (:func:`export_filename`), ``title`` in messages (and as a sheet's name), the
    ``formats`` it is written in."""

    name: str
    title: str
    formats: tuple[ExportFormat, ...]

    def check(self, fmt: ExportFormat, on: date, encoding: CsvEncoding) -> None:
        """Refuse before anything is read: a format the list is not written in, an
        encoding for anything but a CSV (:func:`require_format`), a day outside the
        calendar."""
        require_format(fmt, self.formats, self.title, encoding)
        require_date(on, label="一覧の日付", field="on")

    def file(
        self,
        body: bytes,
        *,
        fmt: ExportFormat,
        on: date,
        rows: int,
        encoding: CsvEncoding = CsvEncoding.UTF8,
        personal_reads: PersonalReads | None = None,
    ) -> ExportFile:
        """The finished export of the list for ``on``."""
        return ExportFile(
            body=body,
            format=fmt,
            filename=export_filename(self.name, on, fmt),
            rows=rows,
            personal_reads=personal_reads or {},
            encoding=encoding,
        )


def note_read(reads: PersonalReads, entity_type: str, pk: int | None, name: str) -> None:
    if pk is not None:
        reads.setdefault((entity_type, pk), set()).add(name)
