"""Relay pagination both ways, on keyset cursors.

Every root connection, in every order it offers, walked forwards (first/after) and
backwards (last/before) against the whole list in the order SQL gives it; with the
compiled read path on and off (the cursors are the same). Rows inserted between two
page fetches neither repeat nor skip a row; nested connections page backwards too;
first with last, and sizes over 100, are INVALID.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.agreements.models import Agreement
from kyodo.domain.agreements.service import LIST_ORDERING as AGREEMENTS
from kyodo.domain.audit.models import AuditEvent
from kyodo.domain.audit.service import LIST_ORDERING as AUDIT_EVENTS
from kyodo.domain.collaborations.models import Collaboration
from kyodo.domain.collaborations.service import list_ordering as collaboration_ordering
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.endorsements.service import LIST_ORDERING as ENDORSEMENTS
from kyodo.domain.enums import Role
from kyodo.domain.ordering import Ordering
from kyodo.domain.partners.models import Partner
from kyodo.domain.partners.service import PartnerOrderField, PartnerOrderSpec
from kyodo.domain.partners.service import list_ordering as partner_ordering
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.proposals.service import LIST_ORDERING as PROPOSALS
from kyodo.domain.subsidies.models import SubsidyApplication
from kyodo.domain.subsidies.service import APPLICATION_ORDERING
from kyodo.schema import schema
from kyodo.schema.context import Context, Principal
from kyodo.schema.node import from_global_id, to_global_id

from .agreements.factories import make_agreement, make_department, make_partner
from .collaborations.factories import make_collaboration

ADMIN = Principal(name="relay-admin", role=Role.ADMIN)


async def ask(
    session: AsyncSession, query: str, variables: dict[str, Any], *, compiled: bool = True
) -> dict[str, Any]:
    context = Context(session=session, principal=ADMIN, today=date(2025, 1, 15))
    context.compiled_reads = compiled
    result = await schema.execute(query, variable_values=variables, context_value=context)
    assert not result.errors, result.errors
    assert result.data is not None
    return result.data


async def errors(session: AsyncSession, query: str, variables: dict[str, Any]) -> list[Any]:
    context = Context(session=session, principal=ADMIN)
    result = await schema.execute(query, variable_values=variables, context_value=context)
    return list(result.errors or [])


PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  list: FIELD(first: $first, after: $after, last: $last, before: $before ARGS) {
    totalCount
    pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    edges { cursor node { id } }
  }
}
"""


def page_query(field: str, args: str = "") -> str:
    return PAGE.replace("FIELD", field).replace("ARGS", f", {args}" if args else "")


def ids_of(page: dict[str, Any]) -> list[int]:
    found = []
    for edge in page["edges"]:
        decoded = from_global_id(edge["node"]["id"])
        assert decoded is not None
        found.append(decoded[1])
    return found


async def expected(session: AsyncSession, model: Any, ordering: Ordering) -> list[int]:
    """The whole list, ordered by SQL alone (no cursors involved)."""
    stmt = sa.select(model.id).order_by(*ordering.order_by())
    return list((await session.execute(stmt)).scalars())


async def walk(
    session: AsyncSession, query: str, size: int, *, backwards: bool, compiled: bool
) -> tuple[list[int], list[str]]:
    """Every row, page by page; checks each page's pageInfo as it goes."""
    seen: list[int] = []
    cursors: list[str] = []
    cursor: str | None = None
    for _ in range(1000):
        variables = (
            {"last": size, "before": cursor} if backwards else {"first": size, "after": cursor}
        )
        page = (await ask(session, query, variables, compiled=compiled))["list"]
        info = page["pageInfo"]
        edges = page["edges"]
        assert len(edges) <= size
        if edges:
            assert info["startCursor"] == edges[0]["cursor"]
            assert info["endCursor"] == edges[-1]["cursor"]
        page_ids, page_cursors = ids_of(page), [e["cursor"] for e in edges]
        if backwards:
            seen[:0], cursors[:0] = page_ids, page_cursors
            # a page read backwards after the first one has rows after it
            assert info["hasNextPage"] == (cursor is not None)
            more, cursor = info["hasPreviousPage"], info["startCursor"]
        else:
            seen.extend(page_ids)
            cursors.extend(page_cursors)
            assert info["hasPreviousPage"] == (cursor is not None)
            more, cursor = info["hasNextPage"], info["endCursor"]
        if not more:
            assert len(seen) == page["totalCount"]
            return seen, cursors
        assert len(edges) == size
    raise AssertionError("the walk did not end")


