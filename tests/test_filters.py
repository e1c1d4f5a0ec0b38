"""Filtering by day (up to a day, or the last N days) and by facet."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard import filters


@pytest.fixture
def events():
    frame = pd.DataFrame(
        {
            "line": range(2, 8),
            "date": pd.to_datetime(
                ["2024-11-27", "2024-11-28", "2024-11-28", "2024-11-30", "2024-12-02", "2024-12-02"]
            ),
            "source": ["A", "B", "A", "C", "A", "B"],
            "source_type": ["monitor", "state media", "monitor", "", "monitor", "state media"],
            "event_type": ["clash", "capture", "clash", "airstrike", "clash", "statement"],
            "actor": ["x", "y", "x", "z", "x", "y"],
            "claim_status": ["reported", "claimed", "reported", "confirmed", "denied", "claimed"],
        }
    )
    return filters.sort_by_date(frame)


@pytest.mark.parametrize(
    "day, mode, window, expected",
    [
        (dt.date(2024, 11, 26), "until", 1, []),
        (dt.date(2024, 11, 27), "until", 1, [2]),
        (dt.date(2024, 11, 28), "until", 1, [2, 3, 4]),
        (dt.date(2024, 11, 29), "until", 1, [2, 3, 4]),
        (dt.date(2024, 12, 9), "until", 1, [2, 3, 4, 5, 6, 7]),
        (dt.date(2024, 11, 28), "window", 1, [3, 4]),
        (dt.date(2024, 11, 29), "window", 1, []),
        (dt.date(2024, 11, 30), "window", 3, [3, 4, 5]),
        (dt.date(2024, 12, 2), "window", 3, [5, 6, 7]),
    ],
)
def test_day_mask(events, day, mode, window, expected):
    assert events.loc[filters.day_mask(events, day, mode, window), "line"].tolist() == expected


def test_bad_mode_and_window_raise(events):
    with pytest.raises(ValueError, match="mode"):
        filters.day_mask(events, dt.date(2024, 12, 1), "since")
    with pytest.raises(ValueError, match="window_days"):
        filters.day_mask(events, dt.date(2024, 12, 1), "window", 0)


@pytest.mark.parametrize(
    "chosen, expected",
    [
        ({}, [2, 3, 4, 5, 6, 7]),
        ({"source": None}, [2, 3, 4, 5, 6, 7]),
        ({"source": []}, [2, 3, 4, 5, 6, 7]),  # a cleared filter is no filter: Clear all means clear
        ({"source": ["A"]}, [2, 4, 6]),
        ({"source": ["A", "C"], "claim_status": ["reported"]}, [2, 4]),
        ({"source_type": [""]}, [5]),
        ({"event_type": ["statement", "airstrike"]}, [5, 7]),
        ({"actor": ["y"], "source": ["B"]}, [3, 7]),
    ],
)
def test_facet_mask(events, chosen, expected):
    assert events.loc[filters.facet_mask(events, chosen), "line"].tolist() == expected


def test_unknown_facet_raises(events):
    with pytest.raises(KeyError, match="colour"):
        filters.facet_mask(events, {"colour": ["red"]})


def test_events_on_combines_day_and_facets(events):
    shown = filters.events_on(events, dt.date(2024, 11, 30), "until", chosen={"source": ["A"]})
    assert shown["line"].tolist() == [2, 4]


def test_days_of_spans_first_to_last_day(events):
    days = filters.days_of(events)
    assert days[0] == dt.date(2024, 11, 27) and days[-1] == dt.date(2024, 12, 2) and len(days) == 6
    assert filters.days_of(events.iloc[0:0]) == []


def test_facet_counts_most_first(events):
    counts = filters.facet_counts(events, "source")
    assert counts.index.tolist() == ["A", "B", "C"]
    assert counts.tolist() == [3, 2, 1]


def test_filters_do_not_change_the_callers_frame(events):
    before = events.copy()
    filters.events_on(events, dt.date(2024, 11, 30), "window", 2, {"source": ["A"]})
    pd.testing.assert_frame_equal(events, before)


def test_an_event_spanning_days_shows_on_each_of_them():
    events = filters.sort_by_date(
        pd.DataFrame(
            {
                "line": [2, 3],
                "date": pd.to_datetime(["2024-12-01", "2024-12-04"]),
                "date_end": pd.to_datetime(["2024-12-03", "2024-12-04"]),
            }
        )
    )
    on = {d: filters.day_mask(events, dt.date(2024, 12, d), "window", 1).tolist() for d in (1, 2, 3, 4)}
    assert on == {1: [True, False], 2: [True, False], 3: [True, False], 4: [False, True]}
    assert filters.days_of(events)[-1] == dt.date(2024, 12, 4)


def test_several_sources_in_one_cell_are_each_filterable_and_counted():
    events = pd.DataFrame({"source": ["Reuters; SOHR", "SOHR", "AFP;Reuters", "SOHR; SOHR"]})
    counts = filters.facet_counts(events, "source")
    assert counts.to_dict() == {"SOHR": 3, "Reuters": 2, "AFP": 1}
    assert filters.facet_mask(events, {"source": ["Reuters"]}).tolist() == [True, False, True, False]
    assert filters.facet_mask(events, {"source": ["AFP", "SOHR"]}).tolist() == [True, True, True, True]
    assert filters.facet_mask(events, {"source": []}).tolist() == [True] * 4  # nothing chosen: no filter


@pytest.fixture
def several():
    """Events with a cell naming two outlets and affiliations, as an ACLED file with the registry gives them."""
    frame = pd.DataFrame(
        {
            "line": range(2, 9),
            "date": pd.to_datetime(["2024-11-27"] * 3 + ["2024-11-28"] * 4),
            "source": ["Reuters; SOHR", "SOHR", "TASS", "Reuters", "RIA Novosti", "TASS; RIA Novosti", "GUR"],
            "source_type": ["independent media; monitor", "monitor", "state media", "independent media"]
            + ["state media", "state media", "intelligence service"],
            "affiliation": ["", "", "Russian state", "", "Russian state", "Russian state", "Ukrainian state"],
            "event_type": ["clash", "capture", "statement", "capture", "clash", "capture", "clash"],
            "actor": list("xyzxyzx"),
            "claim_status": ["reported"] * 4 + ["claimed"] * 3,
            "story_status": ["single-source"] * 7,
        }
    )
    return filters.sort_by_date(frame)


def pandas_counts(events: pd.DataFrame, facet: str, chosen: dict) -> pd.Series:
    """The reference: each facet's values counted with pandas alone, under every filter but its own."""
    keep = pd.Series(True, index=events.index)
    for other, values in chosen.items():
        if other != facet and values:
            parts = events[other].str.split(";").explode().str.strip()
            keep &= parts.isin(values).groupby(level=0).any()
    parts = events.loc[keep, facet].str.split(";").explode().str.strip()
    return parts.reset_index().drop_duplicates()[facet].value_counts()


