"""Idempotent loader of the demo data in ``seeds/demo/*.json``.

Every JSON file is an object whose keys name entities (``departments``, ``partners``,
``agreements``...) and map to lists of records; a ``description`` key is free text. The
lists of all files are merged, so one entity may be spread over several files.

Records are matched by natural key: ``code`` for departments and collaboration fields,
``external_id`` for everything else. A record whose key already exists is skipped and
never updated; child rows (contacts, participations, agreement parties...) are written
only together with a newly created parent. References between records use the same
natural keys (``"department": "kikikanri"``, ``"partner": "demo-partner-ds-000"``) and may
point at rows already in the database. Dates are ISO strings, enums their names.

The loader flushes but never commits: the caller owns the transaction, so a bad file
leaves nothing half-written once the caller rolls back.

This module reads the files and holds the public functions; the loading itself is in
``seeds/loading/`` (its ``__init__`` lists the modules).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.data_version import note_data_change
from kyodo.domain.partners.models import Partner
from kyodo.domain.reference.models import Department
from kyodo.seeds.loading.entities import _ENTITY_ORDER
from kyodo.seeds.loading.insert import _Loader
from kyodo.seeds.loading.values import SeedDataError

DEMO_DIR = Path(__file__).with_name("demo")

# Keys in a seed file that are not entities.
_META_KEYS = frozenset({"description"})


# ---------------------------------------------------------------- reading the files


def read_seed_files(directory: Path = DEMO_DIR) -> dict[str, list[dict[str, Any]]]:
    """Merge the entity lists of every ``*.json`` file in the directory (sorted by name)."""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise SeedDataError(f"no seed files in {directory}")
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise SeedDataError(f"{path.name}: not valid JSON ({error})") from error
        if not isinstance(document, dict):
            raise SeedDataError(f"{path.name}: expected an object of entity lists")
        for entity, records in document.items():
            if entity in _META_KEYS:
                continue
            if entity not in _ENTITY_ORDER:
                raise SeedDataError(f"{path.name}: unknown entity {entity!r}")
            if not isinstance(records, list):
                raise SeedDataError(f"{path.name}: {entity} must be a list")
            merged[entity].extend(records)
    return dict(merged)


# ---------------------------------------------------------------- loading


async def database_is_empty(session: AsyncSession) -> bool:
    """True when there are neither departments nor partners (nothing loaded yet)."""
    for table in (Department.__table__, Partner.__table__):  # type: ignore[attr-defined]
        if await session.scalar(sa.select(sa.literal(1)).select_from(table).limit(1)):
            return False
    return True


# Several app instances may start at once on one PostgreSQL, each seeding an empty
# database: the first takes this lock and loads, the others wait and find data.
SEED_LOCK_ID = 4_242_002


async def load_demo_data_if_empty(session: AsyncSession) -> dict[str, int] | None:
    """Load the demo data into an empty database; None when there was data already.

    Safe to run from several processes at once on PostgreSQL (transaction-level advisory
    lock, released at commit); SQLite serialises writers by itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.text(f"SELECT pg_advisory_xact_lock({SEED_LOCK_ID})"))
    if not await database_is_empty(session):
        return None
    return await load_demo_data(session)


async def load_demo_data(session: AsyncSession, *, directory: Path | None = None) -> dict[str, int]:
    """Insert the demo records that are missing; return the number of rows created per table.

    Idempotent: a second call creates nothing and returns zeros. Flushes, never commits.
    """
    data = read_seed_files(directory or DEMO_DIR)
    loader = _Loader(session)
    await loader.load(data)
    if any(loader.created.values()):
        note_data_change(session)  # no audit event marks it: the data version moves
    return dict(loader.created)
