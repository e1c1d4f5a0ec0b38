"""A store as one app server reads it: the current claims, kept up to date by reading only what changed.

``Feed`` holds one store's published claims as the page needs them (the frame ``open_events`` gives a
file: sorted by date and line, with stories), the last revision read, and whether the store answers.
Every session of the server shares one feed (``page.caches.store_feed``); nothing here imports Streamlit.

- ``latest`` is the newest revision the store has, asked cheaply: on PostgreSQL a listener thread
  (``Listener``) hears the ``NOTIFY`` the revisions trigger sends, so asking costs nothing; on SQLite
  it is ``max(revision_id)``, asked at most every ``POLL_S`` seconds whatever the number of sessions.
- ``refresh`` reads ``changes_since`` the last revision read and merges it into the frame (rows
  replaced by ``event_id``; withdrawn or unpublished claims dropped). Stories are made again over the
  whole frame: at once for a small store, else in a thread, the changed claims standing alone meanwhile.
- When the store does not answer, the last frame read stays, with ``down_since`` set; the next
  ``refresh`` that gets an answer catches up and clears it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from . import columns, snapshot, stories
from .filters import in_date_order, sort_by_date
from .pipeline import Dataset, in_process_apart, release_memory

POLL_S = 0.5  # at most one max(revision_id) a half second per server, on SQLite or without a listener
STORIES_INLINE = 200_000  # up to this many claims, stories are made again before a change is shown (~2 s)
# Past it, stories are made this long after the claims change: handing a million claims to the stories'
# process holds the interpreter lock for about a second, which the sessions' runs the change starts (and a
# new server's first page) come before. Measured at 1M: a first page's control took 2.3 s beside it, 0.9 s alone.
STORIES_AFTER_S = 3.0
CHANNEL = "claims_changed"  # the NOTIFY channel of the revisions trigger (the store's migration 0002)
# Revisions read again at each catch-up: a writer whose transaction took its revision id before another's but
# committed after it is still read (merging a claim twice changes nothing). A transaction that commits more
# than this many revisions behind is not: the next full read of the store (a server's start) has it.
LOOKBACK = 100
# A snapshot (``snapshot``) is used at a server's start while the store is at most this many revisions past
# it; further, the store is read whole again (and a new snapshot written): catching up on more claims than
# this through the driver's rows would take as long.
SNAPSHOT_CATCH_UP = 20_000
# A merge slices the frame into at most MAX_PIECES runs and joins them; a column of more than MAX_CHUNKS chunks
# is made whole again.
MAX_PIECES, MAX_CHUNKS = 200, 400
DETAILS_KEPT = 8  # the details of the last lists of rows shown (up to table_rows each), per version of the claims
STORY_COLUMNS = ("story_id", "story_status", "story_agreed", "story_size", "story_km", "story_days")
# What stories read of a claim (``stories.add_stories``): all that is sent to the process that makes them.
STORY_INPUT = (
    "event_id", "date", "place", "gazetteer_place", "lat", "lon", "event_type", "actor", "target", "controller",
    "source", "source_type", "affiliation", "claim_status",
)  # fmt: skip


@functools.cache
def unreachable() -> tuple[type[BaseException], ...]:
    """The errors that mean "the store does not answer" (or answers with an error), whatever its driver; found
    on first use, so that an app without a store loads no database driver."""
    found: list[type[BaseException]] = [OSError, sqlite3.Error]
    try:
        from .store import StoreError

        found.append(StoreError)
    except ImportError:
        pass
    try:
        import sqlalchemy.exc

        found.append(sqlalchemy.exc.SQLAlchemyError)
    except ImportError:
        pass
    try:
        import psycopg

        found.append(psycopg.Error)
    except ImportError:
        pass
    try:
        import adbc_driver_manager

        found.append(adbc_driver_manager.Error)
    except ImportError:
        pass
    return tuple(found)


class StoreUnreachable(RuntimeError):
    """The store could not be read; the message names it, its password hidden, and says why."""


def shown_url(url: str) -> str:
    """``url`` with its password replaced by ``***``: what a message or a page may show."""
    return re.sub(r"^([a-z][\w+.-]*://[^:/@]*):[^@]*@", r"\1:***@", url.strip(), flags=re.I)


def reason(err: BaseException) -> str:
    """The first line of a driver's message, with any URL in it masked: enough to say why, no traceback."""
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    first = text[0] if text else type(err).__name__
    return re.sub(r"[a-z][\w+.-]*://\S+", lambda m: shown_url(m.group(0)), first, flags=re.I)[:300]


