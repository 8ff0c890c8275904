"""``kyodo import agreements``: Hokkaido's open-data layout of disaster-support agreements,
counterparties matched or registered, agreements through the agreements commands."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kyodo.domain.enums import PartnerKind
from kyodo.domain.exchange.agreement_layout import merge_two_row_header
from kyodo.domain.exchange.agreement_parties import kind_for_name, split_parties
from kyodo.domain.exchange.sheets import parse_csv
from tests.exchange.importing import (
    csv_bytes,
    demo_database,
    error_lines,
    query,
    row_counts,
    run_import,
)

CATEGORIES = [
    "職員派遣",
    "物資供給",
    "物資運搬・輸送",
    "医療救護",
    "災害広報",
    "避難収容",
    "ライフライン復旧",
    "その他",
]


@pytest.fixture(scope="module")
def url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_database(backend, tmp_path_factory.mktemp("import-agreements")) as database_url:
        yield database_url


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:6]


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def marks(*on: str, other: str = "") -> list[str]:
    cells = ["○" if c in on else "" for c in CATEGORIES[:-1]]
    return [*cells, other or ("〇" if "その他" in on else "")]


def hokkaido_file(tag: str) -> bytes:
    """As the Excel sheet of Hokkaido's list is saved as CSV: two header rows (協定区分
    merged over the categories), the municipality on its first row only, several
    counterparties in one cell with their location on a line of its own, ○ 〇 ◯."""
    rows = [
        [
            "市町村名",
            "№",
            "協定の名称",
            "協定相手方\n(都道府県名)",
            "協 定 区 分",
            *[""] * 7,
            "締結日",
        ],
        ["", "", "", "", *CATEGORIES, ""],
        [
            "苫小牧市",
            "1",
            f"（デモ）災害時における物資の供給に関する協定{tag}",
            f"（デモ）取込商事㈱{tag}\n(北海道苫小牧市)",
            *marks("物資供給", "物資運搬・輸送"),
            "令和4年3月10日",
        ],
        [
            "",
            "2",
            f"（デモ）災害時の医療救護に関する協定{tag}",
            f"（デモ）取込医師会{tag}、特定非営利活動法人（デモ）取込ネット{tag}\n"
            f"（デモ）取込町内会{tag}",
            *[""] * 3,
            "◯",
            *[""] * 4,
            "2021/4/1",
        ],
        [
            "",
            "3",
            f"（デモ）災害時の情報連絡に関する協定{tag}",
            "東日本電信電話㈱",
            *marks(other="災害対策に関する情報連絡"),
            "",
        ],
    ]
    return csv_bytes(rows)


def agreements_titled(url: str, tag: str) -> list[tuple[Any, ...]]:
    rows = query(
        url,
        "SELECT a.id, a.title, a.status, a.concluded_on, a.support_details, d.code FROM agreement a "
        "JOIN department d ON d.id = a.department_id WHERE a.title LIKE :t ORDER BY a.id",
        t=f"%{tag}",
    )
    result = []
    for agreement_id, title, status, concluded_on, details, department in rows:
        support = query(
            url,
            "SELECT category FROM agreement_support_category WHERE agreement_id = :id "
            "ORDER BY category",
            id=agreement_id,
        )
        parties = query(
            url,
            "SELECT p.name, p.kind FROM agreement_party ap JOIN partner p ON p.id = ap.partner_id "
            "WHERE ap.agreement_id = :id ORDER BY ap.position",
            id=agreement_id,
        )
        result.append(
            (
                title.removesuffix(tag),
                str(status),
                str(concluded_on)[:10] if concluded_on else None,
                details,
                department,
                [c for (c,) in support],
                [(n.replace(tag, ""), k) for n, k in parties],
            )
        )
    return result


# ---------------------------------------------------------------- the rules of the layout


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("株式会社トートー事務機", PartnerKind.COMPANY),
        ("NTT北海道電話帳㈱", PartnerKind.COMPANY),
        ("（有）苫小牧運送", PartnerKind.COMPANY),
        ("合同会社デモ", PartnerKind.COMPANY),
        ("ＮＰＯ法人北海道市民環境ネットワーク", PartnerKind.NPO),
        ("特定非営利活動法人デモ防災協会", PartnerKind.NPO),
        ("株式会社デモ協会", PartnerKind.COMPANY),
        ("苫小牧消費者協会", PartnerKind.OTHER_ORGANIZATION),
        ("苫小牧建設業協同組合", PartnerKind.OTHER_ORGANIZATION),
        ("苫小牧市町内会連合会", PartnerKind.OTHER_ORGANIZATION),
        ("（デモ）緑町内会", PartnerKind.NEIGHBORHOOD_ASSOCIATION),
        ("札幌管区気象台", PartnerKind.OTHER_ORGANIZATION),
    ],
)
def test_the_kind_of_a_new_counterparty_follows_its_legal_form(
    name: str, kind: PartnerKind
) -> None:
    assert kind_for_name(name) == kind


def test_a_counterparty_cell_splits_on_commas_and_lines_and_drops_the_location() -> None:
    # when
    parties = split_parties(
        "札幌管区気象台、東日本電信電話㈱北海道支店\n(一社)札幌地区トラック協会\n(北海道札幌市)"
        "、札幌管区気象台"
    )
    # then
    assert parties == ["札幌管区気象台", "東日本電信電話㈱北海道支店", "(一社)札幌地区トラック協会"]


def test_a_two_row_header_is_read_as_one() -> None:
    # given
    table = parse_csv(hokkaido_file("x").decode("cp932"))
    # when
    merged = merge_two_row_header(table)
    # then
    assert merged.headers == [
        "市町村名",
        "№",
        "協定の名称",
        "協定相手方 (都道府県名)",
        *CATEGORIES,
        "締結日",
    ]
    assert [row.number for row in merged.rows] == [4, 6, 8]
    assert merged.unnamed == set()


# ---------------------------------------------------------------- imports


def test_the_hokkaido_layout_imports_and_a_second_import_creates_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    path = write(tmp_path, "hokkaido.csv", hokkaido_file(tag))
    before = row_counts(url)
    # when
    first = run_import(url, "agreements", path)
    after_first = row_counts(url)
    second = run_import(url, "agreements", path)
    # then
    assert first.exit_code == 0, first.output
    assert agreements_titled(url, tag) == [
        (
            "（デモ）災害時における物資の供給に関する協定",
            "IN_FORCE",
            "2022-03-10",
            None,
            "kikikanri",
            ["SUPPLIES", "TRANSPORT"],
            [("（デモ）取込商事㈱", "COMPANY")],
        ),
        (
            "（デモ）災害時の医療救護に関する協定",
            "IN_FORCE",
            "2021-04-01",
            None,
            "kikikanri",
            ["MEDICAL_AID"],
            [
                ("（デモ）取込医師会", "OTHER_ORGANIZATION"),
                ("特定非営利活動法人（デモ）取込ネット", "NPO"),
                ("（デモ）取込町内会", "NEIGHBORHOOD_ASSOCIATION"),
            ],
        ),
        (
            # no 締結日: a draft; its その他 text is what the support means
            "（デモ）災害時の情報連絡に関する協定",
            "DRAFT",
            None,
            "災害対策に関する情報連絡",
            "kikikanri",
            ["OTHER"],
            [("東日本電信電話株式会社", "COMPANY")],  # the demo partner, written ㈱
        ),
    ]
    assert after_first["partner"] == before["partner"] + 4
    assert after_first["agreement"] == before["agreement"] + 3
    # one audit event per partner created, per agreement created and per conclusion
    assert after_first["audit_event"] == before["audit_event"] + 4 + 3 + 2
    assert "hokkaido.csv（CSV、Shift_JIS（CP932）、3件）" in first.stdout
    assert "新しく登録した相手方" in first.stdout
    assert second.exit_code == 0, second.output
    assert "変更なし（登録済み）                       │    3" in second.stdout
    assert row_counts(url) == after_first


def test_problems_in_the_file_name_line_and_column_and_nothing_is_written(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: a mark that is not ○, an impossible date, an unknown department, and a
    # disaster agreement concluded without any support category (the command refuses)
    header = ["協定の名称", "協定相手方", *CATEGORIES, "締結日", "担当課"]
    rows = [
        [
            f"（デモ）正しい協定{tag}",
            f"（デモ）取込正会社{tag}",
            *marks("物資供給"),
            "R4.3.10",
            "危機管理室",
        ],
        [
            f"（デモ）印の協定{tag}",
            f"（デモ）取込相手{tag}",
            *marks("物資供給")[:1],
            "有",
            *[""] * 6,
            "",
            "",
        ],
        [
            f"（デモ）日付の協定{tag}",
            f"（デモ）取込相手{tag}",
            *marks("医療救護"),
            "平成31年5月1日",
            "",
        ],
        [f"（デモ）課の協定{tag}", f"（デモ）取込相手{tag}", *marks("医療救護"), "", "防災課"],
        [f"（デモ）区分なしの協定{tag}", f"（デモ）取込相手{tag}", *marks(), "2022-03-10", ""],
    ]
    path = write(tmp_path, "agreements.csv", csv_bytes([header, *rows]))
    before = row_counts(url)
    # when
    result = run_import(url, "agreements", path)
    # then
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "3行目 「物資供給」: 「物資供給」の欄には ○ を付けるか、空欄にしてください（「有」とあります）。",
        "4行目 「締結日」: 締結日「平成31年5月1日」は平成の期間にない日付です"
        "（2019-05-01 は令和元年5月1日）。",
        "5行目 「担当課」: 担当課「防災課」は登録されていません（担当課の名前かコードを入力してください）。",
    ]
    assert row_counts(url) == before
    # when: the rows the reader accepts go to the commands, which refuse the last one
    fixed = [rows[0], rows[4]]
    path = write(tmp_path, "agreements.csv", csv_bytes([header, *fixed]))
    result = run_import(url, "agreements", path)
    # then
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "3行目: 災害時応援協定には、支援の内容（協定区分）を1つ以上登録してから締結してください。"
    ]
    assert row_counts(url) == before


def test_a_dry_run_shows_what_would_be_created_and_writes_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    path = write(tmp_path, "hokkaido.csv", hokkaido_file(tag))
    before = row_counts(url)
    # when
    result = run_import(url, "agreements", path, "--dry-run")
    # then
    assert result.exit_code == 0, result.output
    assert "試行（--dry-run）" in result.stdout
    assert "新規登録される" in result.stdout
    assert f"（デモ）取込商事㈱{tag}" in result.stdout
    assert row_counts(url) == before


def test_a_list_of_several_municipalities_needs_one_chosen(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    header = ["市町村名", "No", "協定の名称", "協定相手方", *CATEGORIES]
    rows = [
        ["札幌市", "1", f"（デモ）札幌の協定{tag}", f"（デモ）取込札幌{tag}", *marks("職員派遣")],
        [
            "苫小牧市",
            "1",
            f"（デモ）苫小牧の協定{tag}",
            f"（デモ）取込苫小牧{tag}",
            *marks("避難収容"),
        ],
        ["", "2", f"（デモ）苫小牧の協定2{tag}", f"（デモ）取込苫小牧{tag}", *marks("災害広報")],
    ]
    path = write(tmp_path, "hokkaido.csv", csv_bytes([header, *rows]))
    before = row_counts(url)
    # when
    refused = run_import(url, "agreements", path, env={"KYODO_MUNICIPALITY": "室蘭市"})
    chosen = run_import(url, "agreements", path, "--municipality", "苫小牧市")
    own = run_import(url, "agreements", path)  # KYODO_MUNICIPALITY: 苫小牧市 by default
    # then
    assert refused.exit_code == 1
    assert error_lines(refused) == [
        "「市町村名」に複数の市町村（札幌市、苫小牧市）があります。"
        "--municipality で読み込む市町村を指定してください。"
    ]
    assert chosen.exit_code == 0, chosen.output
    titles = [t for t, *_ in agreements_titled(url, tag)]
    assert titles == ["（デモ）苫小牧の協定", "（デモ）苫小牧の協定2"]
    assert row_counts(url)["partner"] == before["partner"] + 1  # one counterparty, twice
    assert own.exit_code == 0, own.output
    assert [t for t, *_ in agreements_titled(url, tag)] == titles  # the same two, not 札幌's


def test_json_agreements_keyed_by_external_id_report_what_differs_without_changing_it(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    rows = [
        {
            "externalId": f"{tag}-1",
            "title": f"（デモ）JSONの協定{tag}",
            "parties": [f"（デモ）取込JSON{tag}"],
            "supportCategories": ["SUPPLIES", "避難収容"],
            "concludedOn": "2022-03-10",
            "department": "machizukuri",
        }
    ]
    path = write(tmp_path, "agreements.json", json.dumps(rows, ensure_ascii=False).encode())
    first = run_import(url, "agreements", path)
    after_first = row_counts(url)
    rows[0]["supportCategories"] = ["SUPPLIES"]
    write(tmp_path, "agreements.json", json.dumps(rows, ensure_ascii=False).encode())
    # when
    second = run_import(url, "agreements", path)
    # then
    assert first.exit_code == 0, first.output
    assert query(url, "SELECT title FROM agreement WHERE external_id = :id", id=f"{tag}-1") == [
        (f"（デモ）JSONの協定{tag}",)
    ]
    assert second.exit_code == 0, second.output
    assert "既存（協定区分がファイルと異なります。変更していません）" in second.stdout
    assert row_counts(url) == after_first
    stored = agreements_titled(url, tag)
    assert stored[0][1:] == (
        "IN_FORCE",
        "2022-03-10",
        None,
        "machizukuri",
        ["EVACUATION_SHELTER", "SUPPLIES"],
        [("（デモ）取込JSON", "OTHER_ORGANIZATION")],
    )


def test_a_default_conclusion_date_and_department_apply_to_rows_without_them(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    header = ["協定の名称", "協定相手方", *CATEGORIES]
    rows = [[f"（デモ）既定の協定{tag}", f"（デモ）取込既定{tag}", *marks("ライフライン復旧")]]
    path = write(tmp_path, "agreements.csv", csv_bytes([header, *rows], "utf-8-sig"))
    # when
    result = run_import(
        url,
        "agreements",
        path,
        "--concluded-on",
        "令和4年3月10日",
        "--department",
        "まちづくり推進課",
    )
    bad_date = run_import(url, "agreements", path, "--concluded-on", "いつか")
    # then
    assert result.exit_code == 0, result.output
    stored = agreements_titled(url, tag)
    assert [(*s[1:3], s[4]) for s in stored] == [("IN_FORCE", "2022-03-10", "machizukuri")]
    assert bad_date.exit_code == 2


def test_dates_and_ids_the_columns_cannot_hold_write_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: a 締結日 before 明治6年 (line 2) and a 外部ID longer than its column (line 3)
    header = ["協定の名称", "協定相手方", "締結日", "外部ID", *CATEGORIES]
    rows = [
        [f"（デモ）古い協定{tag}", f"（デモ）取込古{tag}", "1800-01-01", "", *marks("その他")],
        [f"（デモ）長いID{tag}", f"（デモ）取込長{tag}", "", "x" * 201, *marks("その他")],
    ]
    path = write(tmp_path, "agreements.csv", csv_bytes([header, *rows], "utf-8"))
    before = row_counts(url)
    # when
    result = run_import(url, "agreements", path)
    # then
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "2行目 「締結日」: 締結日（1800-01-01）は1873-01-01（明治6年1月1日）から"
        "2999-12-31までの日付にしてください。",
        "3行目 「外部ID」: 外部IDは200文字以内にしてください（201文字あります）。",
    ]
    assert row_counts(url) == before


def test_a_default_conclusion_date_out_of_range_writes_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: a file without 締結日, and --concluded-on year 1 (PostgreSQL: -infinity)
    header = ["協定の名称", "協定相手方", *CATEGORIES]
    rows = [[f"（デモ）既定の古い協定{tag}", f"（デモ）取込既定古{tag}", *marks("その他")]]
    path = write(tmp_path, "agreements.csv", csv_bytes([header, *rows], "utf-8"))
    before = row_counts(url)
    # when
    result = run_import(url, "agreements", path, "--concluded-on", "0001-01-01")
    # then
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "--concluded-on の締結日（0001-01-01）は1873-01-01（明治6年1月1日）から"
        "2999-12-31までの日付にしてください。",
    ]
    assert row_counts(url) == before
