"""The first store: claims, sources, imports and their rejections, revisions, users, the view claims_current.

On PostgreSQL, claims also get ``geom``, a PostGIS point computed from lat and lon, with a GiST index.
The tables are spelled out here, not taken from schema.py: a migration stays what it was when a later one
changes the schema (tests/store/test_schema.py checks that the migrations and schema.py agree).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Moment = sa.DateTime(timezone=True)
TEXTS = ("place", "event_type", "actor", "target", "controller", "source", "source_type", "claim_status")
MORE_TEXTS = ("description", "url", "via")
PRECISIONS = ("location_precision", "time_precision", "affiliation")
VIEW = (
    "claim_id, event_id, date, place, lat, lon, event_type, actor, target, controller, source, source_type, "
    "claim_status, reported_on, description, url, via, date_end, location_precision, time_precision, affiliation, "
    "gazetteer_place, located, extra, line, version, last_revision"
)


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


def _postgis() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first():
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except sa.exc.DBAPIError:
        raise RuntimeError(
            "the database has no PostGIS and this role may not add it: as a superuser, run CREATE EXTENSION postgis "
            "in it (Debian's package postgresql-15-postgis-3)"
        ) from None


def _imports() -> None:
    op.create_table(
        "imports",
        sa.Column("import_id", BigKey, primary_key=True, autoincrement=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("started_at", Moment, nullable=False),
        sa.Column("finished_at", Moment),
        *(_count(name) for name in ("rows_read", "accepted", "rejected", "added", "updated", "unchanged")),
        sa.Column("missing", sa.BigInteger),
        sa.Column("extra_columns", Json),
    )
    op.create_table(
        "import_rejections",
        sa.Column("import_id", sa.BigInteger, sa.ForeignKey("imports.import_id"), nullable=False, index=True),
        sa.Column("line", sa.BigInteger, nullable=False),
        sa.Column("column", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("other_problems", sa.Integer, nullable=False, server_default="0"),
    )


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("claim_id", BigKey, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("date", sa.Date, nullable=False),
        *(_text(name) for name in TEXTS[:1]),
        sa.Column("lat", sa.Float(precision=53)),
        sa.Column("lon", sa.Float(precision=53)),
        *(_text(name) for name in TEXTS[1:]),
        sa.Column("reported_on", sa.Date),
        *(_text(name) for name in MORE_TEXTS),
        sa.Column("date_end", sa.Date, nullable=False),
        *(_text(name) for name in (*PRECISIONS, "gazetteer_place", "located")),
        sa.Column("extra", Json, nullable=False),
        sa.Column("line", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("origin", sa.Text, nullable=False, server_default=""),
        sa.Column("seen_import", sa.BigInteger, sa.ForeignKey("imports.import_id"), index=True),
        sa.Column("content_hash", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("review_state", sa.Text, nullable=False, server_default="published"),
        sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("last_revision", sa.BigInteger, index=True),
        sa.CheckConstraint(
            "review_state IN ('draft', 'in_review', 'published', 'rejected')", name="claims_review_state"
        ),
    )
    op.create_index("claims_origin", "claims", ["origin", "seen_import"])
    unrevised = sa.text("last_revision IS NULL")
    op.create_index("claims_unrevised", "claims", ["seen_import"], sqlite_where=unrevised, postgresql_where=unrevised)


def _others() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.Text, primary_key=True),
        _text("source_type"),
        _text("affiliation"),
        sa.Column("aliases", Json),
        _text("basis"),
    )
    op.create_table(
        "revisions",
        sa.Column("revision_id", BigKey, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.BigInteger, sa.ForeignKey("claims.claim_id"), nullable=False, index=True),
        sa.Column("at", Moment, nullable=False),
        sa.Column("actor", sa.Text),
        sa.Column("import_id", sa.BigInteger, sa.ForeignKey("imports.import_id")),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("changes", Json),
        _text("reason"),
        sa.CheckConstraint("action IN ('create', 'update', 'withdraw', 'restore', 'review')", name="revisions_action"),
    )
    op.create_table(
        "users",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("granted_by", sa.Text),
        sa.Column("granted_at", Moment, nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'editor', 'reviewer', 'admin')", name="users_role"),
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgis()
    _imports()
    _claims()
    _others()
    view = VIEW
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE claims ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
            "(CASE WHEN lat IS NULL OR lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326) END) STORED"
        )
        op.execute("CREATE INDEX claims_geom ON claims USING gist (geom)")
        view += ", geom"
    op.execute(
        f"CREATE VIEW claims_current AS SELECT {view} FROM claims WHERE review_state = 'published' AND NOT withdrawn"
    )


def downgrade() -> None:
    op.execute("DROP VIEW claims_current")
    for table in ("users", "revisions", "sources", "claims", "import_rejections", "imports"):
        op.drop_table(table)
