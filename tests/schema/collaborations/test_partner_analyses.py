"""第4章(5)(7): partnerConcentration, partnerSuggestions and partnerNetwork."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from kyodo.domain.enums import CollaborationStatus, PartnerKind, PartnerStatus
from tests.conftest import TEST_ADMIN
from tests.schema.compiled.both_paths import both_paths as compared

from .factories import gid, make_collaboration, make_department, make_field, make_partner

CONCENTRATION = """
query ($from: Int!, $to: Int!, $min: Int, $dept: String) {
  partnerConcentration(
    fromFiscalYear: $from, toFiscalYear: $to, minConsecutiveYears: $min, departmentCode: $dept
  ) {
    department { code name }
    partner { name }
    fiscalYears
    consecutiveYears
    collaborationCount
  }
}
"""


async def test_concentration_finds_the_demo_consumer_association_repeats(gql: Any) -> None:
    # given: the demo data's みんなの消費生活展, led by 苫小牧消費者協会 every year

    # when
    data = await gql(CONCENTRATION, {"from": 2018, "to": 2022, "dept": "shimin-seikatsu"})

    # then
    findings = {f["partner"]["name"]: f for f in data["partnerConcentration"]}
    association = findings["苫小牧消費者協会"]
    assert association["department"]["name"] == "市民生活課"
    assert association["fiscalYears"] == [2018, 2019, 2020, 2021, 2022]
    assert association["consecutiveYears"] == 5
    assert association["collaborationCount"] == 5
    assert data["partnerConcentration"][0]["consecutiveYears"] == 5


async def test_concentration_counts_the_longest_run_of_consecutive_years(
    session: AsyncSession, gql: Any
) -> None:
    # given: one partner every year 2016–2018 and 2020–2021, another with gaps only
    dept = await make_department(session)
    steady = await make_partner(session, "毎年の団体")
    patchy = await make_partner(session, "隔年の団体")
    for year in (2016, 2017, 2018, 2020, 2021):
        await make_collaboration(session, department=dept, fiscal_year=year, parts=[steady])
    await make_collaboration(session, department=dept, fiscal_year=2018, parts=[steady])
    for year in (2016, 2018, 2020):
        await make_collaboration(session, department=dept, fiscal_year=year, parts=[patchy])

    # when
    data = await gql(CONCENTRATION, {"from": 2015, "to": 2021, "dept": dept.code})

    # then
    assert data["partnerConcentration"] == [
        {
            "department": {"code": dept.code, "name": "テスト課"},
            "partner": {"name": "毎年の団体"},
            "fiscalYears": [2016, 2017, 2018, 2020, 2021],
            "consecutiveYears": 3,
            "collaborationCount": 6,
        }
    ]


async def test_concentration_only_looks_inside_the_range(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    partner = await make_partner(session)
    for year in (2016, 2017, 2018):
        await make_collaboration(session, department=dept, fiscal_year=year, parts=[partner])

    # when: the range cuts the run to two years
    data = await gql(CONCENTRATION, {"from": 2017, "to": 2020, "dept": dept.code})
    lowered = await gql(CONCENTRATION, {"from": 2017, "to": 2020, "min": 2, "dept": dept.code})

    # then
    assert data["partnerConcentration"] == []
    assert [f["fiscalYears"] for f in lowered["partnerConcentration"]] == [[2017, 2018]]


async def test_cancelled_collaborations_do_not_count(session: AsyncSession, gql: Any) -> None:
    # given: the middle year was cancelled
    dept = await make_department(session)
    partner = await make_partner(session)
    for year, status in [
        (2019, CollaborationStatus.EVALUATED),
        (2020, CollaborationStatus.CANCELLED),
        (2021, CollaborationStatus.ACTIVE),
    ]:
        await make_collaboration(
            session, department=dept, fiscal_year=year, status=status, parts=[partner]
        )

    # when
    data = await gql(CONCENTRATION, {"from": 2019, "to": 2021, "dept": dept.code})

    # then
    assert data["partnerConcentration"] == []


async def test_concentration_orders_by_run_then_collaboration_count(
    session: AsyncSession, gql: Any
) -> None:
    # given
    dept = await make_department(session)
    partners = [await make_partner(session, n) for n in ("三年", "四年", "三年多")]
    for year in (2018, 2019, 2020):
        await make_collaboration(session, department=dept, fiscal_year=year, parts=partners)
    await make_collaboration(session, department=dept, fiscal_year=2021, parts=[partners[1]])
    await make_collaboration(session, department=dept, fiscal_year=2020, parts=[partners[2]])

    # when
    data = await gql(CONCENTRATION, {"from": 2018, "to": 2021, "dept": dept.code})

    # then
    assert [f["partner"]["name"] for f in data["partnerConcentration"]] == [
        "四年",
        "三年多",
        "三年",
    ]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"from": 2022, "to": 2020}, "INVALID"),
        ({"from": 2018, "to": 2022, "min": 1}, "INVALID"),
        ({"from": 2018, "to": 2022, "dept": "no-such-department"}, "NOT_FOUND"),
    ],
)
async def test_concentration_refuses_bad_arguments(
    gql: Any, variables: dict[str, Any], code: str
) -> None:
    # when
    result = await gql.raw(CONCENTRATION, variables)

    # then
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == code
    assert result["errors"][0]["message"]  # a plain Japanese explanation


SUGGESTIONS = """
query ($fields: [String!]!, $dept: String, $first: Int) {
  partnerSuggestions(fieldCodes: $fields, departmentCode: $dept, first: $first) {
    partner { name }
    matchingFields { code }
    lastFiscalYearWithDepartment
    score
  }
}
"""


async def test_suggestions_prefer_more_fields_and_partners_new_to_the_department(
    session: AsyncSession, gql: Any
) -> None:
    # given: the department's partner this year, one from three years ago, and newcomers
    dept = await make_department(session)
    need, also = await make_field(session), await make_field(session)
    this_year = await make_partner(session, "今年の団体", fields=[need, also])
    three_years_ago = await make_partner(session, "三年前の団体", fields=[need, also])
    await make_partner(session, "新顔の両分野", fields=[need, also])
    await make_partner(session, "新顔の一分野", fields=[need])
    await make_collaboration(session, department=dept, fiscal_year=2021, parts=[this_year])
    await make_collaboration(session, department=dept, fiscal_year=2018, parts=[three_years_ago])

    # when: asked in fiscal year 2021
    data = await gql(
        SUGGESTIONS,
        {"fields": [need.code, also.code], "dept": dept.code},
        today=date(2022, 1, 10),
    )

    # then
    rows = data["partnerSuggestions"]
    assert [
        (r["partner"]["name"], r["lastFiscalYearWithDepartment"], r["score"]) for r in rows
    ] == [
        ("新顔の両分野", None, 2.0),  # both fields + never worked together
        ("三年前の団体", 2018, 1.6),  # both fields + 3 of 5 years apart
        ("新顔の一分野", None, 1.5),  # one of two fields + never worked together
        ("今年の団体", 2021, 1.0),  # both fields, but this year's partner
    ]
    assert rows[0]["matchingFields"] == [{"code": need.code}, {"code": also.code}]


async def test_suggestions_leave_out_individuals_and_inactive_partners(
    session: AsyncSession, gql: Any
) -> None:
    # given
    need = await make_field(session)
    await make_partner(session, "個人ボランティア", kind=PartnerKind.INDIVIDUAL, fields=[need])
    await make_partner(session, "解散した団体", status=PartnerStatus.DISSOLVED, fields=[need])
    await make_partner(session, "活動中のNPO", kind=PartnerKind.NPO, fields=[need])

    # when
    data = await gql(SUGGESTIONS, {"fields": [need.code]})

    # then: without a department only the field match counts
    assert data["partnerSuggestions"] == [
        {
            "partner": {"name": "活動中のNPO"},
            "matchingFields": [{"code": need.code}],
            "lastFiscalYearWithDepartment": None,
            "score": 1.0,
        }
    ]


async def test_suggestions_are_bounded_by_first(session: AsyncSession, gql: Any) -> None:
    # given
    need = await make_field(session)
    for i in range(4):
        await make_partner(session, f"団体{i}", kana=f"ダンタイ{i}", fields=[need])

    # when
    data = await gql(SUGGESTIONS, {"fields": [need.code], "first": 2})

    # then: equal scores fall back to 五十音 order
    assert [r["partner"]["name"] for r in data["partnerSuggestions"]] == ["団体0", "団体1"]


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"fields": ["no-such-field"]}, "NOT_FOUND"),
        ({"fields": []}, "INVALID"),
        ({"fields": ["elderly"], "first": 101}, "INVALID"),
        ({"fields": ["elderly"], "dept": "no-such-department"}, "NOT_FOUND"),
    ],
)
async def test_suggestions_refuse_bad_arguments(
    gql: Any, variables: dict[str, Any], code: str
) -> None:
    # when
    result = await gql.raw(SUGGESTIONS, variables)

    # then
    assert result["errors"][0]["extensions"]["code"] == code


NETWORK = """
query ($fields: [String!], $year: Int, $min: Int) {
  partnerNetwork(fieldCodes: $fields, fiscalYear: $year, minSharedCollaborations: $min) {
    nodes { id name }
    links { sourceId targetId sharedCollaborationCount }
  }
}
"""


async def test_network_links_partners_sharing_collaborations(
    session: AsyncSession, gql: Any
) -> None:
    # given: A and B share two collaborations, B and C one; D only a cancelled one
    dept = await make_department(session)
    field = await make_field(session)
    a, b, c, d = [await make_partner(session, n) for n in ("A", "B", "C", "D")]
    await make_collaboration(session, department=dept, fields=[field], parts=[a, b])
    await make_collaboration(session, department=dept, fields=[field], parts=[a, b, c])
    await make_collaboration(
        session,
        department=dept,
        fields=[field],
        parts=[c, d],
        status=CollaborationStatus.CANCELLED,
    )

    # when
    data = (await gql(NETWORK, {"fields": [field.code]}))["partnerNetwork"]

    # then
    assert [n["name"] for n in data["nodes"]] == ["A", "B", "C"]
    links = {
        (link["sourceId"], link["targetId"]): link["sharedCollaborationCount"]
        for link in data["links"]
    }
    assert links == {
        (gid("Partner", a), gid("Partner", b)): 2,
        (gid("Partner", a), gid("Partner", c)): 1,
        (gid("Partner", b), gid("Partner", c)): 1,
    }


async def test_network_keeps_links_with_enough_shared_collaborations(
    session: AsyncSession, gql: Any
) -> None:
    # given
    dept = await make_department(session)
    field = await make_field(session)
    a, b, c = [await make_partner(session, n) for n in ("A", "B", "C")]
    await make_collaboration(session, department=dept, fields=[field], parts=[a, b])
    await make_collaboration(session, department=dept, fields=[field], parts=[a, b, c])

    # when
    data = (await gql(NETWORK, {"fields": [field.code], "min": 2}))["partnerNetwork"]

    # then
    assert [n["name"] for n in data["nodes"]] == ["A", "B"]
    assert [link["sharedCollaborationCount"] for link in data["links"]] == [2]


async def test_network_filters_by_fiscal_year(session: AsyncSession, gql: Any) -> None:
    # given
    dept = await make_department(session)
    field = await make_field(session)
    a, b, c = [await make_partner(session, n) for n in ("A", "B", "C")]
    await make_collaboration(
        session, department=dept, fields=[field], fiscal_year=2020, parts=[a, b]
    )
    await make_collaboration(
        session, department=dept, fields=[field], fiscal_year=2021, parts=[b, c]
    )

    # when
    data = (await gql(NETWORK, {"fields": [field.code], "year": 2021}))["partnerNetwork"]

    # then
    assert [n["name"] for n in data["nodes"]] == ["B", "C"]


async def test_network_refuses_a_minimum_below_one(gql: Any) -> None:
    # when
    result = await gql.raw(NETWORK, {"min": 0})

    # then
    assert result["errors"][0]["extensions"]["code"] == "INVALID"


FULL_CONCENTRATION = """
query ($from: Int!, $to: Int!, $min: Int, $dept: String) {
  partnerConcentration(
    fromFiscalYear: $from, toFiscalYear: $to, minConsecutiveYears: $min, departmentCode: $dept
  ) {
    __typename
    department { code name }
    partner { id name kind phone contacts { name phone } }
    fiscalYears
    consecutiveYears
    years: consecutiveYears
    collaborationCount
    lastReviewedOn
    nextReviewDueOn
  }
}
"""

FULL_SUGGESTIONS = """
query ($fields: [String!]!, $dept: String, $first: Int) {
  partnerSuggestions(fieldCodes: $fields, departmentCode: $dept, first: $first) {
    __typename partner { id name kind } matchingFields { code name }
    lastFiscalYearWithDepartment score
  }
}
"""

FULL_NETWORK = """
query ($fields: [String!], $year: Int, $min: Int) {
  partnerNetwork(fieldCodes: $fields, fiscalYear: $year, minSharedCollaborations: $min) {
    __typename
    nodes { __typename id name kind district phone }
    links { __typename sourceId targetId sharedCollaborationCount }
  }
}
"""


async def test_the_analyses_are_the_same_on_both_paths(session: AsyncSession) -> None:
    # given: the demo data, and partners working with one department year after year
    dept = await make_department(session)
    field = await make_field(session)
    a, b, c = [
        await make_partner(session, n) for n in ("（テスト）A", "（テスト）B", "（テスト）C")
    ]
    for year in (2019, 2020, 2021, 2022):
        await make_collaboration(
            session, department=dept, fields=[field], fiscal_year=year, parts=[a, b]
        )
    await make_collaboration(
        session, department=dept, fields=[field], fiscal_year=2021, parts=[a, b, c]
    )
    await session.commit()

    # when / then: the compiled path answers as Strawberry does, for several arguments
    concentration = [
        {"from": 2015, "to": 2025},
        {"from": 2018, "to": 2022, "min": 2, "dept": dept.code},
        {"from": 2019, "to": 2021, "min": None},
        {"from": 2024, "to": 2025},
    ]
    found = [
        await compared(session, FULL_CONCENTRATION, v, principal=TEST_ADMIN) for v in concentration
    ]
    mine = [f for f in found[1]["partnerConcentration"] if f["department"]["code"] == dept.code]
    assert [(f["partner"]["name"], f["consecutiveYears"]) for f in mine] == [
        ("（テスト）A", 4),
        ("（テスト）B", 4),
    ]
    network = [{}, {"fields": [field.code]}, {"year": 2021, "min": 2}, {"min": None}]
    graphs = [await compared(session, FULL_NETWORK, v, principal=TEST_ADMIN) for v in network]
    assert [n["name"] for n in graphs[1]["partnerNetwork"]["nodes"]] == [
        "（テスト）A",
        "（テスト）B",
        "（テスト）C",
    ]
    assert graphs[0]["partnerNetwork"]["links"]
    other = await make_field(session)
    await make_partner(session, "（テスト）D", fields=[field, other])
    suggestions = [
        {"fields": [field.code]},
        {"fields": [field.code, other.code], "dept": dept.code, "first": 2},
        {"fields": [other.code], "first": None},
    ]
    answers = [
        await compared(session, FULL_SUGGESTIONS, v, principal=TEST_ADMIN, today=date(2022, 6, 1))
        for v in suggestions
    ]
    assert [s["partner"]["name"] for s in answers[1]["partnerSuggestions"]] == ["（テスト）D"]


COLLABORATORS = """
query ($id: ID!, $first: Int) {
  node(id: $id) { ... on Partner {
    name
    collaborators(first: $first) {
      __typename sharedCollaborationCount partner { id name kind collaborators { partner { name } } }
    }
  } }
}
"""


async def test_a_partner_s_collaborators_count_what_happened_the_same_on_both_paths(
    session: AsyncSession,
) -> None:
    # given: A shares two collaborations with C, one with B and with an individual E
    # (五十音 order: B before E), and only a cancelled one with D — as the network counts
    dept = await make_department(session)
    a, b, c, d = [
        await make_partner(session, n, kana=k)
        for n, k in (("A", "ア"), ("B", "イ"), ("C", "ウ"), ("D", "エ"))
    ]
    e = await make_partner(session, "E", kana="オ", kind=PartnerKind.INDIVIDUAL)
    await make_collaboration(session, department=dept, parts=[a, c])
    await make_collaboration(session, department=dept, parts=[a, b, c, e])
    await make_collaboration(
        session, department=dept, parts=[a, d], status=CollaborationStatus.CANCELLED
    )

    # when
    answers = [
        await compared(
            session, COLLABORATORS, {"id": gid("Partner", a), "first": n}, principal=TEST_ADMIN
        )
        for n in (None, 2)
    ]

    # then: most shared first, then 五十音; the cancelled one does not count; first: 2
    everyone, two = (answer["node"]["collaborators"] for answer in answers)
    assert [(x["partner"]["name"], x["sharedCollaborationCount"]) for x in everyone] == [
        ("C", 2),
        ("B", 1),
        ("E", 1),
    ]
    assert everyone[0]["__typename"] == "Collaborator"
    assert [x["partner"]["name"] for x in everyone[0]["partner"]["collaborators"]] == [
        "A",
        "B",
        "E",
    ]
    assert two == everyone[:2]
