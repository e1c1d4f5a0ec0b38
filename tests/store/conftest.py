"""The store's fixtures: every test gets a fresh empty store, on SQLite and on a real PostgreSQL with PostGIS.

PostgreSQL is Debian's cluster that `make postgres` installs and starts (tests/store/postgres.sql makes the
role and the template database). Each test module gets its own database, cloned from the template (which
has PostGIS) and dropped at the end; each test in it gets its own schema, first on the search path, so a
test starts empty without the two seconds a new database costs. No PostgreSQL is a failure, not a skip:
a store test that did not run against PostgreSQL has not passed. ``DASHBOARD_TEST_POSTGRES`` names another
server (a URL to a database of a role allowed to create databases, with a template ``dashboard_template``).
"""

from __future__ import annotations

import os
import time
import uuid
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from dashboard.store import open_store

ADMIN_URL = os.environ.get(
    "DASHBOARD_TEST_POSTGRES", "postgresql+psycopg://dashboard:dashboard@127.0.0.1:5432/dashboard_test"
)
TEMPLATE = "dashboard_template"


@pytest.fixture(scope="session")
def pg_admin() -> sa.Engine:
    """An engine on the test server, with autocommit (CREATE DATABASE runs outside a transaction)."""
    engine = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as err:
        shown = sa.make_url(ADMIN_URL).render_as_string(hide_password=True)
        pytest.fail(
            f"PostgreSQL for the store tests is not there ({shown}): run `make postgres` "
            f"(it installs and starts Debian's cluster). {str(err.orig).splitlines()[0]}",
            pytrace=False,
        )
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def pg_database(pg_admin) -> str:
    """A fresh database with PostGIS for one test module: its URL (dropped after the module)."""
    name = f"dashboard_t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}'))
    url = sa.make_url(ADMIN_URL).set(database=name)
    yield url.render_as_string(hide_password=False)
    drop_database(pg_admin, name)


def drop_database(admin: sa.Engine, name: str, tries: int = 10) -> None:
    """``DROP DATABASE ... WITH (FORCE)``, which ends the test's own leftover sessions. It refuses while an
    autovacuum worker is in the database (a process of no role: "must be a member of the role whose process
    is being terminated"; a CI run's teardown failed so). A plain DROP then asks the worker to stop and waits
    for it; the forced one is tried again."""
    for attempt in range(tries):
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.ProgrammingError:
            if attempt == tries - 1:
                raise
        try:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except sa.exc.OperationalError:
            time.sleep(0.5)  # another session is still in it: the forced drop ends it next time


def pg_schema_url(database_url: str) -> str:
    """A new empty schema in ``database_url``'s database, and the URL that puts it first on the search path."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    options = quote(f"-csearch_path={schema},public")
    return f"{database_url}?options={options}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """The URL of a fresh, empty (not initialised) store: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return pg_schema_url(request.getfixturevalue("pg_database"))


@pytest.fixture
def store(store_url):
    """An initialised, empty store."""
    opened = open_store(store_url)
    opened.init()
    yield opened
    opened.close()


@pytest.fixture
def cli(capsys):
    """``cli(*args) -> (exit status, stdout, stderr)`` of ``python -m dashboard`` run in this process."""
    from dashboard.__main__ import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def imported(cli, store):
    """``imported(path, *options) -> the import's JSON report`` into the ``store`` fixture's database."""
    import json

    def run(path, *options: str) -> dict:
        code, out, err = cli(
            "store", "import", store.engine.url.render_as_string(hide_password=False), path, "--json", *options
        )
        assert code in (0, 1), err
        return json.loads(out)

    return run
