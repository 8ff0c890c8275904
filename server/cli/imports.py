"""``kyodo import``: load partners and agreements from CSV, XLSX, JSON or JSON Lines files.

The files come from other municipal systems and from Excel (workbooks, or CSV in
Shift_JIS/CP932 or UTF-8, with or without BOM, detected automatically). Each run is one transaction: any
problem refuses the whole file, prints every problem by line and column, and writes
nothing. Exit status: 0 done (or dry run passed), 1 file refused, 2 wrong usage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from kyodo.domain.enums import AgreementCategory
from kyodo.server.cli.common import actor, run_in_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kyodo.domain.exchange.source import RowProblem, SourceTable

T = TypeVar("T")

import_app = typer.Typer(
    help="読み込み / Import partners or agreements from CSV / XLSX / JSON / JSON Lines files (all or nothing).",
    no_args_is_help=True,
)
err = Console(stderr=True)

# Files longer than this show a progress bar (on a terminal).
PROGRESS_ROWS = 2000
# A file with thousands of bad rows prints the first ones and a count of the rest.
MAX_PRINTED_PROBLEMS = 200

FILE_HELP = (
    "CSV (UTF-8 / UTF-8 BOM / Shift_JIS), Excel workbook (.xlsx, first sheet), "
    "JSON (array of objects) or JSON Lines."
)
ENCODING_HELP = (
    "Force the encoding of a CSV or JSON file (utf-8, cp932, shift_jis...). "
    "Default: detect UTF-8 or CP932. Not used for .xlsx."
)
DRY_RUN_HELP = "Check everything and show what would change; write nothing."


def _out() -> Console:
    # Built per command so that a test runner's captured stdout is used.
    return Console(soft_wrap=True)


def _say(console: Console, text: str) -> None:
    """Print text as is: file contents may hold [brackets] that rich would read as markup."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _read(file: Path, encoding: str | None) -> SourceTable:
    from kyodo.domain.exchange.reading import check_encoding_name, read_table
    from kyodo.domain.exchange.source import ImportRefused

    if encoding is not None:
        try:
            check_encoding_name(encoding)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--encoding") from None
    try:
        return read_table(file.read_bytes(), name=file.name, encoding=encoding)
    except ImportRefused as refused:
        _refuse(file, refused.problems)
    except OSError as error:
        _say(err, f"エラー: ファイル {file} を読めません（{error.strerror}）。")
        raise typer.Exit(1) from None


def _refuse(file: Path, problems: list[RowProblem]) -> NoReturn:
    for problem in problems[:MAX_PRINTED_PROBLEMS]:
        _say(err, problem.render())
    if len(problems) > MAX_PRINTED_PROBLEMS:
        _say(err, f"…ほか {len(problems) - MAX_PRINTED_PROBLEMS:,} 件")
    _say(
        err,
        f"{file.name} は読み込みませんでした（問題 {len(problems):,} 件）。"
        "データベースには何も書き込んでいません。",
    )
    raise typer.Exit(1)


def _in_transaction(file: Path, work: Callable[[AsyncSession], Awaitable[T]], *, commit: bool) -> T:
    """Run ``work`` in one transaction on the configured database (DATABASE_URL);
    commit it unless ``commit`` is False (dry run). Refused input exits with 1."""
    from sqlalchemy.exc import IntegrityError

    from kyodo.domain.exchange.source import ImportRefused
    from kyodo.domain.transactions import WriteLockTimeout

    try:
        return run_in_session(work, commit=commit)
    except ImportRefused as refused:
        _refuse(file, refused.problems)
    except WriteLockTimeout as error:
        _say(err, error.message)
        raise typer.Exit(1) from None
    except IntegrityError:
        _say(
            err,
            "同じキーのデータが同時に登録されたため、読み込みを中止しました（何も書き込んでいません）。"
            "もう一度実行してください。",
        )
        raise typer.Exit(1) from None


PROGRESS_STEPS = {"read": "行の読み取り", "check": "検証", "write": "書き込み"}