@pytest.mark.parametrize(
    "chosen",
    [
        {},
        {"event_type": ["capture"]},
        {"source": ["SOHR"], "event_type": ["capture", "clash"]},
        {"affiliation": ["Russian state"], "claim_status": ["claimed"]},
        {"source_type": ["state media"], "source": ["TASS", "GUR"]},
    ],
)
def test_faceted_counts_are_pandas_counts_under_the_other_filters(several, chosen):
    index = filters.facet_index(several)
    masks = {facet: index[facet].mask(values) for facet, values in chosen.items()}
    counts = filters.faceted_counts(index, masks)
    for facet in filters.FACETS:
        expected = pandas_counts(several, facet, chosen)
        got = counts[facet]
        assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict(), facet
        assert set(got.index) == set(index[facet].values)  # every value listed, zeros too


def test_the_facet_index_masks_as_facet_mask_does(several):
    index = filters.facet_index(several)
    for chosen in ({"source": ["SOHR"]}, {"source_type": ["monitor"]}, {"affiliation": ["Russian state"]}):
        ((facet, values),) = chosen.items()
        assert index[facet].mask(values).tolist() == filters.facet_mask(several, chosen).tolist()
    assert index["source"].mask([]) is None


def test_counts_count_outlets_not_cells(several):
    counts = filters.facet_index(several)["source"].counts(None)
    assert counts["SOHR"] == 2 and counts["Reuters"] == 2 and counts["RIA Novosti"] == 2
    assert "Reuters; SOHR" not in counts.index


