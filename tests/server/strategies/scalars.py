"""Hostile scalars: strings, ints, floats, dates and date-times past every bound.

``LEAK_MARKERS`` lives here because ``texts`` must never produce one.
"""

from __future__ import annotations

import math

from hypothesis import strategies as st

# Text that would look like a leaked stack trace if the API echoed it back: the fuzzer
# never sends it, so finding it in a response always means a leak.
LEAK_MARKERS = (
    "traceback",
    'file "',
    "error(",
    "exception(",
    "sqlalchemy",
    "asyncpg",
    "sqlite3",
    "psycopg",
)


def _no_leak_marker(value: str) -> bool:
    lowered = value.lower()
    return not any(marker in lowered for marker in LEAK_MARKERS)


# ---------------------------------------------------------------- scalars

NASTY_STRINGS = [
    "",
    " ",
    "\u3000",
    "\u3000\u3000 ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\udbff\udc00",  # a surrogate pair that JSON carries as two escapes
    "😀",
    "👨\u200d👩\u200d👧",
    "ｱｲｳｴｵﾟ",
    "ＡＢＣ１２３",
    "とまこまい",
    "トマコマイ",
    "苫小牧市",
    "%",
    "_",
    "%_\\",
    "\\",
    '"',
    "'",
    "' OR '1'='1' --",
    "'; DROP TABLE partner; --",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "\u202eevil",
    "\ufeff",
    "\ufffd",
    "\U0010ffff",
    "\r\n",
    "e\u0301",
    "null",
    "NaN",
    "-1",
    "0",
    "1" * 13,
    "2" * 14,
    "8700110005901",  # a well-formed 法人番号
    "１２３４５６７８９０１２３",
    "000-0000-0001",
    "demo@example.jp",
    "@",
    "a@b",
    "あ" * 2000,
    "a" * 10000,
    "\x00" * 64,
]

NASTY_CHARS = (
    "\x00\x01\x08\x1f\x7f\u3000\u200b\u202e\ufeff\ufffd\ud800\udbff\udc00\udfff"
    "\U0001f600\U0010ffff ｱﾟ％＿Ａ１あア漢ー−%_\\'\"\n\t"
)


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Short hostile strings; every character, surrogates included, may occur."""
    return st.one_of(
        st.sampled_from(NASTY_STRINGS),
        st.text(alphabet=st.sampled_from(NASTY_CHARS), max_size=max_size),
        st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=max_size),
    ).filter(_no_leak_marker)


INT_EDGES = [
    0,
    1,
    -1,
    2,
    5,
    13,
    100,
    101,
    1000,
    1001,
    2021,
    2**31 - 1,
    -(2**31),
    2**31,
    -(2**31) - 1,
    2**53 + 1,
    2**63,
    10**30,
    -(10**30),
]


def ints() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from(INT_EDGES), st.integers(-1000, 10**6), st.integers())


def floats() -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([0.5, -0.0, 1e308, -1e308, math.inf, -math.inf, math.nan, 1.0]),
        st.floats(allow_nan=True, allow_infinity=True),
    )


DATE_EDGES = [
    "0001-01-01",
    "9999-12-31",
    "2024-02-29",
    "2023-02-29",
    "2022-03-10",
    "2019-04-30",
    "2019-05-01",
    "2022-13-01",
    "2022-00-10",
    "2022-03-32",
    "20220310",
    "2022-W10-4",
    "2022-03-10T09:00:00+09:00",
    "2022-03-10T25:00:00",
    "令和4年3月10日",
    "２０２２-０３-１０",
    "+10000-01-01",
    "-0001-01-01",
    "0000-00-00",
    " 2022-03-10",
    "",
]


def dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(DATE_EDGES),
        st.dates().map(lambda d: d.isoformat()),
        texts(12),
    )


def datetimes() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["2022-03-10T09:00:00+09:00", "9999-12-31T23:59:59", "x"]),
        st.datetimes().map(lambda d: d.isoformat()),
        texts(12),
    )
