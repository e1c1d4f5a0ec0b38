"""The store as one server reads it (dashboard/live.py): URLs shown without passwords, changes merged by event_id."""

from __future__ import annotations

import functools
import time

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import live
from dashboard.geocode import read_geodata
from dashboard.pipeline import open_events
from tests.support import EVENTS, REPO


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cr3t@db.example:5432/map", "postgresql://app:***@db.example:5432/map"),
        ("postgresql+psycopg://app:p%40ss:w@db/map", "postgresql+psycopg://app:***@db/map"),
        ("postgresql://app@db/map", "postgresql://app@db/map"),
        ("sqlite:///tmp/store.db", "sqlite:///tmp/store.db"),
    ],
)
def test_a_url_is_shown_without_its_password(url, shown):
    assert live.shown_url(url) == shown


def test_a_driver_message_naming_a_url_hides_its_password():
    err = OSError('connection to "postgresql://app:s3cr3t@db/map" failed\nDETAIL: more')
    assert live.reason(err) == 'connection to "postgresql://app:***@db/map" failed'


def test_psycopg_address_drops_the_driver_name():
    assert live.psycopg_dsn("postgresql+psycopg://a:b@h:1/d") == "postgresql://a:b@h:1/d"
    assert live.psycopg_dsn("sqlite:///x.db") is None


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return open_events(EVENTS, read_geodata(REPO / "geodata")).events


def test_a_changed_claim_replaces_its_row_and_a_withdrawn_one_leaves(events):
    first, second = events.iloc[0], events.iloc[1]
    changed = pd.DataFrame(
        [
            {**first.to_dict(), "description": "corrected", "withdrawn": False, "review_state": "published"},
            {**second.to_dict(), "withdrawn": True, "review_state": "published"},
            {**first.to_dict(), "event_id": "new-1", "line": 10**6, "withdrawn": False, "review_state": "draft"},
            {
                **first.to_dict(),
                "event_id": "new-2",
                "line": 10**6 + 1,
                "withdrawn": False,
                "review_state": "published",
            },
        ]
    )
    out = live.merged(events, changed)
    assert len(out) == len(events)  # one withdrawn, one new published, one draft not shown
    assert out.loc[out["event_id"].eq(first["event_id"]), "description"].tolist() == ["corrected"]
    assert second["event_id"] not in set(out["event_id"])
    assert "new-1" not in set(out["event_id"]) and "new-2" in set(out["event_id"])
    assert list(out.columns) == list(events.columns)
    kinds = {c: "category" if isinstance(d, pd.CategoricalDtype) else d for c, d in events.dtypes.items()}
    assert {c: "category" if isinstance(d, pd.CategoricalDtype) else d for c, d in out.dtypes.items()} == kinds
    assert out["story_agreed"].notna().all()  # a new claim's "" is one more category, not a missing value
    assert out["date"].is_monotonic_increasing


def test_a_merge_of_a_few_claims_by_slices_equals_one_by_a_take(events, monkeypatch):
    """A few changes are merged by slicing the frame into runs (Arrow columns join as chunks, uncopied); many
    by one take. Both give the same frame, claims about days in the middle included, and chunks stay few."""
    rows = events.sample(12, random_state=3)
    changed = pd.concat(
        [
            rows.iloc[:4].assign(description="corrected", withdrawn=False, review_state="published"),
            rows.iloc[4:6].assign(withdrawn=True, review_state="published"),
            rows.iloc[6:].assign(event_id=[f"new-{n}" for n in range(6)], withdrawn=False, review_state="published"),
        ]
    )
    sliced = live.merged(live.merged(events, changed.iloc[:6]), changed.iloc[6:])
    monkeypatch.setattr(live, "MAX_PIECES", 0)
    taken = live.merged(live.merged(events, changed.iloc[:6]), changed.iloc[6:])
    pd.testing.assert_frame_equal(sliced, taken)
    assert 1 < live._chunks(sliced) < live.MAX_CHUNKS and live._chunks(taken) == 1
    gone = live.merged(events, events.assign(withdrawn=True, review_state="published"))  # every claim withdrawn
    assert gone.empty and list(gone.columns) == list(events.columns)


CHANGES = st.lists(
    st.tuples(
        st.integers(0, 57),  # the row the change starts from
        st.sampled_from(["corrected", "withdrawn", "new", "moved"]),
        st.integers(-3, 3),  # days moved ("moved", "new")
        st.integers(0, 70),  # its line: often one another row has on its day (ties go after the frame's rows)
    ),
    max_size=12,
)


