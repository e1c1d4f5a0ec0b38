"""Export: CSV safe in spreadsheets, GeoJSON, a standalone offline map; export then import gives the same events."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dashboard import export, render
from dashboard.pipeline import open_events
from tests.conftest import HEADER, REPO


@pytest.fixture(scope="module")
def bundled(geodata):
    return open_events(REPO / "events.csv", geodata).events


@pytest.mark.parametrize(
    "cell, written",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-3.5", "-3.5"),
        ("+4", "+4"),
        ("plain", "plain"),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_left_alone(cell, written):
    assert export.guard(pd.DataFrame({"c": [cell]}))["c"].iloc[0] == written


def test_csv_round_trip_gives_the_same_events(write_csv, geodata, tmp_path):
    rows = [
        'a1,2024-12-01,Hama,,,clash,=cmd(),"+x, y",,Reuters; SOHR,monitor,reported,2024-12-02,"@note\nline 2",'
        "https://example.org/a,test,3",
        "a2,2024-12-02,Hill 7,35.5,-0.25,capture,-1+2,,opposition,AFP,independent media,claimed,,-d,,test,",
    ]
    first = open_events(write_csv(*rows, header=HEADER + ",fatalities"), geodata)
    assert first.rejected.empty and first.accepted == 2
    exported = export.to_csv(first.events)
    assert b"'=cmd()" in exported and b"'@note" in exported and b"-0.25" in exported
    path = tmp_path / "again.csv"
    path.write_bytes(exported)
    again = open_events(path, geodata)
    assert again.rejected.empty
    pd.testing.assert_frame_equal(export.as_text(again.events), export.as_text(first.events))


def test_the_bundled_events_survive_a_csv_round_trip(bundled, geodata, tmp_path):
    path = tmp_path / "view.csv"
    path.write_bytes(export.to_csv(bundled))
    again = open_events(path, geodata).events
    pd.testing.assert_frame_equal(export.as_text(again), export.as_text(bundled))


def test_geojson_export_is_points_with_the_native_columns(bundled):
    collection = json.loads(export.to_geojson(bundled))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == len(bundled)
    first = collection["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["properties"]["event_id"] == bundled["event_id"].iloc[0]
    assert first["geometry"]["coordinates"] == [bundled["lon"].iloc[0], bundled["lat"].iloc[0]]


def test_geojson_round_trip_gives_the_same_events(bundled, geodata, tmp_path):
    path = tmp_path / "view.geojson"
    path.write_bytes(export.to_geojson(bundled))
    again = open_events(path, geodata)
    assert again.format == "geojson" and again.rejected.empty
    pd.testing.assert_frame_equal(export.as_text(again.events), export.as_text(bundled))


def test_standalone_map_loads_nothing_from_outside(bundled, geodata):
    render.install_assets()
    html = export.standalone_html(render.base_map(geodata, offline=True), [render.events_layer(bundled)]).decode()
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "L.map(" in html and bundled["event_id"].iloc[-1] in html
    assert "/app/static/" not in html
