"""Downgrades that would destroy data people depend on refuse unless told otherwise.

The rule for every migration (README, *Migrations*): a migration touches only the
tables it is about, so API tokens (``api_token``) — and all other data — survive
every downgrade and upgrade of a migration that does not concern them
(tests/test_migrations_tokens.py checks each migration after the tokens one). A
downgrade that must drop rows people still need (the tokens migration's own) calls
:func:`refuse_to_drop_rows` first: it refuses while the table holds rows, unless the
operator allowed it (``kyodo db downgrade ... --drop-tokens``, or ``alembic -x
drop_tokens=yes downgrade ...``). The refusal comes before any change, inside the
migration's transaction, so the database stays at its revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op


class DowngradeRefused(RuntimeError):
    """A downgrade stopped before changing anything, because it would drop data."""


def allowed(flag: str) -> bool:
    """Did the caller allow ``flag`` (the CLI sets ``config.attributes[flag]``; the
    ``alembic`` command passes ``-x flag=yes``)?"""
    if context.config.attributes.get(flag):
        return True
    given = context.get_x_argument(as_dictionary=True)
    return flag in given and given[flag].lower() in {"", "1", "yes", "true"}


def refuse_to_drop_rows(table: str, *, flag: str, what: str, option: str) -> None:
    """Raise :class:`DowngradeRefused` when ``table`` has rows and ``flag`` is not allowed.

    ``what`` names the rows in the message (e.g. "API トークン"), ``option`` is the CLI
    option that allows it (e.g. "--drop-tokens"). Offline (SQL script) runs cannot count
    rows and are not stopped.
    """
    if context.is_offline_mode() or allowed(flag):
        return
    count = op.get_bind().execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    if count:
        raise DowngradeRefused(
            f"この downgrade は {what} {count} 件をすべて削除します（テーブル {table}）。"
            f"削除してよければ {option} を付けて実行してください"
            f"（alembic では -x {flag}=yes）。何も変更していません。"
        )
