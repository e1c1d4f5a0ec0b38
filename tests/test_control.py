"""Control: baseline plus control claims, by day; zones clipped to the outline."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import control, history
from dashboard.pipeline import open_events
from tests.conftest import REPO

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
def bundled(geodata):
    dataset = open_events(REPO / "events.csv", geodata)
    return control.control_changes(dataset.events)


@pytest.mark.parametrize("city", sorted(FALLS))
def test_each_city_leaves_government_control_on_the_day_it_fell(geodata, bundled, city):
    fell = dt.date.fromisoformat(FALLS[city])
    before = control.control_at(fell - dt.timedelta(days=1), geodata.places, bundled).set_index("place")
    after = control.control_at(fell, geodata.places, bundled).set_index("place")
    assert before.loc[city, "controller"] == "government"
    assert after.loc[city, "controller"] != "government"
    assert after.loc[city, "since"] == pd.Timestamp(fell)


def test_baseline_holds_before_any_claim(geodata, bundled):
    held = control.control_at(dt.date(2024, 11, 26), geodata.places, bundled)
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


def test_zones_cover_the_country_once_and_follow_control(geodata, bundled):
    cells = control.zone_cells(geodata.places, geodata.outline)
    assert cells.union_all().symmetric_difference(geodata.outline).area < 1e-6 * geodata.outline.area
    before = control.zones_at(control.control_at(dt.date(2024, 11, 26), geodata.places, bundled), cells)
    after = control.zones_at(control.control_at(dt.date(2024, 12, 8), geodata.places, bundled), cells)
    area = lambda zones, who: zones.loc[zones["controller"].eq(who)].to_crs(3857).area.sum()  # noqa: E731
    assert area(after, "government") < area(before, "government")
    assert area(after, "opposition") > area(before, "opposition")
    aleppo = geodata.places.set_index("place").loc["Aleppo"].geometry
    assert after.loc[after.contains(aleppo), "controller"].tolist() == ["opposition"]


def test_days_with_the_same_number_of_known_changes_have_the_same_control(geodata, bundled):
    """The app keys its control cache on ``changes_until``: that must be all that control depends on."""
    days = pd.date_range("2024-11-20", "2024-12-12").date
    by_known: dict[int, pd.DataFrame] = {}
    for day in days:
        held = control.control_at(day, geodata.places, bundled).drop(columns="geometry")
        known = control.changes_until(bundled, day)
        assert known == int((bundled["date"] <= pd.Timestamp(day)).sum())
        if known in by_known:
            pd.testing.assert_frame_equal(held, by_known[known])
        by_known[known] = held
    assert control.changes_until(bundled, dt.date(2024, 11, 1)) == 0
    assert control.changes_until(bundled, dt.date(2025, 1, 1)) == len(bundled)


# Honest control: every place has a basis, and the map says which.


def test_a_place_with_no_claim_since_the_baseline_is_baseline_only(places):
    changes = control.control_changes(_events((2, "2024-12-01", "A", "A", "opposition", "reported", "e1", "X")))
    held = control.control_at(dt.date(2024, 12, 2), places, changes).set_index("place")
    assert held.loc["A", ["controller", "basis", "sources"]].tolist() == ["opposition", "claimed", "X"]
    assert held.loc["B", ["controller", "basis", "sources"]].tolist() == ["SDF", "baseline", ""]
    assert not held.loc["B", "changed"]


def test_a_source_that_claims_no_control_leaves_every_place_without_a_claim(places):
    says_nothing = _events((2, "2024-12-01", "A", "A", "", "claimed", "e1", "GUR"))
    held = control.control_at(dt.date(2024, 12, 2), places, control.control_changes(says_nothing), claims_only=True)
    assert held["basis"].eq("no claim").all() and held["controller"].eq("").all()
    assert not held["changed"].any()


def test_two_sources_claiming_the_same_capture_a_day_apart_are_one_change_with_both_sources(places):
    changes = control.control_changes(
        _events(
            (2, "2024-12-01", "A", "A", "opposition", "claimed", "e1", "X"),
            (3, "2024-12-02", "A", "A", "opposition", "reported", "e2", "Y"),
        )
    )
    held = control.control_at(dt.date(2024, 12, 2), places, changes).set_index("place")
    assert held.loc["A", "sources"] == "X; Y" and held.loc["A", "first_claimed"] == pd.Timestamp("2024-12-01")
    moved = history.place_changes(changes, "A", "government")
    assert moved.to_dict(orient="records") == [
        {"date": pd.Timestamp("2024-12-01"), "from": "government", "to": "opposition", "sources": "X; Y"}
    ]


@pytest.mark.parametrize("status", ["disputed", "denied"])
def test_a_denial_never_moves_control_and_leaves_the_place_baseline_only(places, status):
    changes = control.control_changes(_events((2, "2024-12-01", "A", "A", "opposition", status, "e1", "X")))
    held = control.control_at(dt.date(2024, 12, 5), places, changes).set_index("place")
    assert held.loc["A", ["controller", "basis"]].tolist() == ["government", "baseline"]
    assert history.place_changes(changes, "A", "government").empty


@pytest.fixture
def governorates():
    return gpd.GeoDataFrame(
        {
            "place": ["Latakia", "Jableh", "Qardaha", "Tartus"],
            "aliases": ["Lattakia|Al-Ladhiqiyah", "Jablah", "", "Tartous"],
            "kind": ["city", "city", "town", "city"],
            "governorate": ["Latakia", "Latakia", "Latakia", "Tartus"],
            "baseline": ["government", "government", "SDF", "government"],
        },
        geometry=gpd.points_from_xy([35.78, 35.93, 36.06, 35.89], [35.52, 35.36, 35.45, 34.89]),
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("name", ["Latakia Governorate", "Al-Ladhiqiyah province", "Lattakia governorate"])
def test_a_governorate_claim_moves_only_the_places_its_target_held(governorates, name):
    claim = _events((2, "2024-12-08", name, "", "opposition", "reported", "e1", "X")).assign(target="government")
    changes = control.control_changes(claim, governorates)
    held = control.control_at(dt.date(2024, 12, 8), governorates, changes).set_index("place")
    assert held["controller"].to_dict() == {
        "Latakia": "opposition",
        "Jableh": "opposition",
        "Qardaha": "SDF",  # the target did not hold it
        "Tartus": "government",  # another governorate
    }
    assert held.loc["Jableh", "area"] == "Latakia" and held.loc["Qardaha", "basis"] == "baseline"


def test_a_governorate_claim_without_a_target_moves_every_place_and_a_city_claim_only_the_city(governorates):
    claims = _events(
        (2, "2024-12-08", "Latakia Governorate", "", "opposition", "reported", "e1", "X"),
        (3, "2024-12-08", "Tartus", "Tartus", "opposition", "reported", "e2", "X"),
    ).assign(target="")
    held = control.control_at(
        dt.date(2024, 12, 8), governorates, control.control_changes(claims, governorates)
    ).set_index("place")
    assert held["controller"].eq("opposition").all()
    region = _events((2, "2024-12-08", "Latakia", "Latakia", "opposition", "reported", "e1", "X"))
    city_only = control.control_changes(region.assign(target=""), governorates)
    assert city_only["place"].tolist() == ["Latakia"]
    by_region = control.control_changes(region.assign(target="", location_precision="3"), governorates)
    assert sorted(by_region["place"]) == ["Jableh", "Latakia", "Qardaha"]


def test_on_9_december_the_suburbs_and_the_coast_say_whether_anyone_claimed_them(geodata):
    events = open_events(REPO / "events.csv", geodata).events
    held = control.control_at(dt.date(2024, 12, 9), geodata.places, control.control_changes(events, geodata.places))
    held = held.set_index("place")
    quiet = ["Douma", "Jaramana", "Qatana", "Al-Kiswah", "Tartus", "Baniyas", "Jableh", "Qardaha"]
    assert held.loc[quiet, "basis"].isin(["claimed", "baseline"]).all()
    baseline_only = held.loc[quiet].query("basis == 'baseline'")
    assert baseline_only["sources"].eq("").all() and baseline_only["since"].isna().all()
    assert held.loc["Damascus", "basis"] == "claimed" and "Reuters" in held.loc["Damascus", "sources"]


def test_zones_of_baseline_only_places_are_kept_apart_from_claimed_ones(geodata, bundled):
    cells = control.zone_cells(geodata.places, geodata.outline)
    zones = control.zones_at(control.control_at(dt.date(2024, 12, 9), geodata.places, bundled), cells)
    government = zones.loc[zones["controller"].eq("government")]
    assert set(government["basis"]) == {"baseline"}
    assert {"claimed", "baseline"} <= set(zones.loc[zones["controller"].eq("opposition"), "basis"])
