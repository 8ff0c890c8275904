"""Fictional people and numbers for the generated demo data: names (surname デモ), 法人番号
in an invented range, phone numbers in a 000- block.
"""

from __future__ import annotations

from kyodo.domain.japanese import corporate_number_check_digit

GIVEN_NAMES = (
    "太郎",
    "花子",
    "一郎",
    "次郎",
    "三郎",
    "春子",
    "夏子",
    "秋子",
    "冬子",
    "健太",
    "翔太",
    "美咲",
    "陽子",
    "誠",
    "学",
    "直子",
    "和子",
    "博",
    "裕子",
    "明",
)


def demo_person(index: int) -> str:
    """A plainly fictional person's name: surname デモ, a common given name."""
    return f"デモ {GIVEN_NAMES[index % len(GIVEN_NAMES)]}"


def demo_corporate_number(serial: int) -> str:
    """A 法人番号 with a valid check digit in an invented range (body 999999xxxxxx)."""
    body = f"999999{serial:06d}"
    return f"{corporate_number_check_digit(body)}{body}"


class _Phones:
    """Hands out fictional phone numbers in one 000-NNNN block."""

    def __init__(self, block: int) -> None:
        self.block = block
        self.counter = 0

    def next(self) -> str:
        self.counter += 1
        return f"000-{self.block:04d}-{self.counter:04d}"
