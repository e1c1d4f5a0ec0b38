"""Alembic's environment for the store: runs on the connection ``store init`` passes in (no alembic.ini).

``config.attributes["connection"]`` is an open SQLAlchemy connection; the URL is never read from a file, so a
password stays in the caller's hands.
"""

from alembic import context

from dashboard.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
