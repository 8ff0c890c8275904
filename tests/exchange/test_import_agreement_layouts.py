"""``kyodo import agreements`` on the layouts municipalities publish besides Hokkaido's:
title lines above the header, other header words, abbreviated wareki with 「(改正)」,
continuation rows, collective counterparties; and the city's name as a setting."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kyodo.domain.exchange.agreement_layout import find_header
from kyodo.domain.exchange.sheets import parse_csv
from kyodo.domain.japanese import parse_date
from kyodo.domain.partners.names import is_collective_name
from kyodo.server.cli import app as cli
from kyodo.server.settings import get_settings
from tests.exchange.importing import csv_bytes, demo_database, error_lines, row_counts, run_import
from tests.exchange.test_import_agreements import agreements_titled, write

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_database(backend, tmp_path_factory.mktemp("import-layouts")) as database_url:
        yield database_url


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:6]


def fixture(name: str, tag: str) -> bytes:
    """A fixture file of tests/exchange/fixtures, its names made unique with ``tag``
    (the database is shared by the module's tests), saved as Excel saves CSV (CP932)."""
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("{tag}", tag)
    return text.replace("\n", "\r\n").encode("cp932")


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("H8.10.23", date(1996, 10, 23)),
        ("Ｈ８．１０．２３", date(1996, 10, 23)),
        ("H.8.10.23", date(1996, 10, 23)),
        ("h8-10-23", date(1996, 10, 23)),
        ("H8/10/23", date(1996, 10, 23)),
        ("R元.5.1", date(2019, 5, 1)),
        ("Ｒ元年５月１日", date(2019, 5, 1)),
        ("S63・1・7", date(1988, 1, 7)),
        ("T15.12.24", date(1926, 12, 24)),
        ("M45.7.29", date(1912, 7, 29)),
    ],
)
def test_abbreviated_wareki_is_read_by_the_one_parser(text: str, day: date) -> None:
    assert parse_date(text) == day


def test_an_abbreviated_date_outside_its_era_is_refused_in_japanese() -> None:
    with pytest.raises(ValueError) as error:
        parse_date("H31.5.1")
    assert (
        str(error.value) == "「H31.5.1」は平成の期間にない日付です（2019-05-01 は令和元年5月1日）。"
    )


@pytest.mark.parametrize(
    ("name", "collective"),
    [
        ("都府県市", True),
        ("道内市町村", True),
        ("胆振管内市町村等", True),
        ("北海道トラック協会加盟各社", True),
        ("（一社）苫小牧建設協会 会員各社", True),
        ("商業協同組合苫小牧港市場 外8団体", True),
        ("北海道市町村振興協会", False),  # one body
        ("全国市長会", False),
        ("室蘭市", False),
        ("北海道", False),
        ("東日本電信電話株式会社", False),
    ],
)
def test_a_name_denoting_a_group_of_bodies_is_collective(name: str, collective: bool) -> None:
    assert is_collective_name(name) is collective


def test_the_header_is_found_below_title_lines() -> None:
    table = parse_csv(
        "令和8年度 災害時応援協定一覧,,\r\n令和8年4月1日現在,,\r\n,,\r\n"
        "協定名,締結先,締結日\r\nA協定,A社,R4.3.10\r\n"
    )
    found = find_header(table)
    assert found.headers == ["協定名", "締結先", "締結日"]
    assert [(r.number, r.values["協定名"]) for r in found.rows] == [(5, "A協定")]


def test_title_lines_of_one_value_are_skipped_by_every_sheet_reader() -> None:
    # a title typed in A1 only: the CSV has no commas after it
    table = parse_csv("災害時応援協定一覧\r\n\r\n名称,電話番号\r\n苫小牧商事,0144-00-0000\r\n")
    assert table.headers == ["名称", "電話番号"]
    assert [(r.number, r.values["名称"]) for r in table.rows] == [(4, "苫小牧商事")]
    # a sheet of one column is read as it is
    assert parse_csv("名称\r\n苫小牧商事\r\n").headers == ["名称"]


