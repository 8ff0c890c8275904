"""The ``kyodo`` command line: serve, migrate, seed, export the schema, manage API tokens."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from domain.enums import Role
from server.cli_documents import documents_app
from server.cli_dump import dump_command, restore_command
from server.cli_export import export_app
from server.cli_import import import_app
from server.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

TokenRole = Enum(  # type: ignore[misc]
    "TokenRole", {role.name: role.value for role in Role if role is not Role.PUBLIC}, type=str
)
"""The roles a token may carry: PUBLIC is who calls without one (refused by create_token)."""
TOKYO = ZoneInfo("Asia/Tokyo")

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schema" / "schema.graphql"


class KyodoGroup(TyperGroup):
    """Every kyodo command: trouble with the database (unreachable, missing, not
    migrated) is told in one line on stderr with status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            line = one_line_for(error)
            if line is None:
                raise
            Console(stderr=True, soft_wrap=True).print(
                f"[red]エラー[/red]: {escape(line)}", highlight=False
            )
            raise typer.Exit(1) from None


def one_line_for(error: BaseException) -> str | None:
    """What to tell about an error of the database's, in one line; None for a bug."""
    from schema.database_trouble import database_trouble
    from server.preflight import DatabaseNotReady, missing_database

    if isinstance(error, DatabaseNotReady):
        return error.message
    missing = missing_database(error, get_settings().database_url)
    if missing is not None:
        return missing.message
    trouble = database_trouble(error)
    if trouble is not None:
        return database_trouble_line(trouble.code, trouble.detail)
    return None


def database_trouble_line(code: str, detail: str) -> str:
    """One line for the terminal: what failed, where (no password), what to check."""
    from sqlalchemy.engine import make_url

    try:
        where = make_url(get_settings().database_url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL fails with its own message elsewhere
        where = "DATABASE_URL"
    if code == "TIMEOUT":
        return (
            f"データベース（{where}）の処理が時間内に終わりませんでした。"
            f"しばらくしてからもう一度実行してください。（{detail}）"
            f" / The database ({where}) did not answer in time: try again later."
        )
    return (
        f"データベース（{where}）に接続できません。DATABASE_URL と、データベースが"
        f"起動しているかを確かめてください。（{detail}）"
        f" / Cannot connect to the database ({where}): check DATABASE_URL and that the"
        " database server is running."
    )


app = typer.Typer(
    cls=KyodoGroup,
    help="kyodo — 協働 GraphQL API: the city's citizen–city collaboration service. "
    "The database comes from DATABASE_URL (default: ./kyodo.db in the working folder).",
    no_args_is_help=True,
)
db_app = typer.Typer(
    help="データベースの移行 / Database migrations (Alembic).", no_args_is_help=True
)
schema_app = typer.Typer(help="GraphQL スキーマ / The GraphQL schema.", no_args_is_help=True)
token_app = typer.Typer(
    help="API トークン / API tokens (Authorization: Bearer ...).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(documents_app, name="documents")
app.command("dump")(dump_command)
app.command("restore")(restore_command)
console = Console(stderr=True)


def _alembic_config(database_url: str | None = None):  # type: ignore[no-untyped-def]
    """Alembic's config; its output goes through the service's log format
    (server/logs.py) rather than alembic.ini's."""
    from server.logs import configure_logging
    from server.migrations_config import alembic_config

    settings = get_settings()
    configure_logging(settings.log_level, log_format=settings.log_format)
    return alembic_config(database_url or settings.database_url)


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default KYODO_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default KYODO_PORT or 8000)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
    workers: int = typer.Option(
        None,
        min=1,
        help="Server processes (default KYODO_WORKERS or 1); each has its own connection "
        "pool and keeps no state, so any of them may answer any request.",
    ),
) -> None:
    """API を提供する / Serve the GraphQL API (GraphiQL at /graphql outside production).

    Refuses to start on a database that is missing or not migrated (run kyodo db upgrade).
    """
    import uvicorn

    from server.preflight import require_migrated
    from server.settings import ConfigurationError

    settings = get_settings()
    try:
        settings.check_ready_to_serve()
    except ConfigurationError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    processes = workers or settings.workers
    if reload and processes > 1:
        console.print("[red]--reload は 1 プロセスでのみ使えます（--workers 1）。[/red]")
        raise typer.Exit(2)
    # Serving a database that is missing or not at this code's migration head would
    # answer "Unexpected error." to every query while /healthz said ok: refuse instead.
    asyncio.run(require_migrated(settings.database_url))
    from server.logs import logging_config
    from server.metrics_processes import cleanup_multiprocess, prepare_multiprocess

    # Several workers count into files of one shared directory (server/metrics.py).
    shared = prepare_multiprocess(processes) if settings.metrics_access != "off" else None
    try:
        # uvloop and httptools (uvicorn[standard]) are picked up when installed.
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            reload=reload,
            workers=processes,
            # A WebSocket message (a subscription) is bounded like a request body.
            ws_max_size=settings.max_body_bytes,
            log_level=settings.log_level,
            # Every line, uvicorn's included: timestamp, level, request id (server/logs.py).
            log_config=logging_config(
                settings.log_level, sql_echo=settings.sql_echo, log_format=settings.log_format
            ),
        )
    finally:
        cleanup_multiprocess(shared)


