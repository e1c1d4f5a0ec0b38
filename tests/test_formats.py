"""Import formats: ACLED, UCDP GED and GeoJSON are detected, mapped to native columns and reported
in the file's own terms (its column names, its physical lines or feature numbers)."""

from __future__ import annotations

import io
import json
import sys
import warnings
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from dashboard import formats, geojson
from dashboard.__main__ import main
from dashboard.load import UnusableFile, read_events
from dashboard.model import COLUMNS
from dashboard.pipeline import open_events
from tests.conftest import FIXTURES

ACLED = FIXTURES / "acled_syria.csv"
UCDP = FIXTURES / "ucdp_ged.csv"
GEOJSON = FIXTURES / "events.geojson"
FILES = {"acled": ACLED, "ucdp": UCDP, "geojson": GEOJSON}
# What each fixture holds: rows read, the lines (feature numbers) accepted, rejected line -> (column, value, reason).
EXPECTED = {
    "acled": (8, [2, 3, 5, 6, 7, 8, 10], {9: ("event_date", "31 November 2024", "unparseable date")}),
    "ucdp": (5, [2, 3, 4, 6], {5: ("latitude", "35,8647", "lat is not a number")}),
    "geojson": (
        7,
        [1, 2],
        {
            3: ("geometry", "", "feature 3 has no geometry; expected a Point"),
            4: ("geometry", '{"type": "Polygon"', "feature 4 has a Polygon geometry; expected a Point"),
            5: ("geometry", '{"type": "Point"', "feature 5 has bad Point coordinates"),
            6: ("date", "2024-02-30", "unparseable date"),
            7: ("geometry", "95.0", "lat out of range"),
        },
    ),
}


def raw_of(fmt):
    return read_events(FILES[fmt])


@pytest.fixture(scope="module")
def opened(geodata):
    return {fmt: open_events(path, geodata) for fmt, path in FILES.items()}


def acled_row(**values):
    """One ACLED row, every one of the 31 columns, bytes of a whole file."""
    row = dict.fromkeys(formats.ACLED_COLUMNS, "")
    row |= {
        "event_id_cnty": "T1",
        "event_date": "29 November 2024",
        "location": "Aleppo",
        "latitude": "36.2",
        "longitude": "37.1",
        "source": "Test",
        "actor1": "Side A",
        "actor2": "Side B",
    }
    row |= values
    frame = pd.DataFrame([row], columns=list(row))
    return frame.to_csv(index=False, lineterminator="\n").encode()


# Detection


@pytest.mark.parametrize("fmt", list(FILES))
def test_each_fixture_is_detected(fmt):
    assert raw_of(fmt).format == fmt


@pytest.mark.parametrize("fmt", list(FILES))
def test_validate_json_reports_the_format(fmt):
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = main(["validate", "--json", str(FILES[fmt])])
    report = json.loads(out.getvalue())
    assert code == 1  # each fixture has rejected rows
    assert report["format"] == fmt
    assert report["rows"] == EXPECTED[fmt][0]


@pytest.mark.parametrize(
    "header, fmt",
    [
        (["date", "place", "source"], "native"),
        # A converted file written back out keeps the format's columns but reads as native.
        (["date", "place", "source", "event_id_cnty", "event_date", "sub_event_type", "latitude"], "native"),
        (list(formats.ACLED_COLUMNS), "acled"),
        ([*formats.ACLED_COLUMNS, "population_1km", "population_2km", "population_5km", "population_best"], "acled"),
        (["id", "date_start", "date_end", "side_a", "side_b", "latitude", "longitude", "type_of_violence"], "ucdp"),
        (["event_date", "place"], "native"),  # one marker is not enough
    ],
    ids=["native", "native-with-acled-extras", "acled", "acled-population", "ucdp", "one-marker"],
)
def test_detect_from_the_header(header, fmt):
    assert formats.detect(header) == fmt


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b"event_id_cnty,event_date,location,sub_event_type,source\nX,2024-11-29,Aleppo,Attack,Test\n",
            "read as an ACLED export, it lacks column(s): latitude, longitude; the header has: event_id_cnty",
        ),
        (
            b"id,date_start,date_end,side_a,side_b,latitude,longitude,type_of_violence\n",
            "read as a UCDP GED file, it lacks column(s): where_coordinates or adm_1;",
        ),
        (b"date,place\n2024-11-30,Aleppo\n", "missing required column(s): source;"),
    ],
    ids=["acled", "ucdp", "native"],
)
def test_a_file_missing_what_its_format_needs_gets_one_message(data, message):
    with pytest.raises(UnusableFile) as err:
        read_events(data)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_population_columns_of_an_acled_export_are_kept():
    data = acled_row().decode().splitlines()
    data = [data[0] + ",population_best", data[1] + ",12345"]
    raw = read_events("\n".join(data).encode())
    assert raw.format == "acled"
    assert raw.frame.loc[0, "population_best"] == "12345"


