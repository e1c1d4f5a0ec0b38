"""Rendering: file text reaches the map escaped; the map asks for no CDN."""

from __future__ import annotations

import json

import folium
import pandas as pd
import pytest

from dashboard import render
from dashboard.pipeline import open_events

PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(2)</script>",
    "${alert(3)}",
    '"><svg onload=alert(4)>',
    "it's & <b>bold</b>",
]
CDN = ("cdn.jsdelivr", "cdnjs.", "unpkg.com", "code.jquery", "bootstrapcdn", "googleapis", "fontawesome")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escape_text_leaves_no_markup(payload):
    escaped = render.escape_text(pd.Series([payload])).iloc[0]
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped and "'" not in escaped
    assert (
        escaped.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        == payload
    )


def _hostile(write_csv, geodata, url=""):
    text = '"<img src=x onerror=alert(1)>"'
    row = f"x1,2024-12-01,{text},35.5,37.0,clash,{text},{text},{text},{text},monitor,reported,,{text},{url},{text}"
    return open_events(write_csv(row), geodata).events


def test_every_text_property_of_an_event_is_escaped(write_csv, geodata):
    features = render.event_features(_hostile(write_csv, geodata))
    props = json.loads(features.to_json())["features"][0]["properties"]
    for name, value in props.items():
        if name != "link":
            assert "<img" not in str(value), name
    assert props["place_text"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert props["tooltip"].count("&lt;img") == 2  # place and source


@pytest.mark.parametrize(
    "url, link",
    [
        ("https://example.org/a?b=1&c=2", '<a href="https://example.org/a?b=1&amp;c=2" target="_blank"'),
        ("", ""),
    ],
)
def test_only_http_urls_become_links(write_csv, geodata, url, link):
    props = json.loads(render.event_features(_hostile(write_csv, geodata, url)).to_json())["features"][0]["properties"]
    assert props["link"].startswith(link)
    if link:
        assert 'rel="noopener noreferrer nofollow"' in props["link"]


def test_stacked_claims_are_spread_onto_a_ring():
    points = pd.DataFrame(
        {"lat": [35.0, 35.0, 35.0, 36.0], "lon": [37.0] * 4, "date": pd.to_datetime(["2024-12-01"] * 4)}
    )
    moved = render.spread(points)
    assert moved.iloc[:3][["lat", "lon"]].drop_duplicates().shape[0] == 3
    assert (moved.iloc[3]["lat"], moved.iloc[3]["lon"]) == (36.0, 37.0)


def test_base_map_loads_leaflet_from_the_app_and_nothing_from_a_cdn(geodata):
    fmap = render.base_map(geodata, offline=True)
    html = fmap.get_root().render()
    assert "/app/static/vendor/leaflet.js" in html and "/app/static/vendor/jquery.min.js" in html
    for host in CDN:
        assert host not in html
    assert "tile.openstreetmap.org" not in html


def test_online_map_adds_only_the_tile_server(geodata):
    html = render.base_map(geodata, offline=False).get_root().render()
    assert "tile.openstreetmap.org" in html
    assert not any(host in html for host in CDN)


def test_install_assets_copies_leaflet_and_jquery():
    vendor = render.install_assets()
    for name in ("leaflet.js", "leaflet.css", "jquery.min.js", "images/marker-icon.png"):
        assert (vendor / name).stat().st_size > 0


def test_each_update_lets_the_previous_layers_go():
    """streamlit-folium keeps every past group in window.feature_group unless the update empties it first."""
    from streamlit_folium import _get_feature_group_string

    groups = render.frame_layers([folium.FeatureGroup(), folium.FeatureGroup()])
    fmap = folium.Map(tiles=None)
    first = _get_feature_group_string(groups[0], fmap, 0)
    second = _get_feature_group_string(groups[1], fmap, 1)
    assert first.index("window.feature_group = [];") < first.index("window.feature_group.push(")
    assert "window.feature_group = [];" not in second
