"""``enumLabels``: every enum value's Japanese label and description, for anyone."""

from __future__ import annotations

from graphql import GraphQLEnumType
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import SupportCategory
from kyodo.domain.labels import LABELS
from kyodo.schema import schema
from kyodo.schema.context import ANONYMOUS
from tests.conftest import GraphQLClient

QUERY = "query ($enums: [String!]) { enumLabels(enums: $enums) { enum value label description } }"


async def test_a_dashboard_reads_the_label_of_a_support_category_without_a_token(
    gql: GraphQLClient,
) -> None:
    # when an anonymous caller asks for the support categories' labels
    data = await gql(QUERY, {"enums": ["SupportCategory"]}, principal=ANONYMOUS)
    # then each value comes with its Japanese label, in declaration order
    rows = data["enumLabels"]
    assert [row["value"] for row in rows] == [c.name for c in SupportCategory]
    assert rows[0] == {
        "enum": "SupportCategory",
        "value": "STAFF_DISPATCH",
        "label": "職員派遣",
        "description": "職員派遣",
    }


async def test_every_value_of_every_labelled_enum_is_returned_as_the_schema_describes_it(
    gql: GraphQLClient,
) -> None:
    # when asking for all labels
    data = await gql(QUERY)
    got = {(row["enum"], row["value"]): row for row in data["enumLabels"]}
    # then every value of every GraphQL enum the domain labels is there, its description
    # the one introspection gives, its label non-empty
    expected = {}
    for enum in LABELS:
        graphql_enum = schema._schema.type_map[enum.__name__]
        assert isinstance(graphql_enum, GraphQLEnumType)
        for name, value in graphql_enum.values.items():
            expected[(enum.__name__, name)] = value.description
    assert set(got) == set(expected)
    for key, description in expected.items():
        assert got[key]["description"] == description
        assert got[key]["label"].strip()
    assert got[("ErrorCode", "VERSION_CONFLICT")]["label"] == "更新の競合"
    assert got[("CollaborationForm", "CO_HOSTING")]["label"] == "共催"


async def test_an_unknown_enum_name_is_refused_with_the_names_that_exist(
    gql: GraphQLClient,
) -> None:
    # when asking for an enum that has no labels
    result = await gql.raw(QUERY, {"enums": ["SupportCategory", "OrderDirection"]})
    # then INVALID, naming it and listing the ones there are
    [error] = result["errors"]
    assert error["extensions"]["code"] == "INVALID"
    assert "OrderDirection" in error["message"]
    assert "SupportCategory" in error["message"]
    assert result["data"] is None


async def test_the_labels_read_the_same_on_both_paths_and_a_refusal_falls_back(
    session: AsyncSession,
) -> None:
    from kyodo.schema.context import Context
    from kyodo.schema.enum_labels import ENUM_LABELS
    from tests.schema.compiled.both_paths import both_paths

    # when: every enum, two of them, none
    every, two, none = [
        (await both_paths(session, QUERY, {"enums": enums}, principal=ANONYMOUS))["enumLabels"]
        for enums in (None, ["SupportCategory", "Role"], [])
    ]
    # then
    assert len(every) == len(ENUM_LABELS)
    assert {label["enum"] for label in two} == {"SupportCategory", "Role"}
    assert none == []
    # an unknown name: Strawberry answers with its error, nothing compiled
    context = Context(session=session, principal=ANONYMOUS)
    result = await schema.execute(QUERY, variable_values={"enums": ["Nope"]}, context_value=context)
    assert result.errors and (result.errors[0].extensions or {}).get("code") == "INVALID"
    assert str(context.compiled_outcome).startswith("fallback:")
