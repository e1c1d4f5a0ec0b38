"""Geocoding: places join the gazetteer ignoring case, accents and spelling; given coordinates win."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.geocode import GeodataError, alias_table, name_key, read_geodata
from dashboard.pipeline import open_events


@pytest.mark.parametrize(
    "a, b",
    [
        ("Ma’arrat al-Nu‘man", "maarrat al numan"),
        ("KHAN  SHAYKHUN", "khan shaykhun"),
        ("Hmeimím", "hmeimim"),
        ("السُّوَيْدَاء", "السويداء"),
        ("Al-Bab", "al bab"),
    ],
)
def test_name_key_ignores_case_accents_marks_and_punctuation(a, b):
    assert name_key(pd.Series([a])).iloc[0] == name_key(pd.Series([b])).iloc[0]


@pytest.mark.parametrize(
    "spelling, place",
    [
        ("Sweida", "Sweida"),
        ("As-Suwayda", "Sweida"),
        ("suwayda", "Sweida"),
        ("السويداء", "Sweida"),
        ("Khan Sheikhoun", "Khan Shaykhun"),
        ("Khmeimim", "Khmeimim Air Base"),
        ("Hmeimim", "Khmeimim Air Base"),
        ("ALEPPO", "Aleppo"),
        ("حلب", "Aleppo"),
        ("Homs", "Homs"),
    ],
)
def test_spellings_and_arabic_names_resolve(write_csv, geodata, spelling, place):
    dataset = open_events(write_csv(f"e,2024-12-01,{spelling},,,clash,,,,R,,,,,,"), geodata)
    assert dataset.events.loc[0, "gazetteer_place"] == place
    assert dataset.events.loc[0, "located"] == "gazetteer"
    gazetteer = geodata.places.set_index("place")
    assert dataset.events.loc[0, "lat"] == pytest.approx(gazetteer.loc[place].geometry.y)


def test_coordinates_given_in_the_event_win(write_csv, geodata):
    dataset = open_events(write_csv("e,2024-12-01,Aleppo,36.5,37.5,clash,,,,R,,,,,,"), geodata)
    row = dataset.events.iloc[0]
    assert (row["lat"], row["lon"], row["located"], row["gazetteer_place"]) == (36.5, 37.5, "event", "Aleppo")
    assert (row.geometry.x, row.geometry.y) == (37.5, 36.5)


def test_gazetteer_covers_the_offensive(geodata):
    names = set(geodata.places["place"])
    assert len(names) >= 60
    for place in ["Aleppo", "Hama", "Homs", "Sweida", "Khan Shaykhun", "Khmeimim Air Base", "Damascus", "Daraa"]:
        assert place in names


def test_gazetteer_places_lie_in_syria_and_have_distinct_points(geodata):
    assert geodata.places.within(geodata.outline.buffer(0.05)).all()
    points = geodata.places.geometry.apply(lambda p: (round(p.x, 4), round(p.y, 4)))
    assert not points.duplicated().any()


def test_gazetteer_rows_are_complete(geodata):
    places = geodata.places
    assert places["kind"].ne("").all() and places["governorate"].ne("").all()
    assert places["name_ar"].ne("").all()


def test_an_alias_shared_by_two_places_is_refused():
    places = pd.DataFrame(
        {"place": ["A", "B"], "name_ar": ["", ""], "aliases": ["Same", "same"], "lat": ["1", "2"], "lon": ["1", "2"]}
    )
    with pytest.raises(GeodataError, match="a name stands for two places"):
        alias_table(places)


def test_missing_geodata_file_gets_a_clear_message(tmp_path):
    with pytest.raises(GeodataError, match="gazetteer.csv: missing"):
        read_geodata(tmp_path)
