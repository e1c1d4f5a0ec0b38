"""On PostgreSQL the app's database role may add revisions but never change or delete them (migration 0003).

The test connects as ``dashboard_web``, a login role in ``dashboard_app`` (tests/store/postgres.sql makes both,
as a deployment's administrator would), and expects PostgreSQL itself to refuse: "permission denied", the
grants' refusal, not the trigger's, which holds for everyone else.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.store import open_store, schema
from dashboard.store import write as w

APP_LOGIN = ("dashboard_web", "dashboard_web")


@pytest.fixture
def stores(pg_database):
    """(the owner's store, the app role's store) on one fresh schema, with one claim and its revision."""
    from tests.store.conftest import pg_schema_url

    owner_url = pg_schema_url(pg_database)
    owner = open_store(owner_url)
    owner.init()
    w.grant(owner, w.Actor.operator(), "ed@example.org", "editor")
    app_url = sa.make_url(owner_url).set(username=APP_LOGIN[0], password=APP_LOGIN[1])
    app = open_store(app_url.render_as_string(hide_password=False))
    yield owner, app
    app.close()
    owner.close()


HAMA = {"date": "2024-12-05", "place": "Hama", "source": "Reuters", "event_type": "capture", "controller": "opposition"}


def test_the_app_role_writes_through_the_write_path(stores):
    _, app = stores
    made = w.add(app, w.Actor("ed@example.org"), HAMA)
    w.edit(app, w.Actor("ed@example.org"), made.event_id, {"claim_status": "confirmed"}, 1, "SOHR confirms it")
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.revisions)).scalar_one() == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE revisions SET reason = 'rewritten'",
        "DELETE FROM revisions",
        "TRUNCATE revisions",
        "DELETE FROM claims",
        "DROP TABLE revisions",
    ],
)
def test_the_app_role_cannot_rewrite_or_remove_the_history(stores, statement):
    _, app = stores
    w.add(app, w.Actor("ed@example.org"), HAMA)
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner"), app.engine.begin() as conn:
        conn.execute(sa.text(statement))
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.revisions)).scalar_one() == 1


def test_the_app_role_may_insert_a_revision_by_hand_but_not_change_it(stores):
    _, app = stores
    made = w.add(app, w.Actor("ed@example.org"), HAMA)
    with app.engine.begin() as conn:
        claim_id = conn.execute(sa.select(schema.claims.c.claim_id).where(schema.claims.c.event_id == made.event_id))
        conn.execute(
            sa.insert(schema.revisions).values(
                claim_id=claim_id.scalar_one(), at=dt.datetime.now(dt.UTC), actor="x", action="update", reason="x"
            )
        )
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), app.engine.begin() as conn:
        conn.execute(sa.text("UPDATE revisions SET actor = 'someone else' WHERE actor = 'x'"))


def test_the_owner_is_refused_by_the_trigger(stores):
    """The grants bind the app; the trigger binds the owner too (who could grant themselves anything)."""
    owner, _ = stores
    w.add(owner, w.Actor.operator(), HAMA)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), owner.engine.begin() as conn:
        conn.execute(sa.text("UPDATE revisions SET reason = 'rewritten'"))
