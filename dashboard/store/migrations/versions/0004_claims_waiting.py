"""The claims waiting for review are found without reading every claim.

The editing section lists the claims in review on every run of every signed-in page (``review.queue``). On
a million claims, with no index on ``review_state``, that was a scan of the whole table (1.75 GB) each time.
``claims_waiting`` is a partial index: it holds only the claims that are not published (drafts, in review,
rejected), a few, so it costs an import nothing.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WAITING = sa.text("review_state <> 'published'")  # schema.py's _WAITING


def upgrade() -> None:
    op.create_index("claims_waiting", "claims", ["review_state"], sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade() -> None:
    op.drop_index("claims_waiting", table_name="claims")
