"""What is worked out from a file (its index, counts, profiles) lives as long as the file, not longer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.page import caches
from dashboard.step import index_bytes


def setup_function() -> None:
    st.cache_resource.clear()


def test_an_evicted_upload_takes_what_was_worked_out_from_it_along():
    caches.uploads()["abc"] = [None, 1, 0.0]
    made = []
    assert caches.derived(("upload", "abc"), "counts", lambda: made.append(1) or "counts") == "counts"
    assert caches.derived(("upload", "abc"), "counts", lambda: made.append(1) or "again") == "counts"
    assert made == [1]
    caches.uploads().pop("abc")
    caches.derived(("path", "x", 1, 1), "counts", lambda: "other")  # any later use drops the orphan
    assert ("upload", "abc") not in caches.derived_store()


def test_forget_drops_every_name_of_one_dataset_only():
    caches.derived(("path", "a", 1, 1), "indexed", lambda: "ia")
    caches.derived(("path", "a", 1, 1), "counts", lambda: "ca")
    caches.derived(("path", "b", 1, 1), "counts", lambda: "cb")
    caches.forget(("path", "a", 1, 1))
    assert list(caches.derived_store()) == [("path", "b", 1, 1)]


def test_files_past_the_eight_used_last_are_dropped_oldest_first():
    for n in range(caches.FILES_KEPT + 3):
        caches.derived(("path", str(n), 1, 1), "counts", lambda: "c")
    kept = {key[1] for key in caches.derived_store()}
    assert kept == {str(n) for n in range(3, caches.FILES_KEPT + 3)}


def test_a_store_keeps_its_newest_generation_only():
    for generation in range(1, 6):
        caches.derived(("store", "url", generation, generation), "indexed", lambda: "i")
        caches.derived(caches.content_key(("store", "url", generation, generation)), "outlets", lambda: "o")
    caches.derived(("store", "other", 1, 1), "indexed", lambda: "i")
    kept = set(caches.derived_store())
    assert kept == {("store", "url", 5, 5), ("store content", "url", 5), ("store", "other", 1, 1)}


def test_a_run_still_on_an_older_generation_is_answered_without_pushing_out_the_newest():
    made = []
    caches.derived(("store", "url", 4, 2), "indexed", lambda: made.append(4) or "newest")
    assert caches.derived(("store", "url", 3, 2), "indexed", lambda: made.append(3) or "older") == "older"
    assert caches.derived(("store", "url", 4, 2), "indexed", lambda: made.append(4) or "again") == "newest"
    assert made == [4, 3] and ("store", "url", 3, 2) not in caches.derived_store()


def test_stories_made_again_leave_a_store_s_content_key_as_it_was():
    assert caches.content_key(("store", "url", 7, 3)) == caches.content_key(("store", "url", 8, 3))
    assert caches.content_key(("store", "url", 8, 4)) != caches.content_key(("store", "url", 8, 3))
    assert caches.content_key(("path", "a", 1, 1)) == ("path", "a", 1, 1)


def test_the_upload_budget_counts_the_index_as_well_as_the_rows():
    assert index_bytes(1_000_000) == 1_000_000 * (8 + 8 + 1 + 4 + 4 + 4 * 13)


def test_a_store_s_new_version_clears_what_the_caches_kept_of_the_old_ones(monkeypatch):
    from dashboard import control
    from tests.support import EVENTS

    events = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    made = []
    monkeypatch.setattr(control, "control_changes", lambda moves, places: made.append(1) or moves)
    key = ("store", "url", 1, 1, 1)
    caches.moved_on("url", 1, 1)
    caches.changes_of(key, (), events, {}, None)
    caches.changes_of(key, (), events, {}, None)
    assert made == [1]  # kept
    caches.moved_on("url", 1, 1)  # the same version again: nothing is cleared
    caches.changes_of(key, (), events, {}, None)
    assert made == [1]
    caches.moved_on("url", 2, 2)  # a new version of the claims and of control: the old one's entries go
    caches.changes_of(("store", "url", 2, 2, 2), (), events, {}, None)
    assert made == [1, 1]


def test_claims_that_name_no_controller_leave_control_as_it_was(monkeypatch):
    from dashboard import control
    from tests.support import EVENTS

    events = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    made = []
    monkeypatch.setattr(control, "control_changes", lambda moves, places: made.append(1) or moves)
    caches.moved_on("other url", 1, 1)
    caches.changes_of(("store", "other url", 1, 1, 1), (), events, {}, None)
    caches.moved_on("other url", 2, 1)  # a new clash: new claims, control as it was
    caches.changes_of(("store", "other url", 2, 2, 1), (), events, {}, None)
    assert made == [1]
    caches.moved_on("other url", 3, 2)  # a claim that names a controller
    caches.changes_of(("store", "other url", 3, 3, 2), (), events, {}, None)
    assert made == [1, 1]
    assert caches.control_key(("store", "u", 5, 4, 3)) == ("store control", "u", 3)
    assert caches.control_key(("path", "a", 1, 1)) == ("path", "a", 1, 1)


def test_sessions_asking_at_once_wait_for_one_make():
    import threading
    import time

    made, results, started = [], [], threading.Barrier(4)

    def slow():
        made.append(1)
        time.sleep(0.3)
        return "facets"

    def ask():
        started.wait()
        results.append(caches.derived(("store", "url", 2, 2), "facets", slow))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == [1] and results == ["facets"] * 4
    assert not caches._making  # nothing left waiting


def test_a_make_that_fails_lets_the_next_session_try_again():
    def broken():
        raise RuntimeError("database gone")

    try:
        caches.derived(("path", "x", 1, 1), "counts", broken)
    except RuntimeError:
        pass
    assert caches.derived(("path", "x", 1, 1), "counts", lambda: "counts") == "counts"
    assert not caches._making


def test_stories_made_again_make_only_the_story_facet_and_codes_again(geodata):
    from dashboard import filters, step
    from dashboard.pipeline import open_events
    from tests.support import EVENTS

    events = open_events(EVENTS, geodata).events
    before, after = ("store", "url", 1, 1), ("store", "url", 2, 1)  # a new generation, the same claims
    storied = events.assign(story_status=["contested"] * len(events))
    first, second = caches.facets_of(before, events), caches.facets_of(after, storied)
    assert list(second) == list(filters.FACETS)
    assert all(second[f] is first[f] for f in filters.FACETS if f != "story_status")
    assert second["story_status"].values == ["contested"]
    index, again = caches.indexed_of(before, events), caches.indexed_of(after, storied)
    assert again.events is storied and index.events is events
    assert again.lat is index.lat and again.cells is index.cells
    assert step.index_events(storied).story.tolist() == again.story.tolist()
