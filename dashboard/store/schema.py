"""The store's tables, as one SQLAlchemy Core schema for SQLite and PostgreSQL.

The migrations (migrations/versions/) create exactly these tables; a test compares the two. What only
PostgreSQL has (the PostGIS ``geom`` column of ``claims``, its GiST index) is added by the migration and
is not part of this MetaData: no code writes it, PostgreSQL computes it from ``lat`` and ``lon``.

Nothing is deleted: a claim withdrawn is marked (``withdrawn``), and every change to a claim is a row
of ``revisions``, which the code only ever appends to.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..model import COLUMNS

metadata = sa.MetaData()

# A 64-bit key on PostgreSQL; SQLite's autoincrementing key must be spelled INTEGER (it is 64-bit anyway).
BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Moment = sa.DateTime(timezone=True)

REVIEW_STATES = ("draft", "in_review", "published", "rejected")
ACTIONS = ("create", "update", "withdraw", "restore", "review")
ROLES = ("viewer", "editor", "reviewer", "admin")

# The native columns that are days and numbers; every other native column is text, "" when not given.
DAY_COLUMNS = ("date", "reported_on", "date_end")
NUMBER_COLUMNS = ("lat", "lon")
TEXT_COLUMNS = tuple(c for c in COLUMNS if c not in DAY_COLUMNS and c not in NUMBER_COLUMNS and c != "event_id")
# What geocoding adds to each accepted row (dashboard/geocode.py), kept so that the store needs no gazetteer to read.
GEOCODED = ("gazetteer_place", "located")
# The columns of a claim that hold what the claim says: compared by imports, diffed in revisions.
CONTENT = (*(c for c in COLUMNS if c != "event_id"), *GEOCODED, "extra")


def _text(name: str) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def _native() -> list[sa.Column]:
    columns = []
    for name in COLUMNS:
        if name == "event_id":
            continue
        if name in DAY_COLUMNS:
            columns.append(sa.Column(name, sa.Date, nullable=name == "reported_on"))
        elif name in NUMBER_COLUMNS:
            columns.append(sa.Column(name, sa.Float(precision=53)))
        else:
            columns.append(_text(name))
    return columns


claims = sa.Table(
    "claims",
    metadata,
    sa.Column("claim_id", BigKey, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.Text, nullable=False, unique=True),
    *_native(),
    *(_text(name) for name in GEOCODED),
    sa.Column("extra", Json, nullable=False),  # the file's own columns: {name: text}
    # the line of the file the claim was last imported from, and from which import it was last seen
    sa.Column("line", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("origin", sa.Text, nullable=False, server_default=""),  # what imports compare missing rows by
    sa.Column("seen_import", sa.BigInteger, sa.ForeignKey("imports.import_id"), index=True),
    sa.Column("content_hash", sa.Text, nullable=False, server_default=""),  # of the row as its file held it
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # optimistic locking for edits
    sa.Column("review_state", sa.Text, nullable=False, server_default="published"),
    sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("last_revision", sa.BigInteger, index=True),
    sa.CheckConstraint(f"review_state IN {REVIEW_STATES!r}", name="claims_review_state"),
)
sa.Index("claims_origin", claims.c.origin, claims.c.seen_import)
# The claims an import has just added and not yet given their create revision: few, found without a scan.
_UNREVISED = claims.c.last_revision.is_(None)
sa.Index("claims_unrevised", claims.c.seen_import, sqlite_where=_UNREVISED, postgresql_where=_UNREVISED)
# The claims not published (drafts, in review, rejected): the review queue, found without a scan (migration 0004).
_WAITING = claims.c.review_state != "published"
sa.Index("claims_waiting", claims.c.review_state, sqlite_where=_WAITING, postgresql_where=_WAITING)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("source_type", sa.Text, nullable=False, server_default=""),
    sa.Column("affiliation", sa.Text, nullable=False, server_default=""),
    sa.Column("aliases", Json),
    sa.Column("basis", sa.Text, nullable=False, server_default=""),
)

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("import_id", BigKey, primary_key=True, autoincrement=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Column("started_at", Moment, nullable=False),
    sa.Column("finished_at", Moment),  # null while running, or when it was stopped
    sa.Column("rows_read", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("accepted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("rejected", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("added", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("unchanged", sa.BigInteger, nullable=False, server_default="0"),
    # rows the last finished import of the same origin had that this file lacks: reported, never deleted
    sa.Column("missing", sa.BigInteger),
    sa.Column("extra_columns", Json),  # the file's own columns, in its order: what exports list after the native ones
)

import_rejections = sa.Table(
    "import_rejections",
    metadata,
    sa.Column("import_id", sa.BigInteger, sa.ForeignKey("imports.import_id"), nullable=False, index=True),
    sa.Column("line", sa.BigInteger, nullable=False),
    sa.Column("column", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("other_problems", sa.Integer, nullable=False, server_default="0"),
)

revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("revision_id", BigKey, primary_key=True, autoincrement=True),
    sa.Column("claim_id", sa.BigInteger, sa.ForeignKey("claims.claim_id"), nullable=False, index=True),
    sa.Column("at", Moment, nullable=False),
    sa.Column("actor", sa.Text),  # the user's email for an edit; null for an import
    sa.Column("import_id", sa.BigInteger, sa.ForeignKey("imports.import_id")),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("changes", Json),  # {field: [old, new]}; null for a create, whose values are the claim's first ones
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint(f"action IN {ACTIONS!r}", name="revisions_action"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("email", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("granted_by", sa.Text),
    sa.Column("granted_at", Moment, nullable=False),
    sa.CheckConstraint(f"role IN {ROLES!r}", name="users_role"),
)

# The view GIS clients open: what the map shows (published, not withdrawn). PostgreSQL's adds ``geom``.
CURRENT_VIEW = "claims_current"
VIEW_COLUMNS = ("claim_id", "event_id", *CONTENT, "line", "version", "last_revision")
# The view as SQLAlchemy reads it, with the claims' column types (so ``extra`` is JSON, days are days on SQLite).
claims_current = sa.table(CURRENT_VIEW, *(sa.column(name, claims.c[name].type) for name in VIEW_COLUMNS))
