"""The one write path: every change a person makes to the store goes through ``write``.

``write(store, actor, change)`` opens one transaction, reads the actor's role from the store's ``users``
table in it, and refuses (a ``Refused`` subclass, nothing written) unless ``roles.allowed`` says yes; then
it makes the change: the claim updated, its ``version`` bumped, and one revision appended saying who,
when, what changed (``{field: [old, new]}``) and why. A hidden button is never the only guard: the page,
the command line and the load test all call this.

Values are judged by the files' own validator (``validate.field_problems``), so a claim typed in is held to
exactly the rules of a claim read from a file, with a message per field. An edit carries the version it
was based on; if the claim has moved on since, it is refused with both versions (``Stale``), and the
version check is part of the UPDATE itself, so two writers racing on one claim get exactly one winner.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .. import settings
from ..geocode import geocode, name_key, read_geodata
from ..load import RawTable, rejection_frame
from ..model import COLUMNS
from ..validate import field_problems, validate
from . import review as review_rules
from . import roles, schema
from .schema import DAY_COLUMNS, GEOCODED, NUMBER_COLUMNS

# The fields a person may type; event_id is given once, at creation.
EDITABLE = tuple(c for c in COLUMNS if c != "event_id")
# The line number a form's one row is judged as (the header would be line 1).
FORM_LINE = 2
# Changes to an existing claim that must say why.
NEEDS_REASON = ("edit", "status", "withdraw", "restore", "reject")
# PostgreSQL's advisory lock key that orders the writers (any number the store's other code does not use).
WRITE_LOCK = 16_016
# The revision's action for each write action.
REVISION_ACTION = {
    "add": "create",
    "edit": "update",
    "status": "update",
    "withdraw": "withdraw",
    "restore": "restore",
    "submit": "review",
    "publish": "review",
    "reject": "review",
}


@dataclass(frozen=True)
class Actor:
    """Who is writing: the signed-in email, or the machine's own operator (``local``).

    ``local`` is the person at the keyboard: the command line's ``store grant``, or a server with no sign-in
    configured that listens on the loopback address only (``page/identity.py``). They hold the store's
    credentials or the machine itself, so they are admin. ``own_origin`` is False for a session whose page
    came from another site (``page/origin.py``): such a session writes nothing, whoever it says it is.
    """

    email: str | None
    local: bool = False
    own_origin: bool = True

    @property
    def name(self) -> str:
        """What the revisions record as the actor."""
        if self.email:
            return self.email
        return f"local:{getpass.getuser()}" if self.local else "(signed out)"

    @classmethod
    def operator(cls) -> Actor:
        return cls(None, local=True)


class Refused(Exception):
    """A write refused: nothing was written. The message says why, in the user's words."""


class SignedOut(Refused):
    pass


class ForeignOrigin(Refused):
    pass


class NotAllowed(Refused):
    def __init__(self, who: str, role: str | None, action: str):
        self.role, self.action = role, action
        least = roles.ACTIONS[action][0]
        held = f"is {role}" if role else "has no role in this store"
        super().__init__(f"{who} {held}: to {roles.ACTIONS[action][1]} takes {least} or above")


class NoSuchClaim(Refused):
    pass