PARTNER_ORDERS = [
    PartnerOrderSpec(field, descending)
    for field in PartnerOrderField
    for descending in (False, True)
]

ROOTS: list[tuple[str, str, Any, Ordering]] = [
    *(
        (
            f"partners-{spec.field.value}-{'desc' if spec.descending else 'asc'}",
            f"partners(orderBy: {{field: {spec.field.value}, direction: "
            f"{'DESC' if spec.descending else 'ASC'}}}",
            Partner,
            partner_ordering(spec),
        )
        for spec in PARTNER_ORDERS
    ),
    ("agreements", "agreements(", Agreement, AGREEMENTS),
    ("collaborations", "collaborations(", Collaboration, collaboration_ordering()),
    ("proposals", "proposals(", Proposal, PROPOSALS),
    ("subsidyApplications", "subsidyApplications(", SubsidyApplication, APPLICATION_ORDERING),
    ("endorsementApplications", "endorsementApplications(", EndorsementApplication, ENDORSEMENTS),
    ("auditEvents", "auditEvents(", AuditEvent, AUDIT_EVENTS),
]


async def add_rows_with_nulls(session: AsyncSession) -> None:
    """Rows whose nullable sort keys are NULL (drafts, undated collaborations), and ties."""
    department = await make_department(session)
    for _ in range(2):
        await make_agreement(session, department=department, concluded_on=None)
        await make_agreement(session, department=department, concluded_on=date(2021, 6, 1))
        await make_collaboration(session, department=department, fiscal_year=None)
        await make_collaboration(session, department=department, fiscal_year=2022)
    for name in ("同名テスト", "同名テスト"):
        await make_partner(session, name, kana="どうめいてすと")
    # audit events at the same instant (ties), microseconds apart, and days apart
    moments = [datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)] * 3 + [
        datetime(2024, 5, 1, 9, 0, 0, 123457, tzinfo=UTC),
        datetime(2023, 1, 1, tzinfo=UTC),
    ]
    for i, moment in enumerate(moments * 5):
        session.add(
            AuditEvent(
                occurred_at=moment,
                actor="test",
                action="UPDATE",
                entity_type="Partner",
                entity_id=str(i),
            )
        )
    await session.flush()


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "strawberry"])
@pytest.mark.parametrize(
    ("field", "model", "ordering"), [r[1:] for r in ROOTS], ids=[r[0] for r in ROOTS]
)
async def test_every_root_connection_walks_both_ways_in_its_order(
    session: AsyncSession, field: str, model: Any, ordering: Ordering, compiled: bool
) -> None:
    # given: the demo data, with NULL sort keys and ties among them
    await add_rows_with_nulls(session)
    whole = await expected(session, model, ordering)
    assert whole, "the demo data has rows in every list"
    open_field, _, args = field.partition("(")
    query = page_query(open_field, args)
    size = max(3, -(-len(whole) // 8))

    # when: walked forwards, then backwards
    forwards, forward_cursors = await walk(session, query, size, backwards=False, compiled=compiled)
    backwards, backward_cursors = await walk(
        session, query, size, backwards=True, compiled=compiled
    )

    # then: both are the whole list in its order, with the same cursors
    assert forwards == whole
    assert backwards == whole
    assert forward_cursors == backward_cursors
    assert len(set(forward_cursors)) == len(whole)
    # and the other read path writes the same cursors
    other = await ask(session, query, {"last": size}, compiled=not compiled)
    assert [e["cursor"] for e in other["list"]["edges"]] == forward_cursors[-size:]
    other = await ask(session, query, {"first": size}, compiled=not compiled)
    assert [e["cursor"] for e in other["list"]["edges"]] == forward_cursors[:size]


async def test_the_order_places_nulls_last_and_breaks_ties_by_id(session: AsyncSession) -> None:
    # given
    await add_rows_with_nulls(session)
    # when
    data = await ask(
        session,
        "{ agreements(last: 3) { edges { node { concludedOn } } }"
        " collaborations(last: 2) { edges { node { fiscalYear } } } }",
        {},
    )
    # then: drafts without a conclusion date come last, as do undated collaborations
    assert [e["node"]["concludedOn"] for e in data["agreements"]["edges"]][-2:] == [None, None]
    assert [e["node"]["fiscalYear"] for e in data["collaborations"]["edges"]] == [None, None]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "strawberry"])
