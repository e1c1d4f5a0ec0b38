"""``store init``: the schema, made by the migrations, twice harmlessly; and the tables' shape."""

from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dashboard.store import open_store
from dashboard.store.schema import metadata

TABLES = {"claims", "sources", "imports", "import_rejections", "revisions", "users"}


def test_init_twice_is_harmless(store_url):
    store = open_store(store_url)
    assert store.revision() == ""
    assert store.init() == "0004"  # 0002: NOTIFY of revisions; 0003: revisions append-only; 0004: claims_waiting
    with store.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO users (email, role, granted_at) VALUES ('a@b', 'admin', '2024-01-01')"))
    assert store.init() == "0004"  # 0002: NOTIFY of revisions; 0003: revisions append-only; 0004: claims_waiting
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM users")).scalar() == 1
        names = set(sa.inspect(connection).get_table_names())
        assert TABLES <= names
        assert "claims_current" in sa.inspect(connection).get_view_names()
    store.close()


def test_the_migrations_make_the_schema_module_s_tables(store):
    """schema.py (what the code uses) and migrations/ (what builds the database) say the same."""
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _ours})
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Did not recognize type 'geometry'")
            differences = compare_metadata(context, metadata)
    assert differences == []


def _ours(name, kind, _parents) -> bool:
    """What compare_metadata compares: not PostGIS's own table, nor the geometry and the app's covering index
    (claims_lean, migration 0002) that the migrations add on purpose, PostgreSQL only."""
    return not (kind == "table" and name == "spatial_ref_sys") and name not in ("geom", "claims_geom", "claims_lean")


def test_on_postgresql_claims_have_a_postgis_point_with_a_gist_index(store):
    if store.dialect != "postgresql":
        return
    with store.engine.connect() as connection:
        kind = connection.execute(
            sa.text("SELECT type FROM geometry_columns WHERE f_table_name = 'claims' AND f_geometry_column = 'geom'")
        ).scalar()
        index = connection.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'claims_geom' AND schemaname = current_schema()")
        ).scalar()
    assert kind == "POINT"
    assert "USING gist" in index