class Invalid(Refused):
    """Values the validator refuses: ``problems`` maps each field to its message."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


class Stale(Refused):
    """The claim changed since the version the edit was based on: both versions, to put side by side."""

    def __init__(self, event_id: str, based_on: int, current: int, theirs: dict[str, str], yours: dict[str, str]):
        self.event_id, self.based_on, self.current = event_id, based_on, current
        self.theirs, self.yours = theirs, yours
        super().__init__(
            f"{event_id} changed since version {based_on}: it is at version {current} now; "
            "compare the two and save again from the current one"
        )


class WrongState(Refused):
    pass


class NothingChanged(Refused):
    pass


@dataclass(frozen=True)
class Change:
    """One write: what to do, to which claim, with which values, from which version, and why."""

    action: str
    event_id: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    based_on: int | None = None
    reason: str = ""
    email: str = ""  # grant: whom
    role: str = ""  # grant: which role


@dataclass(frozen=True)
class Written:
    """What a write did: the claim (or user) and the version and review state it left."""

    action: str
    event_id: str | None
    version: int | None = None
    review_state: str | None = None
    changes: dict = field(default_factory=dict)


def write(store, actor: Actor, change: Change, *, review: bool = False, aliases: pd.DataFrame | None = None) -> Written:
    """Make ``change`` as ``actor``, in one transaction, or raise ``Refused`` with nothing written.

    ``review`` is the review setting: on, a new claim is a draft until a reviewer publishes it; off (one
    machine, the default), an editor's claim is published as it is added. ``aliases`` is the gazetteer's
    name table (``Geodata.aliases``) that places a claim; the geodata setting's by default.
    """
    if change.action not in roles.ACTIONS:
        raise KeyError(f"unknown action {change.action!r}: expected one of {', '.join(roles.ACTIONS)}")
    if not actor.own_origin:
        raise ForeignOrigin("this page did not come from this server: nothing is written from it")
    if not actor.email and not actor.local:
        raise SignedOut("sign in to change the store")
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # One writer at a time: revisions then commit in the order of their ids, so a reader that follows
            # "revisions after the last one seen" never skips one that commits late.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
        role = role_of(conn, actor)
        if not roles.allowed(role, change.action):
            raise NotAllowed(actor.name, role, change.action)
        if change.action == "grant":
            return _grant(conn, actor, change)
        if change.action == "add":
            return _add(conn, actor, change, review, aliases)
        return _change(conn, actor, role, change, aliases)


def role_of(conn: sa.Connection, actor: Actor) -> str | None:
    """The actor's role as the store holds it now; the local operator is admin."""
    if actor.local:
        return "admin"
    users = schema.users
    return conn.execute(sa.select(users.c.role).where(users.c.email == actor.email.strip().lower())).scalar()


def role(store, actor: Actor) -> str | None:
    """The actor's role now, for the page to show (the write path reads it again in each write)."""
    if not actor.email and not actor.local:
        return None
    with store.engine.connect() as conn:
        return role_of(conn, actor)


def claim_as_seen(store, role_name: str | None, who: str, event_id: str) -> dict | None:
    """The stored claim ``event_id`` if ``role_name`` (as ``who``) may see it, withdrawn or not; else None."""
    claims = schema.claims
    query = sa.select(claims).where(claims.c.event_id == event_id, review_rules.visible(role_name, who, withdrawn=True))
    with store.engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


# ---------------------------------------------------------------- values: the store's and the validator's


def _text(value: object) -> str:
    """A stored value as the validator reads it: every value a string, nothing for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def texts_of(row: Mapping[str, object]) -> dict[str, str]:
    """A stored claim's native fields as text: what revisions compare, old against new."""
    return {column: _text(row.get(column)) for column in COLUMNS}


def form_texts(row: Mapping[str, object]) -> dict[str, str]:
    """A stored claim's fields as a person edits them: lat and lon empty where the gazetteer gave them.

    Then a new place is looked up again, rather than keeping the old place's point.
    """
    texts = texts_of(row)
    if row.get("located") == "gazetteer":
        texts["lat"] = texts["lon"] = ""
    return texts


@functools.lru_cache(maxsize=4)
def _aliases(folder: str) -> pd.DataFrame:
    return read_geodata(folder).aliases


def checked(values: Mapping[str, str], aliases: pd.DataFrame | None = None) -> dict[str, object]:
    """``values`` (native fields, as text) as the store holds them, or ``Invalid`` with a message per field.

    The files' validator judges them (it lower-cases vocabularies and normalises names), then the gazetteer
    places them, as ``open_events`` does a file's rows: a claim typed in reads back as a file's would. The
    result has every native column and ``gazetteer_place`` and ``located``.
    """
    unknown = sorted(set(values) - set(COLUMNS))
    if unknown:
        raise Invalid({name: f"unknown field: expected one of {', '.join(EDITABLE)}" for name in unknown})
    frame = pd.DataFrame({c: pd.array([str(values.get(c, "") or "").strip()], dtype="str") for c in COLUMNS})
    raw = RawTable(frame, np.array([FORM_LINE]), rejection_frame(), 1)
    aliases = _aliases(str(settings.default("geodata"))) if aliases is None else aliases
    problems = field_problems(raw).get(FORM_LINE, {})
    if problems:
        raise Invalid({**problems, **_unplaced(frame, aliases, problems)})
    good, _ = validate(raw)
    located, _ = geocode(good, aliases)
    if located.empty:
        raise Invalid(_unplaced(frame, aliases, {}))
    row = located.iloc[0].to_dict()
    out: dict[str, object] = {}
    for column in (*COLUMNS, *GEOCODED):
        value = row.get(column)
        if column in DAY_COLUMNS:
            out[column] = None if pd.isna(value) else pd.Timestamp(value).date()
        elif column in NUMBER_COLUMNS:
            out[column] = None if pd.isna(value) else float(value)
        else:
            out[column] = "" if value is None else str(value)
    return out


