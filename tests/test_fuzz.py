"""Fuzzing every loader: whatever the bytes, one clear refusal or every row accounted for.

For any input, ``open_events`` either raises ``UnusableFile`` (one message) or
returns a dataset where accepted + rejected = rows read, each row once.
"""

from __future__ import annotations

import csv
import json
import math
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.formats import ACLED_COLUMNS
from dashboard.load import UnusableFile
from dashboard.pipeline import open_events
from tests.conftest import FIXTURES, HEADER

# Examples per fuzzer: the Hypothesis profile's (tests/conftest.py: 150 in "full", fewer in "fast").
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# For the fuzzers that run once per loader: fewer examples each (40 in "full"), so the file stays fast.
FEW = settings(FUZZ, max_examples=max(1, FUZZ.max_examples * 40 // 150))
NATIVE = HEADER.split(",")
UCDP = ["id", "date_start", "date_end", "side_a", "side_b", "latitude", "longitude", "type_of_violence", "adm_1"]
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from(list(',"\n\r;<>&حلب')),
    max_size=30,
)
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "nan", "inf", "-inf", "1e400", "36.2", "-200", "abc", "3,5"]),
)
DATES = st.one_of(
    st.dates().map(str),
    st.sampled_from(["", "0001-01-01", "9999-12-31", "2024-02-30", "29 November 2024", "2024-11-29T25:00"]),
)


def accounted(data: bytes, geodata, rows: int | None = None) -> None:
    """The invariant: one clear refusal, or every row read is either accepted or rejected, once.

    ``rows``, when known (a GeoJSON file's features), is how many rows there are to read.
    """
    try:
        dataset = open_events(data, geodata)
    except UnusableFile as err:
        assert str(err) and "\n" not in str(err).strip()
        return
    assert dataset.accepted + len(dataset.rejected) == dataset.rows
    assert rows is None or dataset.rows == rows
    assert not dataset.rejected["line"].duplicated().any()
    assert dataset.events["event_id"].is_unique


def csv_record(row: list[str]) -> str:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value

    return ",".join(cell(v) for v in row)


def csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    return newline.join(csv_record(row) for row in [header, *rows]).encode("utf-8")


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(geodata, data):
    accounted(data, geodata)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_after_a_valid_header(geodata, data):
    accounted(HEADER.encode() + b"\n" + data, geodata)


def native_row():
    values = {name: TEXT for name in NATIVE}
    values.update(date=DATES, reported_on=DATES, lat=NUMBERS, lon=NUMBERS, url=st.sampled_from(["", "https://a.b/c"]))
    values.update(event_type=st.sampled_from(["", "clash", "capture", "bombing", "CLASH"]))
    values.update(place=st.sampled_from(["Aleppo", "حلب", "Sweida", "Nowhere", ""]) | TEXT)
    return st.fixed_dictionaries(values).map(lambda row: [row[name] for name in NATIVE])


@FUZZ
@given(
    rows=st.lists(native_row(), max_size=25),
    widths=st.lists(st.integers(-3, 3), max_size=25),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_native_csv_shapes(geodata, rows, widths, newline):
    shaped = [
        row[: len(row) + w] if w < 0 else row + ["x"] * w for row, w in zip(rows, widths + [0] * 25, strict=False)
    ]
    accounted(csv_text(NATIVE, shaped, newline), geodata)


@FUZZ
@given(rows=st.lists(st.lists(TEXT | DATES | NUMBERS, min_size=len(ACLED_COLUMNS), max_size=len(ACLED_COLUMNS))))
def test_acled_shapes(geodata, rows):
    accounted(csv_text(list(ACLED_COLUMNS), rows), geodata)


@FUZZ
@given(rows=st.lists(st.lists(TEXT | DATES | NUMBERS, min_size=len(UCDP), max_size=len(UCDP))))
def test_ucdp_shapes(geodata, rows):
    accounted(csv_text(UCDP, rows), geodata)


# JSON that json.dumps will not write: integers past Python's int <-> str limit, floats past float's range,
# and nesting deeper than json.loads reads. Drawn as short markers ("int:5000"), so that hypothesis
# reports stay readable, and swapped for the raw JSON text they stand for after dumping.
RAW = "\x00raw:"
RAW_TEXT = {
    "int": lambda n: "1" * n,
    "negative-int": lambda n: "-" + "9" * n,
    "float": lambda n: "1" * n + ".5",
    "exponent": lambda n: f"1e{n}",
    "list": lambda n: "[" * n + "]" * n,
    "object": lambda n: '{"a":' * n + "1" + "}" * n,
    "unclosed": lambda n: "[" * n,
}
LITERALS = st.sampled_from(
    [
        "int:309",
        "negative-int:400",
        "int:640",
        "int:5000",
        "negative-int:5000",
        "float:400",
        "exponent:400",
        "list:900",
        "list:1000",
        "object:2000",
        "unclosed:100000",
    ]
).map(lambda marker: RAW + marker)
SCALARS = st.none() | st.booleans() | st.floats() | st.integers() | st.integers(-(10**400), 10**400) | TEXT | LITERALS
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=10,
)
COORDINATES = st.lists(st.floats(width=32) | st.integers() | LITERALS | JSON_VALUES, max_size=4) | JSON_VALUES
GEOMETRIES = (
    st.none()
    | JSON_VALUES
    | st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "Polygon", "LineString"]) | JSON_VALUES,
            "coordinates": st.lists(st.floats(allow_nan=False, width=32), min_size=2, max_size=3) | COORDINATES,
        }
    )
)
PROPERTIES = (
    st.none()
    | JSON_VALUES
    | st.fixed_dictionaries(
        {"date": DATES, "place": TEXT, "source": TEXT}, optional={"lat": JSON_VALUES, "extra": JSON_VALUES}
    )
)
FEATURES = (
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Feature", "feature", "Point"]),
            "geometry": GEOMETRIES,
            "properties": PROPERTIES,
        }
    )
    | JSON_VALUES
)


