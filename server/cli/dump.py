"""``kyodo dump FILE`` and ``kyodo restore FILE [--replace]``: back up and restore everything.

The format and its guarantees are described in ``domain/exchange/dump.py``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from kyodo.server.cli.common import run_with_engine
from kyodo.server.private_files import owner_only

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

console = Console(stderr=True, soft_wrap=True)  # long paths and messages stay whole


def schema_head() -> str:
    """The Alembic head revision of this code: the schema a dump belongs to."""
    from kyodo.server.migrations_config import code_head

    return code_head()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]エラー[/red]: {message}", highlight=False)
    return typer.Exit(1)


def _size(path: Path) -> str:
    size = path.stat().st_size
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024:.1f} KB"


def dump_command(
    file: Path = typer.Argument(..., help="Where to write the dump (JSON, UTF-8)."),
) -> None:
    """バックアップ / Write every table to FILE (kyodo-dump JSON), a consistent snapshot.

    The file holds personal data (contacts): it is created readable by its owner only.
    API tokens are stored, and dumped, only as hashes.
    """
    from kyodo.domain.exchange.dump import DumpError, dump_database

    revision = schema_head()
    started = time.perf_counter()

    async def run(out_path: Path, engine: AsyncEngine) -> dict[str, int]:
        async with engine.connect() as conn:
            with out_path.open("w", encoding="utf-8", newline="\n") as out:
                return await dump_database(conn, out, schema_revision=revision)

    target = file.resolve()
    if not target.parent.is_dir():
        raise _fail(f"書き出し先のフォルダがありません: {target.parent}")
    # Owner-only, written beside the target and renamed at the end: a failed dump never
    # leaves a half-written file where a good backup was.
    try:
        with owner_only(target) as temporary_path:
            counts = run_with_engine(lambda engine: run(temporary_path, engine))
    except DumpError as error:
        raise _fail(str(error)) from None
    seconds = time.perf_counter() - started
    console.print(
        f"ダンプを書き出しました: {file}（{len(counts)} 表、{sum(counts.values()):,} 行、"
        f"{_size(target)}、{seconds:.1f} 秒、スキーマ版 {revision}）。",
        highlight=False,
    )
    console.print(
        "このファイルには個人情報（連絡先など）が含まれます。持ち出しと保管に注意してください。"
        "API トークンはハッシュだけが保存されているため、トークンそのものは含まれません。",
        highlight=False,
    )


def restore_command(
    file: Path = typer.Argument(..., help="A dump written by `kyodo dump`."),
    replace: bool = typer.Option(
        False, "--replace", help="Delete everything in the database first, then restore."
    ),
) -> None:
    """復元 / Restore a dump into an empty, migrated database, in one transaction.

    A database that holds data is refused unless --replace. Any problem in the file
    leaves the database exactly as it was.
    """
    from kyodo.domain.exchange.dump import DumpError
    from kyodo.domain.exchange.dump_restore import restore_database
    from kyodo.domain.transactions import WRITE_OPTIONS

    revision = schema_head()
    if not file.is_file():
        raise _fail(f"ファイルが見つかりません: {file}")
    started = time.perf_counter()

    async def run(engine: AsyncEngine) -> dict[str, int]:
        # A write transaction from the start (on SQLite: BEGIN IMMEDIATE, queued
        # behind the server's writers).
        async with engine.execution_options(**WRITE_OPTIONS).begin() as conn:
            with file.open("r", encoding="utf-8-sig") as source:  # tolerate a BOM
                return await restore_database(
                    conn, source, schema_revision=revision, replace=replace
                )

    try:
        counts = run_with_engine(run)
    except DumpError as error:
        raise _fail(f"{error}\nデータベースは変更していません。") from None
    seconds = time.perf_counter() - started
    console.print(
        f"復元しました: {file}（{len(counts)} 表、{sum(counts.values()):,} 行、"
        f"{seconds:.1f} 秒）。",
        highlight=False,
    )
