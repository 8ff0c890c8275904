"""The set-based agreements import writes what the commands wrote row by row.

The same files are imported into two copies of the demo database: one through the
import as it is (every row checked by the commands' own checks, then everything written
by multi-row statements), one through the commands, row by row, as the import used to
(``tests.exchange.agreements_by_command``). The audit events (action, entity, the text of
their changes), the rows written, the announcements queued for subscribers, the results
and the problems reported must be the same.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kyodo.domain.enums import AgreementCategory
from kyodo.domain.events import PENDING
from kyodo.domain.exchange import agreements_import
from kyodo.domain.exchange.agreements_import import import_agreements
from kyodo.domain.exchange.reading import read_table
from kyodo.domain.exchange.source import ImportRefused
from kyodo.domain.transactions import begin_write
from kyodo.server.db import make_engine, make_sessionmaker
from tests.exchange.agreements_by_command import through_commands
from tests.exchange.importing import csv_bytes, demo_database, query

TODAY = date(2024, 6, 1)
CATEGORIES = ["職員派遣", "物資供給", "物資運搬・輸送", "医療救護", "災害広報", "避難収容"]
CATEGORIES += ["ライフライン復旧", "その他"]


def marks(*on: str, other: str = "") -> list[str]:
    return ["○" if c in on else "" for c in CATEGORIES[:-1]] + [
        other or ("○" if "その他" in on else "")
    ]


@dataclass
class File:
    name: str
    data: bytes
    options: dict[str, Any]
    dry_run: bool = False


def files(known: list[str], inactive: str) -> list[File]:
    """Files that register counterparties (one named by several rows), match stored
    ones, conclude, leave drafts, keep groups of bodies as text, in three layouts and
    two categories; then the first again, a refused file and a dry run."""
    header = ["協定の名称", "協定相手方", *CATEGORIES, "締結日", "外部ID", "担当課"]
    hokkaido = csv_bytes(
        [
            header,
            [
                "（比較）物資の協定",
                "（比較）新商事㈱",
                *marks("物資供給"),
                "2022-03-10",
                "cmp-1",
                "",
            ],
            [
                "（比較）医療の協定",
                f"（比較）新商事株式会社、{known[0]}",
                *marks("医療救護", "避難収容"),
                "",
                "",
                "",
            ],
            [
                "（比較）連絡の協定",
                "特定非営利活動法人（比較）新ネット\n（比較）新町内会\n道内市町村",
                *marks(other="災害対策に関する情報連絡"),
                "令和3年4月1日",
                "cmp-3",
                "machizukuri",
            ],
            ["（比較）既存だけの協定", known[1], *marks("職員派遣"), "H8.10.23 (改正)", "", ""],
            ["（比較）総称だけの協定", "道内市町村", *marks("物資供給"), "2020-01-01", "", ""],
            ["（比較）区分のない協定", "（比較）新協会", *marks(), "", "", ""],
        ],
        "utf-8",
    )
    undated = csv_bytes(
        [
            ["協定の名称", "協定相手方", "締結日"],
            ["（比較）区分の列がない協定", "（比較）新協会、（比較）別の会", "2019-05-01"],
            ["（比較）日付もない協定", known[0], ""],
        ],
        "utf-8",
    )
    partnership = json.dumps(
        [
            {
                "title": "（比較）連携協定",
                "parties": ["（比較）新大学", known[1]],
                "concludedOn": "2023-01-10",
                "externalId": "cmp-p1",
            },
            {"title": "（比較）連携協定の下書き", "parties": ["（比較）新大学"]},
        ],
        ensure_ascii=False,
    ).encode()
    refused = csv_bytes(
        [
            header,
            ["（比較）長い名前の協定", "長" * 301, *marks("物資供給"), "2022-03-10", "", ""],
            [
                "（比較）長い名前の協定2",
                f"{'長' * 301}、{known[0]}",
                *marks("物資供給"),
                "",
                "",
                "",
            ],
            ["（比較）未来の協定", known[0], *marks("物資供給"), "2024-12-01", "", ""],
            ["（比較）区分なしの締結", "（比較）新商事㈱", *marks(), "2022-03-10", "", ""],
            ["（比較）休止中の相手方", inactive, *marks("物資供給"), "", "", ""],
            ["（比較）詳しすぎる協定", known[1], *marks(other="詳" * 4001), "", "", ""],
        ],
        "utf-8",
    )
    dry = csv_bytes(
        [
            header,
            ["（比較）試行の協定", "（比較）試行商事", *marks("物資供給"), "2022-03-10", "", ""],
        ],
        "utf-8",
    )
    partnership_options = {"category": AgreementCategory.PARTNERSHIP, "department": "kyodo"}
    return [
        File("hokkaido.csv", hokkaido, {}),
        File("undated.csv", undated, {}),
        File("partnership.json", partnership, partnership_options),
        File("hokkaido.csv", hokkaido, {}),
        File("refused.csv", refused, {}),
        File("dry.csv", dry, {}, dry_run=True),
    ]


@pytest.fixture
def twins(backend: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two databases holding the same demo data (the loader is deterministic)."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    with (
        demo_database(backend, tmp_path / "a") as a,
        demo_database(backend, tmp_path / "b") as b,
    ):
        yield a, b


async def _run(url: str, batch: list[File], *, by_command: bool) -> list[Any]:
    """Import ``batch`` one file a transaction; what each reported, with the
    announcements its transaction queued."""
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    seen: list[Any] = []
    try:
        for file in batch:
            table = read_table(file.data, name=file.name)
            async with maker() as session:
                await begin_write(session)
                plan = agreements_import.plan_agreements
                if by_command:
                    agreements_import.plan_agreements = through_commands(
                        actor="cmp", dry_run=file.dry_run
                    )
                try:
                    result: Any = await import_agreements(
                        session,
                        table=table,
                        dry_run=file.dry_run,
                        actor="cmp",
                        today=TODAY,
                        **file.options,
                    )
                except ImportRefused as refused:
                    result = [p.render() for p in refused.problems]
                finally:
                    agreements_import.plan_agreements = plan
                pending = session.sync_session.info.get(PENDING, [])
                seen.append(
                    (result, [(e.topic, e.kind, e.entity_type, e.entity_id) for e in pending])
                )
                if file.dry_run or isinstance(result, list):
                    await session.rollback()
                else:
                    await session.commit()
    finally:
        await engine.dispose()
    return seen


def _stored(url: str) -> dict[str, list[Any]]:
    """Every row an import writes, timestamps left out (each path writes its own)."""
    agreement_columns = (
        "id, title, search_text, category, status, department_id, collaboration_id, "
        "support_details, concluded_on, effective_from, effective_until, auto_renewal, "
        "renewal_term_months, notice_days, contacts_verified_on, terminated_on, "
        "termination_reason, amends_id, external_id, version"
    )
    partner_columns = (
        "id, kind, name, name_kana, sort_key, search_text, corporate_number, external_id, "
        "status, district, representative, postal_code, prefecture, city, street, phone, "
        "email, website, version"
    )
    return {
        "audit_event": query(
            url,
            "SELECT id, actor, action, entity_type, entity_id, CAST(changes AS TEXT) "
            "FROM audit_event ORDER BY id",
        ),
        "agreement": query(url, f"SELECT {agreement_columns} FROM agreement ORDER BY id"),
        "agreement_party": query(
            url, "SELECT * FROM agreement_party ORDER BY agreement_id, position"
        ),
        "agreement_support_category": query(
            url, "SELECT * FROM agreement_support_category ORDER BY agreement_id, category"
        ),
        "partner": query(url, f"SELECT {partner_columns} FROM partner ORDER BY id"),
        "partner_field": query(url, "SELECT * FROM partner_field ORDER BY partner_id, field_id"),
        "contact": query(url, "SELECT COUNT(*) FROM contact"),
    }


def _known(url: str) -> tuple[list[str], str]:
    """Two active organisations of the demo data, and one set inactive (休止中)."""
    names = [
        name
        for (name,) in query(
            url,
            "SELECT name FROM partner WHERE status = 'ACTIVE' AND kind = 'OTHER_ORGANIZATION' "
            "ORDER BY id LIMIT 3",
        )
    ]
    return names[:2], names[2]


def _deactivate(url: str, name: str) -> None:
    async def run() -> None:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text("UPDATE partner SET status = 'INACTIVE' WHERE name = :n"), {"n": name}
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_the_set_based_import_writes_and_records_what_the_commands_did(
    twins: tuple[str, str],
) -> None:
    # given
    bulk_url, command_url = twins
    known, inactive = _known(bulk_url)
    assert _known(command_url) == (known, inactive)
    for url in twins:
        _deactivate(url, inactive)
    assert _stored(bulk_url) == _stored(command_url)
    batch = files(known, inactive)
    # when
    bulk = asyncio.run(_run(bulk_url, batch, by_command=False))
    by_command = asyncio.run(_run(command_url, batch, by_command=True))
    # then: the same reports, problems and announcements, file by file
    assert bulk == by_command
    created, again, refused, dry = bulk[0][0], bulk[3][0], bulk[4][0], bulk[5][0]
    assert (created.created, created.concluded, created.partners_created) == (5, 3, 4)
    assert (again.created, again.unchanged) == (0, 5)
    assert len(refused) == 7, refused
    assert dry.created == 1
    # and the same rows, audit events included, to the text of their changes
    stored = _stored(bulk_url)
    assert stored == _stored(command_url)
    actions = [action for _id, _actor, action, *_rest in stored["audit_event"] if _actor == "cmp"]
    assert actions.count("partner.create") == 6
    assert actions.count("agreement.create") == 9, actions
    assert actions.count("agreement.conclude") == 4