def diff(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[str | None]]:
    """``{field: [old, new]}`` for each field whose text differs: a revision's ``changes``."""
    return {k: [old.get(k) or None, new.get(k) or None] for k in COLUMNS if (old.get(k) or "") != (new.get(k) or "")}


# ---------------------------------------------------------------- the actions


def _reason(change: Change) -> str:
    reason = change.reason.strip()
    if change.action in NEEDS_REASON and not reason:
        raise Invalid({"reason": f"a reason is required to {roles.ACTIONS[change.action][1]}"})
    return reason


def _revision(conn: sa.Connection, claim_id: int, actor: Actor, action: str, changes: dict, reason: str) -> int:
    """Append one revision; its id, which the claim then names as its ``last_revision``."""
    revisions = schema.revisions
    return conn.execute(
        sa.insert(revisions)
        .values(
            claim_id=claim_id,
            at=dt.datetime.now(dt.UTC),
            actor=actor.name,
            action=action,
            changes=changes,
            reason=reason,
        )
        .returning(revisions.c.revision_id)
    ).scalar_one()


def _add(conn: sa.Connection, actor: Actor, change: Change, review: bool, aliases) -> Written:
    values = dict(change.fields)
    event_id = str(values.pop("event_id", "") or change.event_id or "").strip() or f"team-{uuid.uuid4().hex[:12]}"
    stored = checked(_registered(conn, {**values, "event_id": event_id}), aliases)
    claims = schema.claims
    if conn.execute(sa.select(claims.c.claim_id).where(claims.c.event_id == stored["event_id"])).first():
        raise Invalid({"event_id": f"{stored['event_id']} is already in the store"})
    state = "draft" if review else "published"
    claim_id = conn.execute(
        sa.insert(claims).values(**stored, extra={}, review_state=state, version=1).returning(claims.c.claim_id)
    ).scalar_one()
    changes = {**diff({}, texts_of(stored)), "review_state": [None, state]}
    revision_id = _revision(conn, claim_id, actor, "create", changes, change.reason.strip())
    conn.execute(sa.update(claims).where(claims.c.claim_id == claim_id).values(last_revision=revision_id))
    return Written("add", str(stored["event_id"]), 1, state, changes)


def _unplaced(frame: pd.DataFrame, aliases: pd.DataFrame, problems: Mapping[str, str]) -> dict[str, str]:
    """The place's message when the gazetteer does not know it and no point is given (as geocode says it)."""
    if "place" in problems or not frame["place"].iloc[0] or (frame["lat"].iloc[0] and frame["lon"].iloc[0]):
        return {}
    if name_key(frame["place"]).iloc[0] in set(aliases["key"]):
        return {}
    return {"place": "unknown place with no lat/lon: not in the gazetteer; pick a place, or give lat and lon"}


def _registered(conn: sa.Connection, values: dict[str, str]) -> dict[str, str]:
    """``values`` with the source's type and affiliation from the store's registry, where they were left empty."""
    if values.get("source_type") and values.get("affiliation"):
        return values
    sources = schema.sources
    known = conn.execute(
        sa.select(sources.c.source_type, sources.c.affiliation).where(sources.c.name == values.get("source", ""))
    ).first()
    if known is None:
        return values
    return {
        **values,
        "source_type": values.get("source_type") or known.source_type,
        "affiliation": values.get("affiliation") or known.affiliation,
    }


def _current(conn: sa.Connection, event_id: str | None) -> Mapping[str, object]:
    claims = schema.claims
    row = conn.execute(sa.select(claims).where(claims.c.event_id == (event_id or ""))).mappings().first()
    if row is None:
        raise NoSuchClaim(f"no claim {event_id!r} in the store")
    return row


