"""Operations like any twelve-factor service (issue 12, item 6): /livez and /readyz,
Prometheus /metrics, JSON logs, OpenTelemetry traces."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from alembic import command
from prometheus_client.parser import text_string_to_metric_families

from kyodo.server import metrics
from kyodo.server.app import create_app
from kyodo.server.logs import JsonFormatter, RequestIdFilter, logging_config, request_id
from kyodo.server.migrations_config import alembic_config, code_head
from kyodo.server.settings import ConfigurationError, Settings
from tests.conftest import scratch_database

UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:9/kyodo"


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(sessionmaker) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(Settings(), sessionmaker=sessionmaker)) as client:
        yield client


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


# ------------------------------------------------------------------ probes


async def test_livez_answers_without_the_database() -> None:
    # given: an app whose database cannot be reached
    async with client_for(create_app(Settings(DATABASE_URL=UNREACHABLE))) as client:
        # then: alive, but not ready, and /readyz says why
        live = await client.get("/livez")
        ready = await client.get("/readyz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 503
    assert ready.json()["reason"] == "database_unavailable"
    assert ready.json()["code"] == "DATABASE_UNAVAILABLE"
    assert ready.headers["retry-after"]


async def test_readyz_is_ok_on_a_migrated_database(client) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "revision": code_head()}
    assert response.headers["cache-control"] == "no-store"


def test_readyz_refuses_an_unmigrated_or_older_database(backend: str, tmp_path: Path) -> None:
    async def ready(url: str) -> httpx.Response:
        app = create_app(Settings(DATABASE_URL=url))
        async with client_for(app) as client:
            return await client.get("/readyz")

    with scratch_database(backend, tmp_path) as url:
        if backend == "sqlite":
            command.upgrade(alembic_config(url), "0001")  # creates the file
            command.downgrade(alembic_config(url), "base")
        # never migrated
        response = asyncio.run(ready(url))
        assert response.status_code == 503
        assert response.json()["reason"] == "not_migrated"
        assert "kyodo db upgrade" in response.json()["message"]
        # migrated, but not to this code's head
        command.upgrade(alembic_config(url), "0001")
        response = asyncio.run(ready(url))
        assert response.status_code == 503
        assert response.json() | {"message": ""} == {
            "status": "unavailable",
            "reason": "migration_pending",
            "message": "",
            "current": ["0001_initial"],
            "head": code_head(),
        }
        # at head: ready
        command.upgrade(alembic_config(url), "head")
        assert asyncio.run(ready(url)).status_code == 200


async def test_healthz_is_unchanged(client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


# ------------------------------------------------------------------ metrics


async def test_metrics_count_requests_by_operation_and_errors_by_code(client) -> None:
    before = (await client.get("/metrics")).text
    # when: two named queries, one anonymous, one that fails validation
    for _ in range(2):
        await client.post(
            "/graphql",
            json={"query": "query Forms { collaborationForms { form } }"},
        )
    await client.post(
        "/graphql",
        json={
            "query": "query A { viewer { role } } query B { viewer { name } }",
            "operationName": "B",
        },
    )
    await client.post("/graphql", json={"query": "{ viewer { role } }"})
    await client.post("/graphql", json={"query": "{ noSuchField }"})
    response = await client.get("/metrics")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("kyodo_graphql_requests_total", operation="Forms", status="200") == 2
    assert grew("kyodo_graphql_requests_total", operation="B", status="200") == 1
    # (a validation failure is answered 200 under application/json)
    assert grew("kyodo_graphql_requests_total", operation="anonymous", status="200") == 2
    assert grew("kyodo_graphql_request_duration_seconds_count", operation="Forms") == 2
    assert grew("kyodo_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    # GraphQL POSTs are kyodo_graphql_*; every other request is kyodo_http_*
    assert grew("kyodo_http_requests_total", route="/graphql", method="POST", status="200") == 0
    await client.get("/healthz")
    await client.request("BREW", "/healthz")
    text = (await client.get("/metrics")).text
    assert value(
        text, "kyodo_http_requests_total", route="/healthz", method="GET", status="200"
    ) > value(before, "kyodo_http_requests_total", route="/healthz", method="GET", status="200")
    assert (
        value(text, "kyodo_http_requests_total", route="/healthz", method="other", status="405")
        >= 1
    )


async def test_refusals_of_the_http_edge_are_counted_by_code(client) -> None:
    before = (await client.get("/metrics")).text
    await client.post("/graphql", content=b"query=1", headers={"content-type": "text/plain"})
    after = (await client.get("/metrics")).text
    assert (
        value(after, "kyodo_graphql_errors_total", code="UNSUPPORTED_MEDIA_TYPE")
        - value(before, "kyodo_graphql_errors_total", code="UNSUPPORTED_MEDIA_TYPE")
        == 1
    )


def test_operation_labels_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_operations", metrics._Labels(2))
    assert metrics.operation_name(b'{"query": "query One { a }"}') == "One"
    assert metrics.operation_name(b'{"operationName": "Two", "query": "x"}') == "Two"
    # a third name, and names that are no GraphQL names, add no series
    assert metrics.operation_name(b'{"operationName": "Three"}') == "other"
    assert metrics.operation_name(b'{"operationName": "One"}') == "One"
    assert metrics.operation_name(b'{"operationName": "x\\ny"}') == "other"
    assert metrics.operation_name(b'{"documentId": "abc"}') == "persisted"
    assert metrics.operation_name(b"[1]") == "invalid"
    assert metrics.operation_name(b"{") == "invalid"
    assert metrics.route_of("/wp-login.php") == "other"
    assert metrics.route_of("/exports/partners.csv") == "/exports"


async def test_pool_usage_is_measured(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    app = create_app(Settings(DATABASE_URL=url, KYODO_DB_POOL_SIZE=3, KYODO_DB_MAX_OVERFLOW=2))
    async with client_for(app) as client:
        await client.post("/graphql", json={"query": "{ departments { code } }"})
        text = (await client.get("/metrics")).text
    assert value(text, "kyodo_db_pool_size") == 3
    assert value(text, "kyodo_db_pool_max") == 5
    assert value(text, "kyodo_db_pool_open") >= 1
    assert value(text, "kyodo_db_pool_checked_out") == 0  # every connection given back


async def test_metrics_token_is_required_when_configured(sessionmaker) -> None:
    settings = Settings(KYODO_METRICS_TOKEN="s3cret-scrape-token")
    assert settings.metrics_access == "token"
    async with client_for(create_app(settings, sessionmaker=sessionmaker)) as client:
        refused = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        # the scrape token is no API token: the token check of the API never sees it
        allowed = await client.get(
            "/metrics", headers={"authorization": "Bearer s3cret-scrape-token"}
        )
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert allowed.status_code == 200
    assert "kyodo_graphql_requests_total" in allowed.text


async def test_metrics_off_serves_no_metrics(sessionmaker) -> None:
    app = create_app(Settings(KYODO_METRICS="off"), sessionmaker=sessionmaker)
    async with client_for(app) as client:
        assert (await client.get("/metrics")).status_code == 404
        assert (await client.get("/livez")).status_code == 200


def test_metrics_access_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KYODO_METRICS", raising=False)
    assert Settings().metrics_access == "public"
    production = Settings(
        KYODO_ENV="production",
        DATABASE_URL="postgresql+asyncpg://kyodo@db/kyodo",
        KYODO_CORS_ORIGINS=["https://kyodo.example.jp"],
    )
    assert production.metrics_access == "off"
    production.check_ready_to_serve()
    # docker-compose's ${KYODO_METRICS:-} is "unset", not an invalid value
    assert Settings(KYODO_METRICS="").metrics is None
    with pytest.raises(ConfigurationError, match="KYODO_METRICS_TOKEN"):
        Settings(KYODO_METRICS="token").check_ready_to_serve()


# ------------------------------------------------------------------ logs


def test_json_logs_carry_timestamp_level_and_request_id() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kyodo.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id.set("3f2a9c")
    try:
        logger.warning("応答が大きすぎます %d", 5)
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("unexpected")
    finally:
        request_id.reset(token)
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", first["timestamp"])
    assert first | {"timestamp": ""} == {
        "timestamp": "",
        "level": "WARNING",
        "logger": "kyodo.test.json",
        "message": "応答が大きすぎます 5",
        "request_id": "3f2a9c",
    }
    assert "ValueError: boom" in second["exception"]


def test_json_access_log_lines_are_structured() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/graphql", "1.1", 200),
        None,
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["method"] == "POST" and entry["path"] == "/graphql" and entry["status"] == 200


def test_log_format_setting_selects_the_formatter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KYODO_LOG_FORMAT", "json")
    config = logging_config(log_format=Settings().log_format)
    assert config["formatters"]["kyodo"]["()"] is JsonFormatter
    monkeypatch.delenv("KYODO_LOG_FORMAT")
    assert Settings().log_format == "text"


# ------------------------------------------------------------------ tracing


async def test_a_request_produces_spans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("opentelemetry.sdk", reason="pip install 'kyodo[otel]'")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from kyodo.server import tracing

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_provider", provider)
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    # when: tracing is on and a GraphQL query is answered
    app = create_app(Settings(DATABASE_URL=url, KYODO_TRACING=True))
    async with client_for(app) as client:
        response = await client.post(
            "/graphql", json={"query": "query Departments { departments { code } }"}
        )
        await client.get("/readyz")
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    # then: a server span named after the operation, SQL spans inside it, no probe spans
    server = [s for s in spans if s.name == "POST /graphql Departments"]
    assert len(server) == 1, [s.name for s in spans]
    assert server[0].attributes["graphql.operation.name"] == "Departments"
    sql = [s for s in spans if s.parent and s.parent.span_id == server[0].context.span_id]
    assert sql and all(s.context.trace_id == server[0].context.trace_id for s in sql)
    assert not [s for s in spans if "readyz" in s.name]


def test_tracing_follows_the_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert not Settings().tracing_enabled
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    assert Settings().tracing_enabled
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert not Settings().tracing_enabled
    assert Settings(KYODO_TRACING=True).tracing_enabled


def test_tracing_without_the_extra_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from kyodo.server import tracing

    monkeypatch.setattr(tracing, "REQUIRED", ("opentelemetry_not_installed_here",))
    with pytest.raises(ConfigurationError, match=r"kyodo\[otel\]"):
        Settings(KYODO_TRACING=True).check_ready_to_serve()
    Settings(KYODO_TRACING=False).check_ready_to_serve()
