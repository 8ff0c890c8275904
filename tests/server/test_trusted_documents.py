"""Trusted documents: registered with `kyodo documents register`, sent by id.

A scratch database per backend, migrated and seeded once for the module; the app runs as
served. Each test registers documents of its own (their texts differ by a comment-free
alias), so tests do not see each other's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from graphql import parse, print_ast
from typer.testing import CliRunner

import kyodo.schema.document_cache as document_cache
from kyodo.domain.documents.models import TrustedDocument
from kyodo.server.app import create_app
from kyodo.server.cli import app as cli
from kyodo.server.db import make_engine, make_sessionmaker
from kyodo.server.settings import Settings, get_settings
from tests.conftest import BACKENDS, alembic_config, scratch_database


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(str(request.param), Path(tmp_path_factory.mktemp("docs"))) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_seed(url))
        yield url


async def _seed(url: str) -> None:
    from kyodo.seeds.loader import load_demo_data

    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            await load_demo_data(session)
            await session.commit()
    finally:
        await engine.dispose()


@pytest.fixture
def kyodo(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Runs the CLI on the module's database."""
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()

    def run(*args: str) -> Any:
        # In a thread of its own: the command runs its own event loop (asyncio.run).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(CliRunner().invoke, cli, list(args), env={"COLUMNS": "250"}).result()

    yield run
    get_settings.cache_clear()


def unique() -> str:
    return f"a{uuid.uuid4().hex[:10]}"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def registered_ids(result: Any) -> dict[str, str]:
    """name → id, from what `register` prints on stdout."""
    assert result.exit_code == 0, result.output
    pairs = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    return {name: document_id for document_id, name in pairs}


@asynccontextmanager
async def serving(url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(DATABASE_URL=url, KYODO_RESPONSE_CACHE=False, **settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def codes(answer: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in answer.get("errors", [])]


def departments_file(tmp_path: Path, alias: str) -> tuple[Path, Path]:
    """An operation in one file using a fragment of another (as front ends split them)."""
    operation = write(
        tmp_path,
        "Departments.graphql",
        f"query Departments($n: Int) {{ {alias}: departments {{ ...Dept }} "
        "partners(first: $n) { totalCount } }\n",
    )
    fragment = write(tmp_path, "fragments.graphql", "fragment Dept on Department { code name }\n")
    return operation, fragment


async def test_an_operation_registered_from_files_is_answered_by_its_id(
    url: str, kyodo: Any, tmp_path: Path
) -> None:
    # given
    alias = unique()
    ids = registered_ids(
        kyodo("documents", "register", *map(str, departments_file(tmp_path, alias)))
    )
    document_id = ids["Departments"]
    async with serving(url) as client:
        # when: each client's way of naming it
        apollo = await post(
            client,
            {
                "variables": {"n": 1},
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_id}},
            },
        )
        proposal = await post(
            client, {"documentId": f"sha256:{document_id}", "variables": {"n": 1}}
        )
        relay = await post(client, {"doc_id": document_id, "variables": {"n": 1}})
    # then
    for answer in (apollo, proposal, relay):
        assert "errors" not in answer, answer
        assert answer["data"][alias][0].keys() == {"code", "name"}
        assert answer["data"]["partners"]["totalCount"] > 0


async def test_the_registered_text_includes_the_fragments_and_its_id_is_its_sha256(
    url: str, kyodo: Any, tmp_path: Path
) -> None:
    alias = unique()
    ids = registered_ids(
        kyodo("documents", "register", *map(str, departments_file(tmp_path, alias)))
    )
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            row = await session.get(TrustedDocument, ids["Departments"])
    finally:
        await engine.dispose()
    assert row is not None
    assert "fragment Dept on Department" in row.body
    assert row.id == row.sha256 == sha256(row.body)


async def test_an_unknown_id_is_answered_with_a_code_apollo_understands(url: str) -> None:
    async with serving(url) as client:
        answer = await post(
            client, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
        )
    assert "data" not in answer  # a request error: nothing ran (GraphQL over HTTP)
    assert codes(answer) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert "登録されていないドキュメント ID" in answer["errors"][0]["message"]


async def test_apollo_manifests_and_relay_files_are_registered_with_their_ids(
    url: str, kyodo: Any, tmp_path: Path
) -> None:
    # given
    apollo_body = f"query Apollo {{ {unique()}: departments {{ code }} }}"
    relay_body = f"query Relay {{ {unique()}: departments {{ name }} }}"
    relay_id = uuid.uuid4().hex  # Relay's own (md5) id
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha256(apollo_body), "name": "Apollo", "type": "query", "body": apollo_body}
        ],
    }
    files = [
        write(tmp_path, "persisted-query-manifest.json", json.dumps(manifest)),
        write(tmp_path, "persisted_queries.json", json.dumps({relay_id: relay_body})),
    ]
    # when
    ids = registered_ids(kyodo("documents", "register", *map(str, files)))
    async with serving(url) as client:
        apollo = await post(
            client,
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(apollo_body)}}},
        )
        relay = await post(client, {"doc_id": relay_id})
    # then
    assert ids == {"Apollo": sha256(apollo_body), "Relay": relay_id}
    assert "errors" not in apollo and "errors" not in relay