# ---------------------------------------------------------------- the layouts


def test_a_title_line_above_the_hokkaido_header_is_skipped(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: the prefecture's sheet, a title line and a date line above its header
    path = write(tmp_path, "prefecture.csv", fixture("title_lines.csv", tag))
    # when
    result = run_import(url, "agreements", path)
    # then
    assert result.exit_code == 0, result.output
    assert agreements_titled(url, tag) == [
        (
            "（デモ）災害時における物資の供給に関する協定",
            "IN_FORCE",
            "2022-03-10",
            None,
            "kikikanri",
            ["SUPPLIES"],
            [("（デモ）取込見出し商事株式会社", "COMPANY")],
        )
    ]


def test_other_municipalities_headers_import_dated_drafts_without_categories(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: 協定名 / 締結日 / 締結先 / 担当(要請)窓口, no 協定区分 columns
    path = write(tmp_path, "synonyms.csv", fixture("synonyms.csv", tag))
    before = row_counts(url)
    # when
    first = run_import(url, "agreements", path)
    after_first = row_counts(url)
    second = run_import(url, "agreements", path)
    # then: created as drafts (a disaster-support agreement is concluded only with a
    # category), the date kept in the text for the office to conclude them
    assert first.exit_code == 0, first.output
    assert agreements_titled(url, tag) == [
        (
            "（デモ）災害時における宿泊施設の提供に関する協定",
            "DRAFT",
            None,
            "締結日: 令和2年4月1日（協定区分がないため下書きのまま登録。"
            "協定区分を入れてから締結してください）",
            "kikikanri",
            [],
            [("（デモ）取込ホテル", "OTHER_ORGANIZATION")],
        ),
        (
            "（デモ）災害時の燃料供給に関する協定",
            "DRAFT",
            None,
            "締結日: 平成25年6月1日（協定区分がないため下書きのまま登録。"
            "協定区分を入れてから締結してください）",
            "kikikanri",
            [],
            [("（デモ）取込石油株式会社", "COMPANY")],
        ),
    ]
    assert after_first["agreement"] == before["agreement"] + 2
    assert "うち協定区分がないため下書き" in first.stdout
    assert second.exit_code == 0, second.output
    assert row_counts(url) == after_first


def test_amendments_continuation_rows_and_collective_counterparties(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: №, 協定名称, 協定締結先, 締結年月日 「H8.10.23 (改正)」, rows continuing the
    # agreement above them, and counterparties that are groups of bodies
    path = write(tmp_path, "municipal.csv", fixture("continuation_collective.csv", tag))
    before = row_counts(url)
    # when
    first = run_import(url, "agreements", path)
    after_first = row_counts(url)
    second = run_import(url, "agreements", path)
    # then
    assert first.exit_code == 0, first.output
    assert agreements_titled(url, tag) == [
        (
            "（デモ）災害時における物資供給に関する協定",
            "IN_FORCE",
            "1996-10-23",
            "改正: 平成8年10月23日\n"
            "相手方（団体の総称。パートナーとしては登録していません）: 道内市町村",
            "kikikanri",
            ["SUPPLIES"],
            [
                ("（デモ）取込生活協同組合", "OTHER_ORGANIZATION"),
                ("（デモ）取込商店", "OTHER_ORGANIZATION"),
            ],
        ),
        (
            "（デモ）災害時の輸送に関する協定",
            "IN_FORCE",
            "2019-05-01",
            "緊急輸送車両の提供\n改正: 令和3年4月1日\n"
            "相手方（団体の総称。パートナーとしては登録していません）: "
            f"（デモ）取込{tag}トラック協会加盟各社",
            "kikikanri",
            ["SUPPLIES", "TRANSPORT"],
            [("（デモ）取込トラック協会", "OTHER_ORGANIZATION")],
        ),
    ]
    # the 相互応援協定 with 「都府県市」 only has no partner to conclude with: not created
    assert after_first["agreement"] == before["agreement"] + 2
    assert after_first["partner"] == before["partner"] + 3
    output = " ".join(first.stdout.split())
    assert "登録しない（相手方が団体の総称だけです）" in output
    assert (
        f"要確認 8行目「（デモ）大規模災害時の相互応援に関する協定{tag}」: 相手方「都府県市」は"
        "団体の総称のため、パートナーとして登録していません（協定は登録していません）。"
    ) in output
    assert "要確認 5行目" in output
    assert "相手方に団体の総称がある協定（要確認） │ 3" in output
    assert "改正の日付がある協定（協定の内容に記録） │ 2" in output
    assert second.exit_code == 0, second.output
    assert "変更なし（登録済み） │ 2" in " ".join(second.stdout.split())
    assert row_counts(url) == after_first


def test_problems_of_the_new_layouts_are_placed_by_the_files_line_and_column(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: below a title line, a first row continuing nothing, an impossible
    # abbreviated date, and a continuation row naming a department
    rows = [
        ["協定一覧", "", "", "", ""],
        ["№", "協定名称", "協定締結先", "締結年月日", "担当(要請)窓口"],
        ["", "", f"（デモ）取込迷子{tag}", "", ""],
        ["1", f"（デモ）日付の協定{tag}", f"（デモ）取込A{tag}", "H8.13.1", ""],
        ["2", f"（デモ）続きの協定{tag}", f"（デモ）取込B{tag}", "R2.4.1", ""],
        ["", "", f"（デモ）取込C{tag}", "", "総務課"],
    ]
    path = write(tmp_path, "bad.csv", csv_bytes(rows))
    before = row_counts(url)
    # when
    result = run_import(url, "agreements", path)
    # then
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "3行目 「協定名称」: 協定の名称を入力してください。",
        "4行目 「締結年月日」: 締結日「H8.13.1」という日付はありません。",
        "6行目 「担当(要請)窓口」: この行は番号と協定の名称がないため5行目の協定の続きとして"
        "読みました。続きの行には担当課を書けません（別の協定なら協定の名称を書いてください）。",
    ]
    assert row_counts(url) == before


# ---------------------------------------------------------------- the city's name


def test_the_exports_name_the_configured_municipality(url: str) -> None:
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli,
            ["export", "agreements", "--format", "json", "--on", "2022-03-10", "--output", "-"],
            env={"DATABASE_URL": url, "KYODO_MUNICIPALITY": "室蘭市"},
        )
        get_settings.cache_clear()
        default = CliRunner().invoke(
            cli,
            ["export", "agreements", "--on", "2022-03-10", "--output", "-"],
            env={"DATABASE_URL": url},
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout_bytes)
    assert document["municipality"] == "室蘭市"
    assert {a["municipality"] for a in document["agreements"]} == {"室蘭市"}
    assert default.exit_code == 0, default.output
    assert default.stdout_bytes.decode("utf-8-sig").splitlines()[1].startswith("苫小牧市,")


def test_a_workbook_with_a_title_line_and_abbreviated_dates_imports(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: the same list kept as an Excel workbook, the title in A1
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["災害時応援協定一覧"])
    sheet.append([])
    sheet.append(["№", "協定名称", "協定締結先", "締結年月日", "協定区分"])
    sheet.append(
        [
            1,
            f"（デモ）ブックの協定{tag}",
            f"（デモ）取込ブック株式会社{tag}",
            "H8.10.23",
            "医療救護",
        ]
    )
    sheet.append([None, None, "都府県市", None, None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    # when
    result = run_import(url, "agreements", str(path))
    # then
    assert result.exit_code == 0, result.output
    assert agreements_titled(url, tag) == [
        (
            "（デモ）ブックの協定",
            "IN_FORCE",
            "1996-10-23",
            "相手方（団体の総称。パートナーとしては登録していません）: 都府県市",
            "kikikanri",
            ["MEDICAL_AID"],
            [("（デモ）取込ブック株式会社", "COMPANY")],
        )
    ]
    assert "要確認 4行目" in " ".join(result.stdout.split())
