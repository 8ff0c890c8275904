"""domain.bulk_writes and domain.status: the write pipeline's set-based writes and the status
machine every area shares (the GraphQL tests pin each area's use of them)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.audit.log import record_event, record_events
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.base import utcnow
from kyodo.domain.bulk_writes import among, insert_many, insert_new, write_many
from kyodo.domain.enums import AgreementStatus, PartnerKind, PartnerStatus
from kyodo.domain.errors import DomainError, ErrorCode
from kyodo.domain.partners.models import Partner
from kyodo.domain.status import StatusMachine
from kyodo.domain.versioning import ConcurrentChange

_TABLE = Partner.__table__  # type: ignore[attr-defined]


async def _partners(session: AsyncSession, n: int) -> list[int]:
    now = utcnow()
    rows = [
        {
            "kind": PartnerKind.NPO,
            "name": f"（デモ）一括{i}",
            "sort_key": f"いっかつ{i}",
            "search_text": f"一括{i}",
            "external_id": f"writes-{i}",
            "status": PartnerStatus.ACTIVE,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(n)
    ]
    found = await insert_many(session, _TABLE, rows, returning=("id", "external_id"))
    by_key = {key: pk for pk, key in found}
    return [by_key[f"writes-{i}"] for i in range(n)]


async def test_insert_many_returns_every_new_row(session: AsyncSession) -> None:
    # when inserting three partners in one set-based statement
    ids = await _partners(session, 3)
    # then each got an id and is stored at version 1
    stored = await session.execute(
        sa.select(_TABLE.c.id, _TABLE.c.version).where(among(session, _TABLE.c.id, ids))
    )
    assert sorted(stored.all()) == sorted((pk, 1) for pk in ids)


async def test_insert_new_numbers_rows_as_one_at_a_time_inserts_would(
    session: AsyncSession,
) -> None:
    # given a partner added through the ORM
    first = Partner(kind=PartnerKind.NPO, name="（デモ）一件目")
    session.add(first)
    await session.flush()
    assert first.id is not None
    # when three more are inserted set-based, then one more through the ORM
    now = utcnow()
    ids = await insert_new(
        session,
        _TABLE,
        [
            {"kind": PartnerKind.NPO, "name": f"（デモ）新{i}", "sort_key": "", "search_text": ""}
            | {"status": PartnerStatus.ACTIVE, "version": 1, "created_at": now, "updated_at": now}
            for i in range(3)
        ],
    )
    last = Partner(kind=PartnerKind.NPO, name="（デモ）最後")
    session.add(last)
    await session.flush()
    # then the three took the next ids, in the order given, and the ORM goes on after them
    assert ids == [first.id + 1, first.id + 2, first.id + 3]
    stored = await session.execute(
        sa.select(_TABLE.c.id, _TABLE.c.name).where(among(session, _TABLE.c.id, ids))
    )
    assert sorted(stored.all()) == [(pk, f"（デモ）新{i}") for i, pk in enumerate(ids)]
    assert last.id == first.id + 4


async def test_record_events_writes_the_rows_record_event_writes(session: AsyncSession) -> None:
    # given changes holding Japanese text, dates as text and a nested list
    changes = {
        "title": {"before": None, "after": "（デモ）協定"},
        "parties": {"before": None, "after": [{"partner_id": 1, "name": "（デモ）会"}]},
    }
    # when the same event is recorded one at a time and in bulk
    one = await record_event(
        session,
        actor="t",
        action="agreement.create",
        entity_type="Agreement",
        entity_id=7,
        changes=changes,
    )
    await record_events(
        session, actor="t", events=[("agreement.create", "Agreement", 7, changes)] * 2
    )
    # then the rows are alike, to the text of their changes, and numbered in order
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    rows = (
        await session.execute(
            sa.select(
                table.c.id,
                table.c.actor,
                table.c.action,
                table.c.entity_type,
                table.c.entity_id,
                sa.cast(table.c.changes, sa.Text),
            )
            .where(table.c.id >= one.id)
            .order_by(table.c.id)
        )
    ).all()
    assert [row[0] for row in rows] == [one.id, one.id + 1, one.id + 2]
    assert rows[1][1:] == rows[0][1:] == rows[2][1:]


async def test_write_many_moves_each_version_by_one(session: AsyncSession) -> None:
    # given three stored partners at version 1
    ids = await _partners(session, 3)
    # when two of them are written together, each guarded by the version read
    await write_many(
        session,
        Partner,
        [(pk, 1, {"district": "中央", "status": PartnerStatus.INACTIVE}) for pk in ids[:2]],
    )
    # then exactly those two changed and moved to version 2
    stored = await session.execute(
        sa.select(_TABLE.c.id, _TABLE.c.version, _TABLE.c.district, _TABLE.c.status)
        .where(among(session, _TABLE.c.id, ids))
        .order_by(_TABLE.c.id)
    )
    assert [tuple(row) for row in stored] == [
        (ids[0], 2, "中央", PartnerStatus.INACTIVE),
        (ids[1], 2, "中央", PartnerStatus.INACTIVE),
        (ids[2], 1, None, PartnerStatus.ACTIVE),
    ]


async def test_write_many_refuses_when_one_row_moved_on(session: AsyncSession) -> None:
    # given two partners, one of which another writer changed since it was read
    ids = await _partners(session, 2)
    await session.execute(sa.update(_TABLE).where(_TABLE.c.id == ids[1]).values(version=2))
    # when both are written with the version read before
    # then the batch is refused as a concurrent change (the API runs it again)
    with pytest.raises(ConcurrentChange):
        await write_many(session, Partner, [(pk, 1, {"district": "北"}) for pk in ids])


_S = AgreementStatus
MACHINE = StatusMachine(
    "協定",
    {
        _S.DRAFT: {_S.NEGOTIATING},
        _S.NEGOTIATING: {_S.IN_FORCE, _S.TERMINATED},
        _S.IN_FORCE: {_S.EXPIRED},
        _S.EXPIRED: (),
        _S.TERMINATED: (),
    },
    field="to",
)


def test_status_machine_answers_from_its_table() -> None:
    # then moves, sources and final states all come from the one table
    assert MACHINE.allows(_S.DRAFT, _S.NEGOTIATING)
    assert not MACHINE.allows(_S.DRAFT, _S.IN_FORCE)
    assert MACHINE.sources(_S.IN_FORCE) == {_S.NEGOTIATING}
    assert MACHINE.final == {_S.EXPIRED, _S.TERMINATED}
    assert MACHINE.label(_S.IN_FORCE) == "締結済み"


@pytest.mark.parametrize(
    ("current", "to", "message"),
    [
        (_S.DRAFT, _S.DRAFT, "この協定はすでに「下書き」です。"),
        (
            _S.EXPIRED,
            _S.DRAFT,
            "「期間満了」から「下書き」には変えられません。「期間満了」の協定は、これ以上状態を変えられません。",
        ),
        (
            _S.NEGOTIATING,
            _S.DRAFT,
            "「協議中」から「下書き」には変えられません。「締結済み」か「解約済み」にだけ変えられます。",
        ),
    ],
)
def test_status_machine_refuses_with_where_it_may_go(
    current: AgreementStatus, to: AgreementStatus, message: str
) -> None:
    # when a move the table does not allow is checked
    with pytest.raises(DomainError) as refused:
        MACHINE.check(current, to)
    # then it is INVALID_TRANSITION on the machine's field, saying where it may go
    problem = refused.value.problems[0]
    assert (problem.code, problem.message, problem.field) == (
        ErrorCode.INVALID_TRANSITION,
        message,
        "to",
    )


def test_status_machine_rejects_moves_to_unknown_states() -> None:
    # when a table names a target state it does not list
    # then it is refused when the machine is built
    with pytest.raises(ValueError, match="not in the table"):
        StatusMachine("協定", {_S.DRAFT: {_S.NEGOTIATING}})
