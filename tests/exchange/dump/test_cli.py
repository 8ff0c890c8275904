"""kyodo dump and kyodo restore from the command line."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kyodo.server.cli import app as cli
from kyodo.server.settings import get_settings
from tests.exchange.dump.support import Databases, dump


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``use_database(url)`` points the CLI's settings at ``url``."""

    def use(url: str) -> None:
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "250"})


def test_cli_dump_then_restore_into_an_empty_database(
    backend: str, populated: str, databases: Databases, tmp_path: Path, use_database: Any
) -> None:
    # given
    file = tmp_path / "backup.json"
    target = databases.empty(backend, "target")
    # when
    use_database(populated)
    dumped = run_cli("dump", str(file))
    use_database(target)
    restored = run_cli("restore", str(file))
    # then
    assert dumped.exit_code == 0, dumped.output
    assert "ダンプを書き出しました" in dumped.stderr
    assert "ハッシュだけ" in dumped.stderr
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # personal data: owner only
    assert restored.exit_code == 0, restored.output
    assert "復元しました" in restored.stderr
    assert dump(target) == file.read_text(encoding="utf-8")


def test_cli_restore_refuses_a_database_with_data_unless_replace(
    populated: str, demo_dump: str, tmp_path: Path, use_database: Any
) -> None:
    # given
    file = tmp_path / "backup.json"
    file.write_text(demo_dump, encoding="utf-8")
    use_database(populated)
    # when
    refused = run_cli("restore", str(file))
    replaced = run_cli("restore", str(file), "--replace")
    # then
    assert refused.exit_code == 1
    assert "データベースが空ではありません（" in refused.stderr
    assert "--replace" in refused.stderr
    assert "データベースは変更していません" in refused.stderr
    assert replaced.exit_code == 0, replaced.output
    assert dump(populated) == demo_dump


def test_cli_reports_a_missing_file(tmp_path: Path) -> None:
    # when
    result = run_cli("restore", str(tmp_path / "nothing.json"))
    # then
    assert result.exit_code == 1
    assert "ファイルが見つかりません" in result.stderr


def test_cli_failed_dump_leaves_the_previous_file(
    backend: str, databases: Databases, tmp_path: Path, use_database: Any
) -> None:
    # given: a backup exists; the database is not migrated
    file = tmp_path / "backup.json"
    file.write_text("earlier backup", encoding="utf-8")
    use_database(databases.unmigrated(backend))
    # when
    result = run_cli("dump", str(file))
    # then
    assert result.exit_code == 1
    assert "kyodo db upgrade" in result.stderr
    assert file.read_text(encoding="utf-8") == "earlier backup"
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".backup")] == []
