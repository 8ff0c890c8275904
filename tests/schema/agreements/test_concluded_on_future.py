"""An agreement is concluded on the day it was signed, never after today (rule 8, issue 11).

``agreementConclude(concludedOn: 2099-...)`` is INVALID at ``concludedOn`` and writes
nothing; ``kyodo import agreements`` refuses a 締結日 after the day of the import, by line
and column, and a default ``--concluded-on`` after it. A start of effect ahead is fine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.exchange.agreements_import import import_agreements
from kyodo.domain.exchange.reading import ImportRefused, read_table

from .test_mutations_helpers import (
    CONCLUDE,
    assert_unchanged,
    before,
    create,
    errors_of,
    pk_of,
    world,
)

TODAY = date(2022, 3, 10)


async def _conclude(gql: Any, agreement: dict[str, Any], on: str, **extra: Any) -> dict[str, Any]:
    data = await gql(
        CONCLUDE,
        {"id": agreement["id"], "v": agreement["version"], "on": on, **extra},
        today=TODAY,
    )
    return dict(data["agreementConclude"])


async def test_a_conclusion_dated_after_today_is_refused_and_nothing_is_written(
    session: AsyncSession, gql: Any
) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w, effectiveFrom=None)
    pk = pk_of(agreement["id"])
    snap = await before(session, pk)

    # when
    payload = await _conclude(gql, agreement, on="2099-04-01")
    tomorrow = await _conclude(gql, agreement, on="2022-03-11")

    # then
    assert payload["agreement"] is None
    assert errors_of(payload) == [("INVALID", ["concludedOn"])]
    assert "2099-04-01" in payload["errors"][0]["message"]
    assert errors_of(tomorrow) == [("INVALID", ["concludedOn"])]
    await assert_unchanged(session, snap, pk)


async def test_concluded_today_taking_effect_later_is_fine(session: AsyncSession, gql: Any) -> None:
    # given
    w = await world(session)
    agreement = await create(gql, w, effectiveFrom=None)

    # when
    payload = await _conclude(gql, agreement, on=TODAY.isoformat(), effectiveFrom="2022-04-01")

    # then
    assert payload["errors"] == []
    assert (payload["agreement"]["concludedOn"], payload["agreement"]["effectiveFrom"]) == (
        "2022-03-10",
        "2022-04-01",
    )


def _sheet(concluded_on: str) -> bytes:
    return (
        "協定の名称,協定相手方,物資供給,締結日\r\n"
        f"（テスト）未来の協定,（テスト）未来物産株式会社,○,{concluded_on}\r\n"
    ).encode()


async def test_the_import_refuses_a_conclusion_dated_after_the_day_of_the_import(
    session: AsyncSession,
) -> None:
    # given: a sheet whose 締結日 lies ahead
    before_import = await before(session)
    table = read_table(_sheet("2099-04-01"), name="agreements.csv")

    # when
    with pytest.raises(ImportRefused) as refused:
        await import_agreements(session, table=table, dry_run=False, actor="test", today=TODAY)

    # then: placed at the row and the 締結日 column; nothing written
    [problem] = refused.value.problems
    assert (problem.where, problem.column, problem.code.value) == ("2行目", "締結日", "INVALID")
    await assert_unchanged(session, before_import)


async def test_the_import_refuses_a_default_conclusion_day_after_today(
    session: AsyncSession,
) -> None:
    # given: rows without 締結日 and --concluded-on in the future
    table = read_table(_sheet(""), name="agreements.csv")

    # when
    with pytest.raises(ImportRefused) as refused:
        await import_agreements(
            session,
            table=table,
            dry_run=False,
            actor="test",
            today=TODAY,
            concluded_on=date(2022, 3, 11),
        )

    # then
    [problem] = refused.value.problems
    assert problem.where is None and "--concluded-on" in problem.message


async def test_the_import_concludes_an_agreement_signed_by_today(session: AsyncSession) -> None:
    # when
    result = await import_agreements(
        session,
        table=read_table(_sheet("2022-03-10"), name="agreements.csv"),
        dry_run=True,
        actor="test",
        today=TODAY,
    )

    # then
    assert (result.created, result.concluded) == (1, 1)
