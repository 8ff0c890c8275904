"""Input checks shared by every area: required text, lengths, amounts, list sizes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from domain.errors import ErrorCode, Problem

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9()\- ]{2,40}$")
MAX_LIST = 100
MAX_BULK = 1000


class Problems:
    """Collects the problems of one input so that all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: ErrorCode, message: str, field: Sequence[str]) -> None:
        self.items.append(Problem(code, message, field))

    def extend(self, problems: Sequence[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        from domain.errors import DomainError

        if self.items:
            raise DomainError(problems=self.items)


def clean_text(value: Any) -> Any:
    """Strip surrounding spaces (全角 included); blank becomes None. Non-strings pass through."""
    if isinstance(value, str):
        stripped = value.strip().strip("\u3000").strip()
        return stripped or None
    return value


def required_text(
    problems: Problems, value: str | None, *, label: str, field: Sequence[str], max_length: int
) -> str | None:
    text = clean_text(value)
    if text is None:
        problems.add(ErrorCode.REQUIRED, f"{label}を入力してください。", field)
        return None
    return optional_text(problems, text, label=label, field=field, max_length=max_length)


def optional_text(
    problems: Problems, value: str | None, *, label: str, field: Sequence[str], max_length: int
) -> str | None:
    text = clean_text(value)
    if text is not None and len(text) > max_length:
        problems.add(ErrorCode.INVALID, f"{label}は{max_length}文字以内で入力してください。", field)
    return text


def email(problems: Problems, value: str | None, *, field: Sequence[str]) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text)
    if not EMAIL.match(text) or len(text) > 254:
        problems.add(
            ErrorCode.INVALID, f"メールアドレス「{text}」の形式が正しくありません。", field
        )
    return text


def phone(problems: Problems, value: str | None, *, field: Sequence[str]) -> str | None:
    """Phone numbers: full-width digits and hyphens are folded to half-width."""
    text = clean_text(value)
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", text).replace("ー", "-").replace("−", "-")
    if not PHONE.match(text):
        problems.add(ErrorCode.INVALID, f"電話番号「{text}」の形式が正しくありません。", field)
    return text


def amount(
    problems: Problems, value: int | None, *, label: str, field: Sequence[str]
) -> int | None:
    """Money is integer yen and never negative."""
    if value is not None and value < 0:
        problems.add(ErrorCode.INVALID, f"{label}は0円以上で入力してください。", field)
    return value


def bounded_list(
    problems: Problems,
    values: Sequence[Any] | None,
    *,
    label: str,
    field: Sequence[str],
    maximum: int = MAX_LIST,
) -> bool:
    """False (and a problem) when the list is longer than allowed."""
    if values is not None and len(values) > maximum:
        problems.add(
            ErrorCode.INVALID, f"{label}は{maximum}件までにしてください（{len(values)}件）。", field
        )
        return False
    return True
