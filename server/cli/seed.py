"""``kyodo seed``: load the demo data."""

from __future__ import annotations

import typer

from kyodo.server.cli.common import console, run_in_session


def seed(
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Load only when the database holds no data yet."
    ),
) -> None:
    """デモデータを読み込む / Load the demo data (idempotent: existing records are left as they are)."""
    from kyodo.seeds.loader import load_demo_data, load_demo_data_if_empty

    counts = run_in_session(
        lambda session: load_demo_data_if_empty(session) if if_empty else load_demo_data(session)
    )
    if counts is None:
        console.print("データが既にあるため、デモデータは読み込みませんでした。")
        return
    created = sum(counts.values())
    console.print(f"デモデータを読み込みました（新規 {created} 件）。")
    for name, count in counts.items():
        if count:
            console.print(f"  {name}: {count}")
