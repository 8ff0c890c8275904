"""The last ``../shared/bench/peer.sh`` table, as recorded (issue 9): kyodo against
PostGraphile 5 needs a second server and minutes, so ``make bench`` does not run it; it
prints the recorded ratios beside its own in-process figures, to be read together. Record
a new run here and in the README's performance section."""

from __future__ import annotations

from typing import Any

RUN = (
    "peer.sh, cache off, 1 round x 4 s, demo data, 2026-12-01, load 9-11; "
    "main be88eb5 vs this work (perf), interleaved with PostGraphile 5.1.5 in each run"
)

RATIOS: tuple[tuple[str, int, float, float, str], ...] = (
    # shape, c, main kyodo/PG5 rps, now kyodo/PG5 rps, SQL statements per request (PG5)
    ("list", 1, 0.53, 0.67, "2.15 (2)"),
    ("list", 8, 0.24, 0.66, "2.15 (2)"),
    ("one", 1, 0.50, 0.53, "2 (1)"),
    ("one", 8, 0.43, 0.43, "2 (1)"),
    ("deep", 1, 0.41, 0.53, "1.15 (1)"),
    ("deep", 8, 0.58, 0.56, "1.15 (1)"),
    ("disaster", 1, 0.82, 0.27, "3 (1)"),
    ("disaster", 8, 0.39, 0.48, "3 (1)"),
)
GOAL = 1.0
"""Issue 9's target for every row, response cache off."""


def print_recorded(console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"recorded: kyodo / PostGraphile 5 rps — {RUN}")
    for column in ("shape", "c", "main", "now", "SQL/req kyodo (PG5)", f"goal ≥ {GOAL:g}"):
        table.add_column(column)
    for shape, c, before, now, statements in RATIOS:
        table.add_row(
            shape, str(c), f"{before:.2f}", f"{now:.2f}", statements, "yes" if now >= GOAL else "no"
        )
    console.print(table)