async def test_a_document_that_does_not_validate_registers_nothing(
    url: str, kyodo: Any, tmp_path: Path
) -> None:
    # given: one good operation and one asking a field that does not exist
    good = write(tmp_path, "good.graphql", f"query Good {{ {unique()}: departments {{ code }} }}")
    bad = write(tmp_path, "bad.graphql", "query Bad { departments { nope } }")
    before = await _count(url)
    # when
    result = kyodo("documents", "register", str(good), str(bad))
    # then
    assert result.exit_code == 1
    assert "bad.graphql の Bad" in result.output
    assert await _count(url) == before


async def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            count = (
                await conn.execute(sa.select(sa.func.count()).select_from(TrustedDocument))
            ).scalar()
            return int(count or 0)
    finally:
        await engine.dispose()


async def test_only_registered_documents_are_accepted_when_set_to_only(
    url: str, kyodo: Any, tmp_path: Path
) -> None:
    # given
    body = f"query Only {{ {unique()}: departments {{ code }} }}"
    ids = registered_ids(kyodo("documents", "register", str(write(tmp_path, "o.graphql", body))))
    async with serving(url, KYODO_TRUSTED_DOCUMENTS="only") as client:
        # when
        by_id = await post(client, {"documentId": ids["Only"]})
        # the text as registered: GraphQL's standard print, as Apollo Client sends it
        same_text = await post(client, {"query": print_ast(parse(body))})
        free_text = await post(client, {"query": "{ departments { code } }"})
        unknown = await post(client, {"documentId": "sha256:" + "1" * 64})
    # then
    assert "errors" not in by_id and "errors" not in same_text
    assert "data" not in free_text  # refused before it was parsed
    assert codes(free_text) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert "登録済みのクエリ" in free_text["errors"][0]["message"]
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_free_text_is_refused_before_it_is_parsed(
    url: str, kyodo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a document far over every limit
    parsed: list[str] = []
    real = document_cache.parse
    monkeypatch.setattr(document_cache, "parse", lambda q, **o: parsed.append(q) or real(q, **o))
    bomb = "{ " + " ".join(f"a{i}: departments {{ code }}" for i in range(500)) + " }"
    async with serving(url, KYODO_TRUSTED_DOCUMENTS="only") as client:
        answer = await post(client, {"query": bomb})
    assert codes(answer) == ["PERSISTED_QUERY_NOT_IN_LIST"]
    assert bomb not in parsed


async def test_documents_are_prepared_when_the_server_starts(
    url: str, kyodo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a document registered before the server starts
    body = f"query Ahead {{ {unique()}: departments {{ code }} }}"
    ids = registered_ids(kyodo("documents", "register", str(write(tmp_path, "a.graphql", body))))
    validations: list[int] = []
    real = document_cache.validate_document

    def counting(*args: Any) -> Any:
        validations.append(1)
        return real(*args)

    monkeypatch.setattr(document_cache, "validate_document", counting)
    async with serving(url) as client:
        at_start = len(validations)
        # when
        answer = await post(client, {"documentId": ids["Ahead"]})
    # then: validated at startup, not by the request
    assert "errors" not in answer
    assert at_start >= 1
    assert len(validations) == at_start


async def test_a_document_registered_while_serving_is_found_and_a_removed_one_refused(
    url: str, kyodo: Any, tmp_path: Path
) -> None:
    body = f"query Later {{ {unique()}: departments {{ code }} }}"
    async with serving(url) as client:
        # when: registered by the CLI while the server runs (another instance, say)
        ids = registered_ids(
            kyodo("documents", "register", str(write(tmp_path, "l.graphql", body)))
        )
        found = await post(client, {"documentId": ids["Later"]})
    assert "errors" not in found
    # and once removed, a server no longer knows it
    removed = kyodo("documents", "remove", ids["Later"])
    assert removed.exit_code == 0, removed.output
    async with serving(url) as client:
        gone = await post(client, {"documentId": ids["Later"]})
    assert codes(gone) == ["PERSISTED_QUERY_NOT_FOUND"]
    listed = kyodo("documents", "list")
    assert ids["Later"] not in listed.stdout


def test_removing_an_unknown_id_changes_nothing(kyodo: Any) -> None:
    result = kyodo("documents", "remove", "no-such-document")
    assert result.exit_code == 1
    assert "登録されていないドキュメント ID" in result.output