# ACLED


@pytest.mark.parametrize(("sub_event", "event_type"), list(formats.ACLED_EVENT_TYPES.items()))
def test_acled_sub_event_types_map_to_event_types(sub_event, event_type):
    raw = read_events(acled_row(sub_event_type=sub_event))
    assert raw.frame.loc[0, "event_type"] == event_type
    changes_control = sub_event in formats.ACLED_CONTROL_EVENTS
    assert raw.frame.loc[0, "controller"] == ("Side A" if changes_control else "")
    assert changes_control == (event_type == "capture")


@pytest.mark.parametrize("sub_event", ["Peaceful protest", "Looting/property destruction", "", "ARMED CLASH"])
def test_other_acled_sub_events_are_other_and_case_does_not_matter(sub_event):
    raw = read_events(acled_row(sub_event_type=sub_event))
    assert raw.frame.loc[0, "event_type"] == ("clash" if sub_event == "ARMED CLASH" else "other")


@pytest.mark.parametrize(
    "given, day",
    [
        ("29 November 2024", "2024-11-29"),
        ("29 Nov 2024", "2024-11-29"),
        ("1 september 2024", "2024-09-01"),
        ("29-November-2024", "2024-11-29"),
        ("2024-11-29", "2024-11-29"),
        ("2024-1-9", "2024-01-09"),
        ("29/11/2024", "2024-11-29"),
        ("29-11-2024", "2024-11-29"),
        ("29.11.2024", "2024-11-29"),
        ("9/1/2024", "2024-01-09"),
        # Left as they are, for validation to reject.
        ("31 November 2024", "31 November 2024"),
        ("11/29/2024", "11/29/2024"),
        ("29/11-2024", "29/11-2024"),
        ("29 Novembre 2024", "29 Novembre 2024"),
        ("yesterday", "yesterday"),
        ("", ""),
    ],
)
def test_acled_dates_become_iso_days(given, day):
    values = pd.Series([given], dtype=pd.StringDtype("pyarrow"))
    assert formats.acled_dates(values).tolist() == [day]


def test_acled_fixture_maps_to_native_columns():
    raw = raw_of("acled")
    first = raw.frame.iloc[0]
    assert first[list(COLUMNS)].to_dict() == {
        "event_id": "SYRTEST01",
        "date": "2024-11-27",
        "place": "Atareb",
        "lat": "36.1389",
        "lon": "36.8303",
        "event_type": "clash",
        "actor": "Military Forces of Syria (2000-2024)",
        "target": "Hayat Tahrir al Sham",
        "controller": "",
        "source": "Reuters; SOHR",
        "source_type": "",
        "claim_status": "reported",
        "reported_on": "",
        "description": "Synthetic test data, not a real report: clashes near Atareb, west of Aleppo.",
        "url": "",
        "via": "ACLED",
        "date_end": "",
        "location_precision": "1",
        "time_precision": "1",
        "affiliation": "",
    }
    frame = raw.frame.set_index("event_id")
    assert frame["date"].tolist() == [
        "2024-11-27",
        "2024-11-28",
        "2024-11-29",
        "2024-11-30",
        "2024-11-29",
        "2024-11-30",
        "31 November 2024",
        "2024-12-01",
    ]
    assert frame.loc["SYRTEST02", "place"] == "خان العسل"
    assert frame.loc["SYRTEST02", "description"].endswith(
        "west of Aleppo city.\nSecond line of the same note, still test data."
    )
    assert frame.loc["SYRTEST04", ["event_type", "controller"]].tolist() == ["capture", "Hayat Tahrir al Sham"]
    assert frame.loc["SYRTEST06", ["location_precision", "time_precision"]].tolist() == ["3", "2"]
    assert frame.loc["SYRTEST08", "description"].endswith('an "agreement" with invented wording, for the tests.')