async def test_rows_inserted_between_pages_neither_repeat_nor_skip(
    session: AsyncSession, compiled: bool
) -> None:
    # given: the first page of partners, in 五十音 order
    query = page_query("partners")
    first = (await ask(session, query, {"first": 5}, compiled=compiled))["list"]
    seen = ids_of(first)

    # when: partners are added before the page's end and after it, then the next page read
    await make_partner(session, "ああテスト先頭", kana="ああてすと")
    await make_partner(session, "んんテスト末尾", kana="んんてすと")
    after = first["pageInfo"]["endCursor"]
    second = (await ask(session, query, {"first": 5, "after": after}, compiled=compiled))["list"]

    # then: the next page follows the last row seen, in the list as it now is
    whole = await expected(session, Partner, partner_ordering(None))
    position = whole.index(seen[-1])
    assert ids_of(second) == whole[position + 1 : position + 6]
    assert not set(seen) & set(ids_of(second))
    assert second["pageInfo"]["hasPreviousPage"] is True

    # and backwards: rows added after the cursor do not move the previous page
    before = second["pageInfo"]["startCursor"]
    await make_partner(session, "いいテスト", kana="いいてすと")
    back = (await ask(session, query, {"last": 5, "before": before}, compiled=compiled))["list"]
    whole = await expected(session, Partner, partner_ordering(None))
    position = whole.index(ids_of(second)[0])
    assert ids_of(back) == whole[max(0, position - 5) : position]


