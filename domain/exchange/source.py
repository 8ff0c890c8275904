"""What an import file is read into: its rows (each remembering its line in the file, or
its element of a JSON array) and the problems that refuse it, placed where the file's
author can find them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kyodo.domain.errors import ErrorCode


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


class FileFormat(StrEnum):
    CSV = "CSV"
    TSV = "TSV"
    JSON = "JSON"
    JSONL = "JSONL"
    XLSX = "XLSX"


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


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def blank_header(number: int) -> str:
    """The stand-in for a column without a header (a merged cell of a two-row header in
    Excel leaves the cells to its right empty), named by its position."""
    return f"{number}列目"
