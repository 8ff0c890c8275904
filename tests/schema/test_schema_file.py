"""The committed schema/schema.graphql is the live schema, and it honours the contract."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema
from graphql.utilities import find_breaking_changes

from kyodo.schema import schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema" / "schema.graphql"
CONTRACT = ROOT.parent / "shared" / "contract" / "schema.graphql"


def test_committed_schema_matches_the_live_schema():
    # given the live schema and the committed export
    live = schema.as_str() + "\n"
    # then they are identical (run `make schema` after changing the API)
    assert COMMITTED.read_text(encoding="utf-8") == live, "run `make schema` and commit the result"


def test_live_schema_has_no_breaking_change_against_the_contract():
    # given the public contract (when the shared folder is present)
    if not CONTRACT.exists():
        import pytest

        pytest.skip(f"no contract at {CONTRACT}")
    # when comparing it with the live schema
    breaking = find_breaking_changes(
        build_schema(CONTRACT.read_text(encoding="utf-8")), build_schema(schema.as_str())
    )
    # then nothing the contract promises was removed or narrowed
    assert [c.description for c in breaking] == []
