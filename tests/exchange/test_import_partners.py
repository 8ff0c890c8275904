"""``kyodo import partners``: files from other systems and Excel, through partnersUpsert's
domain path (upsert_partners), all or nothing, problems by line and column."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from kyodo.domain.japanese import corporate_number_check_digit
from kyodo.server.cli import imports as cli_import
from tests.exchange.importing import (
    csv_bytes,
    demo_database,
    error_lines,
    query,
    row_counts,
    run_import,
)

HEADER = ["名称", "フリガナ", "種別", "法人番号", "地区", "電話番号", "郵便番号", "分野", "外部ID"]


def corporate_number(body12: str) -> str:
    return f"{corporate_number_check_digit(body12)}{body12}"


def to_full_width(text: str) -> str:
    return text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))


@pytest.fixture(scope="module")
def url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_database(backend, tmp_path_factory.mktemp("import-partners")) as database_url:
        yield database_url


@pytest.fixture
def tag() -> str:
    """Keeps each test's external ids and names apart in the module's database."""
    return uuid.uuid4().hex[:8]


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def partner_rows(tag: str, count: int) -> list[list[str]]:
    return [
        [
            f"（デモ）取込団体{tag}-{i}",
            f"とりこみだんたい{i}",
            "市民活動団体",
            "",
            "中央",
            to_full_width(f"000-0000-{i % 10000:04d}"),
            to_full_width("053-8722"),
            "高齢者支援、防犯・防災",
            f"{tag}-{i:05d}",
        ]
        for i in range(count)
    ]


# ---------------------------------------------------------------- refused files


def test_a_cp932_file_with_a_bad_corporate_number_and_a_duplicate_id_writes_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: Shift_JIS, Japanese headers, full-width digits; line 7 holds a 法人番号 whose
    # check digit is wrong, and line 9 repeats the 外部ID of line 3
    rows = partner_rows(tag, 8)
    rows[0][3] = to_full_width(corporate_number("000012050002"))  # line 2: valid
    rows[5][3] = to_full_width("1234567890123")  # line 7: check digit should be 4
    rows[7][8] = rows[1][8]  # line 9 repeats line 3
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *rows]))
    before = row_counts(url)
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "7行目 「法人番号」: 法人番号「1234567890123」が正しくありません"
        "（13桁の数字で、先頭はチェック用の数字です）。",
        f"9行目 「外部ID」: 外部ID「{rows[1][8]}」が3行目と重複しています。",
    ]
    assert "読み込みませんでした（問題 2 件）" in result.stderr
    assert result.stdout == ""
    assert row_counts(url) == before


def test_problems_found_by_the_reader_and_by_the_domain_are_reported_together(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: an unknown kind (reader), an unknown field name (reader), a bad e-mail
    # address (domain) and a missing name (domain), on four lines
    header = ["名称", "種別", "メールアドレス", "分野", "外部ID"]
    rows = [
        [f"（デモ）A{tag}", "団体", "", "", f"{tag}-a"],
        [f"（デモ）B{tag}", "NPO法人", "", "料理", f"{tag}-b"],
        [f"（デモ）C{tag}", "企業", "info@@example.jp", "", f"{tag}-c"],
        ["", "個人", "", "", f"{tag}-d"],
    ]
    path = write(tmp_path, "partners.csv", csv_bytes([header, *rows], "utf-8"))
    before = row_counts(url)
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 1
    assert error_lines(result) == [
        "2行目 「種別」: 種別「団体」は使えません（使える種別: 個人、市民活動団体、"
        "町内会・自治会、NPO法人、企業、その他の団体）。",
        "3行目 「分野」: 分野「料理」は登録されていません（分野の名前かコードを、"
        "「、」で区切って入力してください）。",
        "4行目 「メールアドレス」: メールアドレス「info@@example.jp」の形式が正しくありません。",
        "5行目 「名称」: 名称を入力してください。",
    ]
    assert row_counts(url) == before


def test_a_file_without_a_key_column_is_refused_before_any_row(url: str, tmp_path: Path) -> None:
    # given
    path = write(
        tmp_path, "partners.csv", csv_bytes([["名称", "種別", "備考"], ["A", "企業", "x"]])
    )
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 1
    lines = error_lines(result)
    assert lines[0].startswith("列「備考」は読み込めません。")
    assert (
        lines[1] == "列「外部ID」か「法人番号」が必要です（同じデータを見分けるために使います）。"
    )


def test_forcing_an_encoding_the_file_is_not_in_refuses_it(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *partner_rows(tag, 1)]))
    # when
    result = run_import(url, "partners", path, "--encoding", "utf-8")
    # then
    assert result.exit_code == 1
    assert "1行目に、文字コード utf-8 では読めない文字があります" in result.stderr


def test_usage_errors_exit_with_2(url: str, tmp_path: Path) -> None:
    # given
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER]))
    # when
    unknown_encoding = run_import(url, "partners", path, "--encoding", "ebcdic-jp")
    missing_file = run_import(url, "partners", str(tmp_path / "missing.csv"))
    # then
    assert unknown_encoding.exit_code == 2
    assert "文字コード「ebcdic-jp」はわかりません" in unknown_encoding.stderr
    assert missing_file.exit_code == 2


# ---------------------------------------------------------------- imports


def test_a_dry_run_reports_what_would_change_and_writes_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *partner_rows(tag, 3)]))
    before = row_counts(url)
    # when
    result = run_import(url, "partners", path, "--dry-run")
    # then
    assert result.exit_code == 0, result.output
    assert "試行（--dry-run）" in result.stdout
    assert "新規登録される │    3" in result.stdout
    assert row_counts(url) == before


def test_a_cp932_file_of_10000_rows_imports_at_once_and_again_as_unchanged(
    url: str, tmp_path: Path, tag: str, backend: str
) -> None:
    # given
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *partner_rows(tag, 10_000)]))
    before = row_counts(url)
    # when
    started = time.perf_counter()
    first = run_import(url, "partners", path)
    first_seconds = time.perf_counter() - started
    after_first = row_counts(url)
    started = time.perf_counter()
    second = run_import(url, "partners", path)
    second_seconds = time.perf_counter() - started
    # then
    print(f"10,000 rows on {backend}: import {first_seconds:.1f}s, re-import {second_seconds:.1f}s")
    assert first.exit_code == 0, first.output
    assert "新規登録 │ 10,000" in first.stdout
    assert "Shift_JIS（CP932）、10,000件" in first.stdout
    assert after_first["partner"] == before["partner"] + 10_000
    assert after_first["partner_field"] == before["partner_field"] + 20_000
    assert after_first["audit_event"] == before["audit_event"] + 1  # one event for the batch
    assert second.exit_code == 0, second.output
    assert "変更なし │ 10,000" in second.stdout
    assert "新規登録 │      0" in second.stdout
    # nothing changes but the audit log, which records the run (as partnersUpsert does)
    assert row_counts(url) == after_first | {"audit_event": after_first["audit_event"] + 1}
    # a generous bound: catches a quadratic slip, not a slow machine
    assert first_seconds + second_seconds < 60


def test_numbers_are_stored_half_width_and_field_names_as_codes(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    rows = partner_rows(tag, 1)
    rows[0][3] = to_full_width(corporate_number("000012050777"))
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *rows]))
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 0, result.output
    stored = query(
        url,
        "SELECT corporate_number, phone, postal_code, kind FROM partner WHERE external_id = :id",
        id=rows[0][8],
    )
    assert stored == [
        (corporate_number("000012050777"), "000-0000-0000", "053-8722", "CITIZEN_GROUP")
    ]
    codes = query(
        url,
        "SELECT f.code FROM partner_field pf JOIN collaboration_field f ON f.id = pf.field_id "
        "JOIN partner p ON p.id = pf.partner_id WHERE p.external_id = :id ORDER BY f.code",
        id=rows[0][8],
    )
    assert [c for (c,) in codes] == ["elderly", "safety"]


def test_an_excel_csv_with_bom_trailing_empty_column_and_blank_rows_imports(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: UTF-8 with BOM, a trailing comma on every line, blank rows at the end
    rows = [[*row, ""] for row in partner_rows(tag, 2)]
    path = write(
        tmp_path,
        "partners.csv",
        csv_bytes([[*HEADER, ""], *rows, [""] * 10, [""] * 10], "utf-8-sig"),
    )
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 0, result.output
    assert "CSV、UTF-8（BOM付き）、2件" in result.stdout
    assert "新規登録 │    2" in result.stdout


def test_a_changed_row_is_updated_and_the_rest_unchanged(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    rows = partner_rows(tag, 3)
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *rows]))
    assert run_import(url, "partners", path).exit_code == 0
    rows[1][4] = "錦岡"
    write(tmp_path, "partners.csv", csv_bytes([HEADER, *rows]))
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 0, result.output
    assert "更新     │    1" in result.stdout
    assert "変更なし │    2" in result.stdout
    assert query(url, "SELECT district FROM partner WHERE external_id = :id", id=rows[1][8]) == [
        ("錦岡",)
    ]


def test_json_array_with_api_field_names_and_nested_address(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given
    rows = [
        {
            "name": f"（デモ）JSON会社{tag}",
            "kind": "COMPANY",
            "corporateNumber": int(corporate_number("000012050888")),
            "externalId": f"{tag}-json-1",
            "address": {
                "postalCode": "０５３－８７２２",
                "city": "苫小牧市",
                "street": "旭町4-5-6",
            },
            "fieldCodes": ["environment", "美化活動"],
            "contacts": [
                {"name": "デモ 担当", "phone": "000-0000-0001", "isEmergencyContact": True}
            ],
        },
        {"name": f"（デモ）JSON団体{tag}", "kind": "その他の団体", "externalId": f"{tag}-json-2"},
    ]
    path = write(tmp_path, "partners.json", json.dumps(rows, ensure_ascii=False).encode())
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 0, result.output
    assert "JSON、UTF-8、2件" in result.stdout
    stored = query(
        url,
        "SELECT corporate_number, postal_code, city, street, kind FROM partner "
        "WHERE external_id = :id",
        id=f"{tag}-json-1",
    )
    assert stored == [
        (corporate_number("000012050888"), "053-8722", "苫小牧市", "旭町4-5-6", "COMPANY")
    ]
    contacts = query(
        url,
        "SELECT c.name, c.is_emergency_contact FROM contact c JOIN partner p ON p.id = c.partner_id "
        "WHERE p.external_id = :id",
        id=f"{tag}-json-1",
    )
    assert [(name, bool(flag)) for name, flag in contacts] == [("デモ 担当", True)]


def test_json_problems_name_the_element_and_the_key(url: str, tmp_path: Path, tag: str) -> None:
    # given
    rows = [
        {"name": f"（デモ）J{tag}", "kind": "NPO", "externalId": f"{tag}-j1"},
        {"name": f"（デモ）K{tag}", "kind": "NPO", "externalId": f"{tag}-j2", "email": "x"},
    ]
    path = write(tmp_path, "partners.json", json.dumps(rows).encode())
    before = row_counts(url)
    # when
    result = run_import(url, "partners", path)
    # then
    assert result.exit_code == 1
    assert error_lines(result) == ["2件目 「email」: メールアドレス「x」の形式が正しくありません。"]
    assert row_counts(url) == before


def test_json_lines_import_and_report_by_line(url: str, tmp_path: Path, tag: str) -> None:
    # given
    good = [
        {"name": f"（デモ）L{tag}", "nameKana": "える", "kind": "NPO", "externalId": f"{tag}-l1"},
        {"name": f"（デモ）M{tag}", "kind": "町内会", "externalId": f"{tag}-l2", "district": "東"},
    ]
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in good) + "\n"
    path = write(tmp_path, "partners.jsonl", text.encode())
    bad = write(
        tmp_path,
        "bad.ndjson",
        (text + "\n" + json.dumps({"name": "x", "kind": "NPO"}) + "\n").encode(),
    )
    # when
    result = run_import(url, "partners", path)
    refused = run_import(url, "partners", bad)
    # then
    assert result.exit_code == 0, result.output
    assert "新規登録 │    2" in result.stdout
    kinds = query(
        url,
        "SELECT kind FROM partner WHERE external_id IN (:a, :b) ORDER BY external_id",
        a=f"{tag}-l1",
        b=f"{tag}-l2",
    )
    assert [k for (k,) in kinds] == ["NPO", "NEIGHBORHOOD_ASSOCIATION"]
    assert refused.exit_code == 1
    assert error_lines(refused) == [
        "4行目 「externalId」: 外部IDか法人番号のどちらかを指定してください"
        "（同じデータを見分けるために使います）。"
    ]


def test_a_postal_code_or_a_reading_the_columns_cannot_hold_writes_nothing(
    url: str, tmp_path: Path, tag: str
) -> None:
    # given: line 2 has an eleven-character postal code (053-8722-99), line 3 a reading
    # of 300 ㌀, 1,200 characters once folded (NFKC) as it is stored
    rows = partner_rows(tag, 2)
    rows[0][6] = "053-8722-99"
    rows[1][1] = "㌀" * 300
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *rows], "utf-8"))
    before = row_counts(url)
    # when
    result = run_import(url, "partners", path)
    # then: both refused at their line and column, on both databases; nothing written
    assert result.exit_code == 1, result.output
    assert error_lines(result) == [
        "2行目 「郵便番号」: 郵便番号「053-8722-99」の形式が正しくありません（例: 053-8722）。",
        "3行目 「フリガナ」: フリガナは300文字以内で入力してください（1200文字あります）。",
    ]
    assert row_counts(url) == before


def test_on_a_terminal_every_step_shows_its_progress_against_the_row_count(
    url: str, tmp_path: Path, tag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a terminal, and a file longer than the progress threshold (lowered to 2)
    terminal = io.StringIO()
    monkeypatch.setattr(cli_import, "err", Console(file=terminal, force_terminal=True, width=120))
    monkeypatch.setattr(cli_import, "PROGRESS_ROWS", 2)
    path = write(tmp_path, "partners.csv", csv_bytes([HEADER, *partner_rows(tag, 3)]))
    # when the file is imported
    result = run_import(url, "partners", path)
    # then reading, checking and writing each showed a bar with the known total, no 0/?
    assert result.exit_code == 0, result.output
    shown = terminal.getvalue()
    for label in ("行の読み取り", "検証", "書き込み"):
        assert re.search(rf"{label}\S* .*3/3", shown), shown
    assert "/?" not in shown
