"""Japanese calendar, fiscal years, 法人番号 and text folding (rule 14)."""

from __future__ import annotations

from datetime import date

import pytest

from kyodo.domain.japanese import (
    corporate_number_check_digit,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_start,
    is_valid_corporate_number,
    kana_sort_key,
    like_pattern,
    normalize_corporate_number,
    normalize_for_search,
    to_wareki,
)

# ------------------------------------------------------------------ wareki


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 3, 10), "令和4年3月10日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1912, 7, 29), "明治45年7月29日"),
    ],
)
def test_to_wareki_names_the_era_and_its_first_year_as_gannen(day: date, expected: str) -> None:
    # given a date around an era boundary
    # when rendering it in the Japanese calendar
    # then the era changes on its first day and its first year is 元年
    assert to_wareki(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1868, 1, 24), "1868年1月24日"),
        (date(1800, 1, 1), "1800年1月1日"),
        (date.min, "1年1月1日"),
    ],
)
def test_to_wareki_writes_dates_before_meiji_in_the_western_calendar(
    day: date, expected: str
) -> None:
    # given a date before 明治, which no era of this module covers (a row stored before
    # dates were range-checked, or year 1: PostgreSQL's -infinity as asyncpg reads it)
    # when rendering it
    # then it is written in the western calendar instead of failing the page
    assert to_wareki(day) == expected


def test_to_wareki_renders_the_last_date_the_calendar_holds() -> None:
    # given 9999-12-31 (PostgreSQL's +infinity as asyncpg reads it)
    # when rendering it
    # then it is a 令和 date
    assert to_wareki(date.max) == "令和7981年12月31日"


# ------------------------------------------------------------------ fiscal years


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 3, 31), 2021),
        (date(2022, 4, 1), 2022),
        (date(2022, 12, 31), 2022),
        (date(2023, 1, 1), 2022),
    ],
)
def test_fiscal_year_runs_april_to_march(day: date, expected: int) -> None:
    # given a day near the April boundary or the calendar new year
    # when finding its fiscal year
    # then the year is named by the April it starts in
    assert fiscal_year_of(day) == expected


def test_fiscal_year_bounds_stay_within_the_calendar() -> None:
    # given the fiscal years of 0001-01-01 and 9999-12-31
    # when asking for their first and last day
    # then the days past the calendar's ends are clamped to them instead of failing
    assert fiscal_year_start(fiscal_year_of(date.min)) == date.min
    assert fiscal_year_end(fiscal_year_of(date.max)) == date.max


def test_fiscal_year_bounds() -> None:
    # given fiscal 2021
    # when asking for its first and last day
    # then it is 2021-04-01 to 2022-03-31
    assert (fiscal_year_start(2021), fiscal_year_end(2021)) == (
        date(2021, 4, 1),
        date(2022, 3, 31),
    )


@pytest.mark.parametrize(
    ("fiscal_year", "expected"),
    [
        (2019, "令和元年度"),
        (2021, "令和3年度"),
        (2018, "平成30年度"),
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
        (2020, "令和2年度"),
    ],
)
def test_fiscal_year_label_in_wareki(fiscal_year: int, expected: str) -> None:
    # given a fiscal year
    # when labelling it
    # then it is named in the era Japanese public offices use for it
    assert fiscal_year_label(fiscal_year) == expected


@pytest.mark.parametrize(
    ("fiscal_year", "expected"),
    [(1867, "1867年度"), (1799, "1799年度"), (0, "0年度"), (9999, "令和7981年度")],
)
def test_fiscal_year_label_before_meiji_is_western(fiscal_year: int, expected: str) -> None:
    # given a fiscal year before 明治 or at the calendar's end (fiscal_year_of a date
    # the database can hold: 1799 for 1800-01-01, 0 for 0001-01-01)
    # when labelling it
    # then it gets a western label instead of failing the page that shows it
    assert fiscal_year_label(fiscal_year) == expected


# ------------------------------------------------------------------ 法人番号

# Real 法人番号 of well-known bodies; each also checks by the 国税庁 formula.
REAL_NUMBERS = [
    "7000012050002",  # 国税庁
    "1180301018771",  # トヨタ自動車株式会社
    "5010401067252",  # ソニーグループ株式会社
]


@pytest.mark.parametrize("number", REAL_NUMBERS)
def test_real_corporate_numbers_are_valid(number: str) -> None:
    # given a real corporate number
    # when validating it
    # then it passes
    assert is_valid_corporate_number(number)


def test_check_digit_follows_the_published_formula() -> None:
    # given the 12-digit body of 国税庁's number, 000012050002
    # when computing the check digit
    #   (digits from the right, weighted 1, 2, 1, 2, ...: 2·1 + 5·1 + 2·1 + 1·2 = 11;
    #    9 - (11 mod 9) = 7)
    # then it is 7
    assert corporate_number_check_digit("000012050002") == 7


