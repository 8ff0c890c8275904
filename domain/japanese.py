"""Japanese calendar, fiscal years, 法人番号 and text folding (rule 14).

Fiscal year and wareki come from this one module; everything else calls it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
"""The city's time zone: "today", fiscal years and displayed instants are Tokyo's."""


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


# ------------------------------------------------------------------ reading dates

_ERA_ALIASES = {
    "令和": "令和",
    "R": "令和",
    "平成": "平成",
    "H": "平成",
    "昭和": "昭和",
    "S": "昭和",
    "大正": "大正",
    "T": "大正",
    "明治": "明治",
    "M": "明治",
}
_SEPARATOR = r"[-/.・]"
_WESTERN = re.compile(
    rf"([0-9]{{4}})(?:{_SEPARATOR}([0-9]{{1,2}}){_SEPARATOR}([0-9]{{1,2}})"
    r"|年([0-9]{1,2})月([0-9]{1,2})日)"
)
# 「H8.10.23」「H.8.10.23」「R元.5.1」「R元年5月1日」「平成8-10-23」「S63/1/7」.
_WAREKI = re.compile(
    r"(令和|平成|昭和|大正|明治|[RHSTM])\.?(元|[0-9]{1,2})"
    rf"(?:年([0-9]{{1,2}})月([0-9]{{1,2}})日|{_SEPARATOR}([0-9]{{1,2}}){_SEPARATOR}([0-9]{{1,2}}))"
)
# Excel writes a date cell as "2022/3/10 0:00" when the cell holds a date and time.
_MIDNIGHT = re.compile(r"\s*0?0:00(:00)?$")
DATE_EXAMPLES = "例: 2022-03-10、2022/3/10、令和4年3月10日、H8.10.23"


def parse_date(value: str) -> date:
    """A date as Japanese offices write it: ISO ``2022-03-10``, ``2022/3/10``,
    ``2022年3月10日``, or wareki ``令和4年3月10日`` / ``令和元年5月1日``, abbreviated
    ``R4.3.10`` / ``H8.10.23`` / ``H.8.10.23`` / ``R元.5.1`` (M/T/S/H/R, separators . / - ・).

    Full-width digits and letters are accepted. A wareki date must lie within its era
    (平成31年5月1日 does not exist: that day is 令和元年5月1日). Raises ValueError with a
    message in Japanese that names the value.
    """
    original = value
    text = unicodedata.normalize("NFKC", value).strip().upper()
    text = _MIDNIGHT.sub("", text)
    text = re.sub(r"\s+", "", text)
    if match := _WESTERN.fullmatch(text):
        year = int(match[1])
        month, day = (match[2], match[3]) if match[2] else (match[4], match[5])
        return _make_date(original, year, int(month), int(day))
    if match := _WAREKI.fullmatch(text):
        era_name = _ERA_ALIASES[match[1]]
        era_year = 1 if match[2] == "元" else int(match[2])
        month, day = (match[3], match[4]) if match[3] else (match[5], match[6])
        era_index = next(i for i, era in enumerate(ERAS) if era.name == era_name)
        era = ERAS[era_index]
        if era_year < 1:
            raise ValueError(f"「{original}」は日付として読めません（{DATE_EXAMPLES}）。")
        result = _make_date(original, era.starts_on.year + era_year - 1, int(month), int(day))
        next_era = ERAS[era_index - 1] if era_index > 0 else None
        if result < era.starts_on or (next_era is not None and result >= next_era.starts_on):
            hint = (
                f"{result.isoformat()} は{to_wareki(result)}"
                if result >= ERAS[-1].starts_on
                else result.isoformat()
            )
            raise ValueError(f"「{original}」は{era.name}の期間にない日付です（{hint}）。")
        return result
    raise ValueError(f"「{original}」は日付として読めません（{DATE_EXAMPLES}）。")


def _make_date(original: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"「{original}」という日付はありません。") from None


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
