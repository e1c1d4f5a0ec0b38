"""Fuzzing every loader: whatever the bytes, one clear refusal or every row accounted for.

For any input, ``open_events`` either raises ``UnusableFile`` (one message) or
returns a dataset where accepted + rejected = rows read, each row once.
"""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.formats import ACLED_COLUMNS
from dashboard.load import UnusableFile
from dashboard.pipeline import open_events
from tests.conftest import HEADER

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
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


def accounted(data: bytes, geodata) -> None:
    """The invariant: one clear refusal, or every row read is either accepted or rejected, once."""
    try:
        dataset = open_events(data, geodata)
    except UnusableFile as err:
        assert str(err) and "\n" not in str(err).strip()
        return
    assert dataset.accepted + len(dataset.rejected) == dataset.rows
    assert not dataset.rejected["line"].duplicated().any()
    assert dataset.events["event_id"].is_unique


def csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value

    return newline.join(",".join(cell(v) for v in row) for row in [header, *rows]).encode("utf-8")


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


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["Feature", "feature", "Point"]),
                "geometry": st.none()
                | st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["Point", "Polygon", "LineString"]),
                        "coordinates": st.lists(st.floats(allow_nan=False, width=32), max_size=3) | JSON_VALUES,
                    }
                ),
                "properties": st.none() | st.fixed_dictionaries({"date": DATES, "place": TEXT, "source": TEXT}),
            }
        ),
        max_size=15,
    )
)
def test_geojson_shapes(geodata, features):
    accounted(json.dumps({"type": "FeatureCollection", "features": features}).encode(), geodata)


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


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "", "1e400"])
def test_coordinates_that_are_not_finite_numbers_are_rejected_or_looked_up(geodata, value):
    row = ["e1", "2024-12-01", "Nowhere", value, "36.0", "clash", "", "", "", "s", "", "", "", "", "", ""]
    dataset = open_events(csv_text(NATIVE, [row]), geodata)
    assert dataset.accepted == 0 and len(dataset.rejected) == 1
    assert all(math.isfinite(v) for v in dataset.events["lat"])
