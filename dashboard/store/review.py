"""Review before publication: who sees which claims, and the queue of claims waiting for a reviewer.

A claim's review state (draft, in_review, published, rejected: ``roles.REVIEW_STATES``) is apart from its
claim status (reported, confirmed...): the first says what the team has made of the claim, the second what
the source says. What a person sees follows from their role:

- signed out, or a viewer: published claims only;
- an editor: published claims, everything in review, and their own drafts and rejected claims;
- a reviewer or an admin: every claim.

Withdrawn claims are off every map whatever the state; the editing section lists them to be restored.
``visible`` is a where-clause the store's reader adds to its query, so the rule is applied by the database,
for the rows it sends, not by the page after the fact.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa

from .. import control, filters, stories
from ..model import NOT_CONTROL
from . import roles, schema

# What the queue lists of each claim waiting: who added it, what it says, and what it would do to the map.
QUEUE_COLUMNS = [
    "event_id",
    "waiting_since",
    "author",
    "review_state",
    "date",
    "place",
    "event_type",
    "controller",
    "source",
    "source_type",
    "claim_status",
    "url",
    "held_by",
    "changes_hands",
    "story_joins",
    "story_status_now",
    "story_status",
    "story_agreed",
    "version",
]
# What the story of a waiting claim would be once published, and what it is now (empty: a new story).
STORY_EFFECT = ["story_joins", "story_status_now", "story_status", "story_agreed"]
_STORY_DROPPED = ("story_id", "story_status", "story_agreed", "story_size", "story_km", "story_days")


def authored_by(email: str):
    """Claims whose creating revision names ``email``: an author's own drafts."""
    revisions, claims = schema.revisions, schema.claims
    return sa.exists().where(
        revisions.c.claim_id == claims.c.claim_id,
        revisions.c.action == "create",
        revisions.c.actor == email,
    )


def visible(role: str | None, who: str | None, *, withdrawn: bool = False):
    """The where-clause of the claims ``role`` (as ``who``) may see; ``withdrawn`` keeps withdrawn ones too."""
    claims = schema.claims
    state = claims.c.review_state
    if roles.can_see_all(role):
        seen = sa.true()
    elif role in ("editor",) and who:
        seen = sa.or_(
            state.in_(("published", "in_review")),
            sa.and_(state.in_(("draft", "rejected")), authored_by(who)),
        )
    else:
        seen = state == "published"
    if withdrawn:
        return seen
    return sa.and_(seen, sa.not_(claims.c.withdrawn))


def may_see(row: Mapping[str, object], role: str | None, who: str, conn: sa.Connection) -> bool:
    """Whether one claim is among those ``visible`` gives ``role``, withdrawn ones included."""
    claims = schema.claims
    query = sa.select(sa.literal(1)).where(claims.c.claim_id == row["claim_id"], visible(role, who, withdrawn=True))
    return conn.execute(query).first() is not None


def visible_claims(store, role: str | None, who: str | None, *, withdrawn: bool = False) -> pd.DataFrame:
    """The claims ``role`` may see, as the store holds them (for the page's editing section and tests)."""
    claims = schema.claims
    query = sa.select(claims).where(visible(role, who, withdrawn=withdrawn)).order_by(claims.c.claim_id)
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=list(claims.c.keys()))


def queue(store) -> pd.DataFrame:
    """The claims waiting for a reviewer (submitted: in review), oldest first, with their author."""
    claims, revisions = schema.claims, schema.revisions
    # Per waiting claim, from its own revisions (an index on claim_id): not an aggregate over every revision.
    mine = revisions.c.claim_id == claims.c.claim_id
    author = sa.select(revisions.c.actor).where(mine, revisions.c.action == "create")
    author = author.order_by(revisions.c.revision_id).limit(1).scalar_subquery()
    waiting_since = sa.select(sa.func.max(revisions.c.at)).where(mine).scalar_subquery()
    query = (
        sa.select(claims, author.label("author"), waiting_since.label("waiting_since"))
        # review_state <> 'published' spelled out: it is the partial index's condition (claims_waiting, 0004),
        # which PostgreSQL infers from the state asked for and SQLite uses only when the query says it
        .where(claims.c.review_state != "published", claims.c.review_state == "in_review", sa.not_(claims.c.withdrawn))
        .order_by(waiting_since, claims.c.claim_id)
    )
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all())