def test_acled_keeps_every_original_column_and_renames_only_event_type():
    raw = raw_of("acled")
    kept = [("acled_event_type" if c == "event_type" else c) for c in formats.ACLED_COLUMNS]
    assert set(kept) <= set(raw.frame.columns)
    assert list(raw.frame.columns) == [*COLUMNS, *(c for c in kept if c not in COLUMNS)]
    assert raw.frame["acled_event_type"].tolist()[:3] == ["Battles", "Battles", "Explosions/Remote violence"]
    assert raw.frame.loc[0, "event_date"] == "27 November 2024"  # the file's own value, as it was
    assert raw.columns["date"] == "event_date" and raw.columns["place"] == "location"
    assert raw.columns["url"] == "url"  # nothing maps to url: its own name


def test_a_native_column_added_to_an_export_is_used():
    raw = read_events(acled_row(affiliation="Test affiliation", claim_status="claimed"))
    assert raw.frame.loc[0, "affiliation"] == "Test affiliation"
    assert raw.frame.loc[0, "claim_status"] == "claimed"
    assert "acled_affiliation" not in raw.frame.columns


# UCDP GED


def test_ucdp_fixture_maps_to_native_columns():
    raw = raw_of("ucdp")
    first = raw.frame.iloc[0]
    assert first[list(COLUMNS)].to_dict() == {
        "event_id": "990001",
        "date": "2024-11-29",
        "place": "Aleppo town",
        "lat": "36.2021",
        "lon": "37.1343",
        "event_type": "clash",
        "actor": "Government of Syria",
        "target": "HTS",
        "controller": "",
        "source": "Reuters;SOHR",
        "source_type": "",
        "claim_status": "reported",
        "reported_on": "",
        "description": "Synthetic test data, not a real report: fighting in Aleppo",
        "url": "",
        "via": "UCDP GED",
        "date_end": "2024-11-29",
        "location_precision": "1",
        "time_precision": "1",
        "affiliation": "",
    }
    frame = raw.frame.set_index("event_id")
    assert frame.loc["990002", ["date", "date_end", "event_type", "time_precision"]].tolist() == [
        "2024-11-27",
        "2024-11-30",
        "clash",
        "2",
    ]
    assert frame.loc["990003", ["event_type", "source", "location_precision"]].tolist() == ["other", "UCDP GED", "4"]
    assert frame.loc["990005", ["place", "date"]].tolist() == ["Idlib governorate", "2024-12-01"]  # from adm_1


def test_ucdp_keeps_every_original_column():
    raw = raw_of("ucdp")
    header = pd.read_csv(UCDP, nrows=0).columns
    assert set(header) <= set(raw.frame.columns)
    assert raw.frame["date_start"].tolist()[0] == "2024-11-29 00:00:00.000"
    assert raw.frame["where_coordinates"].tolist()[-1] == ""


def test_an_unknown_ucdp_violence_type_is_rejected_under_its_own_column(geodata, tmp_path):
    text = UCDP.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",Clear,1,", ",Clear,7,", 1)
    path = tmp_path / "ged.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    rejected = open_events(path, geodata).rejected.set_index("line")
    assert rejected.loc[2, ["column", "value"]].tolist() == ["type_of_violence", "7"]
    assert rejected.loc[2, "reason"].startswith("unknown event_type")