def geojson_text(document: object) -> bytes:
    """``document`` as JSON, each marked string replaced by the raw JSON text it marks."""
    text = json.dumps(document)
    return re.sub(r'"\\u0000raw:([a-z-]+):(\d+)"', lambda m: RAW_TEXT[m[1]](int(m[2])), text).encode()


@FUZZ
@given(features=st.lists(FEATURES, max_size=12))
def test_geojson_shapes(geodata, features):
    accounted(geojson_text({"type": "FeatureCollection", "features": features}), geodata, rows=len(features))


@FEW
@given(document=JSON_VALUES, wrapped=st.booleans())
def test_any_json_document(geodata, document, wrapped):
    accounted(geojson_text({"type": "FeatureCollection", "features": document} if wrapped else document), geodata)


LOADERS = {"native": NATIVE, "acled": list(ACLED_COLUMNS), "ucdp": UCDP}


def rows_of(header: list[str], max_size: int = 12):
    if header == NATIVE:
        return st.lists(native_row(), max_size=max_size)
    cell = TEXT | DATES | NUMBERS
    return st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=max_size)


@pytest.mark.parametrize("fmt", list(LOADERS))
@FEW
@given(data=st.data())
def test_mixed_line_endings_within_one_file(geodata, fmt, data):
    header = LOADERS[fmt]
    rows = data.draw(rows_of(header))
    ends = data.draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(rows) + 1, max_size=len(rows) + 1))
    final = data.draw(st.booleans())
    text = "".join(csv_record(row) + end for row, end in zip([header, *rows], ends, strict=True))
    accounted((text if final else text.rstrip("\r\n")).encode(), geodata)


@pytest.mark.parametrize("fmt", list(LOADERS))
@FEW
@given(data=st.data())
def test_duplicate_header_names(geodata, fmt, data):
    header = list(LOADERS[fmt])
    original = data.draw(st.sampled_from(header))
    twin = data.draw(st.sampled_from([original, f" {original} ", original.upper()]))
    header.insert(data.draw(st.integers(0, len(header))), twin)
    cell = TEXT | DATES | NUMBERS
    rows = data.draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=8))
    try:
        dataset = open_events(csv_text(header, rows), geodata)
    except UnusableFile as err:
        assert str(err) and "\n" not in str(err).strip()
        return
    # Names are compared trimmed, as they are read: only a twin in other case is another column.
    assert twin.strip() != original
    assert dataset.accepted + len(dataset.rejected) == dataset.rows


@FUZZ
@given(
    text=st.text(alphabet=st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ,")), min_size=1, max_size=40).filter(
        lambda t: any(c.isalpha() for c in t)
    )
)
def test_arabic_in_windows_1256_and_utf_16_reads_the_same(geodata, text):
    row = ["e1", "2024-12-01", "Aleppo", "", "", "clash", text, "", "", "source", "", "", "", text, "", ""]
    data = csv_text(NATIVE, [row]).decode()
    read = [open_events(data.encode(encoding), geodata) for encoding in ("utf-8", "cp1256", "utf-16")]
    assert [d.encoding for d in read] == ["utf-8", "windows-1256", "utf-16"]
    assert read[1].events["actor"].tolist() == read[0].events["actor"].tolist() == read[2].events["actor"].tolist()


def test_a_10_mb_cell_loads_and_is_kept_whole(geodata):
    huge = "x" * 10_000_000
    data = csv_text(
        NATIVE, [["e1", "2024-12-01", "Aleppo", "", "", "clash", "", "", "", "s", "", "", "", huge, "", ""]]
    )
    began = time.perf_counter()
    dataset = open_events(data, geodata)
    assert time.perf_counter() - began < 30
    assert dataset.accepted == 1 and len(dataset.events["description"].iloc[0]) == len(huge)


def _with_huge_description(fmt: str, huge: str) -> bytes:
    """A one-event file of ``fmt`` whose free-text field (description, notes, source_headline) is ``huge``."""
    if fmt == "geojson":
        properties = {"event_id": "e1", "date": "2024-12-01", "place": "Aleppo", "source": "s", "description": huge}
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [37.13, 36.2]}}
        return json.dumps({"type": "FeatureCollection", "features": [{**feature, "properties": properties}]}).encode()
    fixture, column = {"acled": ("acled_syria.csv", "notes"), "ucdp": ("ucdp_ged.csv", "source_headline")}[fmt]
    header, first = _rows(FIXTURES / fixture)
    return csv_text(header, [[huge if name == column else value for name, value in zip(header, first, strict=True)]])


def _rows(path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        return next(reader), next(reader)


@pytest.mark.parametrize("fmt", ["acled", "ucdp", "geojson"])
def test_a_10_mb_cell_loads_in_every_format(geodata, fmt):
    huge = "x" * 10_000_000
    began = time.perf_counter()
    dataset = open_events(_with_huge_description(fmt, huge), geodata)
    assert time.perf_counter() - began < 30
    assert dataset.accepted == 1 and len(dataset.events["description"].iloc[0]) == len(huge)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "", "1e400"])
def test_coordinates_that_are_not_finite_numbers_are_rejected_or_looked_up(geodata, value):
    row = ["e1", "2024-12-01", "Nowhere", value, "36.0", "clash", "", "", "", "s", "", "", "", "", "", ""]
    dataset = open_events(csv_text(NATIVE, [row]), geodata)
    assert dataset.accepted == 0 and len(dataset.rejected) == 1
    assert all(math.isfinite(v) for v in dataset.events["lat"])