@given(CHANGES)
def test_a_merge_puts_the_changed_claims_where_a_sort_of_all_of_them_would(changes):
    """Whatever claims change, are withdrawn, move to another day or come new, in any order, the merge by
    slices equals a sort of every row by date and line (the merge by one take)."""
    events = _bundled()
    rows = []
    for n, (row, kind, days, line) in enumerate(changes):
        claim = events.iloc[row].to_dict()
        claim.update(withdrawn=kind == "withdrawn", review_state="published")
        if kind == "corrected":
            claim["description"] = f"corrected {n}"
        elif kind in ("new", "moved"):
            claim.update(date=claim["date"] + pd.Timedelta(days=days), line=line)
            if kind == "new":
                claim["event_id"] = f"new-{n}"
        rows.append(claim)
    changed = pd.DataFrame(rows).drop_duplicates("event_id", keep="last") if rows else events.iloc[:0]
    sliced = live.merged(events, changed)
    saved = live.MAX_PIECES
    live.MAX_PIECES = 0
    try:
        taken = live.merged(events, changed)
    finally:
        live.MAX_PIECES = saved
    pd.testing.assert_frame_equal(sliced, taken)


@functools.cache
def _bundled() -> pd.DataFrame:
    return open_events(EVENTS, read_geodata(REPO / "geodata")).events


def test_stories_made_again_after_a_merge_equal_those_of_a_fresh_load(events):
    out = live.with_stories(live.merged(events, events.iloc[:0].assign(withdrawn=False)))
    pd.testing.assert_frame_equal(out, events, check_like=False)


class FakeStore:
    """The store's reading contract over a frame in memory; ``down`` makes every call fail as a dead server does."""

    def __init__(self, events: pd.DataFrame):
        self.events, self.changes, self.down, self.reads = events, [], False, 0

    def _check(self):
        if self.down:
            raise OSError("connection refused")

    def last_revision(self) -> int:
        self._check()
        return len(self.changes)

    def read_current(self) -> pd.DataFrame:
        self._check()
        self.reads += 1
        return self.events

    def changes_since(self, revision: int):
        self._check()
        rows = self.changes[revision:]
        return (pd.DataFrame(rows) if rows else self.events.iloc[:0]), len(self.changes)


def test_a_feed_reads_once_then_only_what_changed_and_rides_out_a_dead_store(events, monkeypatch):
    monkeypatch.setattr(live, "POLL_S", 0.0)
    store = FakeStore(events.drop(columns=list(live.STORY_COLUMNS)))
    feed = live.Feed("postgresql://app:pw@db/map", lambda url: store)
    first = feed.reading()
    assert first.dataset.accepted == len(events) and first.down_since is None
    assert feed.reading().generation == first.generation  # nothing new: nothing read again
    store.changes.append({**store.events.iloc[0].to_dict(), "event_id": "added", "withdrawn": False})
    assert feed.news(first.generation, None)
    second = feed.reading()
    assert second.dataset.accepted == len(events) + 1 and second.generation > first.generation
    assert store.reads == 1
    store.down = True
    assert feed.news(second.generation, None)  # gone down: the page must say so
    third = feed.reading()
    assert third.down_since is not None and third.dataset is not None and "connection refused" in third.why
    assert third.dataset.accepted == len(events) + 1
    store.down = False
    store.changes.append({**store.events.iloc[1].to_dict(), "withdrawn": True})
    assert feed.news(third.generation, third.down_since)
    back = feed.reading()
    assert back.down_since is None and back.dataset.accepted == len(events)
    assert store.reads == 1


def test_claims_the_look_back_hands_back_again_are_not_merged_again(events, monkeypatch):
    # The look back (LOOKBACK revisions, for late commits) hands back claims already merged, on every change:
    # only a claim at a revision not merged before is merged (and loses its story until stories are made).
    monkeypatch.setattr(live, "POLL_S", 0.0)
    store = FakeStore(events.drop(columns=list(live.STORY_COLUMNS)))
    feed = live.Feed("postgresql://app:pw@db/map", lambda url: store)
    feed.reading()
    merges, real = [], live.merged
    monkeypatch.setattr(
        live, "merged", lambda frame, changed: merges.append(list(changed["event_id"])) or real(frame, changed)
    )
    claim = {**store.events.iloc[0].to_dict(), "withdrawn": False}
    for n, (event_id, place) in enumerate([("a", "Aleppo"), ("b", "Homs"), ("a", "Hama")], start=1):
        store.changes.append({**claim, "event_id": event_id, "place": place, "last_revision": n})
        shown = feed.reading().dataset.events
    assert merges == [["a"], ["b"], ["a"]]
    assert dict(zip(shown["event_id"], shown["place"], strict=True))["a"] == "Hama"
    assert (shown["event_id"] == "a").sum() == 1 and (shown["event_id"] == "b").sum() == 1
    assert feed.reading().generation == feed.reading().generation  # nothing new: nothing merged


