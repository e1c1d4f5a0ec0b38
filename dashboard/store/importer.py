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
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..geocode import geocode
from ..load import Limits, RawTable
from ..model import COLUMNS
from ..validate import validate
from . import Store
from .chunks import Chunk, read_chunks
from .schema import CONTENT, DAY_COLUMNS, GEOCODED, NUMBER_COLUMNS, claims, import_rejections, imports, revisions

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


def _plain(value: object) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    return value


def claim_rows(frame: pd.DataFrame, extra_columns: list[str]) -> list[dict]:
    """The accepted rows as the claims table holds them: days, floats, text, and the file's own columns as
    ``extra``; with ``content_hash``, a digest of what the row says (its line not included)."""
    columns: dict[str, list] = {}
    for name in CONTENT:
        if name == "extra":
            continue
        values = frame[name]
        if name in DAY_COLUMNS:
            columns[name] = [None if pd.isna(v) else v.date() for v in values]
        elif name in NUMBER_COLUMNS:
            columns[name] = [None if np.isnan(v) else float(v) for v in values.to_numpy(dtype="float64")]
        else:
            columns[name] = values.astype(str).tolist()
    extras = [name for name in extra_columns if name in frame.columns]
    extra_values = [frame[name].astype(str).tolist() for name in extras]
    ids = frame["event_id"].astype(str).tolist()
    lines = frame["line"].astype("int64").tolist()
    rows = []
    for i, event_id in enumerate(ids):
        row = {name: values[i] for name, values in columns.items()}
        row["extra"] = {name: values[i] for name, values in zip(extras, extra_values, strict=True)}
        row["content_hash"] = content_hash(row)
        row["event_id"], row["line"] = event_id, lines[i]
        rows.append(row)
    return rows


def plain_content(row: dict) -> dict:
    """A claim's content as JSON values: days as YYYY-MM-DD, missing as null."""
    return {name: _plain(row[name]) if name != "extra" else dict(row[name] or {}) for name in CONTENT}


