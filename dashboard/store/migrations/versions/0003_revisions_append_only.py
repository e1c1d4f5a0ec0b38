"""Revisions are append-only: a trigger refuses UPDATE and DELETE on them, and the app's role may only add.

On SQLite and PostgreSQL, a trigger aborts any UPDATE or DELETE of a row of ``revisions``, whoever runs it:
the history cannot be rewritten by a bug, a script or a console. On PostgreSQL there is also a role,
``dashboard_app`` (NOLOGIN), with the grants the app needs and no more: it may read every table, add and
update claims, users, sources and imports, and add revisions, but not UPDATE, DELETE or TRUNCATE them, and
delete nothing anywhere. The app's own login role is made a member of it (README, "Who may do what"), so
that even with the trigger dropped, the app's connection cannot change the past. Creating a role takes
CREATEROLE: without it the role is left out with a warning, and the trigger still holds.

Revision ID: 0003
Revises: 0002
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "dashboard_app"
REFUSAL = "revisions are append-only: a revision is never changed or deleted"
_log = logging.getLogger("alembic.runtime.migration")

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
)
PG_TRIGGER = (
    "CREATE FUNCTION revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL} (%)', TG_OP USING ERRCODE = 'insufficient_privilege'; END $$",
    "CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions "
    "FOR EACH ROW EXECUTE FUNCTION revisions_append_only()",
)
PG_GRANTS = (
    f"GRANT USAGE ON SCHEMA {{schema}} TO {APP_ROLE}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA {{schema}} TO {APP_ROLE}",
    f"GRANT INSERT, UPDATE ON claims, users, sources, imports TO {APP_ROLE}",
    f"GRANT INSERT ON revisions, import_rejections TO {APP_ROLE}",
    f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {{schema}} TO {APP_ROLE}",
    f"REVOKE UPDATE, DELETE, TRUNCATE ON revisions FROM {APP_ROLE}, PUBLIC",
)


def _app_role(bind: sa.Connection) -> bool:
    """Whether ``dashboard_app`` exists, creating it if this connection may."""
    if bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": APP_ROLE}).first():
        return True
    try:
        with bind.begin_nested():
            bind.execute(sa.text(f"CREATE ROLE {APP_ROLE} NOLOGIN"))
        return True
    except sa.exc.DBAPIError:
        _log.warning(
            "the role %s was not created (this connection lacks CREATEROLE): the trigger still refuses changes to "
            "revisions; a superuser can run CREATE ROLE %s NOLOGIN and then `store init` again",
            APP_ROLE,
            APP_ROLE,
        )
        return False


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        return
    for statement in PG_TRIGGER:
        op.execute(statement)
    if _app_role(bind):
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar()
        for statement in PG_GRANTS:
            op.execute(statement.format(schema=f'"{schema}"'))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER revisions_no_update")
        op.execute("DROP TRIGGER revisions_no_delete")
        return
    op.execute("DROP TRIGGER revisions_append_only ON revisions")
    op.execute("DROP FUNCTION revisions_append_only()")
