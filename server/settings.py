"""Settings from the environment (and an optional .env file), via pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./kyodo.db",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy async URL; postgresql+asyncpg://... in production.",
    )
    env: Literal["development", "test", "production"] = Field(
        default="development", validation_alias="KYODO_ENV"
    )
    host: str = Field(default="127.0.0.1", validation_alias="KYODO_HOST")
    port: int = Field(default=8000, validation_alias="KYODO_PORT")
    log_level: str = Field(default="info", validation_alias="KYODO_LOG_LEVEL")
    sql_echo: bool = Field(default=False, validation_alias="KYODO_SQL_ECHO")

    @property
    def is_production(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