def content_hash(row: dict) -> str:
    text = json.dumps(plain_content(row), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def changes(old: dict, new: dict) -> dict[str, list]:
    """``{field: [old, new]}`` for every field of content that differs."""
    before, after = plain_content(old), plain_content(new)
    return {name: [before[name], after[name]] for name in CONTENT if before[name] != after[name]}


# ---------------------------------------------------------------- one chunk, written


def _existing(connection: sa.Connection, ids: list[str]) -> dict[str, sa.Row]:
    """The claims already stored under ``ids``, by event id."""
    found: dict[str, sa.Row] = {}
    query = sa.select(claims.c.claim_id, claims.c.event_id, claims.c.content_hash, claims.c.seen_import, claims.c.line)
    for start in range(0, len(ids), _LOOKUP):
        part = ids[start : start + _LOOKUP]
        for row in connection.execute(query.where(claims.c.event_id.in_(part))):
            found[row.event_id] = row
    return found


def _duplicate(row: dict, first_line: int, column: str) -> dict:
    """A row whose event id an earlier chunk of the same file had: rejected as validate rejects it."""
    return {
        "line": row["line"],
        "column": column,
        "value": row["event_id"],
        "reason": f"duplicate event_id, first on line {first_line}",
        "other_problems": 0,
    }


def _sorted_out(run: _Run, rows: list[dict], found: dict[str, sa.Row], column: str):
    """(new rows, changed rows with their claim, unchanged rows with their claim, duplicates rejected)."""
    new, changed, same, duplicates = [], [], [], []
    for row in rows:
        old = found.get(row["event_id"])
        first = run.rejected_ids.get(row["event_id"])
        if old is not None and old.seen_import == run.report.import_id:
            duplicates.append(_duplicate(row, old.line, column))
        elif first is not None:
            duplicates.append(_duplicate(row, first, column))
        elif old is None:
            new.append(row)
        elif old.content_hash != row["content_hash"]:
            changed.append((row, old.claim_id))
        else:
            same.append((row, old.claim_id))
    return new, changed, same, duplicates


def _add(connection: sa.Connection, run: _Run, rows: list[dict]) -> None:
    if not rows:
        return
    origin, import_id = run.report.origin, run.report.import_id
    values = [row | {"origin": origin, "seen_import": import_id} for row in rows]
    made = connection.execute(claims.insert().returning(claims.c.claim_id, sort_by_parameter_order=True), values).all()
    revised = connection.execute(
        revisions.insert().returning(revisions.c.revision_id, sort_by_parameter_order=True),
        [
            {"claim_id": claim_id, "at": run.at, "import_id": import_id, "action": "create", "reason": "imported"}
            for (claim_id,) in made
        ],
    ).all()
    connection.execute(
        claims.update().where(claims.c.claim_id == sa.bindparam("b_claim")).values(last_revision=sa.bindparam("b_rev")),
        [{"b_claim": c, "b_rev": r} for (c,), (r,) in zip(made, revised, strict=True)],
    )


def _update(connection: sa.Connection, run: _Run, pairs: list[tuple[dict, int]]) -> None:
    """Changed rows: each a revision with the fields old -> new, then the claim with the new values."""
    if not pairs:
        return
    ids = [claim_id for _, claim_id in pairs]
    old = {}
    for start in range(0, len(ids), _LOOKUP):
        query = sa.select(claims).where(claims.c.claim_id.in_(ids[start : start + _LOOKUP]))
        old.update({row.claim_id: row._mapping for row in connection.execute(query)})
    import_id = run.report.import_id
    revised = connection.execute(
        revisions.insert().returning(revisions.c.revision_id, sort_by_parameter_order=True),
        [
            {
                "claim_id": claim_id,
                "at": run.at,
                "import_id": import_id,
                "action": "update",
                "changes": changes(old[claim_id], row),
                "reason": "imported: the file's row changed",
            }
            for row, claim_id in pairs
        ],
    ).all()
    content = [name for name in CONTENT] + ["content_hash", "line"]
    connection.execute(
        claims.update()
        .where(claims.c.claim_id == sa.bindparam("b_claim"))
        .values(
            {name: sa.bindparam("b_" + name) for name in content}
            | {
                "version": claims.c.version + 1,
                "last_revision": sa.bindparam("b_rev"),
                "seen_import": import_id,
                "origin": run.report.origin,
            }
        ),
        [
            {"b_" + name: row[name] for name in content} | {"b_claim": claim_id, "b_rev": rev}
            for (row, claim_id), (rev,) in zip(pairs, revised, strict=True)
        ],
    )


def _seen(connection: sa.Connection, run: _Run, pairs: list[tuple[dict, int]]) -> None:
    """Unchanged rows: only where they were last seen (this import, this line) is written; no revision."""
    if not pairs:
        return
    connection.execute(
        claims.update()
        .where(claims.c.claim_id == sa.bindparam("b_claim"))
        .values(line=sa.bindparam("b_line"), seen_import=run.report.import_id, origin=run.report.origin),
        [{"b_claim": claim_id, "b_line": row["line"]} for row, claim_id in pairs],
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


def _write_chunk(connection: sa.Connection, run: _Run, chunk: Chunk, aliases: pd.DataFrame) -> None:
    raw = chunk.raw
    located, rejected = _checked(raw, aliases)
    for name in located.columns:
        if name not in _NOT_EXTRA and name not in run.extra_columns:
            run.extra_columns.append(name)
    rows = claim_rows(located, run.extra_columns)
    found = _existing(connection, [row["event_id"] for row in rows])
    new, changed, same, duplicates = _sorted_out(run, rows, found, raw.columns.get("event_id", "event_id"))
    _add(connection, run, new)
    _update(connection, run, changed)
    _seen(connection, run, same)
    report = run.report
    report.rejected += _reject(connection, run, rejected, duplicates) + raw.rejected_more
    _remember_rejected(run, raw, rejected)
    report.rows += raw.rows
    report.accepted += len(rows) - len(duplicates)
    report.added, report.updated, report.unchanged = (
        report.added + len(new),
        report.updated + len(changed),
        report.unchanged + len(same),
    )
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
    for chunk in _chained(first, chunks):
        with store.engine.begin() as connection:
            _write_chunk(connection, run, chunk, aliases)
        if progress:
            progress(chunk.done, chunk.size)
    with store.engine.begin() as connection:
        report.missing, report.missing_listed = _missing(connection, report)
        connection.execute(
            imports.update()
            .where(imports.c.import_id == report.import_id)
            .values(finished_at=now(), missing=report.missing)
        )
    report.finished = True
    return report


def _chained(first: Chunk, rest):
    yield first
    yield from rest
