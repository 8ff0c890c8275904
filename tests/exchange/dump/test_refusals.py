"""Dump and restore: all or nothing; what is refused restores nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from kyodo.domain.exchange.dump import DumpError
from tests.exchange.dump.support import HEAD, Databases, counts, dump, edited, restore, table_rows


def _truncated(text: str) -> str:
    return text[: len(text) * 2 // 3]


def _set(column: str, value: Any) -> Any:
    return lambda row, columns: row.__setitem__(columns.index(column), value)


def _without_owner(row: list[Any], columns: list[str]) -> None:
    row[columns.index("partner_id")] = None
    row[columns.index("agreement_id")] = None


@pytest.mark.parametrize(
    ("table", "change", "reason"),
    [
        ("contact", _set("partner_id", 999_999), ""),  # a partner that does not exist
        ("contact", _without_owner, ""),  # CHECK has_owner
        ("partner", _set("id", 1), ""),  # a duplicate primary key
        ("agreement", _set("concluded_on", "2022-02-30"), "列 concluded_on: 日付として読めません"),
        ("partner", _set("kind", "ALIEN"), "列 kind: 「ALIEN」は使えない値です"),
        ("partner", _set("version", "1"), "列 version: 整数ではありません"),
        # What SQLite stored although PostgreSQL refuses it (issue 8): a value longer than
        # its VARCHAR, a name folded (NFKC) to four times its length in the search text.
        (
            "partner",
            _set("postal_code", "053-8722-99"),
            "列 postal_code: 11文字あります（この列に入るのは10文字までです）",
        ),
        (
            "partner",
            _set("search_text", "アパート" * 300),
            "列 search_text: 1,200文字あります（この列に入るのは700文字までです）",
        ),
        # Dates outside the range every other path accepts.
        (
            "agreement",
            _set("concluded_on", "1800-01-01"),
            "列 concluded_on: 日付（1800-01-01）は1873-01-01（明治6年1月1日）から2999-12-31までの日付にしてください",
        ),
        ("agreement", _set("concluded_on", "0001-01-01"), "列 concluded_on: 日付（0001-01-01）は"),
        # A signed 協定書 edited or damaged in the file: its bytes no longer match.
        ("agreement_document", _set("sha256", "0" * 64), "SHA-256 が記録と合いません"),
        (
            "agreement_document",
            _set("content", base64.b64encode(b"<html></html>").decode()),
            "先頭が %PDF- ではありません",
        ),
        ("agreement_document", _set("content", "%PDF-***"), "列 content: base64 として読めません"),
    ],
    ids=[
        "foreign-key",
        "check",
        "duplicate-key",
        "bad-date",
        "bad-enum",
        "bad-type",
        "too-long",
        "too-long-once-folded",
        "date-before-meiji",
        "year-one",
        "document-digest",
        "document-not-pdf",
        "document-not-base64",
    ],
)
def test_a_bad_row_in_the_middle_restores_nothing(
    populated: str, demo_dump: str, table: str, change: Any, reason: str
) -> None:
    # given: a bad row halfway through a table; with --replace, the tables are emptied and
    # every earlier table written before it is reached
    rows = table_rows(demo_dump, table)
    middle = len(rows) // 2

    def corrupt(document: dict[str, Any]) -> None:
        entry = document["tables"][table]
        change(entry["rows"][middle], entry["columns"])

    bad = edited(demo_dump, corrupt)
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, bad, replace=True)
    # then
    assert f"表 {table} の {middle + 1:,} 行目" in str(refused.value)
    assert reason in str(refused.value)
    assert dump(populated) == demo_dump


def test_a_cut_off_file_restores_nothing(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given
    url = databases.empty(backend)
    # when
    with pytest.raises(DumpError) as refused:
        restore(url, _truncated(demo_dump))
    # then
    assert "壊れています" in str(refused.value)
    assert "行目" in str(refused.value)
    assert not any(counts(url).values())


def test_broken_json_with_replace_restores_nothing(populated: str, demo_dump: str) -> None:
    # given: a syntax error after most tables were written
    cut = demo_dump.index("\n", len(demo_dump) * 3 // 4) + 1
    bad = demo_dump[:cut] + "}{" + demo_dump[cut:]
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, bad, replace=True)
    # then
    assert "壊れています" in str(refused.value)
    assert dump(populated) == demo_dump


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "schemaRevision",
            "0001_initial",
            f"ダンプのスキーマ版（0001_initial）が、このデータベースの版（{HEAD}）と違う",
        ),
        ("version", 2, "ダンプ形式の版 2 には対応していません"),
        ("format", "pg_dump", "kyodo のダンプファイルではありません"),
    ],
)
def test_a_dump_of_another_schema_or_format_is_refused(
    populated: str, demo_dump: str, field: str, value: Any, message: str
) -> None:
    # given
    bad = edited(demo_dump, lambda document: document.update({field: value}))
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, bad, replace=True)
    # then
    assert message in str(refused.value)
    assert dump(populated) == demo_dump


def test_tables_out_of_dependency_order_are_refused(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given: tables in alphabetical order, as a tool sorting keys would write them
    reordered = edited(demo_dump, lambda d: d.update(tables=dict(sorted(d["tables"].items()))))
    url = databases.empty(backend)
    # when
    with pytest.raises(DumpError) as refused:
        restore(url, reordered)
    # then
    message = "表 agreement が、参照先の表 collaboration より前に書かれています"
    assert message in str(refused.value)
    assert not any(counts(url).values())


def test_any_json_layout_of_a_dump_restores(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given: the same document on one line, non-ASCII as \\u escapes
    compact = json.dumps(json.loads(demo_dump), separators=(",", ":"))
    url = databases.empty(backend)
    # when
    restore(url, compact)
    # then
    assert dump(url) == demo_dump


def test_an_unmigrated_database_is_refused(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given
    url = databases.unmigrated(backend)
    # when
    with pytest.raises(DumpError) as refused:
        restore(url, demo_dump)
    # then
    assert "データベースにテーブルがありません。先に kyodo db upgrade" in str(refused.value)


# ---------------------------------------------------------------- the CLI
