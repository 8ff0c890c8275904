"""The ``kyodo`` command line (``kyodo = "kyodo.server.cli:app"``), one module per command group:

| module | commands |
|---|---|
| ``serve`` | ``kyodo serve`` |
| ``db`` | ``kyodo db upgrade``, ``kyodo db downgrade`` |
| ``seed`` | ``kyodo seed`` |
| ``schema`` | ``kyodo schema export`` |
| ``tokens`` | ``kyodo token create``, ``list``, ``revoke`` |
| ``documents`` | ``kyodo documents register``, ``list``, ``remove`` |
| ``imports`` | ``kyodo import partners``, ``agreements`` |
| ``exports`` | ``kyodo export partners``, ``agreements``, ``disaster-contacts`` |
| ``dump`` | ``kyodo dump``, ``kyodo restore`` |
| ``audit`` | ``kyodo audit prune-reads`` |

``common`` holds what they share (the one engine and session helper, the console, the
actor of audit events, dates as shown); ``trouble`` turns database trouble into one line.
No command module imports another, nor this one.
"""

from __future__ import annotations

import typer

from kyodo.server.cli.audit import audit_app
from kyodo.server.cli.db import db_app
from kyodo.server.cli.documents import documents_app
from kyodo.server.cli.dump import dump_command, restore_command
from kyodo.server.cli.exports import export_app
from kyodo.server.cli.imports import import_app
from kyodo.server.cli.schema import schema_app
from kyodo.server.cli.seed import seed
from kyodo.server.cli.serve import serve
from kyodo.server.cli.tokens import token_app
from kyodo.server.cli.trouble import KyodoGroup

app = typer.Typer(
    cls=KyodoGroup,
    help="kyodo — 協働 GraphQL API: the city's citizen–city collaboration service. "
    "The database comes from DATABASE_URL (default: ./kyodo.db in the working folder).",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(schema_app, name="schema")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(documents_app, name="documents")
app.add_typer(audit_app, name="audit")
app.command("dump")(dump_command)
app.command("restore")(restore_command)
app.command()(serve)
app.command()(seed)

__all__ = ["app"]
