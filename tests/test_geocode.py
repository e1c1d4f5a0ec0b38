"""Geocoding: places join the gazetteer ignoring case, accents and spelling; given coordinates win."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.geocode import GeodataError, alias_table, name_key, read_geodata
from dashboard.pipeline import open_events
from tests.conftest import REPO


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


# Corrupt geodata: one GeodataError naming the file and what is wrong, never a crash or a silent load.


@pytest.fixture
def copied(tmp_path):
    """A copy of the repo's geodata/ to break; the real files are never touched."""
    return Path(shutil.copytree(REPO / "geodata", tmp_path / "geodata"))


def rewrite_csv(path: Path, change) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame).to_csv(path, index=False)


def rewrite_countries(folder: Path, change) -> None:
    path = folder / "countries.geojson"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def syria(document: dict) -> dict:
    return next(f for f in document["features"] if f["properties"]["name"] == "Syria")


def test_a_place_listed_twice_in_the_baseline_gets_one_geodata_error(copied):
    rewrite_csv(copied / "control_baseline.csv", lambda f: pd.concat([f, f.loc[f["place"].eq("Hama")]]))
    with pytest.raises(GeodataError, match=r"control_baseline\.csv: a place is listed more than once: Hama"):
        read_geodata(copied)


def test_a_place_listed_twice_in_the_gazetteer_gets_one_geodata_error(copied):
    rewrite_csv(copied / "gazetteer.csv", lambda f: pd.concat([f, f.loc[f["place"].eq("Aleppo")]]))
    with pytest.raises(GeodataError, match=r"gazetteer\.csv: a place is listed more than once: Aleppo"):
        read_geodata(copied)


def test_countries_without_a_name_property_get_one_geodata_error(copied):
    def unname(document: dict) -> None:
        for feature in document["features"]:
            feature["properties"] = {"iso_n3": feature["properties"]["iso_n3"]}

    rewrite_countries(copied, unname)
    with pytest.raises(GeodataError, match=r"countries\.geojson: its features have no 'name' property"):
        read_geodata(copied)


def test_an_empty_countries_collection_gets_one_geodata_error(copied):
    rewrite_countries(copied, lambda document: document.update(features=[]))
    with pytest.raises(GeodataError, match=r"countries\.geojson: has no features"):
        read_geodata(copied)


@pytest.mark.parametrize("name", ["gazetteer.csv", "control_baseline.csv", "countries.geojson"])
def test_a_geodata_file_that_is_a_folder_gets_one_geodata_error(copied, name):
    (copied / name).unlink()
    (copied / name).mkdir()
    with pytest.raises(GeodataError, match=rf"{re.escape(name)}: is a folder, not a file"):
        read_geodata(copied)


@pytest.mark.parametrize(
    "geometry, found",
    [
        ({"type": "Point", "coordinates": [38.0, 35.0]}, "a Point"),
        (None, "no geometry"),
        ({"type": "LineString", "coordinates": [[36.0, 33.0], [42.0, 37.0]]}, "a LineString"),
        ({"type": "Polygon", "coordinates": []}, "an empty geometry"),
    ],
    ids=["point", "null", "line", "empty"],
)
def test_a_syria_outline_that_is_not_a_polygon_is_refused(copied, geometry, found):
    rewrite_countries(copied, lambda document: syria(document).update(geometry=geometry))
    with pytest.raises(
        GeodataError, match=rf"countries\.geojson: Syria has {found}; expected a Polygon or MultiPolygon"
    ):
        read_geodata(copied)


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("lat", "abc", "no numeric lat/lon"),
        ("lon", "", "no numeric lat/lon"),
        ("lat", "95", "lat/lon out of range"),
        ("lon", "-181", "lat/lon out of range"),
        ("lat", "inf", "lat/lon out of range"),
        ("lon", "nan", "no numeric lat/lon"),
    ],
)
def test_gazetteer_coordinates_not_numbers_or_out_of_range_are_refused(copied, column, value, reason):
    def spoil(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["place"].eq("Homs"), column] = value
        return frame

    rewrite_csv(copied / "gazetteer.csv", spoil)
    with pytest.raises(GeodataError, match=rf"gazetteer\.csv: {reason} for Homs"):
        read_geodata(copied)


@pytest.mark.parametrize(
    "name, column",
    [("gazetteer.csv", "lon"), ("gazetteer.csv", "place"), ("control_baseline.csv", "controller")],
)
def test_a_geodata_csv_missing_a_column_gets_one_geodata_error(copied, name, column):
    rewrite_csv(copied / name, lambda frame: frame.drop(columns=column))
    with pytest.raises(GeodataError, match=rf"{re.escape(name)}: missing column\(s\) {column}"):
        read_geodata(copied)


def test_a_gazetteer_row_without_a_place_name_gets_one_geodata_error(copied):
    rewrite_csv(copied / "gazetteer.csv", lambda frame: frame.assign(place=frame["place"].where(frame.index != 5, "")))
    with pytest.raises(GeodataError, match=r"gazetteer\.csv: a row has no place name \(data row 6\)"):
        read_geodata(copied)


def test_a_1_mb_unknown_place_is_reported_as_a_short_preview(write_csv, geodata):
    place = "N" * 1_000_000
    dataset = open_events(write_csv(f"e,2024-12-01,{place},,,clash,,,,R,,,,,,"), geodata)
    assert dataset.rejected["value"].tolist() == ["N" * 200 + "… (1,000,000 characters)"]