async def test_a_deleted_cursor_row_still_marks_the_place(session: AsyncSession) -> None:
    # given: a page ending on a partner that is then deleted
    query = page_query("partners")
    partner = await make_partner(session, "ああ消えるテスト", kana="ああきえる")
    first = (await ask(session, query, {"first": 1}))["list"]
    assert ids_of(first) == [partner.id]
    await session.delete(partner)
    await session.flush()
    # when
    second = await ask(session, query, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    # then: the next rows in order
    whole = await expected(session, Partner, partner_ordering(None))
    assert ids_of(second["list"]) == whole[:2]


async def test_after_and_before_together_give_the_window_between_them(
    session: AsyncSession,
) -> None:
    # given: cursors of the 2nd and 7th proposals
    query = page_query("proposals")
    page = (await ask(session, query, {"first": 8}))["list"]
    cursors = [e["cursor"] for e in page["edges"]]
    ids = ids_of(page)
    window = {"after": cursors[1], "before": cursors[6]}
    # when
    first = (await ask(session, query, {**window, "first": 2}))["list"]
    last = (await ask(session, query, {**window, "last": 2}))["list"]
    everything = (await ask(session, query, window))["list"]
    # then: the rows strictly between, first or last of them
    assert ids_of(first) == ids[2:4]
    assert first["pageInfo"]["hasNextPage"] is True  # more rows inside the window
    assert ids_of(last) == ids[4:6]
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert ids_of(everything) == ids[2:6]
    assert everything["pageInfo"]["hasNextPage"] is False


async def test_before_alone_gives_the_rows_just_before_it(session: AsyncSession) -> None:
    # given
    query = page_query("partners")
    page = (await ask(session, query, {"first": 30}))["list"]
    assert len(page["edges"]) >= 25
    # when: only before, no size
    back = (await ask(session, query, {"before": page["edges"][24]["cursor"]}))["list"]
    # then: the 20 (default size) rows just before it
    assert ids_of(back) == ids_of(page)[4:24]


NESTED = """
query ($id: ID!, $last: Int, $before: String, $first: Int, $after: String) {
  node(id: $id) {
    ... on Partner {
      list: participations(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
        edges { cursor node { collaboration { id } } }
      }
    }
  }
}
"""


async def test_a_nested_connection_pages_backwards(session: AsyncSession) -> None:
    # given: a partner in seven collaborations, two of them without a fiscal year
    department = await make_department(session)
    partner = await make_partner(session, "入れ子テスト")
    for year in (2018, 2019, None, 2020, 2021, None, 2022):
        await make_collaboration(session, department=department, fiscal_year=year, parts=[partner])
    assert partner.id is not None
    variables: dict[str, Any] = {"id": to_global_id("Partner", partner.id)}

    async def page(**args: Any) -> dict[str, Any]:
        data = await ask(session, NESTED, {**variables, **args})
        return data["node"]["list"]  # type: ignore[no-any-return]

    def collaborations(found: dict[str, Any]) -> list[str]:
        return [e["node"]["collaboration"]["id"] for e in found["edges"]]

    whole = await page(first=10)
    # when: read backwards three at a time
    tail = await page(last=3)
    middle = await page(last=3, before=tail["pageInfo"]["startCursor"])
    head = await page(last=3, before=middle["pageInfo"]["startCursor"])
    # then
    everything = collaborations(whole)
    assert len(everything) == 7
    assert collaborations(tail) == everything[4:]
    assert collaborations(middle) == everything[1:4]
    assert collaborations(head) == everything[:1]
    assert (tail["pageInfo"]["hasPreviousPage"], tail["pageInfo"]["hasNextPage"]) == (True, False)
    assert (middle["pageInfo"]["hasPreviousPage"], middle["pageInfo"]["hasNextPage"]) == (
        True,
        True,
    )
    assert head["pageInfo"]["hasPreviousPage"] is False
    # and the cursors are those of the forward pages
    assert [e["cursor"] for e in whole["edges"]][-3:] == [e["cursor"] for e in tail["edges"]]


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"first": 2, "last": 2}, "同時に指定できません"),
        ({"last": 101}, "last は 0 以上 100 以下"),
        ({"last": -1}, "last は 0 以上 100 以下"),
        ({"first": 101}, "first は 0 以上 100 以下"),
    ],
)
async def test_sizes_are_checked_both_ways(
    session: AsyncSession, variables: dict[str, Any], words: str
) -> None:
    # when
    found = await errors(session, page_query("partners"), variables)
    # then
    assert [e.extensions["code"] for e in found] == ["INVALID"]  # type: ignore[index]
    assert words in found[0].message


async def test_a_cursor_of_another_order_is_invalid(session: AsyncSession) -> None:
    # given: a cursor of the partners in 五十音 order
    page = (await ask(session, page_query("partners"), {"first": 1}))["list"]
    cursor = page["pageInfo"]["endCursor"]
    # when: used with another order, and on another list
    query = page_query("partners", "orderBy: {field: CREATED_AT, direction: DESC}")
    other_order = await errors(session, query, {"after": cursor})
    other_list = await errors(session, page_query("agreements"), {"before": cursor})
    # then
    for found in (other_order, other_list):
        assert [e.extensions["code"] for e in found] == ["INVALID"]  # type: ignore[index]
        assert "別の一覧か別の並び順" in found[0].message