# GeoJSON


def test_geojson_features_become_rows_numbered_by_feature():
    raw = raw_of("geojson")
    assert raw.rows == 7
    assert raw.lines.tolist() == [1, 2, 6, 7]
    first = raw.frame.iloc[0]
    assert (first["lat"], first["lon"], first["place"]) == ("36.2021", "37.1343", "Aleppo")
    assert first["location_precision"] == "1"  # a JSON number, as text
    assert first["test_note"] == "an extra property, kept as a column"
    second = raw.frame.iloc[1]
    assert (second["lat"], second["place"], second["fatalities"], second["verified"]) == (
        "35.1318",
        "حماة",
        "0",
        "false",
    )
    assert raw.columns["lat"] == raw.columns["lon"] == "geometry"


def test_geojson_bad_geometries_are_rejected_rows_not_errors():
    rejected = raw_of("geojson").rejected
    assert rejected["line"].tolist() == [3, 4, 5]
    assert rejected["reason"].str.startswith(("feature 3 ", "feature 4 ", "feature 5 ")).all()


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '{"type": "FeatureCollection",\n  "features": [}',
            "not valid JSON: a value is missing, or is not JSON, at line 2, column 16",
        ),
        ('{"type": "Feature", "geometry": null, "properties": {}}', "not a GeoJSON FeatureCollection: its type is"),
        ('  \n {"type": "FeatureCollection", "features": {}}', 'it has no "features" list'),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null,'
            ' "properties": {"date": "2024-11-30", "place": "Aleppo"}}]}',
            "missing required propert(ies): source; the features have: 'date', 'place'",
        ),
    ],
    ids=["invalid-json", "a-feature", "no-features-list", "no-source"],
)
def test_unusable_geojson_gets_one_message(text, message):
    with pytest.raises(UnusableFile) as err:
        read_events(text.encode())
    assert message in str(err.value)


def test_a_collection_of_only_bad_features_is_all_rejected():
    feature = (
        '{"type": "Feature", "geometry": null, "properties": {" date ": "2024-11-30", "place": "A", "source": "T"}}'
    )
    raw = read_events(f'{{"type": "FeatureCollection", "features": [{feature}, {feature}]}}'.encode())
    assert (raw.rows, len(raw.frame), raw.rejected["line"].tolist()) == (2, 0, [1, 2])
    assert {"date", "place", "source", "lat", "lon"} <= set(raw.frame.columns)


def test_an_empty_feature_collection_has_no_rows():
    raw = read_events(b'{"type": "FeatureCollection", "features": []}')
    assert (raw.format, raw.rows, len(raw.frame), len(raw.rejected)) == ("geojson", 0, 0, 0)


# Through the pipeline


@pytest.mark.parametrize("fmt", list(FILES))
def test_every_row_is_accepted_or_rejected_once(opened, fmt):
    dataset = opened[fmt]
    rows, accepted, rejected = EXPECTED[fmt]
    assert dataset.rows == rows
    assert dataset.accepted + len(dataset.rejected) == dataset.rows
    assert sorted(dataset.events["line"]) == accepted
    assert dataset.rejected["line"].tolist() == sorted(rejected)


@pytest.mark.parametrize("fmt", list(FILES))
def test_rejected_rows_name_the_file_s_line_column_and_value(opened, fmt):
    report = opened[fmt].rejected.set_index("line")
    for line, (column, value, reason) in EXPECTED[fmt][2].items():
        assert report.loc[line, "column"] == column
        assert report.loc[line, "value"].startswith(value)
        assert report.loc[line, "reason"].startswith(reason)


def test_good_acled_rows_load_with_their_types_and_precision(opened):
    events = opened["acled"].events.set_index("event_id")
    assert events.loc["SYRTEST02", "line"] == 3  # the note on lines 3-4 does not shift it
    assert events.loc["SYRTEST03", "line"] == 5
    assert events.loc["SYRTEST04", "date"] == pd.Timestamp("2024-11-30")
    assert events.loc["SYRTEST06", "location_precision"] == "3"
    assert events.loc[events["place"].eq("خان العسل"), "located"].tolist() == ["event"]
    assert set(events["event_type"]) == {"clash", "airstrike", "capture", "shelling", "statement"}


