"""``kyodo db upgrade`` and ``kyodo db downgrade``: database migrations (Alembic)."""

from __future__ import annotations

from collections.abc import Callable

import typer

from kyodo.server.cli.common import console
from kyodo.server.settings import get_settings

db_app = typer.Typer(
    help="データベースの移行 / Database migrations (Alembic).", no_args_is_help=True
)


def _alembic_config(database_url: str | None = None):  # type: ignore[no-untyped-def]
    """Alembic's config; its output goes through the service's log format
    (server/logs.py) rather than alembic.ini's."""
    from kyodo.server.logs import configure_logging
    from kyodo.server.migrations_config import alembic_config

    settings = get_settings()
    configure_logging(settings.log_level, log_format=settings.log_format)
    return alembic_config(database_url or settings.database_url)


def _migrate(run: Callable[[], None]) -> None:
    """Run an Alembic command; its refusals and errors are printed, with status 1."""
    from alembic.util import CommandError

    from kyodo.migrations.safety import DowngradeRefused

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

    from kyodo.server.preflight import require_sqlite_file

    require_sqlite_file(get_settings().database_url)  # never create one to revert it
    cfg = _alembic_config()
    cfg.attributes["drop_tokens"] = drop_tokens
    _migrate(lambda: command.downgrade(cfg, revision))
