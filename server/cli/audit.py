"""``kyodo audit prune-reads``: delete personal-data access records past their keeping
period (``domain.audit.retention``)."""

from __future__ import annotations

import typer

from kyodo.server.cli.common import (
    actor,
    console,
    refused_plainly,
    run_in_session,
    run_in_transactions,
    when,
)

audit_app = typer.Typer(help="監査記録 / The audit log.", no_args_is_help=True)


@audit_app.command("prune-reads")
def prune_reads(
    keep_days: int | None = typer.Option(
        None,
        "--keep-days",
        help="Keep this many days of access records (default KYODO_ACCESS_LOG_KEEP_DAYS, "
        "1825 = five years; at least 30).",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Only count what would be deleted; delete nothing."
    ),
) -> None:
    """保存期間を過ぎたアクセス記録を削除する / Delete personal-data access records older than
    the keeping period, the oldest first, 10,000 per transaction; each batch is itself
    recorded in the audit log (personal_data.prune). Audit events of changes are never
    deleted."""
    from kyodo.domain.audit import retention
    from kyodo.domain.base import utcnow
    from kyodo.server.settings import get_settings

    days = keep_days if keep_days is not None else get_settings().access_log_keep_days
    cutoff = refused_plainly(lambda: retention.prune_cutoff(utcnow(), days))
    if dry_run:
        count = run_in_session(
            lambda session: retention.count_reads_before(session, cutoff), writes=False
        )
        console.print(
            f"{when(cutoff)} より前のアクセス記録 {count:,} 件が削除の対象です"
            "（--dry-run: 削除していません）。"
        )
        return
    who = actor()
    batches = refused_plainly(
        lambda: run_in_transactions(
            lambda session: retention.prune_reads_batch(
                session, cutoff=cutoff, keep_days=days, actor=who
            ),
            again=lambda deleted: deleted == retention.PRUNE_BATCH,
        )
    )
    console.print(
        f"{when(cutoff)} より前のアクセス記録 {sum(batches):,} 件を削除しました"
        f"（保存期間 {days} 日）。"
    )
