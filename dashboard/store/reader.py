"""Reading the store: the current claims as the app's events frame, and what changed since a revision.

``read_current`` gives the frame ``pipeline.open_events`` gives for a file (the same columns and dtypes,
sorted by date then line, with stories), so every stage after loading works unchanged on a store.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ..filters import sort_by_date
from ..model import COLUMNS
from ..registry import FILLED
from ..stories import add_stories
from . import Store
from .schema import DAY_COLUMNS, GEOCODED, NUMBER_COLUMNS, claims, claims_current, imports, revisions

TEXT = pd.StringDtype("pyarrow")  # what the loader gives each column of the file


def _frame(rows: list[sa.Row], extra_columns: list[str]) -> pd.DataFrame:
    """Rows of claims (or claims_current) -> the events frame before stories."""
    keys = list(rows[0]._mapping.keys()) if rows else []
    values = dict(zip(keys, zip(*rows, strict=True), strict=True)) if rows else {}

    def column(name: str) -> pd.Series:
        return pd.Series(values.get(name, ()), dtype=object)

    out = {"line": column("line").astype("int64")}
    for name in COLUMNS:
        if name in DAY_COLUMNS:
            out[name] = pd.to_datetime(column(name)).astype("datetime64[ns]")
        elif name in NUMBER_COLUMNS:
            out[name] = pd.to_numeric(column(name)).astype("float64")
        else:
            out[name] = column(name).astype(TEXT)
    extra = values.get("extra", ())
    for name in extra_columns:
        out[name] = pd.Series([(value or {}).get(name, "") for value in extra], dtype=TEXT)
    for name in GEOCODED:
        out[name] = column(name).astype("str")
    frame = pd.DataFrame(out)
    frame["date_end"] = frame["date_end"].fillna(frame["date"])
    # The store keeps the source types and affiliations the registry filled in, not that it did.
    frame[FILLED] = pd.Series("", index=frame.index, dtype="str")
    return frame


def extra_columns(connection: sa.Connection) -> list[str]:
    """The file columns every import brought, in the order they were first seen."""
    names: list[str] = []
    for (columns,) in connection.execute(sa.select(imports.c.extra_columns).order_by(imports.c.import_id)):
        names.extend(name for name in columns or () if name not in names)
    return names


def read_current(store: Store) -> pd.DataFrame:
    """The claims the map shows (published, not withdrawn) as the app's events frame."""
    view = claims_current
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(view.c[*view.c.keys()]).order_by(view.c.claim_id)).all()
        extras = extra_columns(connection)
    return add_stories(sort_by_date(_frame(rows, extras)))


def last_revision(store: Store) -> int:
    """The newest revision's number; 0 for a store with none."""
    with store.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.max(revisions.c.revision_id))).scalar() or 0)


def changes_since(store: Store, revision: int) -> tuple[pd.DataFrame, int]:
    """The claims changed after ``revision`` as they are now (withdrawn and review_state included, so a reader
    can drop those no longer shown), with ``claim_id``; and the newest revision, to ask from next time."""
    with store.engine.connect() as connection:
        newest = int(connection.execute(sa.select(sa.func.max(revisions.c.revision_id))).scalar() or 0)
        rows = connection.execute(
            sa.select(claims)
            .where(claims.c.last_revision > revision, claims.c.last_revision <= newest)
            .order_by(claims.c.claim_id)
        ).all()
        extras = extra_columns(connection)
    frame = _frame(rows, extras)
    for name in ("claim_id", "review_state", "withdrawn", "version", "last_revision"):
        frame[name] = [row._mapping[name] for row in rows] if rows else pd.Series(dtype=object)
    return frame, newest
