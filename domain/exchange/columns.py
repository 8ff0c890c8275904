"""Reading the values of an import file: which field each header holds (synonyms
compared after folding width, case and spaces), and numbers, lists, names and dates as
Japanese offices write them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kyodo.domain import japanese
from kyodo.domain.errors import ErrorCode
from kyodo.domain.exchange.source import RowProblem, SourceTable, is_blank


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
                if any(not is_blank(row.values.get(header)) for row in table.rows):
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
