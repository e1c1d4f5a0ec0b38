"""Every committed change to the claims is announced (``NOTIFY claims_changed``); the app's read is an index scan.

On PostgreSQL, a trigger on ``revisions`` sends one notification per INSERT statement (not per row: an
import's chunk of ten thousand revisions is one), with the newest revision id of the statement as its
payload. PostgreSQL delivers it when the writer's transaction commits, so a listener that hears it reads
committed claims. The app's servers listen (``dashboard/live.py``), so an open map learns of a change
without asking the database. Any writer is covered: the CLI's import, another app server, an edit, psql.
SQLite has no notifications: its readers ask ``max(revision_id)``; this migration does nothing there.

``claims_lean`` (PostgreSQL) is what the app reads of the claims shown (``store/reader.py``'s ``LEAN``): by
date and line, with the map's and the filters' columns included, so that the read is an index-only scan,
already in order, rather than a scan of the whole table, whose rows carry descriptions and the files' own
columns (a million ACLED-shaped rows: 1.75 GB of table, 227 MB of this index; the read took 3.3 s against 17).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHANNEL = "claims_changed"  # dashboard/live.py's CHANNEL


LEAN_INCLUDED = (
    "event_id, place, lat, lon, event_type, actor, target, controller, source, source_type, claim_status, "
    "reported_on, date_end, location_precision, time_precision, affiliation, gazetteer_place, located"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX claims_lean ON claims (date, line) INCLUDE ({LEAN_INCLUDED}) "
        "WHERE review_state = 'published' AND NOT withdrawn"
    )
    op.execute(
        f"""
        CREATE FUNCTION claims_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE newest bigint;
        BEGIN
            SELECT max(revision_id) INTO newest FROM added;
            IF newest IS NOT NULL THEN
                PERFORM pg_notify('{CHANNEL}', newest::text);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER revisions_notify AFTER INSERT ON revisions REFERENCING NEW TABLE AS added "
        "FOR EACH STATEMENT EXECUTE FUNCTION claims_changed_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS revisions_notify ON revisions")
    op.execute("DROP FUNCTION IF EXISTS claims_changed_notify()")
    op.execute("DROP INDEX IF EXISTS claims_lean")
