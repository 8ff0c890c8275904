"""Settings from the environment (and an optional .env file), via pydantic-settings.

Secrets (the database password inside ``DATABASE_URL``) come only from the environment:
nothing here has a secret default, and the URL is kept out of the settings' repr so it
does not end up in logs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from kyodo.domain.audit.retention import DEFAULT_KEEP_DAYS, MIN_KEEP_DAYS
from kyodo.domain.exchange.municipality import DEFAULT_MUNICIPALITY, set_municipality_source

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./kyodo.db"
ONE_MIB = 1024 * 1024


class ConfigurationError(RuntimeError):
    """The settings do not allow the server to start (e.g. production without a CORS list)."""


def setting(
    variable: str, default: Any = PydanticUndefined, description: str | None = None, **field: Any
) -> Any:
    """A setting read from the environment variable ``variable`` (also the keyword
    ``Settings(...)`` takes): pydantic's ``Field`` with that alias."""
    return Field(default, validation_alias=variable, description=description, **field)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = setting(
        "DATABASE_URL",
        DEFAULT_DATABASE_URL,
        "SQLAlchemy async URL; postgresql+asyncpg://... in production.",
        repr=False,
    )
    env: Literal["development", "test", "production"] = setting("KYODO_ENV", "development")
    host: str = setting("KYODO_HOST", "127.0.0.1")
    port: int = setting("KYODO_PORT", 8000)
    workers: int = setting(
        "KYODO_WORKERS", 1, "Server processes `kyodo serve` starts (each with its own pool).", ge=1
    )
    log_level: str = setting("KYODO_LOG_LEVEL", "info")
    sql_echo: bool = setting("KYODO_SQL_ECHO", False)
    cors_origins: Annotated[list[str], NoDecode] = setting(
        "KYODO_CORS_ORIGINS",
        default_factory=list,
        description="Origins allowed to call the API from a browser, comma-separated.",
    )
    statement_timeout_ms: int = setting(
        "KYODO_STATEMENT_TIMEOUT_MS",
        5000,
        "PostgreSQL statement_timeout per transaction (0 = no limit).",
        ge=0,
    )
    postgres_jit: bool = setting(
        "KYODO_POSTGRES_JIT",
        False,
        "PostgreSQL JIT compilation of the service's statements (false: jit=off, sent when "
        "a connection opens; its compile time exceeded whole nested reads).",
    )
    sqlite_busy_timeout_ms: int = setting(
        "KYODO_SQLITE_BUSY_TIMEOUT_MS",
        5000,
        "SQLite: how long a write waits for the writes before it to finish; then it "
        "is refused with TIMEOUT.",
        gt=0,
    )
    compiled_reads: bool = setting(
        "KYODO_COMPILED_READS",
        True,
        "Answer the queries the compiled read path covers without a resolver "
        "per field (schema/compiled); false: every query through Strawberry's resolvers.",
    )
    trusted_documents: Literal["accept", "only"] = setting(
        "KYODO_TRUSTED_DOCUMENTS",
        "accept",
        "accept: a request may name a registered document by id or send a "
        "text; only: registered documents only (kyodo documents register).",
    )
    response_cache: bool = setting(
        "KYODO_RESPONSE_CACHE",
        True,
        "Answer repeated queries from memory while the data version is "
        "unchanged (schema/response_cache.py); false: every query is executed.",
    )
    response_cache_mb: int = setting(
        "KYODO_RESPONSE_CACHE_MB",
        32,
        "Memory the response cache of each server process may hold, in MiB.",
        ge=1,
    )
    gc_tuning: bool = setting(
        "KYODO_GC_TUNING",
        True,
        "Once started, freeze what the process holds and collect garbage every 50,000 "
        "allocations instead of 700 (server/collector.py); false: Python's defaults.",
    )
    token_cache_seconds: float = setting(
        "KYODO_TOKEN_CACHE_SECONDS",
        5,
        "How long each server process remembers a token it found valid "
        "(no token statement per request); a revoked token keeps working that long at "
        "most. 0: every request looks its token up.",
        ge=0,
    )
    access_log_wait_for_flush: bool = setting(
        "KYODO_ACCESS_LOG_WAIT_FOR_FLUSH",
        False,
        "PostgreSQL: whether a query answered by the fast path waits for its "
        "personal-data log entries to reach the disk (the WAL flush) before answering. "
        "false (the default): the entries are written and committed before the answer "
        "leaves (a log that cannot be written withholds it), without waiting for the "
        "flush: durable within 3 × wal_writer_delay (600 ms by default; a crash of the "
        "database server in that window loses them). true: every entry is on disk before "
        "the answer leaves, at the cost of one WAL flush per read (7 ms on the dev "
        "machine's disk, most of such a read's latency). Mutations always wait.",
    )
    access_log_keep_days: int = setting(
        "KYODO_ACCESS_LOG_KEEP_DAYS",
        DEFAULT_KEEP_DAYS,
        "How many days the personal-data access log is kept: `kyodo audit prune-reads` "
        "deletes the entries older than that (the audit events of changes are never "
        f"pruned). At least {MIN_KEEP_DAYS}; {DEFAULT_KEEP_DAYS} (five years) by default.",
        ge=MIN_KEEP_DAYS,
    )
    max_cost_authenticated: int = setting(
        "KYODO_MAX_COST_AUTHENTICATED",
        0,
        "Largest estimated cost of one operation of a caller with a token "
        "(0 = no cap: the time, statement and response-size limits bound it). Anonymous "
        "callers always have the fixed budget of 50,000.",
        ge=0,
    )
    max_body_bytes: int = setting(
        "KYODO_MAX_BODY_BYTES", ONE_MIB, "Largest request body accepted; larger ones get 413.", gt=0
    )
    max_document_bytes: int = setting(
        "KYODO_MAX_DOCUMENT_BYTES",
        20 * ONE_MIB,
        "Largest signed agreement document (協定書, PDF) accepted by "
        "POST /agreements/{id}/documents; larger ones get 413. The only request body "
        "allowed above KYODO_MAX_BODY_BYTES.",
        gt=0,
    )
    request_timeout_ms: int = setting(
        "KYODO_REQUEST_TIMEOUT_MS",
        10_000,
        "Longest a GraphQL query may run before it is stopped with TIMEOUT "
        "(0 = no limit). Mutations are bounded by the statement timeout instead.",
        ge=0,
    )
    max_response_bytes: int = setting(
        "KYODO_MAX_RESPONSE_BYTES",
        4 * ONE_MIB,
        "Largest GraphQL response sent; a larger one is replaced by RESPONSE_TOO_LARGE.",
        gt=0,
    )
    db_pool_size: int = setting(
        "KYODO_DB_POOL_SIZE",
        10,
        "Database connections each server process keeps open (enough for "
        "the usual concurrency: a connection opened beyond them is closed when returned, "
        "and opening one costs more than most reads).",
        ge=1,
    )
    db_max_overflow: int = setting(
        "KYODO_DB_MAX_OVERFLOW",
        5,
        "Connections opened beyond the pool under load, closed when returned.",
        ge=0,
    )
    db_pool_timeout_ms: int = setting(
        "KYODO_DB_POOL_TIMEOUT_MS",
        2000,
        "Longest a request waits for a database connection (a free one from "
        "the pool, or a new one to be opened) before TIMEOUT / DATABASE_UNAVAILABLE; "
        "shorter than the statement timeout.",
        gt=0,
    )

    log_format: Literal["text", "json"] = setting(
        "KYODO_LOG_FORMAT",
        "text",
        "text: one readable line per record (make run); json: one JSON object "
        "per line with timestamp, level, logger, message and request id (log collectors).",
    )
    metrics: Literal["off", "public", "token"] | None = setting(
        "KYODO_METRICS",
        None,
        "Who may read /metrics: off (no /metrics), public (anyone who reaches "
        "the port), token (Authorization: Bearer KYODO_METRICS_TOKEN). Unset: token when "
        "KYODO_METRICS_TOKEN is set, else public outside production and off in production.",
    )
    metrics_token: str = setting(
        "KYODO_METRICS_TOKEN",
        "",
        "The bearer token Prometheus presents when KYODO_METRICS=token.",
        repr=False,
    )
    municipality: str = setting(
        "KYODO_MUNICIPALITY",
        DEFAULT_MUNICIPALITY,
        "The city's name (市町村名) written in the exports and printed pages; "
        "also the municipality `kyodo import agreements` reads from a list covering several.",
    )
    tracing: bool | None = setting(
        "KYODO_TRACING",
        None,
        "OpenTelemetry traces (pip install 'kyodo[otel]'), exported as the "
        "standard OTEL_* variables say. Unset: on when OTEL_TRACES_EXPORTER or an "
        "OTEL_EXPORTER_OTLP_*ENDPOINT is set (and OTEL_SDK_DISABLED is not true).",
    )

    @field_validator("metrics", "tracing", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # docker-compose's ${KYODO_METRICS:-} passes an empty string: the default.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def metrics_access(self) -> Literal["off", "public", "token"]:
        """Who may read /metrics (``metrics``, or its default)."""
        if self.metrics is not None:
            return self.metrics
        if self.metrics_token:
            return "token"
        return "off" if self.is_production else "public"

    @property
    def tracing_enabled(self) -> bool:
        if self.tracing is not None:
            return self.tracing
        import os

        if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
            return False
        return any(
            os.environ.get(name)
            for name in (
                "OTEL_TRACES_EXPORTER",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            )
        )

    def operations_problems(self) -> list[str]:
        """Metrics and tracing settings that cannot work (in every environment)."""
        problems = []
        if self.metrics_access == "token" and not self.metrics_token:
            problems.append(
                "KYODO_METRICS=token には KYODO_METRICS_TOKEN（Prometheus が Bearer で送る"
                "トークン）が必要です。"
            )
        if self.tracing_enabled:
            from kyodo.server.tracing import missing_extra

            missing = missing_extra()
            if missing:
                problems.append(missing)
        return problems

    def production_problems(self) -> list[str]:
        """What keeps these settings from being safe to serve in production."""
        if not self.is_production:
            return []
        problems = []
        if "database_url" not in self.model_fields_set or (
            self.database_url == DEFAULT_DATABASE_URL
        ):
            problems.append(
                "DATABASE_URL を明示してください（本番では既定の SQLite ファイルは使えません。"
                "例: postgresql+asyncpg://user@host:5432/kyodo）。"
            )
        if not self.cors_origins:
            problems.append(
                "KYODO_CORS_ORIGINS に、ブラウザから API を呼び出せるオリジンを"
                "カンマ区切りで指定してください（例: https://kyodo.example.jp）。"
            )
        elif "*" in self.cors_origins:
            problems.append(
                "本番では KYODO_CORS_ORIGINS に * は使えません。オリジンを列挙してください。"
            )
        return problems

    def timeout_problems(self) -> list[str]:
        """Waits that do not fit together (in every environment)."""
        if self.statement_timeout_ms and self.db_pool_timeout_ms >= self.statement_timeout_ms:
            return [
                f"KYODO_DB_POOL_TIMEOUT_MS（{self.db_pool_timeout_ms} ms）は "
                f"KYODO_STATEMENT_TIMEOUT_MS（{self.statement_timeout_ms} ms）より短くしてください"
                "（接続を待つ間に、ほかのリクエストの処理が終わるように）。"
            ]
        return []

    def check_ready_to_serve(self) -> None:
        """Fail fast, before serving anything, when production settings are incomplete
        or the timeouts contradict each other."""
        problems = self.production_problems()
        if problems:
            raise ConfigurationError(
                "本番環境（KYODO_ENV=production）の設定が不足しているため起動できません:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )
        problems = self.timeout_problems() + self.operations_problems()
        if problems:
            raise ConfigurationError(
                "設定が矛盾しているため起動できません:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )

    def engine_options(self) -> dict[str, Any]:
        """Pool options for ``server.db.make_engine``: a bounded wait for a connection."""
        wait = self.db_pool_timeout_ms / 1000
        options: dict[str, Any] = {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": wait,
        }
        if not self.database_url.startswith("sqlite"):
            # asyncpg's connect timeout: an unreachable host must not hold the request.
            options["connect_args"] = {"timeout": wait}
        return options


@lru_cache
def get_settings() -> Settings:
    return Settings()


# The domain's exports and printed pages name the city the settings name.
set_municipality_source(lambda: get_settings().municipality)