def test_a_ucdp_event_spans_its_days(opened):
    events = opened["ucdp"].events.set_index("event_id")
    assert events.loc["990002", "date"] == pd.Timestamp("2024-11-27")
    assert events.loc["990002", "date_end"] == pd.Timestamp("2024-11-30")
    assert events.loc["990001", "date_end"] == events.loc["990001", "date"]


# Round trip: the native result, written as CSV, reads back as the same native values.


@pytest.mark.parametrize("fmt", list(FILES))
def test_native_result_round_trips_through_csv(fmt, tmp_path):
    raw = raw_of(fmt)
    path = tmp_path / "native.csv"
    raw.frame.to_csv(path, index=False)
    again = read_events(path)
    assert again.format == "native"
    assert list(again.frame.columns) == list(raw.frame.columns)
    native = [c for c in COLUMNS if c in raw.frame.columns]
    pd.testing.assert_frame_equal(again.frame[native], raw.frame[native].reset_index(drop=True))


# Hostile GeoJSON: whatever the JSON holds, one clear message or a rejected row, never a traceback.


def point_feature(coordinates: str, **properties: str) -> str:
    """One Point feature as JSON text, with ``coordinates`` written as given (so numbers of any length)."""
    props = {"date": "2024-12-01", "place": "Nowhere", "source": "Test"} | properties
    return (
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": '
        + coordinates
        + '}, "properties": '
        + json.dumps(props)
        + "}"
    )


def collection(*features: str) -> bytes:
    return ('{"type": "FeatureCollection", "features": [' + ", ".join(features) + "]}").encode()


def test_deeply_nested_geojson_gets_one_message_not_a_recursion_error(geodata):
    with pytest.raises(UnusableFile, match="nested too deeply") as err:
        open_events(b'{"type":"FeatureCollection","features":' + b"[" * 100_000, geodata)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "coordinate",
    ["1" * 5000, "-" + "1" * 5000, "1" * 400, "1" * 400 + ".5", "1e400"],
    ids=["5000-digits", "minus-5000-digits", "400-digits", "400-digit-float", "1e400"],
)
@pytest.mark.parametrize("axis", ["lon", "lat"])
def test_a_coordinate_too_big_for_a_float_is_a_rejected_row_not_a_crash(geodata, coordinate, axis):
    pair = f"[{coordinate}, 35.0]" if axis == "lon" else f"[36.0, {coordinate}]"
    good = point_feature("[37.1343, 36.2021]", place="Aleppo")
    dataset = open_events(collection(good, point_feature(pair)), geodata)
    assert (dataset.rows, dataset.accepted) == (2, 1)
    rejected = dataset.rejected.iloc[0]
    assert (rejected["line"], rejected["column"]) == (2, "geometry")
    assert rejected["reason"] == f"feature 2 has bad Point coordinates: {axis} is not a finite number"
    assert len(rejected["value"]) < 300


def test_a_coordinate_that_is_not_a_number_is_named_by_its_axis(geodata):
    dataset = open_events(collection(point_feature('[36.0, "35"]')), geodata)
    assert dataset.rejected["reason"].tolist() == ["feature 1 has bad Point coordinates: lat is not a number"]


def test_a_5000_digit_property_is_kept_as_its_text_and_the_row_loads(geodata):
    feature = point_feature("[37.1343, 36.2021]", place="Aleppo").replace(
        '"properties": {', '"properties": {"fatalities": ' + "7" * 5000 + ", "
    )
    dataset = open_events(collection(feature), geodata)
    assert dataset.accepted == 1
    assert dataset.events["fatalities"].iloc[0] == "7" * 5000