def with_effect(waiting: pd.DataFrame, events: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """``waiting`` with what each claim would do to the map: who holds its place on its day, and whether it moves.

    ``events`` are the claims the map shows now (published); control is worked out from them as the map does
    (``control.control_at`` on each waiting claim's day). A claim naming a controller other than the one holding
    its place would move the place: ``changes_hands`` flags it, for the reviewer to look at twice. Disputed and
    denied claims never move control.
    """
    out = waiting.copy()
    if out.empty:
        return out.assign(held_by=pd.Series(dtype=str), changes_hands=pd.Series(dtype=bool))
    changes = control.control_changes(events, places)
    days = pd.to_datetime(out["date"]).dt.date
    holders = {
        day: control.control_at(day, places, changes).drop_duplicates("place").set_index("place")["controller"]
        for day in sorted(set(days))
    }
    where = out["gazetteer_place"].where(out["gazetteer_place"].ne(""), out["place"])
    out["held_by"] = [str(holders[day].get(place, "")) for day, place in zip(days, where, strict=True)]
    named = out["controller"].fillna("").astype(str)
    moves = ~out["claim_status"].isin(NOT_CONTROL)
    out["changes_hands"] = named.ne("") & named.ne(out["held_by"]) & moves
    return out


def with_stories(waiting: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """``waiting`` with the story each claim would join once published: ``story_joins`` (the event ids of the
    published claims already in it; empty for a new story), its status now and the status and the
    ``story_agreed`` text it would have with the claim in it.

    Stories are made as the map makes them (``stories.add_stories``), over the published claims near the
    waiting one (within ``STORY_DAYS`` days and twice ``STORY_KM``: a story's claims are within STORY_KM of
    its first claim) plus the waiting claim: so the reviewer reads what publishing it would do to the stories
    the page shows, without the whole file being grouped again per claim.
    """
    out = waiting.copy()
    for column in STORY_EFFECT:
        out[column] = ""
    if out.empty:
        return out
    published = events.drop(columns=[c for c in _STORY_DROPPED if c in events.columns])
    now = events.set_index(events["event_id"].astype(str)) if "story_status" in events.columns else None
    for at, claim in out.iterrows():
        effect = _story_of(claim, published, now)
        for column in STORY_EFFECT:
            out.at[at, column] = effect[column]
    return out


def _near(claim: pd.Series, events: pd.DataFrame) -> pd.DataFrame:
    """The published claims that could share a story with ``claim``: close enough in days and km."""
    if events.empty:
        return events
    days = (pd.to_datetime(events["date"]) - pd.Timestamp(claim["date"])).dt.days.abs()
    around = filters.within_km(events, float(claim["lat"]), float(claim["lon"]), 2 * stories.STORY_KM)
    return events.loc[days.le(stories.STORY_DAYS).to_numpy() & around]


def _story_of(claim: pd.Series, published: pd.DataFrame, now: pd.DataFrame | None) -> dict[str, str]:
    """The story ``claim`` would be in among ``published``: who is in it, its status now and after."""
    if pd.isna(claim.get("lat")) or pd.isna(claim.get("lon")):
        return dict.fromkeys(STORY_EFFECT, "")
    near = _near(claim, published.loc[published["event_id"].astype(str).ne(str(claim["event_id"]))])
    candidate = {c: claim[c] for c in published.columns if c in claim.index}
    candidate["date"] = pd.Timestamp(claim["date"])
    candidate["line"] = int(near["line"].max()) + 1 if len(near) and "line" in near.columns else 0
    both = pd.concat([near.assign(date=pd.to_datetime(near["date"])), pd.DataFrame([candidate])], ignore_index=True)
    both = both.fillna({c: "" for c in both.columns if both[c].dtype == object})
    grouped = stories.add_stories(filters.sort_by_date(both))
    mine = grouped.loc[grouped["event_id"].astype(str).eq(str(claim["event_id"]))].iloc[0]
    others = grouped.loc[grouped["story_id"].eq(mine["story_id"]) & grouped["event_id"].ne(claim["event_id"])]
    joins = [str(e) for e in others["event_id"]]
    status_now = ""
    if joins and now is not None:
        status_now = ", ".join(sorted(set(now.reindex(joins)["story_status"].dropna().astype(str))))
    return {
        "story_joins": " ".join(joins),
        "story_status_now": status_now,
        "story_status": str(mine["story_status"]),
        "story_agreed": str(mine["story_agreed"]),
    }