def _migrate(run: Callable[[], None]) -> None:
    """Run an Alembic command; its refusals and errors are printed, with status 1."""
    from alembic.util import CommandError

    from migrations.safety import DowngradeRefused

    try:
        run()
    except (DowngradeRefused, CommandError) as error:
        console.print(f"[red]エラー[/red]: {error}")
        raise typer.Exit(1) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("head", help="Target revision (default: head, the latest)."),
) -> None:
    """移行する / Apply migrations up to REVISION; creates a SQLite file if there is none."""
    from alembic import command

    _migrate(lambda: command.upgrade(_alembic_config(), revision))


# "-1" looks like an option to Click: let it through as the REVISION argument.
@db_app.command("downgrade", context_settings={"ignore_unknown_options": True})
def db_downgrade(
    revision: str = typer.Argument(..., help="Target, e.g. -1 (one step back) or base."),
    drop_tokens: bool = typer.Option(
        False,
        "--drop-tokens",
        help="Allow reverting the API-token migration although tokens exist (they are lost).",
    ),
) -> None:
    """移行を戻す / Revert migrations down to REVISION; issued API tokens are never dropped unasked."""
    from alembic import command

    from server.preflight import require_sqlite_file

    require_sqlite_file(get_settings().database_url)  # never create one to revert it
    cfg = _alembic_config()
    cfg.attributes["drop_tokens"] = drop_tokens
    _migrate(lambda: command.downgrade(cfg, revision))


@app.command()
def seed(
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Load only when the database holds no data yet."
    ),
) -> None:
    """デモデータを読み込む / Load the demo data (idempotent: existing records are left as they are)."""
    counts = asyncio.run(_seed(if_empty))
    if counts is None:
        console.print("データが既にあるため、デモデータは読み込みませんでした。")
        return
    created = sum(counts.values())
    console.print(f"デモデータを読み込みました（新規 {created} 件）。")
    for name, count in counts.items():
        if count:
            console.print(f"  {name}: {count}")


async def _seed(if_empty: bool) -> dict[str, int] | None:
    from domain.transactions import begin_write
    from seeds.loader import load_demo_data, load_demo_data_if_empty
    from server.db import make_sessionmaker
    from server.preflight import command_engine

    engine = await command_engine()
    try:
        async with make_sessionmaker(engine)() as session:
            await begin_write(session)
            counts = await (
                load_demo_data_if_empty(session) if if_empty else load_demo_data(session)
            )
            await session.commit()
            return counts
    finally:
        await engine.dispose()


@schema_app.command("export")
def schema_export(
    output: Path = typer.Option(SCHEMA_FILE, "--output", "-o", help="Where to write the SDL."),
) -> None:
    """スキーマを書き出す / Write the live schema as SDL (the committed schema/schema.graphql)."""
    from schema import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")
    console.print(f"wrote {output}")


# ---------------------------------------------------------------- tokens


