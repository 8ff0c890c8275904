"""The demo data: loading, reloading and refusing bad seed files.

What every test of this package checks, and how: see ``__init__.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import (
    PartnerKind,
)
from kyodo.domain.models import (
    Contact,
    Participation,
    Partner,
)
from kyodo.seeds import generate_demo
from kyodo.seeds.loader import (
    DEMO_DIR,
    SeedDataError,
    database_is_empty,
    load_demo_data,
    read_seed_files,
)

from .support import (
    Seeded,
    by_external_id,
    row_counts,
)


async def test_first_load_creates_rows_of_every_table(seeded: Seeded) -> None:
    # given a migrated, empty database (the fixture)
    # when the demo data was loaded into it
    created = seeded.created
    # then every table the loader knows got rows, as many partners as the files hold
    assert all(count > 0 for count in created.values()), created
    assert created["partner"] == len(read_seed_files()["partners"])
    assert created["department"] == 8
    assert created["collaboration_field"] == 14


async def test_first_load_takes_seconds_not_minutes(seeded: Seeded) -> None:
    # given ~250 partners and ~100 agreements loaded in one go
    # then the whole load stayed well within a few seconds on SQLite
    assert seeded.seconds < 20


async def test_second_load_creates_nothing_and_leaves_rows_alone(db: AsyncSession) -> None:
    # given the demo data already loaded
    before = await row_counts(db)
    # when it is loaded again
    created = await load_demo_data(db)
    await db.commit()
    # then nothing was created and no table changed size
    assert set(created.values()) == {0}
    assert await row_counts(db) == before


async def test_existing_rows_are_neither_updated_nor_extended(empty_db: AsyncSession) -> None:
    # given a partner that already exists under a demo external id, with another name
    empty_db.add(
        Partner(
            kind=PartnerKind.CITIZEN_GROUP,
            name="既存の名前",
            external_id="demo-partner-shohisha-kyokai",
        )
    )
    await empty_db.commit()
    # when the demo data is loaded
    created = await load_demo_data(empty_db)
    await empty_db.commit()
    # then the partner kept its name, got none of the seed's contacts, and is still alone
    partner = await by_external_id(empty_db, Partner, "demo-partner-shohisha-kyokai")
    assert partner.name == "既存の名前"
    contacts = await empty_db.scalar(
        sa.select(sa.func.count()).select_from(Contact).where(Contact.partner_id == partner.id)
    )
    assert contacts == 0
    assert created["partner"] == len(read_seed_files()["partners"]) - 1
    # and the collaborations that name it still point at it
    participations = await empty_db.scalar(
        sa.select(sa.func.count())
        .select_from(Participation)
        .where(Participation.partner_id == partner.id)
    )
    assert participations == 5  # みんなの消費生活展, 平成30年度〜令和4年度


async def test_database_is_empty_until_the_demo_data_is_loaded(empty_db: AsyncSession) -> None:
    # given a migrated database
    assert await database_is_empty(empty_db)
    # when the demo data is loaded
    await load_demo_data(empty_db)
    # then it is no longer empty
    assert not await database_is_empty(empty_db)


async def test_a_reference_to_an_unknown_record_is_refused(
    empty_db: AsyncSession, tmp_path: Path
) -> None:
    # given a seed file whose partner names no collaboration field that exists
    (tmp_path / "bad.json").write_text(
        json.dumps(
            {
                "partners": [
                    {
                        "external_id": "x-1",
                        "kind": "NPO",
                        "name": "（デモ）壊れたデータ",
                        "fields": ["no-such-field"],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    # when it is loaded, then the loader names the problem
    with pytest.raises(SeedDataError, match="no-such-field"):
        await load_demo_data(empty_db, directory=tmp_path)


async def test_a_misspelt_field_is_refused(empty_db: AsyncSession, tmp_path: Path) -> None:
    # given a department record with a key the table does not have
    (tmp_path / "bad.json").write_text(
        json.dumps({"departments": [{"code": "x", "name": "課", "nmae": "typo"}]}),
        encoding="utf-8",
    )
    # when it is loaded, then the typo is reported instead of silently dropped
    with pytest.raises(SeedDataError, match="nmae"):
        await load_demo_data(empty_db, directory=tmp_path)


def test_generated_files_match_the_generator(tmp_path: Path) -> None:
    # given the generator writing into a scratch directory
    written = generate_demo.write(tmp_path)
    # then every committed generated file is byte-identical to a fresh run
    assert written
    for path in written:
        committed = DEMO_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), (
            f"run python -m seeds.generate_demo ({path.name})"
        )


async def test_every_string_fits_its_column(db: AsyncSession) -> None:
    # given the loaded data (SQLite does not enforce VARCHAR lengths, PostgreSQL does)
    too_long = []
    for table in Partner.metadata.sorted_tables:
        for column in table.columns:
            length = getattr(column.type, "length", None)
            if not length or not isinstance(column.type, sa.String):
                continue
            longest = await db.scalar(sa.select(sa.func.max(sa.func.length(column))))
            if longest and longest > length:
                too_long.append(f"{table.name}.{column.name}: {longest} > {length}")
    # then every value would also fit on PostgreSQL
    assert too_long == []
