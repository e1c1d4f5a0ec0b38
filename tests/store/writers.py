"""Writers at work on one store, for the concurrency test and the load test: each adds and corrects claims
through the one write path for a while, and every write the store acknowledged is checked afterwards.

``run_writers`` starts ``count`` threads, each an editor of its own, for ``seconds``. Each adds claims and
corrects claims (its own and a few shared by all, so that writers collide on one claim's version); a refused
stale edit is not acknowledged and is tried again from the current version. ``check`` then reads the store
and returns what is wrong (an empty list when nothing is):

- every acknowledged write is in the store: the claim's ``version``-th revision (revisions in id order) is that
  write, with its actor and its changes; no claim has a revision more or less than its version says;
- on PostgreSQL, revisions committed in the order of their ids (their times never go back as ids go up), which
  is what a reader following "revisions after the last one seen" needs.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from dashboard.store import schema
from dashboard.store import write as w

PLACES = ("Hama", "Homs", "Aleppo", "Idlib", "Daraa", "Raqqa", "Latakia", "Tartus")
STATUSES = ("reported", "claimed", "confirmed", "disputed")
SHARED = tuple(f"shared-{i}" for i in range(3))


@dataclass
class Tally:
    """What the writers were told: every acknowledged write, and how many were refused as stale."""

    acknowledged: list[tuple[str, int, str, dict]] = field(default_factory=list)  # event id, version, actor, changes
    stale: int = 0
    added_at: list[float] = field(default_factory=list)  # time.time() of each acknowledged add
    errors: list[str] = field(default_factory=list)  # anything else a writer met: none is expected
    lock: threading.Lock = field(default_factory=threading.Lock)


def prepare(store, count: int, aliases=None) -> list[str]:
    """``count`` editors granted, and the shared claims added; their emails."""
    operator = w.Actor.operator()
    editors = [f"writer-{i}@example.org" for i in range(count)]
    for email in editors:
        w.grant(store, operator, email, "editor")
    for event_id in SHARED:
        w.add(store, operator, {"event_id": event_id, "date": "2024-12-05", "place": "Hama", "source": "Shared"},
              aliases=aliases)  # fmt: skip
    return editors


def _versions(store, event_ids: list[str]) -> dict[str, int]:
    claims = schema.claims
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(claims.c.event_id, claims.c.version).where(claims.c.event_id.in_(event_ids)))
        return dict(rows.all())


def _one_writer(store, email: str, seconds: float, tally: Tally, seed: int, aliases) -> None:
    rng, actor, mine = random.Random(seed), w.Actor(email), []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not mine or rng.random() < 0.4:
            fields = {"date": f"2024-12-{rng.randint(1, 8):02d}", "place": rng.choice(PLACES), "source": email}
            done = w.add(store, actor, fields, aliases=aliases)
            mine.append(done.event_id)
        else:
            target = rng.choice(mine + list(SHARED))
            based_on = _versions(store, [target])[target]
            status = rng.choice(STATUSES)
            try:
                done = w.edit(store, actor, target, {"claim_status": status}, based_on, f"{email} rereads it")
            except (w.Stale, w.NothingChanged) as err:
                with tally.lock:
                    tally.stale += isinstance(err, w.Stale)
                continue
        with tally.lock:
            tally.acknowledged.append((done.event_id, done.version, email, done.changes))
            if done.action == "add":
                tally.added_at.append(time.time())


def _writer(store, email: str, seconds: float, tally: Tally, seed: int, aliases) -> None:
    try:
        _one_writer(store, email, seconds, tally, seed, aliases)
    except Exception as err:  # noqa: BLE001 - reported to the test, which expects none
        with tally.lock:
            tally.errors.append(f"{email}: {type(err).__name__}: {err}")


def run_writers(store, editors: list[str], seconds: float, aliases=None) -> Tally:
    """The editors writing at once for ``seconds``; what they were told."""
    tally = Tally()
    threads = [
        threading.Thread(target=_writer, args=(store, email, seconds, tally, i, aliases), daemon=True)
        for i, email in enumerate(editors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return tally


def check(store, tally: Tally) -> list[str]:
    """What is wrong with the store after the writers (see the module's docstring); empty when nothing."""
    claims, revisions = schema.claims, schema.revisions
    with store.engine.connect() as conn:
        versions = dict(conn.execute(sa.select(claims.c.claim_id, claims.c.version)).all())
        ids = dict(conn.execute(sa.select(claims.c.event_id, claims.c.claim_id)).all())
        rows = conn.execute(
            sa.select(
                revisions.c.revision_id, revisions.c.claim_id, revisions.c.at, revisions.c.actor, revisions.c.changes
            ).order_by(revisions.c.revision_id)  # fmt: skip
        ).all()
    per_claim: dict[int, list] = defaultdict(list)
    for row in rows:
        per_claim[row.claim_id].append(row)
    wrong = [
        f"claim {claim_id}: version {version} but {len(per_claim[claim_id])} revisions"
        for claim_id, version in versions.items()
        if len(per_claim[claim_id]) != version
    ]
    for event_id, version, actor, changes in tally.acknowledged:
        history = per_claim.get(ids.get(event_id, -1), [])
        if len(history) < version:
            wrong.append(f"{event_id} version {version} by {actor}: acknowledged, not in the store")
            continue
        revision = history[version - 1]
        if revision.actor != actor or revision.changes != changes:
            wrong.append(f"{event_id} version {version}: revision {revision.revision_id} is not {actor}'s write")
    if store.dialect == "postgresql":
        times = [row.at for row in rows]
        wrong += [f"revision {rows[i].revision_id} is older than the one before it"
                  for i in range(1, len(times)) if times[i] < times[i - 1]]  # fmt: skip
    return wrong