def test_a_property_nested_near_the_recursion_limit_is_a_rejected_row_or_one_message(geodata):
    # Where exactly json gives up depends on how deep the stack already is: try every depth around the limit.
    limit = sys.getrecursionlimit()
    for depth in range(limit - 150, limit + 10, 3):
        nested = "[" * depth + "]" * depth
        feature = point_feature("[37.1343, 36.2021]").replace(
            '"properties": {', '"properties": {"deep": ' + nested + ", "
        )
        try:
            dataset = open_events(collection(feature), geodata)
        except UnusableFile as err:
            assert "nested too deeply" in str(err)
            continue
        assert dataset.accepted + len(dataset.rejected) == dataset.rows == 1
        if len(dataset.rejected):
            assert dataset.rejected["reason"].iloc[0] == "feature 1 has a property nested too deeply to read: 'deep'"


@pytest.mark.parametrize("kind", ['"' + "x" * 1_000_000 + '"', '{"a": [1, 2]}', "[" * 500 + "]" * 500])
def test_a_geometry_type_that_is_huge_or_not_text_gives_a_short_reason(geodata, kind):
    feature = '{"type": "Feature", "geometry": {"type": ' + kind + '}, "properties": {}}'
    good = point_feature("[37.1343, 36.2021]")
    dataset = open_events(collection(good, feature), geodata)
    assert dataset.accepted == 1
    reason = dataset.rejected["reason"].iloc[0]
    assert reason.startswith("feature 2 has a ") and reason.endswith("geometry; expected a Point")
    assert len(reason) < 300 and len(dataset.rejected["value"].iloc[0]) < 300


def test_a_1_mb_bad_geometry_is_reported_as_a_short_preview(geodata):
    huge = json.dumps({"type": "Polygon", "coordinates": [[[36.0, 35.0]] * 100_000]})
    feature = '{"type": "Feature", "geometry": ' + huge + ', "properties": {}}'
    dataset = open_events(collection(point_feature("[37.1343, 36.2021]"), feature), geodata)
    value = dataset.rejected["value"].iloc[0]
    assert value == huge[:200] + f"… ({len(huge):,} characters)"


def test_a_property_only_rejected_features_have_is_an_empty_column_not_a_pandas_warning():
    # An all-missing column is float64 to pandas; filling it with "" warns now and is to raise in pandas 4.
    lonely = '{"type": "Feature", "geometry": null, "properties": {"date": "2024-12-01", "only_here": 1}}'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = read_events(collection(lonely, point_feature("[37.1343, 36.2021]")))
    assert raw.frame["only_here"].tolist() == [""]
    assert (raw.rows, len(raw.frame), raw.rejected["line"].tolist()) == (2, 1, [1])


def test_a_property_json_read_but_cannot_write_back_is_a_rejected_row(monkeypatch):
    # json.dumps recurses a few frames deeper than json.loads did: a property nested right at the
    # limit can be read and still not be written back. Stand in for that with a list that cannot be.
    written = geojson._text

    def too_deep_for_lists(value: object) -> str:
        if isinstance(value, list):
            raise RecursionError("maximum recursion depth exceeded while encoding a JSON object")
        return written(value)

    monkeypatch.setattr(geojson, "_text", too_deep_for_lists)
    deep = point_feature("[37.1343, 36.2021]").replace('"properties": {', '"properties": {"deep": [[1]], ')
    raw = read_events(collection(point_feature("[37.1343, 36.2021]", place="Aleppo"), deep))
    assert (raw.rows, len(raw.frame)) == (2, 1)
    assert raw.rejected.iloc[0][["line", "column", "value"]].tolist() == [2, "deep", ""]
    assert raw.rejected["reason"].iloc[0] == "feature 2 has a property nested too deeply to read: 'deep'"


def test_a_property_name_with_a_line_end_stays_on_the_message_s_one_line(geodata):
    """Found by the fuzzer: a property named "0\\n0" broke the one-line message that names the features' keys."""
    text = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, "properties": {"0\\n0": 1}}]}'
    )
    with pytest.raises(UnusableFile) as err:
        open_events(text.encode(), geodata)
    assert "\n" not in str(err.value) and "'0\\n0'" in str(err.value)
