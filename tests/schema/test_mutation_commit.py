"""A mutation commits once its answer is built (schema/mutation.py, issue 8 item 1).

``collaborationCreate`` used to commit, then fail while rendering the collaboration it
returned: the caller read "Unexpected error." for a write that had happened. Now an
error anywhere in a mutation's answer rolls the write back, and the answer says so
with NOT_SAVED at the mutation.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import PartnerKind
from kyodo.domain.partners.commands import PartnerData, create_partner
from kyodo.schema.context import Context, Info
from kyodo.schema.extensions import UNEXPECTED_ERROR_MESSAGE, default_extensions
from kyodo.schema.mutation import NOT_SAVED, MutationExecutor, run_mutation
from tests.database_state import changes, database_state

from .agreements import factories

CREATE_AGREEMENT = """
mutation ($input: AgreementInput!, $day: Date) {
  agreementCreate(input: $input) {
    agreement { id title isInForce(on: $day) }
    errors { field code message }
  }
}
"""
CREATE_TWO = """
mutation ($a: AgreementInput!, $b: AgreementInput!) {
  a: agreementCreate(input: $a) { agreement { id } errors { code } }
  b: agreementCreate(input: $b) { agreement { id isInForce(on: "0001-01-01") } errors { code } }
}
"""


async def _agreement_input(session: AsyncSession, title: str) -> dict[str, Any]:
    department = await factories.make_department(session)
    partner = await factories.make_partner(session, "（デモ）保存のテスト")
    await session.commit()
    return {
        "title": title,
        "category": "PARTNERSHIP",
        "partyIds": [factories.gid("Partner", partner)],
        "departmentCode": department.code,
    }


def _codes(result: dict[str, Any]) -> list[tuple[str, list[Any] | None]]:
    return [(e["extensions"].get("code"), e["path"]) for e in result["errors"]]


async def test_an_error_in_the_answer_rolls_the_mutation_back(
    session: AsyncSession, gql: Any
) -> None:
    # given a valid agreement whose answer asks isInForce for a day out of range
    input = await _agreement_input(session, "（デモ）答えの途中で止まる協定")
    before = await database_state(session)

    # when
    result = await gql.raw(CREATE_AGREEMENT, {"input": input, "day": "0001-01-01"})

    # then the answer says why and that nothing was saved
    assert result["data"] is None
    assert _codes(result) == [
        ("INVALID", ["agreementCreate", "agreement", "isInForce"]),
        (NOT_SAVED, ["agreementCreate"]),
    ]
    assert "保存していません" in result["errors"][1]["message"]
    # and nothing was: no agreement, no party, no audit event
    assert changes(before, await database_state(session)) == {}


async def test_the_same_mutation_with_a_good_answer_is_saved(
    session: AsyncSession, gql: Any
) -> None:
    # given the same agreement, its answer asking isInForce for a day in range
    input = await _agreement_input(session, "（デモ）保存される協定")
    before = await database_state(session)

    # when
    data = await gql(CREATE_AGREEMENT, {"input": input, "day": "2022-04-01"})

    # then it is saved: one agreement, one party, one audit event
    assert data["agreementCreate"]["errors"] == []
    changed = changes(before, await database_state(session))
    assert {k: after - was for k, (was, after) in changed.items() if not k.endswith(".max_id")} == {
        "agreement": 1,
        "agreement_party": 1,
        "audit_event": 1,
        "agreement.version": 1,
    }


async def test_of_two_mutations_only_the_one_whose_answer_failed_is_rolled_back(
    session: AsyncSession, gql: Any
) -> None:
    # given two agreements in one operation; the second's answer fails
    a = await _agreement_input(session, "（デモ）先の協定")
    b = await _agreement_input(session, "（デモ）後の協定")
    before = await database_state(session)

    # when
    result = await gql.raw(CREATE_TWO, {"a": a, "b": b})

    # then the second is not saved and says so; the first, complete before it, is
    assert _codes(result)[-1] == (NOT_SAVED, ["b"])
    changed = changes(before, await database_state(session))
    assert changed["agreement"] == (before["agreement"], before["agreement"] + 1)
    assert changed["audit_event"] == (before["audit_event"], before["audit_event"] + 1)


# ------------------------------------------------------------ an unexpected failure


@strawberry.type
class _BrokenAnswer:
    partner_id: int

    @strawberry.field
    def label(self) -> str:
        raise RuntimeError("the answer could not be rendered")


@strawberry.type
class _Mutation:
    @strawberry.mutation
    async def register(self, info: Info) -> _BrokenAnswer:
        """A real write through run_mutation, whose answer fails to render (like a
        fiscal-year label that raised for a date before 明治)."""
        context = info.context
        outcome = await run_mutation(
            context,
            lambda s: create_partner(
                s, data=PartnerData(kind=PartnerKind.NPO, name="（デモ）失敗の会"), actor="test"
            ),
        )
        assert outcome.value is not None and outcome.value.id is not None
        return _BrokenAnswer(partner_id=outcome.value.id)


@strawberry.type
class _Query:
    ok: bool = True


BROKEN_SCHEMA = strawberry.Schema(
    query=_Query,
    mutation=_Mutation,
    extensions=default_extensions(),
    execution_context_class=MutationExecutor,
)


async def test_an_unexpected_failure_while_building_the_answer_saves_nothing(
    session: AsyncSession,
) -> None:
    # given a mutation that writes a partner and an answer that raises while rendered
    before = await database_state(session)

    # when it runs with the API's executor and error policy
    result = await BROKEN_SCHEMA.execute(
        "mutation { register { partnerId label } }", context_value=Context(session=session)
    )

    # then the caller learns that the answer failed and that nothing was saved
    assert result.data is None
    assert [(e.message, (e.extensions or {}).get("code"), e.path) for e in result.errors or []] == [
        (UNEXPECTED_ERROR_MESSAGE, "INTERNAL_SERVER_ERROR", ["register", "label"]),
        (
            "この変更は保存していません。結果を返す途中でエラーが起きたためです（ほかのエラーを"
            "見てください）。直してから、もう一度送ってください。",
            NOT_SAVED,
            ["register"],
        ),
    ]
    # and the partner and its audit event are not in the database
    assert changes(before, await database_state(session)) == {}
