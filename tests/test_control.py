"""Control: baseline plus control claims, by day; zones clipped to the outline."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import control

# Each city of the offensive and the day it passed out of government control (public reporting; see README).
FALLS = {
    "Aleppo": "2024-11-30",
    "Maarat al-Numan": "2024-11-30",
    "Khan Shaykhun": "2024-12-01",
    "Hama": "2024-12-05",
    "Rastan": "2024-12-06",
    "Talbiseh": "2024-12-06",
    "Daraa": "2024-12-06",
    "Sweida": "2024-12-07",
    "Homs": "2024-12-08",
    "Damascus": "2024-12-08",
}


@pytest.fixture(scope="module")
def changes(loaded):
    """The bundled dataset's control changes."""
    return control.control_changes(loaded)


@pytest.mark.parametrize("city", sorted(FALLS))
def test_each_city_leaves_government_control_on_the_day_it_fell(geodata, changes, city):
    fell = dt.date.fromisoformat(FALLS[city])
    before = control.control_at(fell - dt.timedelta(days=1), geodata.places, changes).set_index("place")
    after = control.control_at(fell, geodata.places, changes).set_index("place")
    assert before.loc[city, "controller"] == "government"
    assert after.loc[city, "controller"] != "government"
    assert after.loc[city, "since"] == pd.Timestamp(fell)


def test_baseline_holds_before_any_claim(geodata, changes):
    held = control.control_at(dt.date(2024, 11, 26), geodata.places, changes)
    assert held["controller"].eq(held["baseline"]).all()
    assert not held["changed"].any()


def _events(*rows):
    frame = pd.DataFrame(
        rows, columns=["line", "date", "place", "gazetteer_place", "controller", "claim_status", "event_id", "source"]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["lat"], frame["lon"] = 35.0, 37.0
    return frame


@pytest.fixture
def places():
    return gpd.GeoDataFrame(
        {"place": ["A", "B"], "kind": ["city", "town"], "governorate": ["g", "g"], "baseline": ["government", "SDF"]},
        geometry=gpd.points_from_xy([36.0, 38.0], [35.0, 36.0]),
        crs="EPSG:4326",
    )


def test_latest_claim_wins_and_the_strongest_names_the_source(places):
    changes = control.control_changes(
        _events(
            (2, "2024-12-01", "A", "A", "opposition", "claimed", "e1", "X"),
            (3, "2024-12-03", "A", "A", "SNA", "reported", "e2", "Y"),
            (4, "2024-12-03", "A", "A", "SNA", "confirmed", "e3", "Z"),
            (5, "2024-12-03", "A", "A", "SNA", "claimed", "e4", "W"),
        )
    )
    at = {d: control.control_at(dt.date(2024, 12, d), places, changes).set_index("place").loc["A"] for d in (1, 2, 3)}
    assert at[1]["controller"] == "opposition" and at[1]["event_id"] == "e1"
    assert at[2]["controller"] == "opposition"
    assert at[3]["controller"] == "SNA" and at[3]["source"] == "Z"


def test_sources_that_disagree_on_a_day_leave_the_place_contested_until_settled(places):
    changes = control.control_changes(
        _events(
            (2, "2024-12-03", "A", "A", "SNA", "confirmed", "e1", "Y"),
            (3, "2024-12-03", "A", "A", "government", "claimed", "e2", "Z"),
            (4, "2024-12-05", "A", "A", "SNA", "reported", "e3", "Y"),
        )
    )
    held = [control.control_at(dt.date(2024, 12, d), places, changes).set_index("place").loc["A"] for d in (2, 3, 4, 5)]
    assert [h["controller"] for h in held] == ["government", "contested", "contested", "SNA"]


@pytest.mark.parametrize("status", ["disputed", "denied"])
def test_disputed_and_denied_claims_never_move_control(places, status):
    changes = control.control_changes(_events((2, "2024-12-01", "A", "A", "opposition", status, "e1", "X")))
    held = control.control_at(dt.date(2024, 12, 5), places, changes).set_index("place")
    assert held.loc["A", "controller"] == "government"


def test_a_place_outside_the_gazetteer_is_kept_at_its_own_point(places):
    changes = control.control_changes(_events((2, "2024-12-01", "Hill 5", "", "opposition", "reported", "e1", "X")))
    held = control.control_at(dt.date(2024, 12, 1), places, changes).set_index("place")
    assert held.loc["Hill 5", "controller"] == "opposition"
    assert held.loc["Hill 5"].geometry.x == 37.0


def test_zones_cover_the_country_once_and_follow_control(geodata, changes):
    cells = control.zone_cells(geodata.places, geodata.outline)
    assert cells.union_all().symmetric_difference(geodata.outline).area < 1e-6 * geodata.outline.area
    before = control.zones_at(control.control_at(dt.date(2024, 11, 26), geodata.places, changes), cells)
    after = control.zones_at(control.control_at(dt.date(2024, 12, 8), geodata.places, changes), cells)
    area = lambda zones, who: zones.loc[zones["controller"].eq(who)].to_crs(3857).area.sum()  # noqa: E731
    assert area(after, "government") < area(before, "government")
    assert area(after, "opposition") > area(before, "opposition")
    aleppo = geodata.places.set_index("place").loc["Aleppo"].geometry
    assert after.loc[after.contains(aleppo), "controller"].tolist() == ["opposition"]


def test_days_with_the_same_number_of_known_changes_have_the_same_control(geodata, changes):
    """The app keys its control cache on ``changes_until``: that must be all that control depends on."""
    days = pd.date_range("2024-11-20", "2024-12-12").date
    by_known: dict[int, pd.DataFrame] = {}
    for day in days:
        held = control.control_at(day, geodata.places, changes).drop(columns="geometry")
        known = control.changes_until(changes, day)
        assert known == int((changes["date"] <= pd.Timestamp(day)).sum())
        if known in by_known:
            pd.testing.assert_frame_equal(held, by_known[known])
        by_known[known] = held
    assert control.changes_until(changes, dt.date(2024, 11, 1)) == 0
    assert control.changes_until(changes, dt.date(2025, 1, 1)) == len(changes)
