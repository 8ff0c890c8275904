"""Before a command or the server uses the database: is it there, and is it migrated?

A newcomer's first mistakes — a PostgreSQL database not created yet, ``kyodo seed``
before ``kyodo db upgrade``, ``kyodo serve`` started in another folder (the default
``sqlite+aiosqlite:///./kyodo.db`` is relative to the working directory, and SQLite
would silently create an empty file there) — used to end in a traceback, or in a server
answering "Unexpected error." to every query while /healthz said ok. Each now gives one
line, in Japanese and English, saying what to do (``DatabaseNotReady``), and ``kyodo
serve`` refuses to start on a database that is not at this code's migration head.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

INVALID_CATALOG_NAME = "3D000"
"""PostgreSQL's SQLSTATE for a database that does not exist."""


class DatabaseNotReady(Exception):
    """The database cannot be used as it is; ``message`` is one line saying what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL, resolved against the working directory (None for other
    databases and in-memory ones)."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("sqlite"):
        return None
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return None
    return Path(url.database).expanduser().resolve()


def require_sqlite_file(database_url: str) -> None:
    """Refuse to go on (and so to create an empty file) when a SQLite URL names a file
    that does not exist: usually a command started in another folder."""
    path = sqlite_file(database_url)
    if path is None or path.exists():
        return
    relative = not Path(make_url(database_url).database or "").is_absolute()
    where = (
        f"（DATABASE_URL の {make_url(database_url).database} は作業フォルダ {Path.cwd()} "
        "からの相対パスです）"
        if relative
        else ""
    )
    where_en = " (a relative path, resolved from the working directory)" if relative else ""
    raise DatabaseNotReady(
        f"SQLite のデータベース {path} がありません{where}。kyodo のフォルダで実行するか、"
        "DATABASE_URL に絶対パスを書くか、ここに作るなら先に kyodo db upgrade を実行してください。"
        f" / No SQLite database at {path}{where_en}: run kyodo from its folder, give "
        "DATABASE_URL an absolute path, or create one here with `kyodo db upgrade`."
    )


def missing_database(error: BaseException, database_url: str) -> DatabaseNotReady | None:
    """The one line for "database does not exist" (PostgreSQL), or None for other errors."""
    if not any(getattr(c, "sqlstate", None) == INVALID_CATALOG_NAME for c in _chain(error)):
        return None
    url = make_url(database_url)
    host, port, user = url.host or "localhost", url.port or 5432, url.username or "postgres"
    create = f"createdb -h {host} -p {port} -U {user} {url.database}"
    return DatabaseNotReady(
        f"PostgreSQL（{host}:{port}）にデータベース「{url.database}」がありません。"
        f"作成してから（{create}）kyodo db upgrade を実行してください。"
        f' / Database "{url.database}" does not exist on PostgreSQL at {host}:{port}: '
        f"create it ({create}), then run `kyodo db upgrade`."
    )


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend([getattr(current, "orig", None), current.__cause__, current.__context__])


@dataclass(frozen=True)
class Revisions:
    current: tuple[str, ...]
    head: str
    known: frozenset[str]


def code_revisions() -> tuple[str, frozenset[str]]:
    """This code's migration head and every revision it knows."""
    from kyodo.server.migrations_config import script_directory

    scripts = script_directory()
    head = scripts.get_current_head()
    assert head is not None
    return head, frozenset(s.revision for s in scripts.walk_revisions())


async def database_revisions(database_url: str) -> Revisions:
    """The revision the database is migrated to (none: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    from kyodo.server.db import make_engine

    head, known = code_revisions()
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(
                lambda sync: tuple(MigrationContext.configure(sync).get_current_heads())
            )
    except Exception as error:
        missing = missing_database(error, database_url)
        if missing is not None:
            raise missing from None
        raise
    finally:
        await engine.dispose()
    return Revisions(current=current, head=head, known=known)


async def require_migrated(database_url: str) -> None:
    """Refuse a database that is missing or not migrated to this code's head."""
    require_sqlite_file(database_url)
    revisions = await database_revisions(database_url)
    if revisions.current == (revisions.head,):
        return
    shown = _shown(make_url(database_url))
    unknown = [r for r in revisions.current if r not in revisions.known]
    if unknown:
        raise DatabaseNotReady(
            f"データベース（{shown}）はこの kyodo の知らないリビジョン {', '.join(unknown)} まで"
            "移行されています（より新しい版の kyodo によるものです）。その版の kyodo を使ってください。"
            f" / The database ({shown}) is at revision {', '.join(unknown)}, unknown to this "
            "kyodo (a newer version migrated it): use that version."
        )
    if not revisions.current:
        raise DatabaseNotReady(
            f"データベース（{shown}）はまだ移行されていません。先に kyodo db upgrade を"
            "実行してください。"
            f" / The database ({shown}) is not migrated yet: run `kyodo db upgrade` first."
        )
    now = ", ".join(revisions.current)
    raise DatabaseNotReady(
        f"データベース（{shown}）は最新まで移行されていません（リビジョン {now}、この kyodo には "
        f"{revisions.head} が必要）。kyodo db upgrade を実行してください。"
        f" / The database ({shown}) is at revision {now}, this kyodo needs "
        f"{revisions.head}: run `kyodo db upgrade`."
    )


async def command_engine(database_url: str | None = None) -> AsyncEngine:
    """The engine of a ``kyodo`` command that works on the data (seed, token, import,
    export, dump, restore): DatabaseNotReady unless the database exists and is migrated."""
    from kyodo.server.db import make_engine
    from kyodo.server.settings import get_settings

    url = database_url or get_settings().database_url
    await require_migrated(url)
    return make_engine(url)
