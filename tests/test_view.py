"""The view in the URL: what a link asks for, what is left out, and the way back."""

from __future__ import annotations

import datetime as dt

from dashboard import view

DAYS = [dt.date(2024, 11, 27) + dt.timedelta(days=i) for i in range(13)]
OPTIONS = {"source": ["Reuters", "AP", "SOHR"], "claim_status": ["reported", "denied"]}


def test_defaults_make_an_empty_link_and_an_empty_link_the_defaults():
    start, notices = view.from_params({}, DAYS, OPTIONS, 3)
    assert notices == [] and start.day == DAYS[-1] and start.mode == "until" and start.filters == {}
    assert view.to_params(start, DAYS, OPTIONS, 3) == {}


def test_a_view_survives_the_round_trip():
    wanted = view.View(
        day=dt.date(2024, 12, 2),
        mode="window",
        window=5,
        stories=True,
        filters={"source": ["AP"], "affiliation": ["Russian state"]},
        centre=(35.1, 36.75),
        zoom=9,
        search="حماة Ḥamā",
        place="Hama",
        radius=40,
    )
    params = view.to_params(wanted, DAYS, OPTIONS | {"affiliation": ["Russian state", ""]}, 3)
    assert params["lat"] == "35.1000" and params["q"] == "حماة Ḥamā" and params["radius"] == "40"
    back, notices = view.from_params(
        {k: v if isinstance(v, list) else [v] for k, v in params.items()},
        DAYS,
        OPTIONS | {"affiliation": ["Russian state", ""]},
        3,
        places=["Hama", "Hama governorate"],
    )
    assert notices == [] and back == wanted


def test_every_bad_value_is_named_and_falls_back():
    params = {
        "day": ["yesterday"],
        "mode": ["all"],
        "window": ["0"],
        "stories": ["yes"],
        "f_source": ["Nobody"],
        "lat": ["95"],
        "lon": ["36"],
        "zoom": ["40"],
    }
    got, notices = view.from_params(params, DAYS, OPTIONS, 3)
    assert len(notices) == 7
    assert got == view.View(day=DAYS[-1], window=3)


def test_all_values_chosen_is_the_same_as_no_filter():
    chosen = view.View(day=DAYS[-1], filters={"source": ["SOHR", "AP", "Reuters"]})
    assert view.to_params(chosen, DAYS, OPTIONS, 3) == {}


def test_control_as_the_selected_sources_survives_the_link_and_a_bad_value_is_named():
    wanted = view.View(day=DAYS[3], control_selected=True)
    params = view.to_params(wanted, DAYS, OPTIONS, 3)
    assert params["control"] == "selected"
    back, notices = view.from_params({k: [v] for k, v in params.items()}, DAYS, OPTIONS, 3)
    assert notices == [] and back == wanted
    assert "control" not in view.to_params(view.View(day=DAYS[3]), DAYS, OPTIONS, 3)
    got, notices = view.from_params({"control": ["mine"]}, DAYS, OPTIONS, 3)
    assert not got.control_selected and notices and "'mine'" in notices[0]


def test_a_cleared_filter_in_an_old_link_is_no_filter():
    """``f_<facet>=-`` once meant "none"; an empty filter now shows everything, so it is read as no filter."""
    got, notices = view.from_params({"f_claim_status": ["-"]}, DAYS, OPTIONS, 3)
    assert notices == [] and got.filters == {}
    assert view.to_params(view.View(day=DAYS[-1], filters={"source": []}), DAYS, OPTIONS, 3) == {}


def test_a_bad_place_or_radius_is_named_and_left_out():
    got, notices = view.from_params({"place": ["Atlantis"], "radius": ["9000"]}, DAYS, OPTIONS, 3, places=["Hama"])
    assert got.place is None and got.radius == view.RADIUS_KM
    assert len(notices) == 2 and "'Atlantis'" in notices[0] and "'9000'" in notices[1]


def test_a_search_is_kept_to_its_length_and_the_default_radius_is_not_written():
    got, _ = view.from_params({"q": ["x" * 5000], "place": ["Hama"]}, DAYS, OPTIONS, 3, places=["Hama"])
    assert len(got.search) == view.MAX_SEARCH
    assert "radius" not in view.to_params(got, DAYS, OPTIONS, 3)
