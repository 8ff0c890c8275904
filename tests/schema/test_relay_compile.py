"""Relay front ends build on the schema: ``relay-compiler`` (npm, pinned in package.json)
compiles sample fragments and queries paginating backwards (``@connection`` over
``last``/``before``, a root list and a nested one, ``@refetchable`` through
``Query.node``) against the committed ``schema/schema.graphql``; the operation text it
generates then runs against the API and pages backwards.

Needs Node.js and the pinned package (``npm ci``, run by ``make test``); without them the
test is skipped locally and fails in CI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.live.node import require_node_tool
from tests.live.server import ROOT

SAMPLES = Path(__file__).resolve().parents[1] / "live" / "relay"
COMPILER = ROOT / "node_modules" / "relay-compiler" / "cli.js"


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node = require_node_tool("relay-compiler", "the Relay compile test")
    project = tmp_path_factory.mktemp("relay") / "app"
    shutil.copytree(SAMPLES, project)
    config = json.loads((project / "relay.config.json").read_text())
    config["schema"] = str(ROOT / "schema" / "schema.graphql")
    (project / "relay.config.json").write_text(json.dumps(config))
    (project / "__generated__").mkdir()
    done = subprocess.run(
        [node, str(COMPILER), "relay.config.json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "__generated__"


def operation_text(artifacts: Path, name: str) -> str:
    source = (artifacts / f"{name}.graphql.js").read_text()
    match = re.search(r'"text": ("(?:[^"\\]|\\.)*")', source)
    assert match, f"no operation text in {name}"
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_the_samples_compile_with_backward_pagination(artifacts: Path) -> None:
    # then: every fragment and query has its artifact, pagination queries included
    names = {p.name.removesuffix(".graphql.js") for p in artifacts.glob("*.graphql.js")}
    assert {
        "PartnerList_query",
        "PartnerListQuery",
        "PartnerListPaginationQuery",
        "PartnerParticipations_partner",
        "PartnerParticipationsPaginationQuery",
        "PartnerParticipationsAgreementsQuery",
    } <= names
    # and Relay reads both directions of the bidirectional connection
    reader = (artifacts / "PartnerList_query.graphql.js").read_text()
    assert '"backward"' in reader and '"forward"' in reader


async def test_the_generated_pagination_query_pages_backwards(
    artifacts: Path, gql: GraphQLClient
) -> None:
    # given: the query Relay's usePaginationFragment sends to load the previous page
    query = operation_text(artifacts, "PartnerListPaginationQuery")

    async def page(variables: dict[str, Any]) -> dict[str, Any]:
        return (await gql(query, variables))["partners"]  # type: ignore[no-any-return]

    # when: the last three partners, then the three before them
    last = await page({"last": 3})
    earlier = await page({"last": 3, "before": last["pageInfo"]["startCursor"]})
    forwards = await page({"first": 100, "last": None})

    # then: they are the end of the list, in order, with Relay's pageInfo
    names = [e["node"]["name"] for e in forwards["edges"]]
    if forwards["totalCount"] <= 100:
        assert [e["node"]["name"] for e in earlier["edges"] + last["edges"]] == names[-6:]
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert last["pageInfo"]["hasNextPage"] is False
    assert earlier["pageInfo"]["hasNextPage"] is True
    assert all(e["node"]["__typename"] == "Partner" for e in last["edges"])
