"""The shared event store: one database (SQLite on one machine, PostgreSQL with PostGIS for a team).

``open_store(url)`` is the one way in. It makes the engine once and checks the database answers, so that
a wrong or unreachable URL is one clear message (``StoreError``, password hidden) instead of a traceback
at the first query. The schema is schema.py; migrations/ builds it (``Store.init``); importer.py,
exporter.py, reader.py and status.py are what the command line's ``store`` commands and the app call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """The store cannot be used: unreachable, not a database URL, not initialised. One line, no password."""


def shown(url: str | sa.URL) -> str:
    """``url`` as every message shows it: with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(not a database URL)"


def _engine(url: str) -> sa.Engine:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError("not a database URL: expected sqlite:///PATH or postgresql://USER@HOST/DATABASE") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3: the driver requirements.txt pins
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"{shown(parsed)}: the store is SQLite (sqlite:///PATH) or PostgreSQL (postgresql://...)")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    try:
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    except ImportError as err:
        raise StoreError(f"{shown(parsed)}: its driver is not installed ({err.name})") from None


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    """SQLite with foreign keys on, WAL (readers do not wait for an import) and a wait for a busy writer."""
    if url.database and url.database != ":memory:":
        folder = Path(url.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise StoreError(f"{shown(url)}: the folder {folder} does not exist")
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


@dataclass
class Store:
    """An open store: its engine (made once, pooled) and its URL as messages show it."""

    engine: sa.Engine

    @property
    def url(self) -> str:
        return shown(self.engine.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def init(self) -> str:
        """Create or upgrade the schema (``alembic upgrade head``); harmless when it is up to date."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return self.revision()

    def revision(self) -> str:
        """The schema's Alembic revision; "" when the store was never initialised."""
        with self.engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return ""
            return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() or ""

    def check_initialised(self) -> None:
        if not self.revision():
            raise StoreError(f"{self.url}: not a store yet: run `python -m dashboard store init URL` first")

    # The reading API (reader.py), for the app.
    def read_current(self):
        from .reader import read_current

        return read_current(self)

    def last_revision(self) -> int:
        from .reader import last_revision

        return last_revision(self)

    def changes_since(self, revision: int):
        from .reader import changes_since

        return changes_since(self, revision)

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | sa.URL, create: bool = True) -> Store:
    """The store at ``url``, checked to answer; ``StoreError`` naming the URL (password hidden) when it does not.

    A SQLite file that does not exist is made, unless ``create`` is false (for commands that only read or
    add to a store: a typing error in the path is then named, not turned into a new empty file).
    """
    if not str(url).strip():
        raise StoreError("no store URL given: expected sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE")
    text = str(url) if isinstance(url, str) else url.render_as_string(hide_password=False)
    _check_file(text, create)
    engine = _engine(text)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError as err:
        engine.dispose()
        raise StoreError(
            f"{shown(engine.url)}: the database does not answer: {database_problem(err, engine.url.password)}"
        ) from None
    return Store(engine)


def _check_file(url: str, create: bool) -> None:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        return  # _engine names it
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and not create and database not in ("", ":memory:"):
        if not Path(database).expanduser().is_file():
            raise StoreError(f"{shown(parsed)}: no such file; `python -m dashboard store init URL` makes a store")


def database_problem(err: sa.exc.SQLAlchemyError, password: str | None) -> str:
    """The driver's first line, which names the host or file; should it hold the password, that is hidden too."""
    cause = getattr(err, "orig", None) or err
    lines = str(cause).strip().splitlines()
    text = lines[0] if lines else type(cause).__name__
    return text.replace(password, "***") if password else text
