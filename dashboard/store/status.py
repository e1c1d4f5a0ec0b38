"""``store status``: what the store holds, as data (key: value lines, or JSON).

Claims by review state and withdrawn, the sources registry, the last import and its counts, the last revision.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from . import Store
from .schema import REVIEW_STATES, claims, import_rejections, imports, revisions, sources


def status(store: Store) -> dict[str, object]:
    """The store's state as one flat mapping, in the order it is printed."""
    with store.engine.connect() as connection:
        by_state = sa.select(claims.c.review_state, sa.func.count()).where(~claims.c.withdrawn)
        states = dict(connection.execute(by_state.group_by(claims.c.review_state)).all())
        withdrawn = connection.execute(sa.select(sa.func.count()).where(claims.c.withdrawn)).scalar()
        last = connection.execute(sa.select(imports).order_by(imports.c.import_id.desc()).limit(1)).first()
        facts: dict[str, object] = {
            "store": store.url,
            "schema": store.revision(),
            "claims": sum(states.values()) + withdrawn,
            **{f"claims_{state}": states.get(state, 0) for state in REVIEW_STATES},
            "claims_withdrawn": withdrawn,
            "sources": connection.execute(sa.select(sa.func.count()).select_from(sources)).scalar(),
            "imports": connection.execute(sa.select(sa.func.count()).select_from(imports)).scalar(),
        }
        facts |= _last_import(last)
        facts["last_revision"] = connection.execute(sa.select(sa.func.max(revisions.c.revision_id))).scalar() or 0
    return facts


def _last_import(row: sa.Row | None) -> dict[str, object]:
    names = ("import_id", "file", "format", "origin", "started_at", "finished_at")
    counts = ("rows_read", "accepted", "rejected", "added", "updated", "unchanged", "missing")
    if row is None:
        return {f"last_import_{name}": None for name in (*names, *counts)}
    values = row._mapping
    out = {f"last_import_{name}": values[name] for name in (*names, *counts)}
    for name in ("started_at", "finished_at"):
        if values[name] is not None:  # UTC; SQLite keeps no time zone
            moment = values[name]
            out[f"last_import_{name}"] = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).isoformat()
    return out


def rejections(store: Store, import_id: int) -> list[dict]:
    """The rejected rows an import stored, by line: line, column, value, reason, other_problems."""
    columns = [import_rejections.c[name] for name in ("line", "column", "value", "reason", "other_problems")]
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(*columns).where(import_rejections.c.import_id == import_id).order_by(import_rejections.c.line)
        )
        return [dict(row._mapping) for row in rows]
