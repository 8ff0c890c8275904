"""Reading import files: encodings, CSV / JSON / JSON Lines, headers, numbers, dates."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from kyodo.domain.exchange.columns import normalize_number, parse_japanese_date, split_list
from kyodo.domain.exchange.partner_rows import PARTNER_MAP
from kyodo.domain.exchange.reading import decode, detect_format, parse_json, parse_jsonl, read_table
from kyodo.domain.exchange.sheets import parse_csv
from kyodo.domain.exchange.source import FileFormat, ImportRefused

TEXT = "名称,フリガナ\n（デモ）髙橋町内会,たかはしちょうないかい\n"

# ---------------------------------------------------------------- decoding


def test_utf8_is_detected() -> None:
    # when
    text, codec = decode(TEXT.encode("utf-8"))
    # then
    assert (text, codec) == (TEXT, "utf-8-sig")


def test_utf8_with_bom_is_detected_and_the_bom_dropped() -> None:
    # when
    text, _ = decode(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    # then
    assert text == TEXT


def test_cp932_is_detected_including_its_extensions() -> None:
    # given: 髙 and ① exist in CP932 but not in strict Shift_JIS
    data = (TEXT + "①㈱\n").encode("cp932")
    # when
    text, codec = decode(data)
    # then
    assert (text, codec) == (TEXT + "①㈱\n", "cp932")


def test_a_forced_encoding_is_used_even_when_another_would_read_the_bytes() -> None:
    # given: valid UTF-8 that also decodes as Latin-1
    data = "ä".encode()
    # when
    text, codec = decode(data, "latin-1")
    # then
    assert (text, codec) == ("Ã¤", "iso8859-1")


def test_shift_jis_as_a_forced_name_means_cp932() -> None:
    # when
    text, codec = decode("①".encode("cp932"), "Shift_JIS")
    # then
    assert (text, codec) == ("①", "cp932")


def test_a_forced_encoding_that_does_not_fit_is_refused_with_the_line() -> None:
    # given
    data = "名称\n東京\n大阪\n".encode("cp932")
    # when
    with pytest.raises(ImportRefused) as refused:
        decode(data, "utf-8")
    # then
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].render().startswith("1行目に、文字コード utf-8 では読めない")


def test_bytes_neither_utf8_nor_cp932_are_refused() -> None:
    # given: 0x82 0x20 is a broken CP932 lead byte and invalid UTF-8
    data = b"\x82\x20abc"
    # when
    with pytest.raises(ImportRefused) as refused:
        decode(data)
    # then
    assert "文字コードを判別できません" in refused.value.problems[0].message


def test_read_table_names_the_encoding_it_used() -> None:
    # when
    sjis = read_table(TEXT.encode("cp932"), name="a.csv")
    bom = read_table(codecs.BOM_UTF8 + TEXT.encode(), name="a.csv")
    plain = read_table(TEXT.encode(), name="a.csv")
    # then
    assert (sjis.encoding, bom.encoding, plain.encoding) == (
        "Shift_JIS（CP932）",
        "UTF-8（BOM付き）",
        "UTF-8",
    )
    assert sjis.rows[0].values == {
        "名称": "（デモ）髙橋町内会",
        "フリガナ": "たかはしちょうないかい",
    }


# ---------------------------------------------------------------- formats and rows


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("partners.csv", "[1]", FileFormat.CSV),
        ("partners.JSON", "a,b", FileFormat.JSON),
        ("partners.jsonl", "", FileFormat.JSONL),
        ("partners.ndjson", "", FileFormat.JSONL),
        ("partners.tsv", "", FileFormat.TSV),
        ("export", '  [{"name": "a"}]', FileFormat.JSON),
        ("export", '{"name": "a"}\n{"name": "b"}', FileFormat.JSONL),
        ("export.txt", "名称,種別", FileFormat.CSV),
    ],
)
def test_format_by_extension_else_by_content(name: str, text: str, expected: FileFormat) -> None:
    assert detect_format(name, text) == expected


def test_csv_rows_carry_the_line_they_start_on() -> None:
    # given: a quoted cell spanning two lines, and a blank row Excel left behind
    text = '名称,住所\r\nＡ,"北海道\r\n苫小牧市"\r\n,\r\nＢ,札幌市\r\n'
    # when
    table = parse_csv(text)
    # then
    assert [(row.number, row.values["名称"]) for row in table.rows] == [(2, "Ａ"), (5, "Ｂ")]
    assert table.rows[0].values["住所"] == "北海道\r\n苫小牧市"


def test_a_csv_row_with_more_cells_than_headers_is_refused() -> None:
    # when
    with pytest.raises(ImportRefused) as refused:
        parse_csv("名称,種別\nA,企業\nB,企業,余分\n")
    # then
    assert [p.where for p in refused.value.problems] == ["3行目"]


def test_a_csv_with_a_repeated_header_is_refused() -> None:
    with pytest.raises(ImportRefused) as refused:
        parse_csv("名称,名称\nA,B\n")
    assert "見出し「名称」が2回あります" in refused.value.problems[0].message


def test_json_elements_are_numbered_from_one() -> None:
    # when
    table = parse_json('[{"name": "A"}, {"name": "B", "kind": "NPO"}]')
    # then
    assert [table.where(i) for i in range(2)] == ["1件目", "2件目"]
    assert table.headers == ["name", "kind"]


def test_json_that_is_not_an_array_of_objects_is_refused() -> None:
    with pytest.raises(ImportRefused) as not_array:
        parse_json('{"name": "A"}')
    with pytest.raises(ImportRefused) as not_objects:
        parse_json('[{"name": "A"}, 3]')
    with pytest.raises(ImportRefused) as broken:
        parse_json('[{"name": "A"},\n {"name": }]')
    assert "オブジェクトの配列" in not_array.value.problems[0].message
    assert not_objects.value.problems[0].render() == "2件目: オブジェクト（{...}）ではありません。"
    assert "2行目" in broken.value.problems[0].message


def test_json_lines_keep_their_line_numbers_and_skip_blank_lines() -> None:
    # when
    table = parse_jsonl('{"name": "A"}\n\n{"name": "B"}\n')
    # then
    assert [row.number for row in table.rows] == [1, 3]
    with pytest.raises(ImportRefused) as refused:
        parse_jsonl('{"name": "A"}\n{"name": \n')
    assert refused.value.problems[0].where == "2行目"


def test_json_lines_read_what_json_reads_beyond_what_orjson_takes() -> None:
    # given: lines orjson refuses (an integer beyond 64 bits, NaN) and a broken line
    table = parse_jsonl('{"n": 123456789012345678901234567890}\n{"n": NaN}\n{"n": 1}\n')
    # then: they read as json reads them, and a broken line names its column
    big, nan, one = (row.values["n"] for row in table.rows)
    assert big == 123456789012345678901234567890 and isinstance(big, int)
    assert nan != nan  # NaN
    assert one == 1
    with pytest.raises(ImportRefused) as refused:
        parse_jsonl('{"name": "A"}\n{"name": \n')
    assert "10文字目" in refused.value.problems[0].message


# ---------------------------------------------------------------- headers


def test_japanese_and_english_headers_map_to_the_same_fields() -> None:
    # given
    table = parse_csv("名称,ﾌﾘｶﾞﾅ,ＫＩＮＤ,corporate_number,外部ＩＤ,address,メールアドレス,分野\n")
    # when
    columns, problems = PARTNER_MAP.resolve(table)
    # then
    assert problems == []
    assert columns.field_of == {
        "名称": "name",
        "ﾌﾘｶﾞﾅ": "name_kana",
        "ＫＩＮＤ": "kind",
        "corporate_number": "corporate_number",
        "外部ＩＤ": "external_id",
        "address": "street",
        "メールアドレス": "email",
        "分野": "field_codes",
    }


def test_unknown_headers_and_two_headers_for_one_field_are_refused() -> None:
    # given
    table = parse_csv("名称,name,備考欄\n")
    # when
    _, problems = PARTNER_MAP.resolve(table)
    # then
    messages = [p.message for p in problems]
    assert messages[0] == "列「名称」と列「name」が同じ項目です。どちらか一方にしてください。"
    assert messages[1].startswith("列「備考欄」は読み込めません。")


def test_an_empty_header_is_skipped_when_its_column_is_empty_else_refused() -> None:
    # given
    empty = parse_csv("名称,,種別\nA,,企業\n")
    filled = parse_csv("名称,,種別\nA,x,企業\n")
    # when
    _, no_problems = PARTNER_MAP.resolve(empty)
    _, problems = PARTNER_MAP.resolve(filled)
    # then
    assert no_problems == []
    assert [p.message for p in problems] == [
        "2列目に見出しがありません。見出しを付けるか、列を消してください。"
    ]


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("７０００－０１２０－５０００２", "7000-0120-50002"),
        ("０１４４ー３２ー６１１１", "0144-32-6111"),
        ("０５３‐８７２２", "053-8722"),
        (" 011−000−0000 ", "011-000-0000"),
        ("7000012050002.0", "7000012050002"),
        (7000012050002, "7000012050002"),
        (7000012050002.0, "7000012050002"),
        (None, None),
    ],
)
def test_numbers_are_folded_to_half_width_digits_and_hyphens(raw: object, expected: object) -> None:
    assert normalize_number(raw) == expected


def test_lists_split_on_japanese_and_ascii_separators() -> None:
    assert split_list("高齢者支援、子育て支援／環境保全;芸術・文化, education") == [
        "高齢者支援",
        "子育て支援",
        "環境保全",
        "芸術・文化",
        "education",
    ]
    assert split_list(["safety", " arts "]) == ["safety", "arts"]
    assert split_list("") == []


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-03-10", date(2022, 3, 10)),
        ("2022/3/10", date(2022, 3, 10)),
        ("2022/03/10 0:00", date(2022, 3, 10)),
        ("２０２２年３月１０日", date(2022, 3, 10)),
        ("令和4年3月10日", date(2022, 3, 10)),
        ("令和４年３月１０日", date(2022, 3, 10)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成 8年 6月25日", date(1996, 6, 25)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("R4.3.10", date(2022, 3, 10)),
        ("h27/3/31", date(2015, 3, 31)),
    ],
)
def test_dates_as_japanese_offices_write_them(text: str, expected: date) -> None:
    assert parse_japanese_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "平成31年5月1日",
            "「平成31年5月1日」は平成の期間にない日付です（2019-05-01 は令和元年5月1日）。",
        ),
        (
            "令和元年4月30日",
            "「令和元年4月30日」は令和の期間にない日付です（2019-04-30 は平成31年4月30日）。",
        ),
        ("2022-02-30", "「2022-02-30」という日付はありません。"),
        ("令和4年2月29日", "「令和4年2月29日」という日付はありません。"),
        (
            "来週",
            "「来週」は日付として読めません（例: 2022-03-10、2022/3/10、令和4年3月10日、H8.10.23）。",
        ),
        (
            "令和0年1月1日",
            "「令和0年1月1日」は日付として読めません（例: 2022-03-10、2022/3/10、令和4年3月10日、H8.10.23）。",
        ),
    ],
)
def test_impossible_dates_are_refused_naming_the_value(text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_japanese_date(text)
    assert str(error.value) == message
