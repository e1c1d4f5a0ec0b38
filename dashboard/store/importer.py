"""``store import``: an events file into the store, idempotent, incremental, in chunks.

Each chunk (chunks.py) goes through the app's own stages, ``validate`` then ``geocode``, so the rows
rejected are those ``python -m dashboard validate`` reports, with the same line, column and reason; they
are stored in ``import_rejections``. Each accepted row is compared with the claim of the same
``event_id`` by a hash of what the file says (``content_hash``):

- a new ``event_id`` is added, with a ``create`` revision;
- a changed row updates the claim, with an ``update`` revision holding ``{field: [old, new]}``;
- an unchanged row changes nothing (only where it was last seen: its line and this import);
- a claim the last finished import of the same origin had and this file lacks is counted and listed
  as missing, never deleted.

One transaction per chunk holds the chunk's claims, revisions, rejections and the import's counts, so a
killed import leaves whole chunks only, and a rerun adds what is missing and changes nothing else.
Every value reaches the database as a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import operator
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from ..export import json_members
from ..geocode import geocode
from ..load import Limits, RawTable
from ..model import COLUMNS
from ..validate import validate
from . import Store, StoreError
from .chunks import Chunk, read_chunks
from .schema import CONTENT, DAY_COLUMNS, GEOCODED, NUMBER_COLUMNS, claims, import_rejections, imports, revisions

_log = logging.getLogger(__name__)
# Lookups of existing claims go this many event ids at a time: below every database's limit on parameters.
_LOOKUP = 5000
# Missing claims listed by name in the report (all are counted).
MISSING_LISTED = 20
_NOT_EXTRA = {*COLUMNS, "line", *GEOCODED}


@dataclass
class Report:
    """What one import did; the command line prints it, ``imports`` keeps it."""

    import_id: int
    file: str
    format: str
    origin: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    missing_listed: list[str] = field(default_factory=list)
    finished: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Run:
    """What an import carries from chunk to chunk."""

    report: Report
    rejected_kept: int
    at: dt.datetime
    extra_columns: list[str] = field(default_factory=list)
    rejected_ids: dict[str, int] = field(default_factory=dict)  # event_id -> line, of rows rejected so far
    stored_rejections: int = 0


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_origin(path: Path, fmt: str) -> str:
    """What an import is compared with for missing rows: ACLED's and UCDP's exports each are one origin,
    whatever the file is called; a native or GeoJSON file is its own, by its name."""
    return fmt if fmt in ("acled", "ucdp") else path.name


# ---------------------------------------------------------------- one chunk, as validate reports it


def _checked(raw: RawTable, aliases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk's accepted, geocoded rows and its rejections, as ``pipeline.open_events`` makes them."""
    typed, invalid = validate(raw)
    located, unknown = geocode(typed, aliases)
    rejected = pd.concat([raw.rejected, invalid, unknown], ignore_index=True)
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    rejected["column"] = rejected["column"].map(lambda c: raw.columns.get(c, c))
    return located.reset_index(drop=True), rejected


@dataclass
class Rows:
    """A chunk's accepted rows as the claims table takes them, column by column: days as YYYY-MM-DD text,
    coordinates as floats or None, text as text, the file's own columns as ``extra`` (a dict, and its JSON)."""

    values: dict[str, list]  # content column -> values, "extra" excepted
    extra_values: dict[str, list]  # the file's own column -> values
    extra_json: list[str]
    ids: list[str]
    lines: list[int]
    hashes: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def extra(self, i: int) -> dict:
        """Row ``i``'s own columns, ``{name: text}`` (made only for the rows that changed)."""
        return {name: values[i] for name, values in self.extra_values.items()}

    def content(self, i: int) -> dict:
        """Row ``i``'s content as JSON values (as ``plain_content`` gives a stored claim's)."""
        return {name: self.values[name][i] for name in self.values} | {"extra": self.extra(i)}