NESTED_TAIL = """
query ($id: ID!, $last: Int, $before: String) {
  node(id: $id) {
    ... on TYPE {
      all: FIELD(first: 100) { edges { cursor node { id } } }
      tail: FIELD(last: $last, before: $before) {
        pageInfo { hasPreviousPage hasNextPage } edges { cursor node { id } }
      }
    }
  }
}
"""


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "strawberry"])
@pytest.mark.parametrize(
    ("type_name", "field", "model"),
    [
        ("Department", "collaborations", "Department"),
        ("SubsidyProgram", "applications", "SubsidyProgram"),
    ],
)
async def test_nested_connections_read_backwards_as_forwards(
    session: AsyncSession, type_name: str, field: str, model: str, compiled: bool
) -> None:
    # given: the parent with the most rows in the demo data
    from kyodo.domain.reference.models import Department
    from kyodo.domain.subsidies.models import SubsidyProgram

    parent, link = {
        "Department": (Department, Collaboration.department_id),
        "SubsidyProgram": (SubsidyProgram, SubsidyApplication.program_id),
    }[model]
    stmt = sa.select(link).group_by(link).order_by(sa.func.count().desc(), link).limit(1)
    pk = (await session.execute(stmt)).scalar_one()
    query = NESTED_TAIL.replace("TYPE", type_name).replace("FIELD", field)
    variables: dict[str, Any] = {"id": to_global_id(parent.__name__, pk)}
    # when: the last three, then the three before them
    data = await ask(session, query, {**variables, "last": 3}, compiled=compiled)
    edges = data["node"]["all"]["edges"]
    tail = data["node"]["tail"]
    before = tail["edges"][0]["cursor"]
    earlier = await ask(
        session, query, {**variables, "last": 3, "before": before}, compiled=compiled
    )
    # then
    assert len(edges) >= 4, f"{type_name} {pk} has too few rows"
    assert tail["edges"] == edges[-3:]
    assert earlier["node"]["tail"]["edges"] == edges[-6:-3]
    assert tail["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    assert earlier["node"]["tail"]["pageInfo"]["hasNextPage"] is True


def forged(ordering: Ordering, values: list[Any]) -> str:
    return ordering.cursor(values)


EXTREMES = [
    ("agreements", forged(AGREEMENTS, ["9999-12-31", 2**31 - 1])),
    ("agreements", forged(AGREEMENTS, ["0001-01-01", -(2**31)])),
    ("agreements", forged(AGREEMENTS, [None, 0])),
    ("agreements", forged(AGREEMENTS, [None, 2**31])),
    ("agreements", forged(AGREEMENTS, ["2022-02-30", 1])),
    ("partners", forged(partner_ordering(None), ["", 1])),
    ("partners", forged(partner_ordering(None), ["ん" * 400, 2**40])),
    ("partners", forged(partner_ordering(None), [None, 1])),
    ("auditEvents", forged(AUDIT_EVENTS, ["9998-12-31T23:59:59-14:00", 1])),
    ("auditEvents", forged(AUDIT_EVENTS, ["9999-12-31T23:59:59-14:00", 1])),
    ("auditEvents", forged(AUDIT_EVENTS, ["2024-05-01T09:00:00", 1])),
    ("proposals", forged(PROPOSALS, [True, 1])),
    ("proposals", forged(PROPOSALS, ["2022-03-10", 1.5])),
]


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize(("field", "cursor"), EXTREMES)
async def test_forged_cursors_page_or_are_invalid_never_fail(
    session: AsyncSession, field: str, cursor: str, direction: str
) -> None:
    # when: a cursor shaped like ours, with values at or past what a column holds
    found = await errors(session, page_query(field), {direction: cursor, "first": 3})
    # then: a page, or INVALID; never an unexpected error
    assert [e.extensions["code"] for e in found] in ([], ["INVALID"])  # type: ignore[index]
