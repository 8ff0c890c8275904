"""``kyodo token create|list|revoke``: API tokens (Authorization: Bearer ...)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import typer
from rich.console import Console
from rich.table import Table

from kyodo.domain.enums import Role
from kyodo.server.cli.common import actor, console, in_session, until, when

TokenRole = Enum(  # type: ignore[misc]
    "TokenRole", {role.name: role.value for role in Role if role is not Role.PUBLIC}, type=str
)
"""The roles a token may carry: PUBLIC is who calls without one (refused by create_token)."""

token_app = typer.Typer(
    help="API トークン / API tokens (Authorization: Bearer ...).", no_args_is_help=True
)


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
    from kyodo.domain.auth import service as tokens

    expires_at = tokens.expiry_end_of_day(expires.date()) if expires else None
    token, plaintext = in_session(
        lambda session: tokens.create_token(
            session,
            name=name,
            role=Role(role.value),
            department_code=department,
            expires_at=expires_at,
            actor=actor(),
        )
    )
    # The token alone goes to stdout, so that scripts can capture it; the rest to stderr.
    typer.echo(plaintext)
    console.print(
        f"トークンを発行しました: ID {token.id}、{token.name}（{token.role}"
        + (f"、{token.department_code}" if token.department_code else "")
        + f"）、有効期限 {until(token.expires_at)}。"
    )
    console.print(
        "[bold yellow]このトークンは二度と表示できません。[/bold yellow]"
        "いま安全な場所に保管してください（なくした場合は失効させて再発行します）。"
    )


@token_app.command("list")
def token_list() -> None:
    """トークンの一覧 / All tokens: who, role, department, prefix, dates; never the tokens themselves."""
    from kyodo.domain.auth import service as tokens
    from kyodo.domain.base import utcnow

    rows = in_session(tokens.list_tokens, writes=False)
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
            when(row.created_at),
            until(row.expires_at) if row.expires_at else "-",
            when(row.revoked_at),
            when(row.last_used_at),
            status,
        )
    Console().print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: int | None = typer.Argument(None, metavar="ID", help="The token's ID (see list)."),
    prefix: str | None = typer.Option(None, "--prefix", help="Or the token's first 8 characters."),
) -> None:
    """トークンを失効させる / Revoke a token: it is refused from the next request on."""
    from kyodo.domain.auth import service as tokens

    if (token_id is None) == (prefix is None):
        console.print("[red]エラー[/red]: ID か --prefix のどちらか一方を指定してください。")
        raise typer.Exit(2)
    token = in_session(
        lambda session: tokens.revoke_token(
            session, token_id=token_id, prefix=prefix, actor=actor()
        )
    )
    console.print(
        f"トークン ID {token.id}（{token.name}）を失効させました（{when(token.revoked_at)}）。"
    )
