"""Fixtures shared by the tests of this package."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from alembic import command

from tests.conftest import _load_demo, alembic_config, scratch_database

from .support import (
    Database,
    _issue_tokens,
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    with scratch_database(request.param, tmp_path_factory.mktemp("subscriptions")) as url:
        command.upgrade(alembic_config(url), "head")
        asyncio.run(_load_demo(url))
        yield Database(url, asyncio.run(_issue_tokens(url)))
