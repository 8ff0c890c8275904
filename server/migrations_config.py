"""Alembic's configuration, built in code from the installed ``migrations`` package.

``alembic.ini`` stays in the checkout for running ``alembic`` by hand, but kyodo's own
commands never read it: an installed kyodo (``pip install .``, a wheel, the container)
has no ``alembic.ini`` beside its code, and ``kyodo db upgrade`` must work from any
directory. The script location is the directory of the imported ``migrations`` package,
wherever it was installed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


def migrations_dir() -> Path:
    from kyodo import migrations

    return Path(migrations.__file__).resolve().parent


def alembic_config(database_url: str | None = None) -> Config:
    """The configuration alembic.ini describes, without the file. ``database_url``
    (else the settings' DATABASE_URL) is handed to migrations/env.py; logging stays
    the service's (server/logs.py)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.set_main_option("path_separator", "os")
    if database_url is not None:
        cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logging"] = False
    return cfg


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    """This code's migration scripts (read once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def code_head() -> str:
    """This code's migration head."""
    head = script_directory().get_current_head()
    assert head is not None
    return head
