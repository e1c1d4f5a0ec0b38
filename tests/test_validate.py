"""Validation: every rejected row is reported with line, column, value and reason; good rows load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.model import preview
from dashboard.pipeline import open_events
from tests.conftest import FIXTURES

# line -> (column, value, reason) for tests/fixtures/broken.csv (see its README).
BROKEN = {
    3: ("date", "2024-13-40", "unparseable date"),
    4: ("date", "", "missing date"),
    5: ("place", "", "missing place"),
    6: ("source", "", "missing source"),
    7: ("lat", "abc", "lat is not a number"),
    8: ("lat", "95", "lat out of range"),
    9: ("place", "Atlantis", "unknown place with no lat/lon"),
    10: ("event_id", "t-01", "duplicate event_id, first on line 2"),
    12: ("", "t-10,2024-12-02,Hama", "has 17 fields, the header has 16"),
    13: ("url", "javascript:alert(1)", "url must be an http:// or https:// address"),
    14: ("event_type", "bombing", "unknown event_type"),
    15: ("claim_status", "rumoured", "unknown claim_status"),
    19: ("lon", "", "lon missing while lat is given"),
}


@pytest.fixture(scope="module")
def broken(geodata):
    return open_events(FIXTURES / "broken.csv", geodata)


def test_broken_fixture_accounts_for_every_row(broken):
    assert broken.rows == 17
    assert broken.accepted + len(broken.rejected) == broken.rows
    assert sorted(broken.events["line"]) == [2, 11, 16, 17]


@pytest.mark.parametrize("line", sorted(BROKEN))
def test_each_bad_row_is_reported_with_line_column_value_reason(broken, line):
    column, value, reason = BROKEN[line]
    row = broken.rejected.set_index("line").loc[line]
    assert row["column"] == column
    assert row["value"].startswith(value)
    assert row["reason"].startswith(reason)


def test_report_is_plain_data_with_the_validate_json_shape(broken):
    report = broken.report()
    assert report["format"] == "native"
    assert (report["rows"], report["accepted"]) == (17, 4)
    assert set(report["rejected"][0]) >= {"line", "column", "value", "reason"}


def test_good_rows_are_typed(broken):
    events = broken.events.set_index("event_id")
    assert events.loc["t-01", "date"] == pd.Timestamp("2024-11-30")
    assert pd.isna(events.loc["t-15", "reported_on"])
    assert events.loc["t-14", "lat"] == pytest.approx(35.25)
    assert events.loc["t-15", "description"].startswith("Good row: a quoted description, with a comma\nand")


def test_events_come_sorted_by_date(broken):
    dates = broken.events["date"].to_numpy()
    assert (np.diff(dates) >= np.timedelta64(0)).all()


@pytest.mark.parametrize(
    "row, column, reason",
    [
        ("e,2024-11-30,Aleppo,inf,37,clash,,,,R,,,,,,", "lat", "lat is not a finite number"),
        ("e,2024-11-30,Aleppo,nan,37,clash,,,,R,,,,,,", "lat", "lat is not a number"),
        ("e,2024-11-30,Aleppo,36,181,clash,,,,R,,,,,,", "lon", "lon out of range"),
        ("e,2024-11-30,Aleppo,,37,clash,,,,R,,,,,,", "lat", "lat missing while lon is given"),
        ("e,30 November 2024,Aleppo,,,clash,,,,R,,,,,,", "date", "unparseable date"),
        ("e,1850-01-01,Aleppo,,,clash,,,,R,,,,,,", "date", "unparseable date"),
        ("e,2024-11-30,Aleppo,,,clash,,,,R,,,yesterday,,,", "reported_on", "unparseable reported_on"),
        ("e,2024-11-30,Aleppo,,,clash,,,,R,blog,,,,,", "source_type", "unknown source_type"),
        ("e,2024-11-30,Aleppo,,,clash,,,,R,,,,,ftp://x.org/a,", "url", "url must be"),
        ("e,2024-11-30,Aleppo,,,clash,,,,R,,,,,https://x.org/a b,", "url", "url must be"),
        (",2024-11-30,Aleppo,,,clash,,,,R,,,,,,", "event_id", "missing event_id"),
    ],
)
def test_rule(write_csv, geodata, row, column, reason):
    dataset = open_events(write_csv(row), geodata)
    assert dataset.accepted == 0
    assert dataset.rejected.loc[0, ["line", "column"]].tolist() == [2, column]
    assert dataset.rejected.loc[0, "reason"].startswith(reason)


@pytest.mark.parametrize(
    "value, expected",
    [("2024-11-30", "2024-11-30"), ("2024-11-30T23:10:00", "2024-11-30"), ("2024-11-30T23:10:00Z", "2024-11-30")],
)
def test_iso_dates_and_datetimes_become_days(write_csv, geodata, value, expected):
    dataset = open_events(write_csv(f"e,{value},Aleppo,,,clash,,,,R,,,,,,"), geodata)
    assert dataset.events.loc[0, "date"] == pd.Timestamp(expected)


def test_vocabulary_is_matched_ignoring_case_and_empty_type_is_other(write_csv, geodata):
    dataset = open_events(
        write_csv("a,2024-11-30,Aleppo,,,CLASH,,,,R,State Media,Claimed,,,,", "b,2024-11-30,Aleppo,,,,,,,R,,,,,,"),
        geodata,
    )
    assert dataset.events["event_type"].tolist() == ["clash", "other"]
    assert dataset.events.loc[0, ["source_type", "claim_status"]].tolist() == ["state media", "claimed"]


def test_only_the_required_columns_are_needed(geodata):
    dataset = open_events(b"date,place,source\n2024-11-30,Aleppo,Reuters\n2024-12-01,Hama,SANA\n", geodata)
    assert dataset.accepted == 2
    assert dataset.events["event_id"].tolist() == ["line-2", "line-3"]
    assert dataset.events["url"].tolist() == ["", ""]


def test_extra_columns_are_kept(geodata):
    dataset = open_events(b"date,place,source,fatalities\n2024-11-30,Aleppo,Reuters,12\n", geodata)
    assert dataset.events.loc[0, "fatalities"] == "12"


def test_a_row_with_several_problems_is_reported_once_with_a_count(write_csv, geodata):
    dataset = open_events(write_csv("e,someday,,abc,,bombing,,,,,,,,,,"), geodata)
    assert len(dataset.rejected) == 1
    assert dataset.rejected.loc[0, "column"] == "place"
    assert dataset.rejected.loc[0, "other_problems"] >= 4


def test_bundled_events_all_validate(geodata):
    from tests.conftest import REPO

    dataset = open_events(REPO / "events.csv", geodata)
    assert dataset.rejected.empty, dataset.rejected.head().to_dict("records")
    assert dataset.accepted == dataset.rows


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize("column", ["date", "reported_on", "date_end"])
def test_dates_far_in_the_past_or_future_are_rejected_not_a_crash(write_csv, geodata, day, column):
    """Found by tests/test_fuzz.py: year 1 in reported_on overflowed pandas' nanosecond dates."""
    from tests.conftest import HEADER

    values = {"date": "2024-12-01", "reported_on": "", "date_end": ""} | {column: day}
    row = f"e1,{values['date']},Aleppo,,,clash,,,,s,,,{values['reported_on']},d,,v,{values['date_end']}"
    dataset = open_events(write_csv(row, header=HEADER + ",date_end"), geodata)
    assert dataset.accepted == 0 and dataset.rejected.loc[0, "column"] == column


def test_a_1_mb_bad_date_is_reported_as_a_short_preview_with_its_length(write_csv, geodata):
    day = "2024-12-01" + "x" * 1_000_000
    dataset = open_events(
        write_csv(f"e1,{day},Aleppo,,,clash,,,,R,,,,,,", "e2,2024-12-01,Aleppo,,,,,,,R,,,,,,"), geodata
    )
    assert dataset.accepted == 1
    assert dataset.rejected["value"].tolist() == [day[:200] + "… (1,000,010 characters)"]


@pytest.mark.parametrize(
    "value, shown",
    [
        ("", ""),
        ("x" * 200, "x" * 200),
        ("x" * 201, "x" * 200 + "… (201 characters)"),
        ("é" * 5000, "é" * 200 + "… (5,000 characters)"),
    ],
)
def test_preview_keeps_short_values_whole_and_shortens_long_ones(value, shown):
    assert preview(value) == shown