def test_why_nothing_names_the_filter_that_left_nothing(several):
    day = filters.day_mask(several, dt.date(2024, 11, 28))
    index = filters.facet_index(several)
    parts = {
        "Source 'GUR'": index["source"].mask(["GUR"]),
        "Event type 'capture'": index["event_type"].mask(["capture"]),
    }
    said = filters.why_nothing(day, parts, "up to 28 Nov 2024")
    assert said.startswith("Nothing shown: Source 'GUR' or Event type 'capture' leaves nothing")
    alone = filters.why_nothing(day, {"Search 'zebra'": np.zeros(len(several), bool)}, "up to 28 Nov 2024")
    assert alone == "Nothing shown: Search 'zebra' has no events up to 28 Nov 2024. Clear it or pick another day."
    early = filters.day_mask(several, dt.date(2024, 11, 26))
    assert filters.why_nothing(early, parts, "up to 26 Nov 2024") == "No events up to 26 Nov 2024: pick a later day."


def test_within_km_is_the_great_circle_distance():
    events = pd.DataFrame({"lat": [35.1318, 35.3, 36.199, np.nan], "lon": [36.7578, 36.75, 37.161, np.nan]})
    # Hama itself, 18.7 km north of it, and Aleppo (about 130 km away); no coordinates: never near.
    assert filters.within_km(events, 35.1318, 36.7578, 20).tolist() == [True, True, False, False]
    assert filters.within_km(events, 35.1318, 36.7578, 18).tolist() == [True, False, False, False]
    assert filters.within_km(events, 35.1318, 36.7578, 150).tolist() == [True, True, True, False]


def test_the_facet_index_counts_and_orders_as_facet_counts(loaded, several):
    for events in (loaded, several):
        index = filters.facet_index(events)
        for facet in filters.FACETS:
            expected = filters.facet_counts(events, facet)
            assert index[facet].counts(None).to_dict() == expected.to_dict()
            assert index[facet].values == list(expected.index)


def test_affiliation_groups_list_the_sources_behind_each_affiliation(several, loaded):
    groups = filters.affiliation_groups(several, filters.facet_index(several))
    assert groups == {"Russian state": ["RIA Novosti", "TASS"], "Ukrainian state": ["GUR"]}  # as the filter lists them
    bundled = filters.affiliation_groups(loaded, filters.facet_index(loaded))
    assert set(bundled["Russian state"]) == set(loaded.loc[loaded["affiliation"].eq("Russian state"), "source"])
    assert "Reuters" not in bundled  # a source that is its own affiliation is no group


def test_cells_naming_several_outlets_split_as_each_cell_split_alone():
    """``facet_values`` splits each distinct cell once and lays the parts out per row: the same as splitting
    every row (empty parts dropped where a cell has several, an empty cell kept as one empty value)."""
    import pandas as pd

    cells = ["Reuters; SOHR", "", "SANA;  ", "; ;", "Reuters; SOHR", " TASS ;RIA Novosti;TASS", "GUR"]
    events = pd.DataFrame({"source": pd.array(cells, dtype="str")})
    got = filters.facet_values(events, "source")
    one_by_one = events["source"].str.split(";").explode().str.strip()
    one_by_one = one_by_one.loc[one_by_one.ne("") | ~one_by_one.index.duplicated(keep=False)]
    assert list(zip(got.index, got, strict=True)) == list(zip(one_by_one.index, one_by_one, strict=True))
    assert list(got.loc[5]) == ["TASS", "RIA Novosti", "TASS"] and list(got.loc[[1]]) == [""]
