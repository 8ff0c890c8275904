"""Input checks shared by every area: required text, lengths, dates, amounts, list sizes.

Two rules hold on every path that writes (API create, update, transition and bulk, the
file importers, restore):

- A text is checked in the form it is stored, after any normalisation, against the
  length of its column as the model declares it (``max_length(Partner.name)``), so
  what validation accepts the column holds on both databases. Long texts in TEXT
  columns have no column length; their limit is ``MAX_TEXT``.
- A date lies between ``EARLIEST_DATE`` and ``LATEST_DATE`` (``check_date``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from kyodo.domain.errors import DomainError, ErrorCode, Problem
from kyodo.domain.errors import at as at  # re-exported: v.at("contacts", 2, "phone")

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9()\- ]{2,}$")
# 郵便番号: 3 + 4 digits, with or without the hyphen (after NFKC and dash folding).
POSTAL_CODE = re.compile(r"^[0-9]{3}-?[0-9]{4}$")
MAX_LIST = 100
MAX_BULK = 1000
MAX_TEXT = 10_000
"""Longest text (description, plan, reason, ...) kept in a TEXT column."""

EARLIEST_DATE = date(1873, 1, 1)
"""明治6年1月1日, the day Japan adopted the Gregorian calendar: from it on, a date has
one exact wareki spelling (domain.japanese), and nothing the city records about its
collaborations predates it."""
LATEST_DATE = date(2999, 12, 31)
"""Far beyond any term, deadline or review the city sets, and far enough inside the
calendar's end (9999-12-31, which asyncpg sends to PostgreSQL as ``infinity``) that the
arithmetic on dates (renewed agreement terms of up to ten years, fiscal years, a year
of contacts) never runs past it."""


class Problems:
    """Collects the problems of one input so that all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: ErrorCode, message: str, field: str | None, row: int | None = None) -> None:
        self.items.append(Problem(code, message, field, row))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        from kyodo.domain.errors import DomainError

        if self.items:
            raise DomainError(problems=self.items)


def is_blank(text: str | None) -> bool:
    """Absent, empty or only spaces: the text states nothing."""
    return text is None or not text.strip()


def blank_problems(
    code: ErrorCode, texts: Iterable[tuple[str | None, str, str | None]]
) -> list[Problem]:
    """One ``code`` problem for each ``(text, message, field)`` whose text states nothing
    (:func:`is_blank`): the texts a rule asks to be written."""
    return [Problem(code, message, field) for text, message, field in texts if is_blank(text)]


def clean_text(value: Any) -> Any:
    """Strip surrounding spaces (全角 included: U+3000 is whitespace to ``str.strip``);
    blank becomes None. Non-strings pass through."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def filter_text(value: str | None) -> str | None:
    """A filter's text in the form stored text takes (:func:`clean_text`), so that
    ``"中央　"`` finds the partners stored as ``"中央"``; blank means no filter."""
    return clean_text(value)


def filter_codes(values: Sequence[str] | None) -> list[str]:
    """Each code of a filter as :func:`filter_text` cleans it, blanks dropped."""
    return [code for code in (filter_text(value) for value in values or ()) if code]


def required_text(
    problems: Problems, value: str | None, *, label: str, field: str, max_length: int
) -> str | None:
    text = clean_text(value)
    if text is None:
        problems.add(ErrorCode.REQUIRED, f"{label}を入力してください。", field)
        return None
    _too_long(problems, text, label=label, field=field, maximum=max_length)
    return text


def optional_text(
    problems: Problems, value: str | None, *, label: str, field: str, max_length: int
) -> str | None:
    text = clean_text(value)
    if text is not None:
        _too_long(problems, text, label=label, field=field, maximum=max_length)
    return text


def column_text(
    problems: Problems,
    value: str | None,
    column: Any,
    *,
    label: str,
    field: str | None = None,
    required: bool = False,
) -> str | None:
    """A text stored in ``column`` (``Partner.name``), checked against the length the
    column holds (:func:`max_length`); ``required``: REQUIRED when it is blank.
    ``field``: where the input has it, by default the column's name."""
    check = required_text if required else optional_text
    where = field if field is not None else column.key
    return check(problems, value, label=label, field=where, max_length=max_length(column))


_LENGTHS: dict[int, tuple[Any, int]] = {}


def max_length(column: Any) -> int:
    """How many characters a VARCHAR column holds, e.g. ``max_length(Partner.name)`` → 300.

    The one declaration of each limit is the model's ``Field(max_length=...)``; every
    check reads it from the column through this function (once per column: a bulk
    load asks for each of 10,000 rows).
    """
    known = _LENGTHS.get(id(column))
    if known is not None and known[0] is column:
        return known[1]
    columns = getattr(getattr(column, "property", None), "columns", None)
    kind = columns[0].type if columns else getattr(column, "type", None)
    length = getattr(kind, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column} is not a column with a length")
    _LENGTHS[id(column)] = (column, length)
    return length


def fit(text: str, column: Any) -> str:
    """A derived text (a search key, a sort key) cut to what its column holds."""
    return text[: max_length(column)]