def _hashes(frame: pd.DataFrame, extras: list[str]) -> list[str]:
    """A 64-bit digest per row of what it says, in whole columns (pandas' hash of each column, combined).

    Text is hashed as plain Python strings whatever its dtype, days as integers and coordinates as floats,
    and the names of the file's own columns are part of it: a row says the same only with the same columns.
    """
    parts = {}
    for name in (*(c for c in CONTENT if c != "extra"), *sorted(extras)):
        values = frame[name]
        if name in DAY_COLUMNS:
            parts[name] = values.to_numpy(dtype="datetime64[ns]").view("int64")
        elif name in NUMBER_COLUMNS:
            parts[name] = np.nan_to_num(values.to_numpy(dtype="float64"), nan=np.inf)
        else:
            parts[name] = values.to_numpy(dtype=object, na_value="")
    parts["columns of the file"] = np.full(len(frame), "\x1f".join(sorted(extras)), dtype=object)
    digest = pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()
    return [f"{value:016x}" for value in digest.tolist()]


def claim_rows(frame: pd.DataFrame, extra_columns: list[str]) -> Rows:
    """The accepted rows as the claims table holds them, with ``content_hash`` (the line not included)."""
    values: dict[str, list] = {}
    for name in CONTENT:
        if name == "extra":
            continue
        column = frame[name]
        if name in DAY_COLUMNS:
            values[name] = column.dt.strftime("%Y-%m-%d").astype(object).where(column.notna(), None).tolist()
        elif name in NUMBER_COLUMNS:
            numbers = column.to_numpy(dtype="float64")
            values[name] = [None if v != v else v for v in numbers.tolist()]
        else:
            values[name] = column.to_numpy(dtype=object, na_value="").tolist()
    extras = [name for name in extra_columns if name in frame.columns]
    texts = {name: frame[name].to_numpy(dtype=object, na_value="").tolist() for name in extras}
    as_json = pc.binary_join_element_wise("{", json_members(frame[extras].fillna("")), "}", "").to_pylist()
    return Rows(
        values,
        texts,
        as_json,
        frame["event_id"].to_numpy(dtype=object).tolist(),
        frame["line"].astype("int64").tolist(),
        _hashes(frame, extras),
    )


def plain_content(row) -> dict:
    """A stored claim's content as JSON values: days as YYYY-MM-DD, missing as null."""
    out = {}
    for name in CONTENT:
        value = row[name]
        if name == "extra":
            value = dict(value or {})
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, float) and value != value:
            value = None
        out[name] = value
    return out


def changes(old, new: dict) -> dict[str, list]:
    """``{field: [old, new]}`` for every field of content that differs; ``new`` as ``Rows.content`` gives it."""
    before = plain_content(old)
    return {name: [before[name], new[name]] for name in CONTENT if before[name] != new[name]}


# ---------------------------------------------------------------- one chunk, written


def _existing(connection: sa.Connection, ids: list[str]) -> dict[str, sa.Row]:
    """The claims already stored under ``ids``, by event id."""
    found: dict[str, sa.Row] = {}
    query = sa.select(claims.c.claim_id, claims.c.event_id, claims.c.content_hash, claims.c.seen_import, claims.c.line)
    if connection.dialect.name == "postgresql":  # the chunk's ids as one array parameter, not thousands
        wanted = sa.bindparam("ids", ids, type_=postgresql.ARRAY(sa.Text))
        return {row.event_id: row for row in connection.execute(query.where(claims.c.event_id == sa.any_(wanted)))}
    for start in range(0, len(ids), _LOOKUP):
        part = ids[start : start + _LOOKUP]
        for row in connection.execute(query.where(claims.c.event_id.in_(part))):
            found[row.event_id] = row
    return found


def _duplicate(rows: Rows, i: int, first_line: int, column: str) -> dict:
    """A row whose event id an earlier chunk of the same file had: rejected as validate rejects it."""
    return {
        "line": rows.lines[i],
        "column": column,
        "value": rows.ids[i],
        "reason": f"duplicate event_id, first on line {first_line}",
        "other_problems": 0,
    }


