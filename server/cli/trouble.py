"""How every ``kyodo`` command tells trouble with the database: one line on stderr and
status 1, not a traceback (``KyodoGroup``, the group class of the ``kyodo`` app)."""

from __future__ import annotations

from typing import Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from kyodo.server.settings import get_settings


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
    from kyodo.schema.database_trouble import database_trouble
    from kyodo.server.preflight import DatabaseNotReady, missing_database

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
