"""One slider step on cached arrays: the same answers as the plain pandas route."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashboard import aggregate, filters, step
from dashboard.map import layers
from dashboard.pipeline import open_events
from tests.conftest import REPO
from tests.support import grid_cells


@pytest.fixture(scope="module")
def bundled_events(geodata):
    return open_events(REPO / "events.csv", geodata).events


@pytest.fixture(scope="module")
def indexed(bundled_events):
    return step.index_events(bundled_events)


def test_take_gives_the_same_values_as_indexing_whether_or_not_positions_are_a_run():
    values = np.arange(100) * 3
    run, scattered, empty = np.arange(10, 40), np.array([1, 5, 6, 90]), np.array([], dtype="int64")
    for at in (run, scattered, empty):
        assert step.take(values, at).tolist() == values[at].tolist()
    assert np.shares_memory(step.take(values, run), values)  # a run is read in place, not copied


@pytest.mark.parametrize("bounds", [None, (20.0, 20.0, 50.0, 60.0)])
def test_cells_for_a_view_holding_every_event_are_the_cells_of_all_shown_events(indexed, bundled_events, bounds):
    days = filters.days_of(bundled_events)
    at = step.positions(indexed, days[-1], "until", 1, None)
    drawn = step.draw(indexed, at, False, 20, bounds, 7)
    assert drawn.note and drawn.kind == "cells"
    (points,) = layers.claims_layer(drawn)._children.values()
    sent = json.loads(points.data)["features"]
    expected = grid_cells(bundled_events.iloc[at], 7)
    assert sorted(f["properties"]["count"] for f in sent) == sorted(expected["count"])
    assert sum(f["properties"]["count"] for f in sent) == len(at)


def test_a_view_of_a_corner_draws_only_the_events_inside_it(indexed, bundled_events):
    days = filters.days_of(bundled_events)
    at = step.positions(indexed, days[-1], "until", 1, None)
    damascus = (33.3, 36.0, 33.7, 36.6)
    drawn = step.draw(indexed, at, False, 20, damascus, 11)
    inside = aggregate.points_in_bounds(bundled_events["lat"].to_numpy(), bundled_events["lon"].to_numpy(), damascus)
    assert drawn.kind == "events"
    assert set(drawn.rows["event_id"]) == set(bundled_events.loc[inside, "event_id"])


def test_counts_read_in_place_match_pandas(indexed, bundled_events):
    days = filters.days_of(bundled_events)
    for day in days[::3]:
        at = step.positions(indexed, day, "until", 1, None)
        shown = bundled_events.iloc[at]
        sources = set(s.strip() for cell in shown["source"] for s in cell.split(";") if s.strip())
        assert step.count_sources(indexed, at) == len(sources)
        assert step.count_stories(indexed, at) == shown["story_id"].nunique()


def test_story_numbers_are_the_same_whether_stories_are_made_or_each_claim_stands_alone(bundled_events):
    import pandas as pd

    from dashboard.live import standing_alone

    alone = standing_alone(bundled_events)
    assert list(step.index_events(alone).story) == list(pd.factorize(alone["story_id"].astype(str))[0])
    made = step.index_events(bundled_events).story
    assert list(made) == list(pd.factorize(bundled_events["story_id"].astype(str))[0])
    assert len(set(made)) < len(made)  # the bundled file has stories of several claims


def test_sessions_asking_for_a_zoom_s_cells_at_once_work_them_out_once(bundled_events, monkeypatch):
    import threading
    import time

    indexed = step.index_events(bundled_events)
    made, real = [], aggregate.cell_codes

    def slow(lat, lon, zoom):
        made.append(zoom)
        time.sleep(0.3)
        return real(lat, lon, zoom)

    monkeypatch.setattr(aggregate, "cell_codes", slow)
    started, got = threading.Barrier(4), []

    def session():
        started.wait()
        got.append(indexed.cell_codes(9))

    sessions = [threading.Thread(target=session) for _ in range(4)]
    for thread in sessions:
        thread.start()
    for thread in sessions:
        thread.join()
    assert made == [9] and all(codes is got[0] for codes in got)
    assert step.restoried(indexed, indexed.events).cell_codes(9) is got[0]  # shared by a new generation
