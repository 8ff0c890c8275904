"""``kyodo export ...``: the partner, agreement and disaster-contact lists as files.

For the day the web front ends are down: the lists come straight from the database
(``DATABASE_URL``), as CSV or an Excel workbook (.xlsx) for the office, JSON for other
systems and, for the disaster contacts, a page to print. Reading personal data this way
is logged like any other read (APPI), under the name ``cli:<user>``. The lists hold phone
numbers: files are written readable by their owner only (0600), like dumps.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from kyodo.domain.enums import AgreementCategory
from kyodo.server.cli.common import actor, run_in_session

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from kyodo.domain.exchange.exports import CsvEncoding, ExportFile, ExportFormat

export_app = typer.Typer(
    help="書き出し / Export lists as files: CSV or XLSX (Excel), JSON, printable HTML.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)

ALL_CATEGORIES = "ALL"

FORMAT_HELP = "csv (UTF-8 with BOM, for Excel), xlsx (Excel workbook) or json."
ENCODING_HELP = (
    "CSV only: utf-8 (default, with BOM) or cp932 (Shift_JIS). Characters CP932 cannot "
    "hold refuse the export, naming the record."
)
# A refused CP932 export lists this many problems, then a count of the rest.
MAX_PRINTED_PROBLEMS = 20
OUTPUT_HELP = (
    "File to write (default: kyodo-<list>-<date>.<format> in the current directory); "
    "'-' writes to standard output."
)
ON_HELP = "The date the list is for, YYYY-MM-DD (default: today, Japan time)."


def _today() -> date:
    from kyodo.schema.context import today_in_tokyo

    return today_in_tokyo()


def _format(value: str) -> ExportFormat:
    from kyodo.domain.exchange.exports import ExportFormat

    try:
        return ExportFormat(value.strip().lower())
    except ValueError:
        console.print(
            f"[red]エラー[/red]: 形式「{value}」は使えません。csv、xlsx、json、html のどれかです。"
        )
        raise typer.Exit(2) from None


def _encoding(value: str) -> CsvEncoding:
    from kyodo.domain.exchange.exports import UnsupportedFormat, csv_encoding

    try:
        return csv_encoding(value)
    except UnsupportedFormat as error:
        console.print(f"[red]エラー[/red]: {error}", highlight=False)
        raise typer.Exit(2) from None


def _export(
    build: Callable[[AsyncSession], Awaitable[ExportFile]], output: Path | None
) -> ExportFile:
    """Build the export in one transaction, log its personal data, commit; write it out."""
    from kyodo.domain.audit.log import record_personal_data_reads
    from kyodo.domain.errors import DomainError
    from kyodo.domain.exchange.exports import UnsupportedFormat
    from kyodo.domain.transactions import WriteLockTimeout, begin_write

    async def build_and_log(session: AsyncSession) -> ExportFile:
        # Read first, then take the write lock only to log the reads.
        export = await build(session)
        await begin_write(session)
        await record_personal_data_reads(session, actor=actor(), reads=export.personal_reads)
        return export

    try:
        export = run_in_session(build_and_log, writes=False)
    except UnsupportedFormat as error:
        console.print(f"[red]エラー[/red]: {error}")
        raise typer.Exit(2) from None
    except WriteLockTimeout as error:
        console.print(f"[red]エラー[/red]: {error.message}")
        raise typer.Exit(1) from None
    except DomainError as error:
        # --on outside the dates the data can hold; text a CP932 file cannot hold
        for problem in error.problems[:MAX_PRINTED_PROBLEMS]:
            console.print(f"[red]エラー[/red]: {escape(problem.message)}", highlight=False)
        if len(error.problems) > MAX_PRINTED_PROBLEMS:
            console.print(f"…ほか {len(error.problems) - MAX_PRINTED_PROBLEMS:,} 件")
        raise typer.Exit(2) from None
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(export.body)
        sys.stdout.buffer.flush()
        return export
    target = output or Path(export.filename)
    try:
        _write_private(target, export.body)
    except OSError as error:
        console.print(f"[red]エラー[/red]: {target} に書き込めません（{error.strerror}）。")
        raise typer.Exit(1) from None
    console.print(f"{target} に書き出しました（{export.rows} 件）。")
    return export


def _write_private(target: Path, body: bytes) -> None:
    """Every list holds phone numbers or names: readable by the owner only (0600)."""
    from kyodo.server.private_files import owner_only

    with owner_only(target) as temporary:
        temporary.write_bytes(body)


def _on(value: str | None) -> date:
    if value is None:
        return _today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        console.print(
            f"[red]エラー[/red]: 日付「{value}」が正しくありません。"
            "YYYY-MM-DD の形で指定してください（例: 2022-03-10）。"
        )
        raise typer.Exit(2) from None


@export_app.command("partners")
def export_partners(
    format: str = typer.Option("csv", "--format", "-f", help=FORMAT_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
) -> None:
    """パートナー一覧 / Active partners (協働のパートナー), 五十音 order; the CSV or XLSX re-imports with kyodo import."""
    from kyodo.domain.exchange import exports

    _export_list(exports.export_partners, format, output, on, encoding)


def _export_list(
    export: Callable[..., Awaitable[ExportFile]],
    format: str,
    output: Path | None,
    on: str | None,
    encoding: str,
) -> None:
    """A list that takes only its format, date and encoding, written to ``output``."""
    fmt, day, chosen = _format(format), _on(on), _encoding(encoding)
    _export(lambda session: export(session, fmt=fmt, on=day, encoding=chosen), output)


@export_app.command("agreements")
def export_agreements(
    format: str = typer.Option("csv", "--format", "-f", help=FORMAT_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    category: str = typer.Option(
        AgreementCategory.DISASTER_SUPPORT.value,
        "--category",
        help="DISASTER_SUPPORT (default: Hokkaido's open-data list), another category, or ALL.",
    ),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
) -> None:
    """協定一覧 / Agreements in force on the date, in Hokkaido's open-data layout (協定区分 marked ○)."""
    from kyodo.domain.exchange import exports

    fmt, day, chosen_encoding = _format(format), _on(on), _encoding(encoding)
    chosen = _category(category)
    _export(
        lambda session: exports.export_agreements(
            session, fmt=fmt, on=day, category=chosen, encoding=chosen_encoding
        ),
        output,
    )