def _sorted_out(run: _Run, rows: Rows, found: dict[str, sa.Row], column: str):
    """(new rows, changed rows with their claim, unchanged rows with their claim, duplicates rejected)."""
    new, changed, same, duplicates = [], [], [], []
    for i, event_id in enumerate(rows.ids):
        old = found.get(event_id)
        first = run.rejected_ids.get(event_id)
        if old is not None and old.seen_import == run.report.import_id:
            duplicates.append(_duplicate(rows, i, old.line, column))
        elif first is not None:
            duplicates.append(_duplicate(rows, i, first, column))
        elif old is None:
            new.append(i)
        elif old.content_hash != rows.hashes[i]:
            changed.append((i, old.claim_id))
        else:
            same.append((i, old.claim_id))
    return new, changed, same, duplicates


# What a new claim is written with, in this order; the rest of its columns take their defaults.
INSERTED = ("event_id", *(c for c in CONTENT if c != "extra"), "extra", "line", "origin", "seen_import", "content_hash")


def _driver_many(connection: sa.Connection, sql: str, rows: list[tuple]) -> None:
    """``sql`` (fixed text, ``?`` for each parameter) run once per row by the driver's executemany: values are
    bound parameters, and SQLAlchemy's per-row processing, most of an import's time, is skipped."""
    if connection.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("?", "%s")
    connection.exec_driver_sql(sql, rows)


def _copy(connection: sa.Connection, table: str, columns: tuple[str, ...], rows) -> None:
    """PostgreSQL's COPY FROM STDIN through psycopg: each value sent as data, never as SQL."""
    names = ", ".join(f'"{name}"' for name in columns)
    with connection.connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _add(connection: sa.Connection, run: _Run, rows: Rows, new: list[int]) -> None:
    """New claims, each with its create revision, in bulk."""
    if not new:
        return
    origin, import_id = run.report.origin, run.report.import_id
    columns = [rows.ids, *(rows.values[name] for name in INSERTED[1:-5]), rows.extra_json, rows.lines]
    if len(new) < len(rows):
        pick = operator.itemgetter(*new)
        columns = [list(pick(column)) if len(new) > 1 else [column[new[0]]] for column in columns]
    hashes = [rows.hashes[i] for i in new]
    values = zip(*columns, itertools.repeat(origin), itertools.repeat(import_id), hashes, strict=False)
    if connection.dialect.name == "postgresql":
        _add_pg(connection, run, values, len(new))
        return
    names = ", ".join(f'"{name}"' for name in INSERTED)
    marks = ", ".join("?" for _ in INSERTED)
    _driver_many(connection, f"INSERT INTO claims ({names}) VALUES ({marks})", list(values))
    # Claims without a revision are this transaction's new ones (a partial index keeps finding them cheap).
    fresh = (claims.c.last_revision.is_(None), claims.c.seen_import == import_id)
    made = sa.select(
        claims.c.claim_id,
        sa.literal(run.at, revisions.c.at.type),
        sa.literal(import_id, sa.BigInteger),
        sa.literal("create"),
        sa.literal("imported"),
    ).where(*fresh)
    columns = ["claim_id", "at", "import_id", "action", "reason"]
    connection.execute(revisions.insert().from_select(columns, made.order_by(claims.c.claim_id)))
    latest = (
        sa.select(sa.func.max(revisions.c.revision_id))
        .where(revisions.c.claim_id == claims.c.claim_id)
        .scalar_subquery()
    )
    connection.execute(claims.update().where(*fresh).values(last_revision=latest))


def _numbers(connection: sa.Connection, table: str, column: str, count: int) -> list[int]:
    """``count`` new keys from the sequence of ``table.column`` (PostgreSQL), so that rows can be sent with them."""
    query = sa.text(f"SELECT nextval(pg_get_serial_sequence('{table}', '{column}')) FROM generate_series(1, :n)")
    return connection.execute(query, {"n": count}).scalars().all()