def _actor() -> str:
    """How the CLI appears in audit events."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


def _in_session(work: Callable[[AsyncSession], Awaitable[T]], *, writes: bool = True) -> T:
    """Run ``work(session)`` in one transaction on the configured database; commit it.

    A transaction that ``writes`` is a write transaction from the start (on SQLite it
    queues behind the server's writers). A DomainError is printed (in Japanese, field by
    field) and exits with status 1; so does a database too busy to write.
    """
    from domain.errors import DomainError
    from domain.transactions import WriteLockTimeout, begin_write
    from server.db import make_sessionmaker
    from server.preflight import command_engine

    async def run() -> T:
        engine = await command_engine()
        try:
            async with make_sessionmaker(engine)() as session:
                if writes:
                    await begin_write(session)
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except DomainError as error:
        for problem in error.problems:
            console.print(f"[red]エラー[/red]: {problem.message}")
        raise typer.Exit(1) from None
    except WriteLockTimeout as error:
        console.print(f"[red]エラー[/red]: {error.message}")
        raise typer.Exit(1) from None


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    from domain.auth.service import as_utc

    return as_utc(value).astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")


def _until(value: datetime | None) -> str:
    """An expiry as people say it: ``--expires 2027-03-31`` shows as "2027-03-31 まで"."""
    if value is None:
        return "なし"
    from domain.auth.service import as_utc

    local = as_utc(value).astimezone(TOKYO)
    if local.time() == time(0):
        return f"{local - timedelta(days=1):%Y-%m-%d} まで"
    return f"{local:%Y-%m-%d %H:%M} まで"


@token_app.command("create")
def token_create(
    name: str = typer.Option(..., "--name", help="Who uses it, e.g. 「危機管理室 端末1」."),
    role: TokenRole = typer.Option(
        ..., "--role", help="Who holds it (PUBLIC needs no token: callers without one are PUBLIC)."
    ),
    department: str | None = typer.Option(
        None, "--department", help="Department code; required for STAFF (e.g. machizukuri)."
    ),
    expires: datetime | None = typer.Option(
        None,
        "--expires",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Last day the token works (through 23:59 Japan time). Default: no expiry.",
    ),
) -> None:
    """トークンを発行する / Issue a token and print it ONCE on stdout (only its hash is stored)."""
    from domain.auth import service as tokens

    expires_at = tokens.expiry_end_of_day(expires.date()) if expires else None
    token, plaintext = _in_session(
        lambda session: tokens.create_token(
            session,
            name=name,
            role=Role(role.value),
            department_code=department,
            expires_at=expires_at,
            actor=_actor(),
        )
    )
    # The token alone goes to stdout, so that scripts can capture it; the rest to stderr.
    typer.echo(plaintext)
    console.print(
        f"トークンを発行しました: ID {token.id}、{token.name}（{token.role}"
        + (f"、{token.department_code}" if token.department_code else "")
        + f"）、有効期限 {_until(token.expires_at)}。"
    )
    console.print(
        "[bold yellow]このトークンは二度と表示できません。[/bold yellow]"
        "いま安全な場所に保管してください（なくした場合は失効させて再発行します）。"
    )


@token_app.command("list")
def token_list() -> None:
    """トークンの一覧 / All tokens: who, role, department, prefix, dates; never the tokens themselves."""
    from domain.auth import service as tokens
    from domain.base import utcnow

    rows = _in_session(tokens.list_tokens, writes=False)
    now = utcnow()
    table = Table(title="API トークン")
    # Narrow terminals wrap the other columns; the prefix (how a token is recognised)
    # and the status stay whole.
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("名前", overflow="fold")
    table.add_column("ロール", overflow="fold")
    table.add_column("担当課", overflow="fold")
    table.add_column("先頭", no_wrap=True, min_width=8)
    for column in ("作成", "有効期限", "失効", "最終利用"):
        table.add_column(column, overflow="fold")
    table.add_column("状態", no_wrap=True, min_width=4)
    for row in rows:
        if row.revoked_at is not None:
            status = "失効"
        elif not tokens.is_active(row, now=now):
            status = "期限切れ"
        else:
            status = "有効"
        table.add_row(
            str(row.id),
            row.name,
            str(row.role),
            row.department_code or "-",
            row.prefix,
            _when(row.created_at),
            _until(row.expires_at) if row.expires_at else "-",
            _when(row.revoked_at),
            _when(row.last_used_at),
            status,
        )
    Console().print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: int | None = typer.Argument(None, metavar="ID", help="The token's ID (see list)."),
    prefix: str | None = typer.Option(None, "--prefix", help="Or the token's first 8 characters."),
) -> None:
    """トークンを失効させる / Revoke a token: it is refused from the next request on."""
    from domain.auth import service as tokens

    if (token_id is None) == (prefix is None):
        console.print("[red]エラー[/red]: ID か --prefix のどちらか一方を指定してください。")
        raise typer.Exit(2)
    token = _in_session(
        lambda session: tokens.revoke_token(
            session, token_id=token_id, prefix=prefix, actor=_actor()
        )
    )
    console.print(
        f"トークン ID {token.id}（{token.name}）を失効させました（{_when(token.revoked_at)}）。"
    )


if __name__ == "__main__":
    app()