def _category(value: str) -> AgreementCategory | None:
    name = value.strip().upper()
    if name == ALL_CATEGORIES:
        return None
    try:
        return AgreementCategory(name)
    except ValueError:
        names = "、".join([*(c.value for c in AgreementCategory), ALL_CATEGORIES])
        console.print(
            f"[red]エラー[/red]: 協定の分類「{value}」はありません。{names} のどれかです。"
        )
        raise typer.Exit(2) from None


@export_app.command("disaster-contacts")
def export_disaster_contacts(
    format: str = typer.Option(
        "html", "--format", "-f", help="html (to print; default), csv or json."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
) -> None:
    """災害時連絡先 / Who helps with what on the date, and how to reach them: one table per 協定区分."""
    from kyodo.domain.exchange import exports

    _export_list(exports.export_disaster_contacts, format, output, on, encoding)


@export_app.command("support-requests")
def export_support_requests(
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
) -> None:
    """応援要請の記録 / The activation log for the after-action report (CSV): every request of the events started by the date."""
    from kyodo.domain.exchange import disaster_exports
    from kyodo.domain.exchange.exports import ExportFormat

    day, chosen = _on(on), _encoding(encoding)
    _export(
        lambda session: disaster_exports.export_support_requests(
            session, fmt=ExportFormat.CSV, on=day, encoding=chosen
        ),
        output,
    )


@export_app.command("agreements-due")
def export_agreements_due(
    output: Path | None = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
    on: str | None = typer.Option(None, "--on", help=ON_HELP),
) -> None:
    """協定の期限 / Notice deadlines, term ends and reviews for a year from the date, as an iCal (.ics) calendar."""
    from kyodo.domain.exchange import disaster_exports
    from kyodo.domain.exchange.exports import ExportFormat

    day = _on(on)
    _export(
        lambda session: disaster_exports.export_agreements_due(
            session, fmt=ExportFormat.ICS, on=day, include_internal=True
        ),
        output,
    )
