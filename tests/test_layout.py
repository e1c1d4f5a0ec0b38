"""Reading the map right: the timeline's axis, the filter summary, the legend's rows, and (AppTest) Play from
the first day, the keyboard's pick of events and the selection ring on the marker drawn."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard import filters
from dashboard.map import basemap, features, layers, palette
from dashboard.model import EVENT_TYPES
from dashboard.page import day, timeline
from dashboard.step import Drawn
from tests.support import shown
from tests.test_app import map_payload

# ---------------------------------------------------------------- the timeline's axis


def test_the_timeline_axis_is_every_day_of_the_range_with_a_label_each_when_short():
    days, labelled = timeline.axis_days(dt.date(2024, 11, 27), dt.date(2024, 12, 8))
    assert days[0] == "2024-11-27" and days[-1] == "2024-12-08" and len(days) == 12
    assert labelled == days


def test_a_long_timeline_has_one_label_a_week():
    days, labelled = timeline.axis_days(dt.date(2024, 10, 1), dt.date(2024, 12, 1))
    assert len(days) == 62 and labelled == days[::7]
    assert len(set(labelled)) == len(labelled)


def test_the_timeline_keeps_the_whole_range_whatever_the_filters():
    # One source, one day of claims: the axis is still every day of the file, one bar (band) per day.
    counts = pd.DataFrame({"day": ["2024-12-05"], "source": ["Reuters"], "events": [3]})
    days, labelled = timeline.axis_days(dt.date(2024, 11, 27), dt.date(2024, 12, 8))
    spec = timeline.spec(counts, days, labelled, band=["2024-12-05"])
    bars = spec["layer"][-1]["encoding"]["x"]
    assert bars["type"] == "ordinal" and bars["scale"]["domain"] == days
    assert bars["axis"]["values"] == labelled
    assert spec["layer"][0]["data"]["values"] == [{"day": "2024-12-05"}]


def test_per_day_counts_by_the_date_reported_and_says_how_many_have_none():
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-12-01", "2024-12-01", "2024-12-02"]),
            "reported_on": pd.to_datetime(["2024-12-03", None, "2024-12-03"]),
            "source": ["A", "A", "B"],
        }
    )
    counts, undated = timeline.per_day(events, "reported_on")
    assert undated == 1
    assert counts.to_dict("records") == [
        {"day": "2024-12-03", "source": "A", "events": 1},
        {"day": "2024-12-03", "source": "B", "events": 1},
    ]
    assert timeline.per_day(events, "date")[1] == 0


def test_per_day_counts_each_outlet_of_a_claim_once_as_the_source_filter_does():
    events = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-12-01", "2024-12-01", "2024-12-02", "2024-12-02"]),
            "source": ["A; B", "A; A", "B", "C"],
        }
    )
    counts, _ = timeline.per_day(events, "date")
    assert counts.to_dict("records") == [
        {"day": "2024-12-01", "source": "A", "events": 2},
        {"day": "2024-12-01", "source": "B", "events": 1},
        {"day": "2024-12-02", "source": "B", "events": 1},
        {"day": "2024-12-02", "source": "C", "events": 1},
    ]
    outlets = filters.facet_of(events, "source")
    assert counts.groupby("source")["events"].sum().to_dict() == outlets.counts(None).to_dict()
    under = np.array([True, False, False, True])  # the filters keep the first and the last claim
    assert timeline.per_day(events, "date", under, outlets)[0].to_dict("records") == [
        {"day": "2024-12-01", "source": "A", "events": 1},
        {"day": "2024-12-01", "source": "B", "events": 1},
        {"day": "2024-12-02", "source": "C", "events": 1},
    ]


# ---------------------------------------------------------------- the filter summary


def test_the_filter_summary_names_only_what_is_left_out():
    options = {"source": ["A", "B", "C", "D", "E"], "event_type": ["clash", "capture"]}
    assert day.filters_summary({"source": options["source"], "event_type": options["event_type"]}, options) == (
        "Filters: none, every claim"
    )
    # An empty filter shows everything, so it leaves nothing out.
    text = day.filters_summary({"source": ["A", "B", "C", "D"], "event_type": []}, options)
    assert text == "Filters: source: A, B, C and 1 more (4 of 5)"


# ---------------------------------------------------------------- the legend


def test_the_legend_has_a_row_for_every_event_type_and_controller_and_buttons_to_hide_them():
    html = basemap.legend_html()
    for name, (colour, _) in EVENT_TYPES.items():
        assert f'data-key="type:{colour}"' in html and f"{name}</button>" in html
    for name in palette.CONTROLLER_COLOURS:
        assert f"{name}</div>" in html
    assert 'data-key="zones"' in html and 'data-key="places"' in html
    assert 'class="legend-toggle" aria-expanded="true"' in html


def test_the_map_collapses_its_legend_on_narrow_maps_and_fits_popups():
    script = basemap.base_map(basemap.BasemapData("{}", "{}"), offline=True).get_root().render()
    assert "collapse(map.getSize().x < 600)" in script
    assert "size.x - 100" in script and 'position: "topright"' in script


# ---------------------------------------------------------------- the ring on the marker drawn


def test_the_ring_sits_on_the_spread_marker_not_the_true_place():
    events = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "lat": [36.2, 36.2, 36.2],
            "lon": [37.1, 37.1, 37.1],
            "date": pd.to_datetime(["2024-12-01"] * 3),
        }
    )
    spread = features.spread(events[["lat", "lon", "date"]])
    where = layers.drawn_at(Drawn("events", events, ""), events.iloc[[1]])
    assert (where["lat"].iloc[0], where["lon"].iloc[0]) == (spread["lat"].iloc[1], spread["lon"].iloc[1])
    assert (where["lat"].iloc[0], where["lon"].iloc[0]) != (36.2, 37.1)


# ---------------------------------------------------------------- AppTest: the page


def test_play_pressed_on_the_last_day_starts_from_the_first(app, bundled):
    at = app()
    assert at.slider(key="day").value == bundled["day"].max()
    at.toggle(key="playing").set_value(True).run()
    assert at.toggle(key="playing").value is True
    assert at.slider(key="day").value == bundled["day"].min()
    assert shown(at) == int((bundled["day"] <= bundled["day"].min()).sum())


def test_play_elsewhere_goes_on_from_the_day(app, bundled):
    at = app()
    middle = bundled["day"].min() + dt.timedelta(days=3)
    at.slider(key="day").set_value(middle).run()
    at.toggle(key="playing").set_value(True).run()
    assert at.slider(key="day").value in (middle, middle + dt.timedelta(days=1))  # its first step may be taken


def test_next_event_picks_the_shown_events_in_turn_and_rings_each(app, bundled):
    at = app()
    next(b for b in at.button if b.label == "Next event ▶").click().run()
    first = at.session_state["selected_ids"]
    assert len(first) == 1
    assert any(c.value.startswith("Event 1 of") for c in at.caption)
    next(b for b in at.button if b.label == "Next event ▶").click().run()
    second = at.session_state["selected_ids"]
    assert second != first
    assert any(c.value.startswith("Event 2 of") for c in at.caption)
    assert '"radius": 16' in map_payload(at)["feature_group"]
    next(b for b in at.button if b.label == "◀ Previous event").click().run()
    assert at.session_state["selected_ids"] == first
