"""A claim's history: every revision, who made it (a person, or an import and its file), when, what changed, why.

Read from the append-only ``revisions`` table; the page's history panel, ``store history`` and the tests all
read ``history``. One row per changed field, so that a CSV of it says old -> new on each line; a revision
that changed nothing field by field (an import's create, whose values are the claim's first ones) is one row
with an empty field.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import sqlalchemy as sa

from . import schema

STORY_COLUMNS = ["event_id", "revision_id", "at", "actor", "import_id", "import_file", "action", "field", "old", "new",
                 "reason"]  # fmt: skip
COLUMNS = ["revision_id", "at", "actor", "import_id", "import_file", "action", "field", "old", "new", "reason"]


class UnknownClaim(LookupError):
    """No claim has that event id."""


def revisions(store, event_id: str) -> list[dict]:
    """Every revision of the claim ``event_id``, oldest first, each with its ``changes`` as a dict."""
    claims, revs, imports = schema.claims, schema.revisions, schema.imports
    with store.engine.connect() as conn:
        claim_id = conn.execute(sa.select(claims.c.claim_id).where(claims.c.event_id == event_id)).scalar()
        if claim_id is None:
            raise UnknownClaim(f"no claim {event_id!r} in the store")
        query = (
            sa.select(revs, imports.c.file.label("import_file"))
            .join(imports, imports.c.import_id == revs.c.import_id, isouter=True)
            .where(revs.c.claim_id == claim_id)
            .order_by(revs.c.revision_id)
        )
        rows = conn.execute(query).mappings().all()
    out = []
    for row in rows:
        changes = row["changes"]
        if isinstance(changes, str):  # a JSON column read back as text by some drivers
            changes = json.loads(changes)
        out.append(
            {
                "revision_id": int(row["revision_id"]),
                "at": _utc(row["at"]),
                "actor": row["actor"] or (f"import {row['import_id']}" if row["import_id"] is not None else ""),
                "import_id": row["import_id"],
                "import_file": row["import_file"] or "",
                "action": row["action"],
                "changes": changes or {},
                "reason": row["reason"] or "",
            }
        )
    return out


def history(store, event_id: str) -> pd.DataFrame:
    """``revisions`` as a table, one row per changed field (``COLUMNS``)."""
    rows = []
    for revision in revisions(store, event_id):
        head = {k: revision[k] for k in COLUMNS if k in revision}
        fields = revision["changes"] or {"": [None, None]}
        for name, (old, new) in fields.items():
            rows.append({**head, "field": name, "old": _shown(old), "new": _shown(new)})
    return pd.DataFrame(rows, columns=COLUMNS)


def story_of(events: pd.DataFrame, claim: dict | None, event_id: str) -> list[str]:
    """The event ids of the claims in ``event_id``'s story, oldest first (``events``: the published claims with
    their stories, as the map makes them). A claim not published yet (a draft, in review) is shown with the
    story it would join (``review.with_stories``); with no story it is alone."""
    known = events["event_id"].astype(str).eq(event_id) if "story_id" in events.columns else None
    if known is not None and known.any():
        story = events.loc[known, "story_id"].iloc[0]
        return [str(e) for e in events.loc[events["story_id"].eq(story), "event_id"]]
    if claim is None or "story_id" not in events.columns:
        return [event_id]
    from .review import with_stories  # review reads stories; this module stays light for ``store history``

    joins = with_stories(pd.DataFrame([claim]), events)["story_joins"].iloc[0]
    return [*joins.split(), event_id]


def story_history(store, event_ids: list[str]) -> pd.DataFrame:
    """Every revision of every claim of a story together, in time order (then revision order), each row
    naming its claim's ``event_id``: what happened to the story, who changed which claim when and why."""
    parts = [history(store, event_id).assign(event_id=event_id) for event_id in event_ids]
    if not parts:
        return pd.DataFrame(columns=STORY_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["at", "revision_id"], kind="stable").reset_index(drop=True)[STORY_COLUMNS]


def story_revisions(store, event_ids: list[str]) -> list[dict]:
    """``revisions`` of every claim of a story, each with its ``event_id``, in time order (for JSON)."""
    rows = [{"event_id": e, **r} for e in event_ids for r in revisions(store, e)]
    return sorted(rows, key=lambda r: (r["at"], r["revision_id"]))


LAST_CHANGE = ["event_id", "revision_number", "changed_at", "changed_by"]


def last_changes(store, event_ids: list[str]) -> pd.DataFrame:
    """Each claim's version and its last revision's time and author (an import: "import N"), for the claims
    ``event_ids`` (the ones a map step draws: bounded by its draw limit), in one query per 5,000 ids."""
    claims, revs = schema.claims, schema.revisions
    rows = []
    with store.engine.connect() as conn:
        for start in range(0, len(event_ids), 5_000):
            chunk = list(event_ids[start : start + 5_000])
            query = (
                sa.select(claims.c.event_id, claims.c.version, revs.c.at, revs.c.actor, revs.c.import_id)
                .join(revs, revs.c.revision_id == claims.c.last_revision, isouter=True)
                .where(claims.c.event_id.in_(chunk))
            )
            rows.extend(conn.execute(query).all())
    return pd.DataFrame(
        [(e, int(v), _utc(at), actor or (f"import {imp}" if imp is not None else "")) for e, v, at, actor, imp in rows],
        columns=LAST_CHANGE,
    )


def _utc(at: dt.datetime | None) -> str:
    """A revision's time in ISO 8601 with its offset: SQLite gives back the UTC time it was given, without one."""
    if at is None:
        return ""
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