def nfkc(value: Any) -> Any:
    """Full-width letters and digits, half-width kana and the like to their standard form."""
    return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


def _too_long(problems: Problems, text: str, *, label: str, field: str, maximum: int) -> bool:
    if len(text) <= maximum:
        return False
    problems.add(
        ErrorCode.INVALID,
        f"{label}は{maximum}文字以内で入力してください（{len(text)}文字あります）。",
        field,
    )
    return True


def email(problems: Problems, value: str | None, *, field: str, max_length: int) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    if not EMAIL.match(text) or len(text) > max_length:
        problems.add(
            ErrorCode.INVALID, f"メールアドレス「{text}」の形式が正しくありません。", field
        )
    return text


def phone(problems: Problems, value: str | None, *, field: str, max_length: int) -> str | None:
    """Phone numbers: full-width digits and hyphens are folded to half-width."""
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).replace("ー", "-").replace("−", "-")
    if not PHONE.match(text) or len(text) > max_length:
        problems.add(ErrorCode.INVALID, f"電話番号「{text}」の形式が正しくありません。", field)
    return text


def postal_code(problems: Problems, value: str | None, *, field: str) -> str | None:
    """郵便番号: seven digits, ``053-8722`` or ``0538722``; full-width digits and dashes
    are folded to half-width first, and a leading 〒 is dropped."""
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).replace("ー", "-").replace("−", "-")
    text = text.removeprefix("〒").strip()
    if not POSTAL_CODE.match(text):
        problems.add(
            ErrorCode.INVALID,
            f"郵便番号「{text}」の形式が正しくありません（例: 053-8722）。",
            field,
        )
    return text


# ------------------------------------------------------------------ dates


def date_problem(value: date, *, label: str, field: str | None) -> Problem | None:
    """INVALID when ``value`` lies outside ``EARLIEST_DATE``..``LATEST_DATE``, else None.

    The one range check of every date the service accepts, whatever the path.
    """
    if EARLIEST_DATE <= value <= LATEST_DATE:
        return None
    return Problem(
        ErrorCode.INVALID,
        f"{label}（{value.isoformat()}）は{EARLIEST_DATE.isoformat()}（明治6年1月1日）から"
        f"{LATEST_DATE.isoformat()}までの日付にしてください。",
        field,
    )


def check_date(problems: Problems, value: Any, *, label: str, field: str | None) -> Any:
    """Add the range problem of ``value`` (a date, or None/UNSET: nothing to check)."""
    if isinstance(value, date):
        problem = date_problem(value, label=label, field=field)
        if problem is not None:
            problems.items.append(problem)
    return value


def check_past_date(
    problems: Problems, value: date, *, today: date, label: str, field: str
) -> None:
    """A day something was done (reported, evaluated, reviewed, screened): within the
    range every date must lie in (:func:`check_date`) and not after ``today``."""
    check_date(problems, value, label=label, field=field)
    not_after_today(
        problems,
        value,
        today=today,
        label=label,
        field=field,
        message=f"{label}（{value.isoformat()}）に先の日付は使えません。",
    )


def not_after_today(
    problems: Problems,
    value: date | None,
    *,
    today: date,
    label: str,
    field: str | None,
    message: str | None = None,
) -> None:
    """INVALID when ``value`` lies after ``today`` (the request's day, never the wall
    clock): for dates of what has already happened — signed, finished, checked."""
    if isinstance(value, date) and value > today:
        text = message or f"{label}に、まだ来ていない日（{value.isoformat()}）は入れられません。"
        problems.items.append(Problem(ErrorCode.INVALID, text, field))


def require_date(value: date | None, *, label: str, field: str | None) -> None:
    """Raise the range problem of ``value`` (for reads: query arguments and exports)."""
    if value is not None:
        problem = date_problem(value, label=label, field=field)
        if problem is not None:
            raise DomainError(problems=[problem])


def require_fiscal_year_range(first: int | None, last: int | None, *, field: str) -> None:
    """Raise INVALID when the range of fiscal years ``first``..``last`` is reversed (for
    reads: an end left open, None, is never reversed)."""
    if first is not None and last is not None and first > last:
        raise DomainError(
            ErrorCode.INVALID,
            f"年度の範囲が逆です。開始年度（{first}）は終了年度（{last}）以前にしてください。",
            field,
        )


def amount(problems: Problems, value: int | None, *, label: str, field: str) -> int | None:
    """Money is integer yen and never negative."""
    if value is not None and value < 0:
        problems.add(ErrorCode.INVALID, f"{label}は0円以上で入力してください。", field)
    return value


def bounded_list(
    problems: Problems,
    values: Sequence[Any] | None,
    *,
    label: str,
    field: str,
    maximum: int = MAX_LIST,
) -> bool:
    """False (and a problem) when the list is longer than allowed."""
    if values is not None and len(values) > maximum:
        problems.add(
            ErrorCode.INVALID, f"{label}は{maximum}件までにしてください（{len(values)}件）。", field
        )
        return False
    return True
