"""Dump and restore (kyodo dump / kyodo restore): the format, and lossless round trips on both databases."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.enums import PartnerKind
from kyodo.domain.exchange.dump import DumpError, tables
from kyodo.domain.partners.commands import PartnerData, create_partner
from kyodo.domain.partners.models import Partner
from kyodo.server.db import make_engine
from tests.exchange.dump.support import (
    HEAD,
    OTHER,
    Databases,
    column_values,
    counts,
    dump,
    restore,
    table_rows,
)


def test_dump_holds_every_table_in_dependency_order_with_a_header(varied_dump: str) -> None:
    # when
    document = json.loads(varied_dump)
    # then
    assert list(document) == ["format", "version", "schemaRevision", "tables"]
    assert (document["format"], document["version"], document["schemaRevision"]) == (
        "kyodo-dump",
        1,
        HEAD,
    )
    assert list(document["tables"]) == [table.name for table in tables()]
    assert document["tables"]["api_token"]["rows"], "api_token is part of the dump"
    assert document["tables"]["partner"]["columns"] == [c.name for c in Partner.__table__.columns]  # type: ignore[attr-defined]


def test_dump_writes_typed_values_ordered_by_primary_key(varied_dump: str) -> None:
    # given
    document = json.loads(varied_dump)["tables"]
    # when
    partner = dict(
        zip(document["partner"]["columns"], document["partner"]["rows"][-1], strict=True)
    )
    token = dict(
        zip(document["api_token"]["columns"], document["api_token"]["rows"][0], strict=True)
    )
    events = [
        dict(zip(document["audit_event"]["columns"], row, strict=True))
        for row in document["audit_event"]["rows"]
    ]
    agreement_ids = column_values(varied_dump, "agreement", "id")
    categories = [(row[0], row[1]) for row in document["agreement_support_category"]["rows"]]
    # then
    assert agreement_ids == sorted(agreement_ids)
    assert categories == sorted(categories)  # text keys in byte order on both databases
    assert partner["name"] == "（デモ）ﾊﾝｶｸ・全角 テスト会"
    assert partner["kind"] == "NPO"
    assert partner["created_at"].endswith("+00:00")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", partner["created_at"])
    assert token["expires_at"] == "2030-03-31T15:00:00.123456+00:00"
    assert len(token["token_hash"]) == 64  # a SHA-256 digest, never the token
    assert {"z": [1, 2.5, None, True], "あ": {"b": '改行\nと"引用"', "a": {}}} in [
        event["changes"] for event in events
    ]
    assert "ﾊﾝｶｸ・全角" in varied_dump  # UTF-8, not \\u escapes
    scans = [
        dict(zip(document["agreement_document"]["columns"], row, strict=True))
        for row in document["agreement_document"]["rows"]
    ]
    (scan,) = [row for row in scans if row["file_name"].startswith("スキャン")]
    content = base64.b64decode(scan["content"])
    assert len(content) == scan["size_bytes"] > 300_000
    assert bytes(range(256)) in content


def test_dump_carries_the_collaboration_practices(varied_dump: str) -> None:
    # given: issue 11's columns (screening, the city's part, reasons) and co-departments
    document = json.loads(varied_dump)["tables"]
    collaboration = dict(
        zip(document["collaboration"]["columns"], document["collaboration"]["rows"][0], strict=True)
    )
    # then: every one is in the dump, with its type
    assert collaboration["declared_unfit_grounds"] == ["RELIGIOUS_ACTIVITY"]
    assert collaboration["added_unfit_grounds"] == ["POLITICAL_ACTIVITY", "HARMS_PUBLIC_INTEREST"]
    assert (collaboration["screening_note"], collaboration["screened_on"]) == (
        "後援会の行事と確認した",
        "2022-04-01",
    )
    assert any(column_values(varied_dump, "collaboration", "city_cannot_do"))
    assert any(column_values(varied_dump, "participation", "capacity"))
    assert len(table_rows(varied_dump, "collaboration_co_department")) == 2


def test_signed_documents_are_dumped_as_base64_with_their_digest(demo_dump: str) -> None:
    # given the demo's signed 協定書 (seeds/demo_documents.py)
    table = json.loads(demo_dump)["tables"]["agreement_document"]
    rows = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
    # then each holds its bytes, which match the size and digest stored with them
    assert len(rows) >= 2
    for row in rows:
        content = base64.b64decode(row["content"], validate=True)
        assert content.startswith(b"%PDF-")
        assert (len(content), hashlib.sha256(content).hexdigest()) == (
            row["size_bytes"],
            row["sha256"],
        )


# ---------------------------------------------------------------- round trips


def test_demo_dump_restored_into_an_empty_database_dumps_byte_identical(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given
    url = databases.empty(backend)
    # when
    restored = restore(url, demo_dump)
    again = dump(url)
    # then
    assert again == demo_dump
    assert restored["partner"] == len(table_rows(demo_dump, "partner")) > 250


def test_a_restore_moves_the_data_version_on_and_keeps_it_out_of_the_dump(
    backend: str, demo_dump: str, databases: Databases
) -> None:
    # given: an empty database (its data version row comes with the migration)
    url = databases.empty(backend)
    before = asyncio.run(_data_version(url))
    # when
    restore(url, demo_dump)
    # then: app instances that kept answers of the old content see a new version
    assert asyncio.run(_data_version(url)) == before + 1
    assert "data_version" not in json.loads(demo_dump)["tables"]


async def _data_version(url: str) -> int:
    from kyodo.domain.data_version import current_data_version
    from kyodo.server.db import make_sessionmaker

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await current_data_version(session)
    finally:
        await engine.dispose()


def test_round_trip_through_the_other_database_is_byte_identical(
    backend: str, varied_dump: str, databases: Databases
) -> None:
    # given: SQLite -> PostgreSQL -> SQLite, and for the other backend the reverse
    other, same = databases.empty(OTHER[backend]), databases.empty(backend)
    # when
    restore(other, varied_dump)
    through_other = dump(other)
    restore(same, through_other)
    back = dump(same)
    # then
    assert through_other == varied_dump
    assert back == varied_dump


def test_restore_sets_self_references_after_all_rows_exist(
    backend: str, varied_dump: str, databases: Databases
) -> None:
    # given
    ids = column_values(varied_dump, "agreement", "id")
    url = databases.empty(backend)

    async def amendments() -> dict[int | None, int | None]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    sa.select(col(Agreement.id), col(Agreement.amends_id)).where(
                        col(Agreement.amends_id).is_not(None)
                    )
                )
                return {row[0]: row[1] for row in rows}
        finally:
            await engine.dispose()

    # when
    restore(url, varied_dump)
    # then
    found = asyncio.run(amendments())
    assert found[ids[0]] == ids[-1]
    assert found[ids[-1]] == ids[1]


def test_new_rows_get_fresh_ids_after_a_restore(
    backend: str, populated: str, demo_dump: str
) -> None:
    # given
    highest = max(column_values(demo_dump, "partner", "id"))

    async def create() -> int | None:
        engine = make_engine(populated)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                partner = await create_partner(
                    session,
                    data=PartnerData(kind=PartnerKind.NPO, name="復元後の新しい団体"),
                    actor="test",
                )
                await session.commit()
                return partner.id
        finally:
            await engine.dispose()

    events = counts(populated)["audit_event"]
    # when: on PostgreSQL this needs the sequences moved past the restored ids
    new_id = asyncio.run(create())
    # then
    assert new_id == highest + 1
    assert counts(populated)["audit_event"] == events + 1


# ---------------------------------------------------------------- refusals change nothing


def test_restore_refuses_a_database_that_holds_data(populated: str, demo_dump: str) -> None:
    # given
    before = dump(populated)
    partners = len(table_rows(demo_dump, "partner"))
    # when
    with pytest.raises(DumpError) as refused:
        restore(populated, demo_dump)
    # then
    assert "データベースが空ではありません（" in str(refused.value)
    assert f"partner {partners:,} 件" in str(refused.value)  # names what is there
    assert "--replace" in str(refused.value)
    assert dump(populated) == before


def test_replace_empties_the_database_first(
    populated: str, varied_dump: str, demo_dump: str
) -> None:
    # given: the database holds the demo data; the dump has more
    assert dump(populated) == demo_dump
    # when
    restore(populated, varied_dump, replace=True)
    # then
    assert dump(populated) == varied_dump
    # and back: rows the dump lacks are gone
    restore(populated, demo_dump, replace=True)
    assert dump(populated) == demo_dump
