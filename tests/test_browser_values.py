"""What the browser sends back is checked at the edge, like a file's rows: the map's report, the table's selection.

Found in a red-team pass: a page script that posted a map report with zoom 4e9 froze every session for 18 s
(``2 ** zoom`` in the grid), and 150 reports with different zooms filled the shared per-zoom cache to 2 GB.
"""

from __future__ import annotations

import datetime as dt
import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import view
from dashboard.model import MAX_ZOOM, MIN_ZOOM
from tests.conftest import REPO

HOSTILE_ZOOMS = [4e9, 1e9, -4e9, 10**400, float("nan"), float("inf"), 7.5, "7", True, None, [7], {"z": 7}]


@pytest.mark.parametrize("zoom", HOSTILE_ZOOMS, ids=repr)
def test_a_map_report_s_zoom_is_a_whole_number_within_the_map_s_limits(zoom):
    report = view.map_report({"zoom": zoom, "center": {"lat": 35, "lng": 38}}, default_zoom=7)
    assert isinstance(report.zoom, int) and MIN_ZOOM <= report.zoom <= MAX_ZOOM


@pytest.mark.parametrize(
    "bounds",
    [
        {"_southWest": {"lat": -1e308, "lng": float("nan")}, "_northEast": {"lat": 1e308, "lng": 1e308}},
        {"_southWest": {"lat": 50, "lng": 0}, "_northEast": {"lat": 10, "lng": 10}},  # south above north
        {"_southWest": "x", "_northEast": None},
        "round the globe",
    ],
)
def test_bounds_that_are_not_a_box_on_the_globe_are_dropped(bounds):
    report = view.map_report({"zoom": 7, "bounds": bounds}, default_zoom=7)
    if report.bounds is not None:
        south, west, north, east = report.bounds
        assert all(math.isfinite(v) for v in report.bounds)
        assert -90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180


def test_a_report_that_is_not_an_object_gives_the_default_view():
    assert view.map_report("zoom=4e9", default_zoom=7) == view.MapReport(None, 7, None)
    assert view.map_report(None, default_zoom=7) == view.MapReport(None, 7, None)


@pytest.mark.parametrize("name", ["day", "mode", "window", "stories", "zoom", "lat", "f_source"])
def test_a_long_value_in_a_link_is_cut_in_its_notice(name):
    """Found in a red-team pass: a 60,000-character day was echoed whole; a 60,000-digit window raised."""
    _, notices = view.from_params({name: ["9" * 60_000]}, [dt.date(2024, 12, 1)], {"source": ["Reuters"]}, 3)
    assert len(notices) == 1 and len(notices[0]) < 400


@pytest.fixture
def crowded(monkeypatch):
    """The bundled file with a draw limit of 5, so that the map's zoom picks grid cells, as at scale."""
    monkeypatch.setattr("sys.argv", ["dashboard/app.py"])
    monkeypatch.setenv("DASHBOARD_EVENTS", str(REPO / "events.csv"))
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    monkeypatch.setenv("DASHBOARD_DRAW_LIMIT", "5")
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
    at.run()  # the second run draws below the map too
    assert not at.exception, at.exception
    return at


def test_a_crafted_zoom_costs_one_ordinary_step_and_no_cache_entry(crowded):
    """Failed before: zoom 4e9 took 18 s of the server's only event loop and grew memory with the value."""
    from dashboard.page import caches

    crowded.session_state["map"] = {
        "zoom": 4_000_000_000,
        "center": {"lat": 0, "lng": 0},
        "bounds": {"_southWest": {"lat": -90, "lng": -180}, "_northEast": {"lat": 90, "lng": 180}},
    }
    began = time.perf_counter()
    crowded.run()
    assert time.perf_counter() - began < 5
    assert not crowded.exception
    assert "counted cells" in " ".join(c.value for c in crowded.caption)
    indexed = caches.indexed_of(crowded.session_state["dataset_key"], None)
    assert set(indexed.cells) <= set(range(MIN_ZOOM, MAX_ZOOM + 1))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
REPORTS = st.fixed_dictionaries(
    {},
    optional={
        "zoom": JSON | st.integers(min_value=-(10**12), max_value=10**12) | st.floats(),
        "center": st.fixed_dictionaries({"lat": JSON | st.floats(), "lng": JSON | st.floats()}) | JSON,
        "bounds": st.fixed_dictionaries(
            {
                "_southWest": st.fixed_dictionaries({"lat": st.floats(), "lng": st.floats()}) | JSON,
                "_northEast": st.fixed_dictionaries({"lat": st.floats(), "lng": st.floats()}) | JSON,
            }
        )
        | JSON,
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report=REPORTS | JSON)
def test_any_map_report_from_the_browser_gives_an_ordinary_step(crowded, report):
    from dashboard.page import caches

    crowded.session_state["map"] = report
    began = time.perf_counter()
    crowded.run()
    assert time.perf_counter() - began < 5, report
    assert not crowded.exception, (report, crowded.exception)
    indexed = caches.indexed_of(crowded.session_state["dataset_key"], None)
    assert set(indexed.cells) <= set(range(MIN_ZOOM, MAX_ZOOM + 1))
