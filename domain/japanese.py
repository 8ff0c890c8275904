"""Japanese calendar, fiscal years, 法人番号 and text folding (rule 14).

Fiscal year and wareki come from this one module; everything else calls it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    starts_on: date


# Newest first. 明治 is counted from 1868-01-25 (慶応4年1月1日, to which its start was
# backdated); the month and day are only exact from 明治6年 (1873-01-01), when Japan
# adopted the Gregorian calendar, which is why the dates the city's data may hold start
# there (domain.validation.EARLIEST_DATE).
ERAS: tuple[Era, ...] = (
    Era("令和", date(2019, 5, 1)),
    Era("平成", date(1989, 1, 8)),
    Era("昭和", date(1926, 12, 25)),
    Era("大正", date(1912, 7, 30)),
    Era("明治", date(1868, 1, 25)),
)


def era_of(day: date) -> Era | None:
    """The era ``day`` falls in; None before 明治."""
    for era in ERAS:
        if day >= era.starts_on:
            return era
    return None


def _era_year_label(year: int) -> str:
    return "元" if year == 1 else str(year)


def to_wareki(day: date) -> str:
    """2022-03-10 → 令和4年3月10日; the first year of an era is 元年.

    A date before 明治 is written in the western calendar (1800-01-01 → 1800年1月1日):
    new input cannot hold one (domain.validation.check_date), but a page showing a row
    stored before that check, or year 1 (PostgreSQL's ``-infinity`` as asyncpg reads
    it), must not fail.
    """
    era = era_of(day)
    if era is None:
        return f"{day.year}年{day.month}月{day.day}日"
    year = day.year - era.starts_on.year + 1
    return f"{era.name}{_era_year_label(year)}年{day.month}月{day.day}日"


def fiscal_year_of(day: date) -> int:
    """Japanese fiscal years run April to March and are named by their starting year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(fiscal_year: int) -> date:
    """April 1 of ``fiscal_year``; fiscal year 0 (of 0001-01-01) starts on 0001-01-01."""
    if fiscal_year < date.min.year:
        return date.min
    return date(min(fiscal_year, date.max.year), 4, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    """March 31 of the next year; fiscal year 9999 ends on 9999-12-31, the calendar's end."""
    if fiscal_year >= date.max.year:
        return date.max
    return date(max(fiscal_year + 1, date.min.year), 3, 31)


def fiscal_year_label(fiscal_year: int) -> str:
    """2019 → 令和元年度, 2021 → 令和3年度, 2018 → 平成30年度, 1988 → 昭和63年度.

    A fiscal year is named in the era in force on its first day (April 1), except
    when a new era begins within its first quarter: FY2019 (from 2019-04-01, still
    平成) became 令和元年度 because 令和 began on May 1, while FY1988 stayed 昭和63年度
    because 平成 began only in January 1989. A fiscal year before 明治 (or outside the
    calendar) is labelled in the western calendar, e.g. 1799年度, like ``to_wareki``.
    """
    if not date.min.year <= fiscal_year <= date.max.year:
        return f"{fiscal_year}年度"
    era = era_of(date(fiscal_year, 6, 30))
    if era is None:
        return f"{fiscal_year}年度"
    year = fiscal_year - era.starts_on.year + 1
    return f"{era.name}{_era_year_label(year)}年度"


# ------------------------------------------------------------------ 法人番号

# Not \d: in Python it also matches full-width and other Unicode digits, which would let
# an un-normalised '７０００…' pass as valid and be stored in a form that never compares
# equal to the ASCII spelling.
_DIGITS = re.compile(r"[0-9]{13}")
_BODY_DIGITS = re.compile(r"[0-9]{12}")


def corporate_number_check_digit(body12: str) -> int:
    """Check digit of a 法人番号 over its last twelve digits (国税庁の計算式).

    With P(n) the n-th digit counted from the right of the 12-digit body and
    Q(n) = 1 when n is odd, 2 when n is even: 9 - (Σ P(n)·Q(n) mod 9).
    """
    if not _BODY_DIGITS.fullmatch(body12):
        raise ValueError("the body of a corporate number is 12 digits")
    total = 0
    for n, char in enumerate(reversed(body12), start=1):
        total += int(char) * (1 if n % 2 else 2)
    return 9 - (total % 9)


def normalize_corporate_number(value: str) -> str:
    """Fold full-width digits and drop separators, so '１２３4-...' compares as digits."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s\-‐ー−]", "", folded)


def is_valid_corporate_number(value: str) -> bool:
    """13 ASCII digits whose first digit is the check digit over the other twelve."""
    if not _DIGITS.fullmatch(value):
        return False
    return int(value[0]) == corporate_number_check_digit(value[1:])


# ------------------------------------------------------------------ text folding

_HIRAGANA_START, _HIRAGANA_END = 0x3041, 0x3096
_KATAKANA_OFFSET = 0x60


def hiragana_to_katakana(text: str) -> str:
    return "".join(
        chr(ord(c) + _KATAKANA_OFFSET) if _HIRAGANA_START <= ord(c) <= _HIRAGANA_END else c
        for c in text
    )


def normalize_for_search(text: str | None) -> str:
    """Fold width (全角/半角), kana (ひらがな→カタカナ), case and spaces for matching.

    NFKC turns half-width katakana and full-width ASCII into their standard forms;
    then hiragana becomes katakana and spaces disappear, so 'とまこまい',
    'ﾄﾏｺﾏｲ' and 'トマコマイ' all fold to the same string.
    """
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text)
    folded = hiragana_to_katakana(folded).casefold()
    return re.sub(r"\s+", "", folded)


def kana_sort_key(name_kana: str | None, name: str) -> str:
    """五十音 sort key: the folded reading (katakana), else the folded name."""
    return normalize_for_search(name_kana) or normalize_for_search(name)


def like_pattern(term: str) -> str:
    """A LIKE pattern matching the folded term anywhere; '\\' escapes % and _."""
    escaped = (
        normalize_for_search(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    )
    return f"%{escaped}%"
