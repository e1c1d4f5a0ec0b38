"""Filtering by day (up to a day, or the last N days) and by facet."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import filters


@pytest.fixture
def events():
    frame = pd.DataFrame(
        {
            "line": range(2, 8),
            "date": pd.to_datetime(
                ["2024-11-27", "2024-11-28", "2024-11-28", "2024-11-30", "2024-12-02", "2024-12-02"]
            ),
            "source": ["A", "B", "A", "C", "A", "B"],
            "source_type": ["monitor", "state media", "monitor", "", "monitor", "state media"],
            "event_type": ["clash", "capture", "clash", "airstrike", "clash", "statement"],
            "actor": ["x", "y", "x", "z", "x", "y"],
            "claim_status": ["reported", "claimed", "reported", "confirmed", "denied", "claimed"],
        }
    )
    return filters.sort_by_date(frame)


@pytest.mark.parametrize(
    "day, mode, window, expected",
    [
        (dt.date(2024, 11, 26), "until", 1, []),
        (dt.date(2024, 11, 27), "until", 1, [2]),
        (dt.date(2024, 11, 28), "until", 1, [2, 3, 4]),
        (dt.date(2024, 11, 29), "until", 1, [2, 3, 4]),
        (dt.date(2024, 12, 9), "until", 1, [2, 3, 4, 5, 6, 7]),
        (dt.date(2024, 11, 28), "window", 1, [3, 4]),
        (dt.date(2024, 11, 29), "window", 1, []),
        (dt.date(2024, 11, 30), "window", 3, [3, 4, 5]),
        (dt.date(2024, 12, 2), "window", 3, [5, 6, 7]),
    ],
)
def test_day_mask(events, day, mode, window, expected):
    assert events.loc[filters.day_mask(events, day, mode, window), "line"].tolist() == expected


def test_bad_mode_and_window_raise(events):
    with pytest.raises(ValueError, match="mode"):
        filters.day_mask(events, dt.date(2024, 12, 1), "since")
    with pytest.raises(ValueError, match="window_days"):
        filters.day_mask(events, dt.date(2024, 12, 1), "window", 0)


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({}, [2, 3, 4, 5, 6, 7]),
        ({"source": None}, [2, 3, 4, 5, 6, 7]),
        ({"source": []}, []),
        ({"source": ["A"]}, [2, 4, 6]),
        ({"source": ["A", "C"], "claim_status": ["reported"]}, [2, 4]),
        ({"source_type": [""]}, [5]),
        ({"event_type": ["statement", "airstrike"]}, [5, 7]),
        ({"actor": ["y"], "source": ["B"]}, [3, 7]),
    ],
)
def test_facet_mask(events, chosen, expected):
    assert events.loc[filters.facet_mask(events, chosen), "line"].tolist() == expected


def test_unknown_facet_raises(events):
    with pytest.raises(KeyError, match="colour"):
        filters.facet_mask(events, {"colour": ["red"]})


def test_events_on_combines_day_and_facets(events):
    shown = filters.events_on(events, dt.date(2024, 11, 30), "until", chosen={"source": ["A"]})
    assert shown["line"].tolist() == [2, 4]


def test_days_of_spans_first_to_last_day(events):
    days = filters.days_of(events)
    assert days[0] == dt.date(2024, 11, 27) and days[-1] == dt.date(2024, 12, 2) and len(days) == 6
    assert filters.days_of(events.iloc[0:0]) == []


def test_facet_counts_most_first(events):
    counts = filters.facet_counts(events, "source")
    assert counts.index.tolist() == ["A", "B", "C"]
    assert counts.tolist() == [3, 2, 1]


def test_filters_do_not_change_the_callers_frame(events):
    before = events.copy()
    filters.events_on(events, dt.date(2024, 11, 30), "window", 2, {"source": ["A"]})
    pd.testing.assert_frame_equal(events, before)


def test_an_event_spanning_days_shows_on_each_of_them():
    events = filters.sort_by_date(
        pd.DataFrame(
            {
                "line": [2, 3],
                "date": pd.to_datetime(["2024-12-01", "2024-12-04"]),
                "date_end": pd.to_datetime(["2024-12-03", "2024-12-04"]),
            }
        )
    )
    on = {d: filters.day_mask(events, dt.date(2024, 12, d), "window", 1).tolist() for d in (1, 2, 3, 4)}
    assert on == {1: [True, False], 2: [True, False], 3: [True, False], 4: [False, True]}
    assert filters.days_of(events)[-1] == dt.date(2024, 12, 4)


def test_several_sources_in_one_cell_are_each_filterable_and_counted():
    events = pd.DataFrame({"source": ["Reuters; SOHR", "SOHR", "AFP;Reuters", "SOHR; SOHR"]})
    counts = filters.facet_counts(events, "source")
    assert counts.to_dict() == {"SOHR": 3, "Reuters": 2, "AFP": 1}
    assert filters.facet_mask(events, {"source": ["Reuters"]}).tolist() == [True, False, True, False]
    assert filters.facet_mask(events, {"source": ["AFP", "SOHR"]}).tolist() == [True, True, True, True]
    assert filters.facet_mask(events, {"source": []}).tolist() == [False] * 4
