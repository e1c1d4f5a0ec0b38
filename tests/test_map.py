"""The map package: file text reaches the map escaped; the map asks for no CDN."""

from __future__ import annotations

import json

import folium
import pandas as pd
import pytest

from dashboard.map import assets, basemap, escape, features, layers
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
    escaped = escape.escape_text(pd.Series([payload])).iloc[0]
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
    drawn = features.event_features(_hostile(write_csv, geodata))
    props = json.loads(drawn.to_json())["features"][0]["properties"]
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
    props = json.loads(features.event_features(_hostile(write_csv, geodata, url)).to_json())["features"][0][
        "properties"
    ]
    assert props["link"].startswith(link)
    if link:
        assert 'rel="noopener noreferrer nofollow"' in props["link"]


def test_stacked_claims_are_spread_onto_a_ring():
    points = pd.DataFrame(
        {"lat": [35.0, 35.0, 35.0, 36.0], "lon": [37.0] * 4, "date": pd.to_datetime(["2024-12-01"] * 4)}
    )
    moved = features.spread(points)
    assert moved.iloc[:3][["lat", "lon"]].drop_duplicates().shape[0] == 3
    assert (moved.iloc[3]["lat"], moved.iloc[3]["lon"]) == (36.0, 37.0)


def test_base_map_loads_leaflet_from_the_app_and_nothing_from_a_cdn(geodata):
    fmap = basemap.base_map(basemap.basemap_data(geodata), offline=True)
    html = fmap.get_root().render()
    assert "/app/static/vendor/leaflet.js" in html and "jquery" not in html.lower()
    for host in CDN:
        assert host not in html
    assert "tile.openstreetmap.org" not in html


def test_online_map_adds_only_the_tile_server(geodata):
    html = basemap.base_map(basemap.basemap_data(geodata), offline=False).get_root().render()
    assert "tile.openstreetmap.org" in html
    assert not any(host in html for host in CDN)


def test_install_assets_copies_leaflet():
    vendor = assets.install_assets()
    for name in ("leaflet.js", "leaflet.css", "images/marker-icon.png"):
        assert (vendor / name).stat().st_size > 0


def test_each_update_lets_the_previous_layers_go():
    """streamlit-folium keeps every past group in window.feature_group unless the update empties it first."""
    from streamlit_folium import _get_feature_group_string

    groups = layers.frame_layers([folium.FeatureGroup(), folium.FeatureGroup()])
    fmap = folium.Map(tiles=None)
    first = _get_feature_group_string(groups[0], fmap, 0)
    second = _get_feature_group_string(groups[1], fmap, 1)
    assert first.index("window.feature_group = [];") < first.index("window.feature_group.push(")
    assert "window.feature_group = [];" not in second


def test_the_file_s_own_columns_show_escaped_in_the_details(write_csv, geodata):
    from tests.conftest import HEADER

    header = HEADER + ",fatalities,<b>notes</b>"
    path = write_csv(
        "x1,2024-12-01,Hama,,,clash,a,b,,Reuters,monitor,reported,,d,,v,3,<script>x</script>", header=header
    )
    props = json.loads(features.event_features(open_events(path, geodata).events).to_json())["features"][0]
    details = props["properties"]["details"]
    assert "<b>fatalities</b>: 3" in details
    assert "&lt;b&gt;notes&lt;/b&gt;</b>: &lt;script&gt;x&lt;/script&gt;" in details
    assert "<script" not in details
    assert "Precision" not in details  # empty rows are left out


def test_regional_events_are_drawn_larger_and_fainter_and_spans_say_so(write_csv, geodata):
    from tests.conftest import HEADER

    header = HEADER + ",date_end,location_precision"
    path = write_csv(
        "x1,2024-12-01,Hama,,,clash,,,,Reuters,monitor,reported,,d,,v,2024-12-03,3",
        "x2,2024-12-01,Homs,,,clash,,,,Reuters,monitor,reported,,d,,v,,1",
        header=header,
    )
    drawn = features.event_features(open_events(path, geodata).events).set_index("event_id")
    assert drawn.loc["x1", "radius"] > drawn.loc["x2", "radius"]
    assert drawn.loc["x1", "opacity"] < drawn.loc["x2", "opacity"]
    assert drawn.loc["x1", "date_text"] == "1 Dec 2024 to 3 Dec 2024"
    assert drawn.loc["x1", "precision_text"] == "location to the region (precision 3)"
    assert drawn.loc["x2", "precision_text"] == ""


def test_a_name_that_hides_a_control_shows_it_in_the_popup(write_csv, geodata):
    """A right-to-left override made "evil.exe" read "exe.live": the popup shows the name as given, visibly."""
    path = write_csv("x1,2024-12-01,Hama,,,clash,,,,\u202eexe.live,monitor,reported,,d,,v")
    events = open_events(path, geodata).events
    assert events["source"].iloc[0] == "exe.live"  # compared and filtered without the control
    details = features.event_features(events)["details"].iloc[0]
    assert "⟨U+202E⟩exe.live" in details and "\u202e" not in details


def test_a_store_claim_s_revision_line_is_escaped_text_and_a_file_s_claims_have_none():
    from dashboard.map.features import revision_text

    frame = pd.DataFrame(
        {"revision_number": [3, None], "changed_at": ["2024-12-05T10:00:00+00:00", ""], "changed_by": ["<b>x</b>", ""]}
    )
    assert revision_text(frame).tolist() == [
        "revision 3, 2024-12-05T10:00:00+00:00 by &lt;b&gt;x&lt;/b&gt;; select it in the events table to see its "
        "history (Editing the store, A claim&#x27;s history)",
        "",
    ]
    assert revision_text(pd.DataFrame({"event_id": ["a"]})).tolist() == [""]