def _add_pg(connection: sa.Connection, run: _Run, values, count: int) -> None:
    """On PostgreSQL the keys are taken from their sequences first; then the claims, with their keys and each
    its last revision, and their create revisions go in by COPY: no row is written twice."""
    claim_ids = _numbers(connection, "claims", "claim_id", count)
    revision_ids = _numbers(connection, "revisions", "revision_id", count)
    _copy(
        connection,
        "claims",
        ("claim_id", *INSERTED, "last_revision"),
        ((c, *row, r) for c, row, r in zip(claim_ids, values, revision_ids, strict=True)),
    )
    import_id = run.report.import_id
    made = ((r, c, run.at, import_id, "create", "imported") for c, r in zip(claim_ids, revision_ids, strict=True))
    _copy(connection, "revisions", ("revision_id", "claim_id", "at", "import_id", "action", "reason"), made)


def _update(connection: sa.Connection, run: _Run, rows: Rows, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Changed rows: each a revision with the fields old -> new, then the claim with the new values.
    Returns the rows that differed only in how they were hashed (no field changed): unchanged after all."""
    if not pairs:
        return []
    ids = [claim_id for _, claim_id in pairs]
    old = {}
    for start in range(0, len(ids), _LOOKUP):
        query = sa.select(claims).where(claims.c.claim_id.in_(ids[start : start + _LOOKUP]))
        old.update({row.claim_id: row._mapping for row in connection.execute(query)})
    diffs = [(i, claim_id, changes(old[claim_id], rows.content(i))) for i, claim_id in pairs]
    same = [(i, claim_id) for i, claim_id, diff in diffs if not diff]
    diffs = [entry for entry in diffs if entry[2]]
    if diffs:
        _revise(connection, run, rows, diffs)
    return same


def _revise(connection: sa.Connection, run: _Run, rows: Rows, diffs: list[tuple[int, int, dict]]) -> None:
    import_id = run.report.import_id
    revised = connection.execute(
        revisions.insert().returning(revisions.c.revision_id, sort_by_parameter_order=True),
        [
            {
                "claim_id": claim_id,
                "at": run.at,
                "import_id": import_id,
                "action": "update",
                "changes": diff,
                "reason": "imported: the file's row changed",
            }
            for _, claim_id, diff in diffs
        ],
    ).all()
    content = [name for name in CONTENT if name != "extra"]
    connection.execute(
        claims.update()
        .where(claims.c.claim_id == sa.bindparam("b_claim"))
        .values(
            {name: sa.bindparam("b_" + name) for name in (*content, "extra", "content_hash", "line")}
            | {
                "version": claims.c.version + 1,
                "last_revision": sa.bindparam("b_rev"),
                "seen_import": import_id,
                "origin": run.report.origin,
            }
        ),
        [
            {"b_" + name: _typed(name, rows.values[name][i]) for name in content}
            | {"b_extra": rows.extra(i), "b_content_hash": rows.hashes[i], "b_line": rows.lines[i]}
            | {"b_claim": claim_id, "b_rev": rev}
            for (i, claim_id, _), (rev,) in zip(diffs, revised, strict=True)
        ],
    )


def _typed(name: str, value: object) -> object:
    return dt.date.fromisoformat(value) if name in DAY_COLUMNS and value is not None else value


def _seen(connection: sa.Connection, run: _Run, rows: Rows, pairs: list[tuple[int, int]]) -> None:
    """Unchanged rows: only where they were last seen (this import, this line) is written; no revision."""
    if not pairs:
        return
    report = run.report
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS store_seen (claim_id bigint, line bigint) ON COMMIT DELETE ROWS"
        )
        _copy(connection, "store_seen", ("claim_id", "line"), ((claim_id, rows.lines[i]) for i, claim_id in pairs))
        connection.execute(
            sa.text(
                "UPDATE claims SET line = s.line, seen_import = :import_id, origin = :origin "
                "FROM store_seen s WHERE claims.claim_id = s.claim_id"
            ),
            {"import_id": report.import_id, "origin": report.origin},
        )
        return
    _driver_many(
        connection,
        "UPDATE claims SET line = ?, seen_import = ?, origin = ? WHERE claim_id = ?",
        [(rows.lines[i], report.import_id, report.origin, claim_id) for i, claim_id in pairs],
    )


def _reject(connection: sa.Connection, run: _Run, rejected: pd.DataFrame, duplicates: list[dict]) -> int:
    """Store the chunk's rejections (up to the rejected_kept setting in all); their count."""
    rows = rejected.to_dict(orient="records") + duplicates
    room = max(run.rejected_kept - run.stored_rejections, 0)
    kept = [
        {
            "import_id": run.report.import_id,
            "line": int(row["line"]),
            "column": str(row["column"]),
            "value": str(row["value"]),
            "reason": str(row["reason"]),
            "other_problems": int(row["other_problems"]),
        }
        for row in rows[:room]
    ]
    if kept:
        connection.execute(import_rejections.insert(), kept)
        run.stored_rejections += len(kept)
    return len(rows)


def _remember_rejected(run: _Run, raw: RawTable, rejected: pd.DataFrame) -> None:
    """The event ids of this chunk's rejected rows: a later row with one of them is a duplicate."""
    if "event_id" not in raw.frame.columns or rejected.empty:
        return
    ids = pd.Series(raw.frame["event_id"].to_numpy(dtype=object), index=raw.lines)
    lines = rejected["line"][rejected["line"].isin(ids.index)]
    for line, event_id in ids.loc[lines.to_numpy()].items():
        if event_id:
            run.rejected_ids.setdefault(str(event_id), int(line))


@dataclass
class _Prepared:
    """A chunk checked and made into claim rows, ready to be written (``_prepare``, in the reading thread)."""

    chunk: Chunk
    rows: Rows
    rejected: pd.DataFrame
    extra_columns: list[str]  # the file's own columns seen up to this chunk, in order


def _prepare(chunk: Chunk, aliases: pd.DataFrame, extra_columns: list[str]) -> _Prepared:
    """What the file says in one chunk, with nothing asked of the store: checked, geocoded, as claim rows.
    ``extra_columns`` grows by the chunk's new columns."""
    located, rejected = _checked(chunk.raw, aliases)
    for name in located.columns:
        if name not in _NOT_EXTRA and name not in extra_columns:
            extra_columns.append(name)
    return _Prepared(chunk, claim_rows(located, extra_columns), rejected, list(extra_columns))


def _write_chunk(connection: sa.Connection, run: _Run, prepared: _Prepared) -> None:
    raw, rows, rejected = prepared.chunk.raw, prepared.rows, prepared.rejected
    run.extra_columns = prepared.extra_columns
    found = _existing(connection, rows.ids)
    new, changed, same, duplicates = _sorted_out(run, rows, found, raw.columns.get("event_id", "event_id"))
    _add(connection, run, rows, new)
    unchanged_after_all = _update(connection, run, rows, changed)
    same += unchanged_after_all
    _seen(connection, run, rows, same)
    report = run.report
    report.rejected += _reject(connection, run, rejected, duplicates) + raw.rejected_more
    _remember_rejected(run, raw, rejected)
    report.rows += raw.rows
    report.accepted += len(rows) - len(duplicates)
    report.added += len(new)
    report.updated += len(changed) - len(unchanged_after_all)
    report.unchanged += len(same)
    connection.execute(imports.update().where(imports.c.import_id == report.import_id).values(_counts(run)))


def _counts(run: _Run) -> dict:
    report = run.report
    return {
        "rows_read": report.rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "extra_columns": list(run.extra_columns),
    }


# ---------------------------------------------------------------- the whole file


def _missing(connection: sa.Connection, report: Report) -> tuple[int, list[str]]:
    """Claims the last finished import of this origin had that this file lacks: counted, the first listed."""
    earlier = connection.execute(
        sa.select(sa.func.max(imports.c.import_id)).where(
            imports.c.origin == report.origin,
            imports.c.finished_at.is_not(None),
            imports.c.import_id < report.import_id,
        )
    ).scalar()
    if earlier is None:
        return 0, []
    lacking = (
        claims.c.origin == report.origin,
        claims.c.seen_import >= earlier,
        claims.c.seen_import != report.import_id,
    )
    count = connection.execute(sa.select(sa.func.count()).select_from(claims).where(*lacking)).scalar() or 0
    listed = connection.execute(
        sa.select(claims.c.event_id).where(*lacking).order_by(claims.c.claim_id).limit(MISSING_LISTED)
    ).scalars()
    return int(count), list(listed)


def import_file(
    store: Store,
    path: str | Path,
    aliases: pd.DataFrame,
    *,
    chunk_rows: int,
    limits: Limits | None = None,
    max_bytes: int | None = None,
    origin: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Import ``path`` into ``store``; ``progress(bytes done, bytes in all)`` after each chunk.

    Raises ``load.UnusableFile`` as the app does for a file it cannot read; chunks before one that fails
    stay imported, and the import is left unfinished (``finished_at`` empty).
    """
    store.check_initialised()
    path = Path(path)
    limits = limits or Limits()
    chunks = read_chunks(path, chunk_rows, limits, max_bytes)
    first = next(chunks)  # an unusable file fails here, before the import is recorded
    fmt = first.raw.format
    at = now()
    report = Report(0, str(path), fmt, origin or default_origin(path, fmt))
    with store.engine.begin() as connection:
        report.import_id = connection.execute(
            imports.insert().returning(imports.c.import_id),
            {"file": report.file, "format": fmt, "origin": report.origin, "started_at": at},
        ).scalar_one()
    run = _Run(report, limits.rejected_kept, at)
    seen_columns: list[str] = []
    prepared = (_prepare(chunk, aliases, seen_columns) for chunk in _chained(first, chunks))
    # The next chunk is read and checked in a thread while this one is written: the database works in its own
    # process meanwhile, so the two cores share an import. Two chunks at most are held besides the one read.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-import-read") as reader:
        ahead = reader.submit(next, prepared, None)
        while (ready := ahead.result()) is not None:
            ahead = reader.submit(next, prepared, None)
            with store.engine.begin() as connection:
                _write_chunk(connection, run, ready)
            if progress:
                progress(ready.chunk.done, ready.chunk.size)
    with store.engine.begin() as connection:
        report.missing, report.missing_listed = _missing(connection, report)
        connection.execute(
            imports.update()
            .where(imports.c.import_id == report.import_id)
            .values(finished_at=now(), missing=report.missing)
        )
    report.finished = True
    if store.dialect == "postgresql" and report.accepted and _worth_a_vacuum(store, report.accepted):
        _vacuum(store)
    return report


# An import that wrote less than this share of the claims leaves them to autovacuum: the read fetches those
# few rows' pages from the table, which costs nothing, while a vacuum of a million claims for one new claim
# took a core for seconds just as every open map reran to show it.
VACUUM_SHARE = 0.01


def _worth_a_vacuum(store: Store, written: int) -> bool:
    """Whether ``written`` rows are VACUUM_SHARE or more of the claims, as the planner last counted them; not
    when the store stopped answering after the import's last commit (the import is whole: autovacuum will come)."""
    try:
        with store.engine.connect() as connection:
            counted = connection.execute(
                sa.text("SELECT reltuples FROM pg_class WHERE oid = 'claims'::regclass")
            ).scalar()
    except (StoreError, sa.exc.DBAPIError):
        return False
    return counted is None or counted <= 0 or written >= VACUUM_SHARE * counted


def _vacuum(store: Store) -> None:
    """``VACUUM (ANALYZE) claims`` after an import on PostgreSQL. Its rows are new (or, for an unchanged row, a new
    version): until a vacuum marks their pages all-visible, the app's read by ``claims_lean`` fetches every row
    from the table too, and the planner prefers a scan and a sort of the whole table (2.5 million claims: 8.5 s
    against 4.9 s read by ADBC; the vacuum took 2.3 s). Autovacuum would come later, while the app reads."""
    try:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) claims")
    except (StoreError, sa.exc.DBAPIError) as err:  # the import is whole without it: autovacuum will come
        why = str(getattr(err, "orig", None) or err).strip()
        _log.warning("store import: VACUUM (ANALYZE) claims failed after the import: %s", why)


def _chained(first: Chunk, rest):
    yield first
    yield from rest