def test_check_digit_is_nine_when_the_sum_divides_by_nine() -> None:
    # given a body whose weighted sum is 0
    # when computing the check digit
    # then it is 9, never 0
    assert corporate_number_check_digit("000000000000") == 9


def test_wrong_check_digit_is_invalid() -> None:
    # given a real number with its check digit changed
    # when validating it
    # then it fails
    assert not is_valid_corporate_number("8000012050002")


@pytest.mark.parametrize("number", ["700001205000", "70000120500020", "", "700001205000X"])
def test_wrong_length_or_non_digits_are_invalid(number: str) -> None:
    # given something that is not 13 digits
    # when validating it
    # then it fails
    assert not is_valid_corporate_number(number)


def test_full_width_digits_are_invalid_until_normalised() -> None:
    # given a real number typed in full-width digits
    typed = "７００００１２０５０００２"
    # when validating it as is
    # then it fails: only the ASCII spelling is stored and compared
    assert not is_valid_corporate_number(typed)


def test_normalising_full_width_input_with_separators_makes_it_valid() -> None:
    # given a real number typed in full width with hyphens and spaces
    typed = "７ ０００－０１２０－５０００２"
    # when normalising it
    normalized = normalize_corporate_number(typed)
    # then it becomes the 13 ASCII digits and validates
    assert normalized == "7000012050002"
    assert is_valid_corporate_number(normalized)


def test_check_digit_rejects_a_body_of_the_wrong_shape() -> None:
    # given a body of full-width digits
    # when computing its check digit
    # then it is refused
    with pytest.raises(ValueError):
        corporate_number_check_digit("００００１２０５０００２")


# ------------------------------------------------------------------ text folding


@pytest.mark.parametrize("text", ["とまこまい", "トマコマイ", "ﾄﾏｺﾏｲ", " トマ　コマイ "])
def test_hiragana_katakana_and_half_width_fold_together(text: str) -> None:
    # given the same word in hiragana, katakana, half-width katakana or spaced out
    # when folding for search
    # then all become the same katakana string
    assert normalize_for_search(text) == "トマコマイ"


def test_half_width_voiced_kana_fold_to_one_character() -> None:
    # given half-width katakana with separate voicing marks
    # when folding for search
    # then each becomes a single voiced katakana
    assert normalize_for_search("ｶﾞｽ ﾎﾟﾝﾌﾟ") == normalize_for_search("がすぽんぷ") == "ガスポンプ"


def test_full_width_ascii_folds_to_lower_case_ascii() -> None:
    # given full-width and upper-case Latin letters and digits
    # when folding for search
    # then they become plain lower-case ASCII
    assert normalize_for_search("ＮＰＯ法人　Ｌｏｖｅ Earth２０２１") == "npo法人loveearth2021"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_text_folds_to_empty(text: str | None) -> None:
    # given nothing to fold
    # when folding for search
    # then the result is empty
    assert normalize_for_search(text) == ""


def test_kana_sort_key_orders_names_by_gojuon() -> None:
    # given partners with readings in mixed scripts
    partners = [
        ("ひがしにほんでんしんでんわ", "東日本電信電話株式会社"),
        ("ｱｹﾎﾞﾉﾁｮｳﾅｲｶｲ", "あけぼの町内会"),
        ("とまこまいしょうひしゃきょうかい", "苫小牧消費者協会"),
        ("ガクエンチョウナイカイ", "学園町内会"),
        ("かしわぎちょうないかい", "柏木町内会"),
    ]
    # when sorting by the kana key
    ordered = sorted(partners, key=lambda p: kana_sort_key(p[0], p[1]))
    # then they come in 五十音順: あ, か, が, と, ひ
    assert [name for _, name in ordered] == [
        "あけぼの町内会",
        "柏木町内会",
        "学園町内会",
        "苫小牧消費者協会",
        "東日本電信電話株式会社",
    ]


def test_kana_sort_key_falls_back_to_the_name() -> None:
    # given a partner without a reading whose name is in kana
    # when computing its sort key
    # then the folded name is used
    assert kana_sort_key(None, "さくら会") == "サクラ会"


def test_like_pattern_folds_and_wraps_the_term() -> None:
    # given a search term in hiragana
    # when building a LIKE pattern
    # then it matches the folded term anywhere
    assert like_pattern("とまこまい") == "%トマコマイ%"


def test_like_pattern_escapes_wildcards() -> None:
    # given a term containing LIKE wildcards, one typed in full width
    # when building a LIKE pattern
    # then % and _ are escaped so they match literally
    assert like_pattern("50%_ｏｆｆ％") == "%50\\%\\_off\\%%"


def test_like_pattern_escapes_the_escape_character() -> None:
    # given a term containing a backslash
    # when building a LIKE pattern
    # then the backslash is doubled first, so it cannot escape the next character
    assert like_pattern("a\\_b") == "%a\\\\\\_b%"
