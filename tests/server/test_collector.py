"""The garbage collector's tuning (server/collector.py): a served process and every
command run it; a test process builds apps without it; KYODO_GC_TUNING=false is the
way back to Python's defaults."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from kyodo.server import app as app_module
from kyodo.server import collector
from kyodo.server.cli.common import run_with_engine
from kyodo.server.settings import get_settings
from tests.conftest import alembic_config


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []

    def record(enabled: bool = True) -> bool:
        seen.append(enabled)
        return enabled

    monkeypatch.setattr(app_module, "tune_collector", record)
    monkeypatch.setattr(collector, "tune_collector", record)
    return seen


@pytest.fixture
def migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    command.upgrade(alembic_config(url), "head")
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_tuning_freezes_the_heap_and_collects_less_often(restored_collector: None) -> None:
    gc.unfreeze()
    assert collector.tune_collector(True) is True
    assert gc.get_threshold() == collector.THRESHOLDS
    assert gc.get_freeze_count() > 10_000  # the modules, the schema, SQLAlchemy's mappers
    # Young garbage in a cycle is still collected.
    cycle: list[Any] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_tuning_off_leaves_the_defaults(restored_collector: None) -> None:
    gc.unfreeze()
    before = gc.get_threshold()
    assert collector.tune_collector(False) is False
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _tuning(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """KYODO_GC_TUNING as given (None: unset, the default), read afresh."""
    if value is None:
        monkeypatch.delenv("KYODO_GC_TUNING")
    else:
        monkeypatch.setenv("KYODO_GC_TUNING", value)
    get_settings.cache_clear()


async def _start_and_stop(app: Any) -> None:
    async with app.router.lifespan_context(app):
        pass


async def test_a_served_process_tunes_once_started(
    calls: list[bool], migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tuning(monkeypatch, None)
    await _start_and_stop(app_module.serving_app())
    assert calls == [True]
    _tuning(monkeypatch, "false")
    await _start_and_stop(app_module.serving_app())
    assert calls == [True, False]


async def test_an_app_built_by_a_test_leaves_the_collector_alone(
    calls: list[bool], migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tuning(monkeypatch, None)
    await _start_and_stop(app_module.create_app())
    assert calls == []


def test_a_command_tunes_once_its_engine_is_open(
    calls: list[bool], migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tuning(monkeypatch, None)

    async def work(engine: Any) -> str:
        assert calls == [True]  # before the command's own work
        return engine.dialect.name

    assert run_with_engine(work) == "sqlite"
