"""Reading the store: the current claims as the app's events frame, and what changed since a revision.

``read_current`` gives the frame ``pipeline.open_events`` gives for a file (the same columns and dtypes,
sorted by date then line, with stories), so every stage after loading works unchanged on a store.

The app reads a lean frame instead (``read_lean``, through ``AppReader``): the columns the map, the filters,
control and stories need, with ``description``, ``url`` and ``via`` empty and without the file's own
columns, which ``details`` fetches for the rows shown (popups, the table, downloads). At 2.5 million claims
the descriptions alone are most of the memory. On PostgreSQL it is read with ADBC straight into Arrow
(``adbc-driver-postgresql``): a million rows in about a second, where rows through the driver take several.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote, urlencode

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..columns import categorized
from ..filters import in_date_order, sort_by_date
from ..model import CATEGORICAL, COLUMNS
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
    return add_stories(categorized(sort_by_date(_frame(rows, extras))))


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


# What the lean frame leaves empty: fetched for the rows shown (``details``).
DETAILS = ("description", "url", "via")
LEAN = ("line", *(c for c in COLUMNS if c not in DETAILS), *GEOCODED)
DETAILS_CHUNK = 5_000  # event ids bound in one query


def read_lean(store: Store) -> pd.DataFrame:
    """The claims the map shows, without their details (see the module's docstring), sorted by date and line;
    no stories (the app makes them, ``live.Feed``)."""
    if store.dialect == "postgresql":
        frame, _, _ = _lean_by_adbc(store)
    else:
        view = claims_current
        with store.engine.connect() as connection:
            query = sa.select(*(view.c[name] for name in LEAN)).order_by(view.c.date, view.c.line)
            frame = _frame(connection.execute(query).all(), [])
    return _as_loaded(frame)


def read_marked(store: Store, window: int = 0) -> tuple[pd.DataFrame, dict, dict[str, int]]:
    """PostgreSQL: ``read_lean`` and the store's mark (``snapshot``'s module docstring), both read in one
    repeatable-read transaction, so that the mark says exactly which claims the frame holds; and, from the
    same transaction, the claims last revised in the ``window`` revisions up to the mark's, event_id ->
    revision (the frame holds them as of that revision: a look back over them need not merge them again)."""
    frame, mark, seen = _lean_by_adbc(store, marked=True, window=window)
    return _as_loaded(frame), mark, seen


# The mark: the newest revision, its time and claim, and how many revisions there are up to it.
_NEWEST = "SELECT revision_id, at, claim_id FROM revisions ORDER BY revision_id DESC LIMIT 1"
_UP_TO = "SELECT count(*) FROM revisions WHERE revision_id <= $1"
_MIGRATION = "SELECT version_num FROM alembic_version"
_SEEN = "SELECT event_id, last_revision FROM claims WHERE last_revision > $1 AND last_revision <= $2"


def _mark(newest, up_to, migration) -> dict:
    revision, at, claim = newest or (0, None, None)
    (count,) = up_to
    if at is not None:  # one spelling whichever driver read it: UTC, to the microsecond
        at = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()
    return {
        "revision": int(revision), "at": at,
        "claim": None if claim is None else int(claim), "revisions": int(count),
        "migration": str(migration),
    }  # fmt: skip


def mark_now(store: Store, revision: int) -> tuple[dict | None, int]:
    """The mark of ``revision`` as the store has it now (None if it has no such revision), and its newest."""
    with store.engine.connect() as connection:
        newest = int(connection.execute(sa.select(sa.func.max(revisions.c.revision_id))).scalar() or 0)
        row = connection.execute(
            sa.select(revisions.c.revision_id, revisions.c.at, revisions.c.claim_id).where(
                revisions.c.revision_id == revision
            )
        ).first()
        if row is None:
            return None, newest
        up_to = connection.execute(sa.select(sa.func.count()).where(revisions.c.revision_id <= revision)).one()
        migration = connection.exec_driver_sql(_MIGRATION).scalar()
    return _mark(tuple(row), tuple(up_to), migration), newest


def _as_loaded(frame: pd.DataFrame) -> pd.DataFrame:
    for name in DETAILS:
        frame[name] = _blank_text(len(frame))
    # The repeated text as categories, as the loader gives it: the lean frame has the file's dtypes.
    frame = categorized(frame[["line", *COLUMNS, *GEOCODED]])
    return frame if in_date_order(frame) else sort_by_date(frame)


def _blank_text(n: int) -> pd.api.extensions.ExtensionArray:
    """``n`` empty strings as an Arrow string column, made from its buffers (offsets all 0): no Python string per
    row (2.5 million rows: 6 ms against 180 ms a column)."""
    import pyarrow as pa

    offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int32))
    return pd.array(pa.StringArray.from_buffers(n, offsets, pa.py_buffer(b"")), dtype=TEXT)


def _lean_by_adbc(
    store: Store, marked: bool = False, window: int = 0
) -> tuple[pd.DataFrame, dict | None, dict[str, int]]:
    """The lean columns of claims_current through ADBC into Arrow, then pandas with the loader's dtypes; and,
    if ``marked``, the store's mark and the claims of its last ``window`` revisions (``read_marked``), read in
    the same transaction."""
    import adbc_driver_postgresql.dbapi as adbc
    import pyarrow as pa

    url = store.engine.url.set(drivername="postgresql")
    # PostgreSQL's JIT compiles this one long scan: measured, it doubled the read (7.3 s against 3.3 s here).
    query = {**url.query, "options": " ".join(filter(None, [url.query.get("options", ""), "-cjit=off"]))}
    # libpq reads %20 as a space, not SQLAlchemy's "+": the URI's query is spelled here.
    uri = url.set(query={}).render_as_string(hide_password=False) + "?" + urlencode(query, quote_via=quote)
    columns = ", ".join(f'"{name}"' for name in LEAN)  # names from the schema, never from a file
    mark, seen = None, {}
    with adbc.connect(uri, autocommit=True) as connection, connection.cursor() as cursor:
        if marked:  # one snapshot of the database for the mark and the claims
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute(_NEWEST)
            newest = cursor.fetchone()
            cursor.execute(_UP_TO, parameters=(int(newest[0]) if newest else 0,))
            up_to = cursor.fetchone()
            cursor.execute(_MIGRATION)
            mark = _mark(newest, up_to, cursor.fetchone()[0])
            cursor.execute(_SEEN, parameters=(mark["revision"] - window, mark["revision"]))
            seen = {str(event_id): int(revision) for event_id, revision in cursor.fetchall()}
        # In index order (migration 0002's claims_lean): an index-only scan, already sorted.
        cursor.execute(f"SELECT {columns} FROM claims_current ORDER BY date, line")
        reader = cursor.fetch_record_batch()
        # Batch by batch, each made over in Arrow's own memory as it comes: the driver's buffers are one
        # allocation a batch, kept whole while any column of it is, so a column taken as it came (event_id)
        # kept every column's raw text alive (at 2.5M claims: 720 MB held under a 260 MB frame).
        batches = [_lean_batch(batch) for batch in reader]
        table = pa.Table.from_batches(batches, schema=batches[0].schema if batches else _lean_schema(reader.schema))
        if marked:
            cursor.execute("COMMIT")
    del batches
    table = table.combine_chunks()  # one chunk a column (dictionaries unified): a merge then slices them
    frame = table.to_pandas(types_mapper={pa.string(): TEXT, pa.large_string(): TEXT}.get, self_destruct=True)
    del table
    frame["line"] = frame["line"].astype("int64")
    frame["date_end"] = frame["date_end"].fillna(frame["date"])
    return frame, mark, seen


def _lean_batch(batch):
    """One batch of the lean read in the loader's types, in Arrow's memory: days as timestamps, text without
    missing values, the repeated text (``model.CATEGORICAL``) dictionary-encoded (a third of pandas'
    ``astype("category")``), the rest copied out of the driver's buffers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for name, values in zip(batch.schema.names, batch.columns, strict=True):
        if name in DAY_COLUMNS:
            values = values.cast(pa.timestamp("ns"))
        elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            values = pc.fill_null(values, "") if values.null_count else values
            values = pc.dictionary_encode(values) if name in CATEGORICAL else pa.concat_arrays([values])
        else:
            values = pa.concat_arrays([values])
        columns.append(values)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _lean_schema(schema):
    """The schema ``_lean_batch`` gives for batches of ``schema`` (for a store with no claim)."""
    import pyarrow as pa

    return _lean_batch(pa.RecordBatch.from_pylist([], schema=schema)).schema


