"""``kyodo schema export``: the live schema as SDL."""

from __future__ import annotations

from pathlib import Path

import typer

from kyodo.server.cli.common import console

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema" / "schema.graphql"

schema_app = typer.Typer(help="GraphQL スキーマ / The GraphQL schema.", no_args_is_help=True)


@schema_app.command("export")
def schema_export(
    output: Path = typer.Option(SCHEMA_FILE, "--output", "-o", help="Where to write the SDL."),
) -> None:
    """スキーマを書き出す / Write the live schema as SDL (the committed schema/schema.graphql)."""
    from kyodo.schema import schema

    output.write_text(schema.as_str() + "\n", encoding="utf-8")
    console.print(f"wrote {output}")