@contextmanager
def _progress(rows: int) -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress bars for long files on a terminal, one per step, each with the file's
    row count as its total (so that it says 4,000/12,000, never 0/?); None otherwise."""
    if rows <= PROGRESS_ROWS or not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks = {
            step: progress.add_task(label, total=rows, visible=step == "read")
            for step, label in PROGRESS_STEPS.items()
        }

        def on_step(step: str, done: int, total: int) -> None:
            progress.update(tasks[step], completed=done, total=total, visible=True)

        yield on_step


def _describe(file: Path, table: SourceTable, rows: int) -> str:
    parts = [table.format.value, table.encoding, f"{rows:,}件"]  # no encoding: XLSX
    return f"{file.name}（{'、'.join(p for p in parts if p)}）"


def _summary(dry_run: bool, done: str, created: int) -> Table:
    """The counts of an import (on a dry run, what it would write), from 新規登録 on."""
    summary = Table(
        title=("試行（--dry-run）: 次のとおり反映されます。まだ何も書き込んでいません。")
        if dry_run
        else done,
        title_justify="left",
    )
    summary.add_column("結果")
    summary.add_column("件数", justify="right")
    summary.add_row("新規登録" if not dry_run else "新規登録される", f"{created:,}")
    return summary


# ------------------------------------------------------------------ partners


@import_app.command("partners")
def import_partners(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=FILE_HELP),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """パートナーの読み込み / Create or update partners (same rules as partnersUpsert), keyed by 外部ID, else 法人番号.

    Headers in Japanese (名称, フリガナ, 種別, 法人番号, 地区, 代表者, 郵便番号, 住所,
    電話番号, メールアドレス, 分野, 外部ID) or as in the API (name, nameKana, kind, ...).
    """
    from kyodo.domain.exchange.partners_import import import_partners as run_import

    table = _read(file, encoding)
    with _progress(len(table.rows)) as on_step:
        result = _in_transaction(
            file,
            lambda session: run_import(
                session, table=table, dry_run=dry_run, actor=actor(), on_step=on_step
            ),
            commit=not dry_run,
        )
    out = _out()
    summary = _summary(dry_run, "パートナーを読み込みました。", result.created)
    summary.add_row("更新" if not dry_run else "更新される", f"{result.updated:,}")
    summary.add_row("変更なし", f"{result.unchanged:,}")
    _say(out, _describe(file, table, result.rows))
    out.print(summary)


# ------------------------------------------------------------------ agreements


def _date_option(value: str | None) -> date | None:
    from kyodo.domain.exchange.columns import parse_japanese_date

    if value is None:
        return None
    try:
        return parse_japanese_date(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--concluded-on") from None


@import_app.command("agreements")
def import_agreements(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=FILE_HELP),
    department: str = typer.Option(
        "kikikanri",
        "--department",
        help="担当課 (code or name) for rows without a 担当課 column value.",
    ),
    category: AgreementCategory = typer.Option(
        AgreementCategory.DISASTER_SUPPORT, "--category", help="Kind of agreement of every row."
    ),
    municipality: str | None = typer.Option(
        None,
        "--municipality",
        help="Only the rows of this 市町村名 (Hokkaido's list covers every municipality).",
    ),
    concluded_on: str | None = typer.Option(
        None,
        "--concluded-on",
        help="締結日 for rows without one, e.g. 令和4年3月10日 (else those stay drafts).",
    ),
    encoding: str | None = typer.Option(None, "--encoding", help=ENCODING_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help=DRY_RUN_HELP),
) -> None:
    """協定の読み込み / Create agreements with their counterparties and 協定区分 (Hokkaido's open-data layout).

    Columns: 協定の名称, 協定相手方 (several separated by 、 or line breaks), the 協定区分
    columns marked ○, optionally 市町村名, No, 締結日, 担当課, 外部ID, 協定の内容.
    Counterparties are matched to partners by name or registered. Agreements already
    stored (same 外部ID, or same title and counterparties) are left as they are.
    """
    from kyodo.domain.exchange.agreements_import import import_agreements as run_import
    from kyodo.schema.context import today_in_tokyo

    concluded = _date_option(concluded_on)
    table = _read(file, encoding)
    result = _in_transaction(
        file,
        lambda session: run_import(
            session,
            table=table,
            dry_run=dry_run,
            actor=actor(),
            department=department,
            category=category,
            municipality=municipality,
            concluded_on=concluded,
            today=today_in_tokyo(),
        ),
        commit=not dry_run,
    )
    out = _out()
    _say(out, _describe(file, table, result.rows))
    listed = [o for o in result.outcomes if o.action != "unchanged"]
    if listed:
        rows = Table(title_justify="left")
        rows.add_column("行", no_wrap=True)
        rows.add_column("協定の名称", overflow="fold")
        rows.add_column("結果", overflow="fold")
        rows.add_column(
            "新しく登録する相手方" if dry_run else "新しく登録した相手方", overflow="fold"
        )
        for outcome in listed:
            if outcome.action == "created":
                what = "新規登録される" if dry_run else "新規登録"
            elif outcome.action == "flagged":
                what = "登録しない（相手方が団体の総称だけです）"
            else:
                what = f"既存（{'・'.join(outcome.differences)}がファイルと異なります。変更していません）"
            rows.add_row(
                outcome.where,
                Text(outcome.title),
                what,
                Text("、".join(outcome.new_parties) or "-"),
            )
        out.print(rows)
    summary = _summary(dry_run, "協定を読み込みました。", result.created)
    summary.add_row("  うち締結", f"{result.concluded:,}")
    summary.add_row("  うち協定区分がないため下書き", f"{result.drafts_without_support:,}")
    summary.add_row("変更なし（登録済み）", f"{result.unchanged:,}")
    summary.add_row("登録済みで内容が異なる（変更していません）", f"{result.differs:,}")
    summary.add_row(
        "新しく登録する相手方" if dry_run else "新しく登録した相手方",
        f"{result.partners_created:,}",
    )
    summary.add_row("改正の日付がある協定（協定の内容に記録）", f"{result.amended:,}")
    summary.add_row("相手方に団体の総称がある協定（要確認）", f"{result.flagged:,}")
    out.print(summary)
    for outcome in result.outcomes:
        if outcome.collective_parties:
            kept = (
                "協定は登録していません"
                if outcome.action == "flagged"
                else "協定の内容に記録しました"
            )
            _say(
                out,
                f"要確認 {outcome.where}「{outcome.title}」: 相手方「"
                f"{'」「'.join(outcome.collective_parties)}」は団体の総称のため、パートナーとして"
                f"登録していません（{kept}）。実際に連絡する団体を登録してください。",
            )