def details(store: Store, event_ids: Sequence[str]) -> pd.DataFrame:
    """``event_id``, the details and the file's own columns of the claims ``event_ids`` (bound, in chunks)."""
    wanted = list(dict.fromkeys(str(e) for e in event_ids))
    rows: list[sa.Row] = []
    with store.engine.connect() as connection:
        for start in range(0, len(wanted), DETAILS_CHUNK):
            chunk = wanted[start : start + DETAILS_CHUNK]
            query = sa.select(claims.c.event_id, *(claims.c[name] for name in DETAILS), claims.c.extra)
            rows.extend(connection.execute(query.where(claims.c.event_id.in_(chunk))).all())
        extras = extra_columns(connection)
    found = {
        "event_id": pd.array([row.event_id for row in rows], dtype=TEXT),
        **{name: pd.array([row._mapping[name] or "" for row in rows], dtype=TEXT) for name in DETAILS},
    }
    for name in extras:
        found[name] = pd.array([(row.extra or {}).get(name, "") for row in rows], dtype=TEXT)
    return pd.DataFrame(found)


class AppReader:
    """What the app reads of a store (``live.Feed``'s store): the lean frame, the revisions, the details."""

    def __init__(self, store: Store):
        self.store = store

    def read_current(self) -> pd.DataFrame:
        return read_lean(self.store)

    @property
    def marks(self) -> bool:
        """Whether this store can be read with its mark, for a snapshot (PostgreSQL)."""
        return self.store.dialect == "postgresql"

    def read_marked(self, window: int = 0) -> tuple[pd.DataFrame, dict, dict[str, int]]:
        return read_marked(self.store, window)

    def mark_now(self, revision: int) -> tuple[dict | None, int]:
        return mark_now(self.store, revision)

    def last_revision(self) -> int:
        return last_revision(self.store)

    def changes_since(self, revision: int) -> tuple[pd.DataFrame, int]:
        return changes_since(self.store, revision)

    def details(self, event_ids: Sequence[str]) -> pd.DataFrame:
        return details(self.store, event_ids)
