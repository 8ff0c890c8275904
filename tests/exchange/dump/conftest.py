"""Fixtures of the dump and restore tests, kept for the package: a dump of the demo data
is made once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.exchange.dump.support import Databases, _add_variety, dump, restore


@pytest.fixture(scope="package")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    with ExitStack() as stack:
        yield Databases(stack, tmp_path_factory.mktemp("dump"))


@pytest.fixture(scope="package")
def demo_dump(database_url: str) -> str:
    """The demo database (migrated, seeded) as a dump."""
    return dump(database_url)


@pytest.fixture(scope="package")
def varied_dump(backend: str, demo_dump: str, databases: Databases) -> str:
    """The demo data plus every kind of value the demo lacks, as a dump."""
    url = databases.empty(backend)
    restore(url, demo_dump)
    asyncio.run(_add_variety(url))
    return dump(url)


@pytest.fixture
def populated(backend: str, demo_dump: str, databases: Databases) -> str:
    """A migrated database holding the demo data."""
    url = databases.empty(backend)
    restore(url, demo_dump)
    return url


# ---------------------------------------------------------------- the format