def _change(conn: sa.Connection, actor: Actor, role: str, change: Change, aliases) -> Written:
    """Every action on an existing claim: the checks in order, then one UPDATE guarded by the version."""
    row = _current(conn, change.event_id)
    if not review_rules.may_see(row, role, actor.name, conn):
        raise NoSuchClaim(f"no claim {change.event_id!r} in the store")
    if change.based_on is not None and change.based_on != row["version"]:
        raise _stale(row, change.based_on, change)
    reason = _reason(change)
    updates, changes = _planned(row, change, aliases)
    if not changes:
        raise NothingChanged(f"{row['event_id']}: the values given are the ones it has")
    based_on = row["version"] if change.based_on is None else change.based_on
    revision_id = _revision(conn, row["claim_id"], actor, REVISION_ACTION[change.action], changes, reason)
    claims = schema.claims
    done = conn.execute(
        sa.update(claims)
        .where(claims.c.claim_id == row["claim_id"], claims.c.version == based_on)
        .values(**updates, version=claims.c.version + 1, last_revision=revision_id)
    )
    if done.rowcount != 1:  # another writer got there between our read and this update: undo the revision too
        raise _stale(_current(conn, change.event_id), based_on, change)
    state = updates.get("review_state", row["review_state"])
    return Written(change.action, row["event_id"], based_on + 1, str(state), changes)


def _stale(now: Mapping[str, object], based_on: int, change: Change) -> Stale:
    theirs = form_texts(now)
    yours = {**theirs, **{k: str(v) for k, v in change.fields.items()}}
    return Stale(str(now["event_id"]), based_on, int(now["version"]), theirs, yours)


def _planned(row: Mapping[str, object], change: Change, aliases) -> tuple[dict, dict]:
    """The claims table's new values and the revision's ``changes`` for ``change`` on ``row``."""
    action = change.action
    if action in ("edit", "status"):
        fields = {k: str(v) for k, v in change.fields.items()}
        if action == "status":
            fields = {"claim_status": fields.get("claim_status", "")}
        if fields.get("event_id", row["event_id"]) != row["event_id"]:
            raise Invalid({"event_id": "a claim's event_id cannot change"})
        stored = checked({**form_texts(row), **fields}, aliases)
        changes = diff(texts_of(row), texts_of(stored))
        updates = {k: v for k, v in stored.items() if k != "event_id" and v != row[k]}
        return updates, changes
    if action in ("withdraw", "restore"):
        wanted = action == "withdraw"
        if bool(row["withdrawn"]) == wanted:
            raise WrongState(f"{row['event_id']} is {'already' if wanted else 'not'} withdrawn")
        return {"withdrawn": wanted}, {"withdrawn": [not wanted, wanted]}
    starts, ends = roles.TRANSITIONS[action]
    if row["review_state"] not in starts:
        raise WrongState(
            f"{row['event_id']} is {row['review_state']}: only a claim that is {' or '.join(starts)} can be {ends}"
        )
    return {"review_state": ends}, {"review_state": [row["review_state"], ends]}


def _grant(conn: sa.Connection, actor: Actor, change: Change) -> Written:
    email = change.email.strip().lower()
    if "@" not in email or any(c.isspace() for c in email):
        raise Invalid({"email": f"{change.email!r} is not an email address"})
    try:
        role = roles.check_role(change.role)
    except ValueError as err:
        raise Invalid({"role": str(err)}) from None
    users = schema.users
    before = conn.execute(sa.select(users.c.role).where(users.c.email == email)).scalar()
    values = {"role": role, "granted_by": actor.name, "granted_at": dt.datetime.now(dt.UTC)}
    if before is None:
        conn.execute(sa.insert(users).values(email=email, **values))
    else:
        conn.execute(sa.update(users).where(users.c.email == email).values(**values))
    return Written("grant", None, changes={"email": email, "role": [before, role]})


# ---------------------------------------------------------------- the actions by name, for callers


def add(
    store, actor: Actor, fields: Mapping[str, str], *, review: bool = False, reason: str = "", aliases=None
) -> Written:
    return write(store, actor, Change("add", fields=fields, reason=reason), review=review, aliases=aliases)


def edit(
    store, actor: Actor, event_id: str, fields: Mapping[str, str], based_on: int | None, reason: str, aliases=None
) -> Written:
    return write(store, actor, Change("edit", event_id, fields, based_on, reason), aliases=aliases)


def withdraw(store, actor: Actor, event_id: str, reason: str, based_on: int | None = None) -> Written:
    return write(store, actor, Change("withdraw", event_id, based_on=based_on, reason=reason))


def restore(store, actor: Actor, event_id: str, reason: str, based_on: int | None = None) -> Written:
    return write(store, actor, Change("restore", event_id, based_on=based_on, reason=reason))


def grant(store, actor: Actor, email: str, role: str) -> Written:
    return write(store, actor, Change("grant", email=email, role=role))
