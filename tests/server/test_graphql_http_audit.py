"""The GraphQL over HTTP audit of the ``graphql-http`` npm package against ``kyodo serve``.

Every MUST and SHOULD audit passes. Exactly three MAY audits fail, on purpose: they
execute queries over GET, which /graphql refuses (GET serves GraphiQL only: a query in
a URL lands in proxy and server logs, and one cross-site ``<img src>`` would run it; see
the README, *HTTP rules*). Should GET start answering, or any other audit stop passing,
this test fails.

Needs Node.js and the pinned package (``npm ci``, which ``make test`` and ``.ci/run``
run); without them the test is skipped locally and fails in CI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from alembic import command

from tests.conftest import alembic_config, scratch_database
from tests.live.node import require_node_tool
from tests.live.server import ROOT, live_server

AUDIT_SCRIPT = Path(__file__).resolve().parents[1] / "live" / "graphql_http_audit.mjs"
GET_REFUSED = {
    "5A70": "MAY accept application/x-www-form-urlencoded formatted GET requests",
    "D6D5": "MAY allow URL-encoded JSON string {variables} parameter in GETs when "
    "accepting application/graphql-response+json",
    "6A70": "MAY allow URL-encoded JSON string {variables} parameter in GETs when "
    "accepting application/json",
}
"""The audits expected to fail, by id: GET queries are refused (405)."""


def require_audit() -> str:
    return require_node_tool("graphql-http", "the GraphQL over HTTP audit")


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    node = require_audit()
    with scratch_database("sqlite", tmp_path_factory.mktemp("audit")) as url:
        command.upgrade(alembic_config(url), "head")
        with live_server(url) as server:
            done = subprocess.run(
                [node, str(AUDIT_SCRIPT), server.graphql],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
    assert done.returncode == 0, done.stderr
    return {result["id"]: result for result in json.loads(done.stdout)}


def test_every_must_and_should_audit_passes(audit: dict[str, dict]) -> None:
    # given the audit's results (it ran against the live server)
    required = {i: r for i, r in audit.items() if r["name"].startswith(("MUST", "SHOULD"))}
    assert len(required) == 13 + 23  # the whole audit ran: graphql-http 1.23.1's MUSTs, SHOULDs
    # then none of them failed
    failed = {i: r for i, r in required.items() if r["status"] != "ok"}
    assert failed == {}


def test_only_the_get_audits_are_refused(audit: dict[str, dict]) -> None:
    # when collecting every audit that did not pass
    not_ok = {i: r["name"] for i, r in audit.items() if r["status"] != "ok"}
    # then they are exactly the MAY audits of queries over GET
    assert not_ok == GET_REFUSED
    assert {audit[i]["response"]["status"] for i in GET_REFUSED} == {405}