def test_control_has_a_new_version_only_when_a_changed_claim_names_a_controller(events, monkeypatch):
    # Control reads only the claims that name a controller: a claim that names none (before or after) leaves
    # control's changes as they were, and its cache key (Reading.control) too.
    from dashboard import control

    monkeypatch.setattr(live, "POLL_S", 0.0)
    places = read_geodata(REPO / "geodata").places
    store = FakeStore(events.drop(columns=list(live.STORY_COLUMNS)))
    feed = live.Feed("postgresql://app:pw@db/map", lambda url: store)
    before = feed.reading()
    clash = store.events.loc[store.events["controller"].eq("")].iloc[0].to_dict()
    held = store.events.loc[store.events["controller"].ne("")].iloc[0].to_dict()
    steps = [
        ({**clash, "event_id": "new clash", "line": 10**6, "withdrawn": False}, False),
        ({**clash, "description": "corrected", "withdrawn": False}, False),
        ({**clash, "withdrawn": True}, False),
        ({**clash, "event_id": "new hold", "controller": "HTS", "line": 10**6 + 1, "withdrawn": False}, True),
        ({**held, "controller": "", "withdrawn": False}, True),  # it named one before
        ({**store.events.loc[store.events["controller"].ne("")].iloc[1].to_dict(), "withdrawn": True}, True),
    ]
    for claim, moves in steps:
        store.changes.append(claim)
        after = feed.reading()
        assert after.content > before.content and (after.control > before.control) is moves, claim["event_id"]
        if not moves:
            pd.testing.assert_frame_equal(
                control.control_changes(before.dataset.events, places),
                control.control_changes(after.dataset.events, places),
            )
        before = after


def test_a_store_down_at_start_says_so_with_the_password_hidden(events):
    store = FakeStore(events)
    store.down = True
    feed = live.Feed("postgresql://app:s3cr3t@db/map", lambda url: store)
    with pytest.raises(live.StoreUnreachable, match="cannot be opened") as err:
        feed.reading()
    assert "postgresql://app:***@db/map" in str(err.value) and "s3cr3t" not in str(err.value)
    store.down = False
    assert feed.reading().dataset.accepted == len(events)


def test_stories_made_in_a_process_apart_equal_those_made_here(events):
    claims = events.drop(columns=list(live.STORY_COLUMNS))
    pd.testing.assert_frame_equal(live.with_stories_apart(claims), live.with_stories(claims))


def test_a_big_store_shows_at_once_and_its_stories_follow(events):
    store = FakeStore(events.drop(columns=list(live.STORY_COLUMNS)))
    feed = live.Feed("sqlite:///x.db", lambda url: store, inline=10)
    first = feed.reading()
    assert first.dataset.accepted == len(events)
    deadline = time.monotonic() + 30
    while feed.reading().stories_pending and time.monotonic() < deadline:
        time.sleep(0.05)
    done = feed.reading()
    assert not done.stories_pending and done.generation > first.generation
    # The claims are the same: what reads no story (control, the timeline) keeps what it worked out.
    assert done.content == first.content
    pd.testing.assert_frame_equal(done.dataset.events, events)


def test_a_big_store_s_stories_wait_for_the_runs_its_change_starts(events):
    """Stories over a large store start STORIES_AFTER_S after the claims change: handing them to their process
    holds the interpreter lock, and the sessions' runs the change starts come first."""
    store = FakeStore(events.drop(columns=list(live.STORY_COLUMNS)))
    feed = live.Feed("sqlite:///x.db", lambda url: store, inline=10, after_s=1.0)
    began = time.monotonic()
    feed.reading()
    time.sleep(0.5)
    assert feed.reading().stories_pending  # not yet begun: the sleep holds no lock
    while feed.reading().stories_pending and time.monotonic() < began + 30:
        time.sleep(0.05)
    assert not feed.reading().stories_pending and time.monotonic() - began >= 1.0


def test_sessions_listing_the_same_rows_at_once_fetch_their_details_once(events):
    import threading

    class Slow(FakeStore):
        fetched: list = []

        def details(self, ids):
            self.fetched.append(list(ids))
            time.sleep(0.3)
            return pd.DataFrame({"event_id": ids, "description": [f"about {i}" for i in ids]})

    store = Slow(events.drop(columns=list(live.STORY_COLUMNS)))
    feed = live.Feed("postgresql://app:pw@db/map", lambda url: store)
    feed.reading()
    rows, shown, started = feed.reading().dataset.events.head(3), [], threading.Barrier(4)

    def session():
        started.wait()
        shown.append(feed.detailed(rows)["description"].tolist())

    sessions = [threading.Thread(target=session) for _ in range(4)]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join()
    assert len(store.fetched) == 1
    assert shown == [[f"about {i}" for i in rows["event_id"]]] * 4