def merged(events: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """``events`` with ``changed`` applied: each changed claim replaces its row (by ``event_id``), a withdrawn
    or unpublished one leaves; the changed claims stand alone (a story of one) until stories are made again."""
    shown = changed
    if "withdrawn" in shown.columns:
        shown = shown.loc[~shown["withdrawn"].fillna(False).astype(bool)]
    if "review_state" in shown.columns:
        shown = shown.loc[shown["review_state"].fillna("published").eq("published")]
    shown = shown.reindex(columns=[c for c in events.columns if c not in STORY_COLUMNS])
    alone = standing_alone(shown).reindex(columns=events.columns)
    # Both parts in the frame's dtypes before they are joined, so that the join copies columns as they are:
    # joined first, a category or Arrow column met an object one and a million rows were converted back.
    dtypes = _dtypes_holding(events, alone)
    alone = alone.astype(dtypes, errors="ignore")
    widened = {name: dtype for name, dtype in dtypes.items() if dtype != events[name].dtype}
    base = events.astype(widened, errors="ignore") if widened else events
    kept = np.flatnonzero(~base["event_id"].isin(changed["event_id"]).to_numpy())
    # A few claims changed: the frame is its runs of rows in order, sliced and joined. Slices of Arrow columns
    # join without a copy (as chunks), where a take copied every string (0.3 to 1.5 s at 1M); and the new
    # claims go in where a sort would put them, without sorting the frame (0.2 s at 2.5M).
    pieces = _pieces(base, kept, alone)
    if pieces:
        return pd.concat(pieces, ignore_index=True)
    # Many claims changed, or a column holds many chunks: the rows kept, by date then line (as sort_by_date
    # orders them, ties in this order), taken in one go, which makes every column whole again.
    joined = pd.concat([base, alone], ignore_index=True)
    at = np.concatenate([kept, np.arange(len(base), len(joined))])
    order = at[np.lexsort((joined["line"].to_numpy()[at], _day(joined)[at]))]
    return joined.take(order).reset_index(drop=True)


def names_a_controller(events: pd.DataFrame, changed: pd.DataFrame) -> bool:
    """Whether merging ``changed`` into ``events`` changes what control reads: a changed claim that names a
    controller, as it was or as it is now. Control reads only those claims (``control.control_changes``), in
    an order that claims merged around them do not change, so the rest leave every map's control as it was
    (at a million claims, control's changes alone took 0.6 s of the run after a new claim)."""
    if "controller" not in events.columns or "controller" not in changed.columns:
        return True
    before = events["controller"].iloc[np.flatnonzero(events["event_id"].isin(changed["event_id"]).to_numpy())]
    return any(bool(columns.text(values).ne("").any()) for values in (changed["controller"], before))


def _pieces(base: pd.DataFrame, kept: np.ndarray, alone: pd.DataFrame) -> list[pd.DataFrame]:
    """A merge of a few claims into a frame in order, as slices: the runs of ``base``'s ``kept`` rows, with each
    of ``alone``'s rows put after the kept rows of an earlier or the same (date, line), as a stable sort of the
    two joined would put it. Empty when that would take more than MAX_PIECES pieces, or ``base`` is not in
    order or its columns are in many chunks: the caller then takes every row in one go."""
    day, line = _day(base), base["line"].to_numpy()
    if not len(kept) or len(alone) >= MAX_PIECES or not in_date_order(base) or _chunks(base) >= MAX_CHUNKS:
        return []
    new_day, new_line = _day(alone), alone["line"].to_numpy()
    new = np.lexsort((new_line, new_day))
    kept_day, kept_line = day[kept], line[kept]
    lo, hi = np.searchsorted(kept_day, new_day[new], "left"), np.searchsorted(kept_day, new_day[new], "right")
    at = np.array(
        [a + np.searchsorted(kept_line[a:b], n, "right") for a, b, n in zip(lo, hi, new_line[new], strict=True)], int
    )
    breaks = np.flatnonzero(np.diff(kept) != 1) + 1
    cuts = np.unique(np.concatenate([[0, len(kept)], breaks, at]))
    if len(cuts) + len(alone) > MAX_PIECES:
        return []
    pieces, j = [], 0
    for start, end in zip(cuts[:-1], cuts[1:], strict=True):
        while j < len(new) and at[j] == start:
            pieces.append(alone.iloc[new[j] : new[j] + 1])
            j += 1
        pieces.append(base.iloc[kept[start] : kept[start] + (end - start)])
    pieces.extend(alone.iloc[n : n + 1] for n in new[j:])
    return pieces


def _day(frame: pd.DataFrame) -> np.ndarray:
    return frame["date"].to_numpy(dtype="datetime64[ns]").view("int64")


def _chunks(frame: pd.DataFrame) -> int:
    """The most chunks any Arrow column of ``frame`` is held in."""
    most = 1
    for name in frame.columns:
        if getattr(frame[name].dtype, "storage", None) == "pyarrow":
            held = pa.array(frame[name].array)  # the column's own Arrow data, no copy
            most = max(most, getattr(held, "num_chunks", 1))
    return most


def _dtypes_holding(events: pd.DataFrame, out: pd.DataFrame) -> dict:
    """``events``' dtypes for ``out``, a categorical one widened by the values ``out`` brings (``story_agreed``:
    a new claim's "" must not become a missing value)."""
    dtypes = {}
    for name in events.columns:
        dtype = events[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            more = pd.Index(out[name].dropna().unique(), dtype=dtype.categories.dtype).difference(dtype.categories)
            if len(more):  # still sorted (``columns.categorized``): sorting by the column sorts its text
                dtype = pd.CategoricalDtype(dtype.categories.append(more).sort_values(), ordered=dtype.ordered)
        dtypes[name] = dtype
    return dtypes


def standing_alone(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` each a story of its own: what a claim shows until stories are made again over all of them."""
    return events.assign(
        story_id=events["event_id"].astype(str),
        story_status="single-source",
        story_agreed="",
        story_size=1,
        story_km=0.0,
        story_days=0,
    )


def with_stories(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with stories made over all of them (``stories.add_stories``), whatever they had before."""
    return stories.add_stories(events.drop(columns=[c for c in STORY_COLUMNS if c in events.columns]))


def with_stories_apart(events: pd.DataFrame) -> pd.DataFrame:
    """``with_stories`` made in a process of its own from the columns stories read: over a million claims
    it takes about 19 s of Python, which in the server's own process held the interpreter lock against
    every session's run (a page run after a new claim took twice as long while it went on)."""
    return with_story_columns(events, story_columns_apart(lambda: events))


def story_columns_apart(claims: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The story columns of the frame ``claims()`` gives, made in a process of its own; the frame is not kept
    here once its columns are written, so a feed's older frame goes while its stories are made (at 2.5M
    claims, about 50 s, in which new claims may replace it).

    The claims go to it, and their stories come back, as Arrow files in a folder of the server's own: pickled,
    they were copies held whole in the server's memory (at 2.5M claims, 130 MB out and 79 MB back: a peak of
    357 MB over the frame, 124 MB this way)."""
    with tempfile.TemporaryDirectory(prefix="conflict-map-stories-") as folder:  # mode 0700: they hold claims
        given, made = Path(folder) / "claims.arrow", Path(folder) / "stories.arrow"
        with given.open("wb") as out:
            snapshot.write_frame(out, _story_input(claims()), {})
        in_process_apart(_story_columns_between, str(given), str(made))
        return snapshot.read_frame(made)[0]


def _story_input(events: pd.DataFrame) -> pd.DataFrame:
    return events[[c for c in STORY_INPUT if c in events.columns]].reset_index(drop=True)


def with_story_columns(events: pd.DataFrame, made: pd.DataFrame) -> pd.DataFrame:
    """``events`` with the story columns ``made`` (``story_columns_apart``) in place of its own."""
    return events.drop(columns=[c for c in STORY_COLUMNS if c in events.columns]).assign(
        **{name: made[name].array for name in made.columns}
    )


def _story_columns_between(claims: str, made: str) -> None:
    """In the process apart: the stories of the claims in the file ``claims``, to the file ``made``."""
    events, _ = snapshot.read_frame(Path(claims))
    with Path(made).open("wb") as out:
        snapshot.write_frame(out, _story_columns(events), {})


def _story_columns(events: pd.DataFrame) -> pd.DataFrame:
    made = with_stories(events)
    return made[[c for c in made.columns if c in STORY_COLUMNS]]  # in the order add_stories adds them


@dataclass(frozen=True)
class Reading:
    """What a session shows of the store: the dataset, its generation (a cache key part), and its health."""

    dataset: Dataset
    generation: int  # a new one for each change of the frame: claims merged, or stories made again
    content: int  # a new one for each change of the claims themselves (not of their stories)
    control: int  # a new one for each change of the claims that name a controller (what control reads)
    revision: int
    read_at: dt.datetime  # when the store last answered
    down_since: dt.datetime | None  # when it stopped answering, or None
    why: str  # the driver's reason, while down
    stories_pending: bool  # stories are being made again in a thread


class Feed:
    """One store's current claims for every session of this server (see the module's docstring)."""

    def __init__(
        self,
        url: str,
        opener: Callable[[str], object],
        inline: int = STORIES_INLINE,
        after_s: float = STORIES_AFTER_S,
        snapshots: Path | None = None,
        snapshot_from: int = STORIES_INLINE,
        on_opened: Callable[[str, float], None] | None = None,
    ):
        self.url, self.shown = url, shown_url(url)
        self._opener, self._inline, self._after_s = opener, inline, after_s
        # Where this store's snapshot lives (None: no snapshot), and from how many claims one is written.
        self._snapshot = snapshot.path_for(snapshots, url) if snapshots else None
        self._snapshot_from = snapshot_from
        self._to_keep: tuple[dict, dict] | None = None  # the mark (and look back) a snapshot is due for
        self._merged_at: dict[str, int] = {}  # event_id -> the revision it was merged at, in the look back
        self.opened_from = ""  # how the first read was made: "snapshot" or "store"
        self._on_opened = on_opened  # told how, and in how many seconds, once the first read is made
        self._lock = threading.RLock()
        self._store = None
        self._events: pd.DataFrame | None = None
        self._revision = -1
        self._generation = 0
        self._content = 0
        self._control = 0
        self._read_at: dt.datetime | None = None
        self._down_since: dt.datetime | None = None
        self._why = ""
        self._asked_at = 0.0
        self._known = -1  # the newest revision the store was last seen to have
        self._pending = False  # stories are being made again
        self._grouping = False  # the thread that makes them runs
        self._answered = False  # whether the last ask of the revision got an answer
        self.listener: Listener | None = None
        self._details: OrderedDict[tuple, pd.DataFrame] = OrderedDict()  # the last lists of rows fetched
        self._fetching: dict[tuple, threading.Lock] = {}  # list of rows -> the lock of the session fetching it

    # What the store has --------------------------------------------------------------------------
    def heard(self, revision: int) -> None:
        """A revision announced by the store (the listener's NOTIFY): newer than the read one means a refresh."""
        with self._lock:
            self._known = max(self._known, int(revision))
            self._answered = True

    def latest(self) -> int:
        """The newest revision known: the listener's when it listens, else ``last_revision`` every ``POLL_S``."""
        if self.listener is not None and self.listener.listening:
            return self._known
        now = time.monotonic()
        with self._lock:
            if now - self._asked_at >= POLL_S:
                self._asked_at = now
                try:
                    self._known = int(self._open().last_revision())
                    self._answered = True
                except unreachable() as err:
                    self._answered = False
                    self._fail(err)
            return self._known

    def news(self, generation: int, down_since: dt.datetime | None) -> bool:
        """Whether a session that showed ``generation`` (and ``down_since``) has something new to show: claims
        not yet read, claims another session has merged, or the store gone down or answering again."""
        latest = self.latest()
        with self._lock:
            if latest > self._revision or self._generation != generation:
                return True
            if (self._down_since is None) != (down_since is None):
                return True
            return self._down_since is not None and self._answered

    def detailed(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` (a few, those shown) with the details the frame leaves out (description, url, via and the
        file's own columns) fetched from the store; as they are while the store does not answer."""
        store = self._store
        if rows.empty or store is None or not hasattr(store, "details"):
            return rows
        ids = rows["event_id"].tolist()
        # Every session on the same day and filters lists the same rows; stories made again change no detail.
        key = (self._content, tuple(ids))
        with self._lock:
            making = self._fetching.setdefault(key, threading.Lock())
        # One fetch per list: a new claim reruns every open session at once, and each asked the store alone.
        try:
            with making:
                found = self._details.get(key)
                if found is None:
                    try:
                        found = store.details(ids)
                    except unreachable():
                        return rows
                    found = found.drop_duplicates("event_id").set_index("event_id").reindex(ids)
                    with self._lock:
                        self._details[key] = found
                        while len(self._details) > DETAILS_KEPT:
                            self._details.popitem(last=False)
        finally:
            with self._lock:
                self._fetching.pop(key, None)
        out = rows.copy()
        for name in found.columns:
            out[name] = pd.array(found[name].fillna("").to_numpy(dtype=object), dtype=pd.StringDtype("pyarrow"))
        return out

    def _open(self):
        if self._store is None:
            self._store = self._opener(self.url)
        return self._store

    def _fail(self, err: BaseException) -> None:
        if self._down_since is None:
            self._down_since = dt.datetime.now()
        self._why = reason(err)

    # Reading it -----------------------------------------------------------------------------------
    def reading(self) -> Reading:
        """The claims as last read, refreshed first when the store has newer ones; raises StoreUnreachable when
        it has never been read."""
        with self._lock:
            if self._events is None:
                self._first_read()
            elif self.latest() > self._revision or (self._down_since is not None and self._answered):
                self._catch_up()
            return Reading(
                Dataset(self._events, _no_rejections(), len(self._events), "store"),
                self._generation,
                self._content,
                self._control,
                self._revision,
                self._read_at,
                self._down_since,
                self._why,
                self._pending,
            )

    def _first_read(self) -> None:
        began = time.perf_counter()
        self._read_whole_or_from_snapshot()
        if self._on_opened is not None:
            self._on_opened(self.opened_from, time.perf_counter() - began)

    def _read_whole_or_from_snapshot(self) -> None:
        try:
            store = self._open()
            if self._from_snapshot(store):
                return
            marks = getattr(store, "marks", False)  # PostgreSQL: read with its mark, kept if snapshots are on
            if marks:
                events, mark, seen = store.read_marked(LOOKBACK)
                revision = mark["revision"]
            else:
                revision = int(store.last_revision())
                events = store.read_current()
        except unreachable() as err:
            self._store = None
            why = re.sub(r"^[a-z][\w+.-]*://\S*: ", "", reason(err))  # the store's own errors name the URL first
            raise StoreUnreachable(f"The event store at {self.shown} cannot be opened: {why}") from err
        if marks:
            self._merged_at = dict(seen)
            if self._snapshot is not None and len(events) >= self._snapshot_from:
                self._to_keep = (mark, seen)  # written once its stories are made (_keep)
        self._opened(self._storied(sort_by_date(events) if "line" in events.columns else events), revision, "store")
        self._keep()

    def _from_snapshot(self, store) -> bool:
        """The frame from this store's snapshot and the claims changed since, if the store still has the
        snapshot's mark (``snapshot``'s module docstring) and is not too far past it."""
        if self._snapshot is None or not getattr(store, "marks", False):
            return False
        mark = snapshot.mark_of(self._snapshot)
        if mark is None:
            return False
        now, newest = store.mark_now(int(mark["revision"]))
        if now != mark or newest - int(mark["revision"]) > SNAPSHOT_CATCH_UP:
            return False
        try:
            events, seen = snapshot.read(self._snapshot)
        except (OSError, pa.ArrowException, KeyError, ValueError) as err:
            logging.getLogger(__name__).warning("the snapshot %s could not be read (%s)", self._snapshot, err)
            return False
        changed, revision = store.changes_since(int(mark["revision"]))  # exact: nothing changed at or below it
        self._merged_at = dict(seen)
        if "last_revision" in changed.columns:
            revised = zip(changed["event_id"].astype(str), changed["last_revision"].astype(int), strict=True)
            self._merged_at.update(revised)
        events = self._storied(merged(events, changed)) if len(changed) else events
        self._opened(events, max(int(revision), int(mark["revision"])), "snapshot")
        return True

    def _opened(self, events: pd.DataFrame, revision: int, how: str) -> None:
        """The first read's frame, as of ``revision``, made the one every session shows."""
        self._content += 1
        self._control += 1
        self._events = events
        self._revision = self._known = revision
        self._read_at, self._down_since, self._why = dt.datetime.now(), None, ""
        self._generation += 1
        self.opened_from = how
        release_memory()

    def _keep(self) -> None:
        """The snapshot due, written once the frame's stories are made. Claims merged into the frame since the
        whole read leave the read's mark true: the next start reads every claim changed after it again, and
        merging a claim twice changes nothing."""
        with self._lock:
            due, events = self._to_keep, self._events
            if due is None or self._pending:
                return
            self._to_keep = None
            mark, seen = due
        try:
            snapshot.write(self._snapshot, events, mark, seen)
        except OSError as err:  # a full disk or a folder not ours: the next start reads the store whole
            logging.getLogger(__name__).warning("the snapshot %s could not be written (%s)", self._snapshot, err)

    def _catch_up(self) -> None:
        try:
            changed, revision = self._open().changes_since(max(self._revision - LOOKBACK, 0))
        except unreachable() as err:
            self._fail(err)
            return
        self._read_at, self._down_since, self._why = dt.datetime.now(), None, ""
        changed = self._not_merged_yet(changed)
        if len(changed):
            self._control += names_a_controller(self._events, changed)
            self._events = self._storied(merged(self._events, changed))
            self._content += 1
        self._revision = self._known = max(int(revision), self._revision)
        self._generation += 1

    def _not_merged_yet(self, changed: pd.DataFrame) -> pd.DataFrame:
        """``changed`` without the claims this feed has merged at the same revision before: the look back over
        LOOKBACK revisions (for a late commit) hands back the same claims on every change, and merging them
        again would change nothing but cost a merge of many claims and their stories (a store's last import
        alone fills the look back)."""
        if "last_revision" not in changed.columns or changed.empty:
            return changed
        seen = self._merged_at
        ids, revisions = changed["event_id"].astype(str).to_numpy(), changed["last_revision"].to_numpy()
        new = np.array([seen.get(i) != r for i, r in zip(ids, revisions, strict=True)], dtype=bool)
        seen.update(zip(ids[new], revisions[new], strict=True))
        oldest = self._revision - LOOKBACK  # what the next look back no longer reaches is forgotten
        for key in [k for k, r in seen.items() if r <= oldest]:
            del seen[key]
        return changed.loc[new]

    def _storied(self, events: pd.DataFrame) -> pd.DataFrame:
        """Stories over ``events``: made now for a small store, else in a thread that swaps them in when done."""
        if len(events) <= self._inline:
            return with_stories(events)
        if "story_id" not in events.columns:
            events = standing_alone(events)
        self._pending = True
        if not self._grouping:  # one thread at a time: it goes again while changes keep coming
            self._grouping = True
            threading.Thread(target=self._stories_later, name=f"stories {self.shown}", daemon=True).start()
        return events

    def _claims_now(self, began: list[int]) -> pd.DataFrame:
        """The frame as it is, its generation noted in ``began``."""
        with self._lock:  # taken after the caller has stored the frame it made
            began.append(self._generation)
            return self._events

    def _stories_later(self) -> None:
        while True:
            time.sleep(self._after_s)  # the runs the change starts come first (STORIES_AFTER_S)
            began: list[int] = []  # the generation whose claims the stories are made of
            try:
                made = story_columns_apart(functools.partial(self._claims_now, began))
            except Exception as err:  # the process was killed (memory), or could not start: made here instead
                logging.getLogger(__name__).warning("stories in a process of their own failed (%s); made here", err)
                began.clear()
                made = _story_columns(self._claims_now(began))
            with self._lock:
                if self._generation == began[0]:  # the same frame: no claim merged since
                    self._events = with_story_columns(self._events, made)
                    self._pending, self._grouping = False, False
                    self._generation += 1
                    break
            del made
        self._keep()
        release_memory()


def _no_rejections() -> pd.DataFrame:
    return pd.DataFrame(columns=["line", "column", "value", "reason", "other_problems"])


class Listener:
    """One thread per store and server: ``LISTEN`` on PostgreSQL, telling the feed each revision announced.

    While it listens, ``Feed.latest`` asks the database nothing. When the connection drops it stops
    listening (the feed falls back to asking, which tells the page the store is down) and connects again
    every second; once back, it asks for the last revision, since announcements made while away are lost.
    """

    def __init__(self, feed: Feed, dsn: str, retry_s: float = 1.0):
        self.feed, self.dsn, self.retry_s = feed, dsn, retry_s
        self.listening = False
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"listen {feed.shown}", daemon=True)

    def start(self) -> Listener:
        self.feed.listener = self
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.dsn, autocommit=True, connect_timeout=3) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    last = conn.execute("SELECT coalesce(max(revision_id), 0) FROM revisions").fetchone()[0]
                    self.feed.heard(int(last))
                    self.listening = True
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self.retry_s, stop_after=100):
                            self.feed.heard(int(note.payload))  # the trigger sends the new revision's id
                        conn.execute("SELECT 1")  # a dead server is found within a second, not at the next NOTIFY
            except psycopg.Error:
                pass
            self.listening = False
            self._stop.wait(self.retry_s)


def psycopg_dsn(url: str) -> str | None:
    """A libpq address for a ``postgresql[+driver]://`` URL, or None for another database."""
    match = re.match(r"^postgres(?:ql)?(?:\+\w+)?://", url.strip(), flags=re.I)
    return "postgresql://" + url.strip()[match.end() :] if match else None
